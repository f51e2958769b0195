package webui_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"testing"
	"time"

	"github.com/tessera/tessera/internal/contest"
)

// TestJudgingPages walks the judging pages: the organizer's rounds, panel
// and automatic assignment; a judge's blind queue and review with a draft,
// an incomplete submission and a submission; a conflicted judge who cannot
// open the entry; the results with raw and normalised scores, a prize, the
// announcement, the mail kept for organizers and the audit log; French.
func TestJudgingPages(t *testing.T) {
	s := newStack(t, false)
	ctx := context.Background()
	org := s.organizer("olga@example.org")
	want(t, org.post("/new", competitionForm("Hands at Work")), http.StatusOK)
	comp, err := s.db.CompetitionBySlug(ctx, "hands-at-work")
	if err != nil {
		t.Fatal(err)
	}
	cats, _ := s.db.Categories(ctx, comp.ID)
	photo := cats[0].ID

	people := map[string]*browser{}
	ids := map[string]string{}
	for _, p := range []struct{ key, name, email string }{
		{"owner", "Amina Wanjiru", "amina@example.org"},
		{"other", "Bo Mensah", "bo@example.org"},
		{"judge", "Jo Judge", "jo@example.org"},
		{"conflicted", "Cy Conflicted", "cy@example.org"},
	} {
		b := s.browser()
		want(t, b.signUp(p.name, p.email, "judge-pass-123", "/"), http.StatusOK)
		u, err := s.db.UserByEmail(ctx, p.email)
		if err != nil {
			t.Fatal(err)
		}
		people[p.key], ids[p.key] = b, u.ID
	}
	// signUp gives everyone the organisation "<name> Cooperative": make the
	// conflicted judge share the owner's.
	for _, j := range []string{"judge", "conflicted"} {
		if err := s.db.AddMember(ctx, comp.ID, ids[j], contest.RoleJudge); err != nil {
			t.Fatal(err)
		}
	}
	var entries []string
	for _, key := range []string{"owner", "other"} {
		e := contest.Entry{CompetitionID: comp.ID, CategoryID: photo, EntrantID: ids[key], Title: "Work of " + key, Consent: true}
		if err := s.db.CreateEntry(ctx, &e, 0); err != nil {
			t.Fatal(err)
		}
		if err := s.db.SubmitEntry(ctx, e.ID, e.EntrantID); err != nil {
			t.Fatal(err)
		}
		entries = append(entries, e.ID)
	}
	// The conflicted judge declares a conflict with the owner's entry; the
	// organizer, who sees which entry it takes, confirms it.
	want(t, people["conflicted"].post("/c/hands-at-work/conflicts", url.Values{"kind": {"entry"}, "value": {entries[0]}}), http.StatusOK, entries[0], "Awaiting the organizer")
	want(t, people["conflicted"].post("/c/hands-at-work/conflicts", url.Values{"kind": {"entry"}, "value": {""}}), http.StatusUnprocessableEntity,
		"Name exactly one entry, entrant, organisation or two-letter country.", `id="error-summary"`)
	orgConflicts := org.get("/c/hands-at-work/conflicts")
	want(t, orgConflicts, http.StatusOK, "Awaiting the organizer", "Work of owner")
	want(t, org.post(find(t, orgConflicts, `action="(/c/hands-at-work/conflicts/[a-z0-9]+/confirm)"`), nil), http.StatusOK, "Confirmed")

	rounds := org.get("/c/hands-at-work/rounds")
	want(t, rounds, http.StatusOK, "Judging rounds", "New round")
	want(t, org.post("/c/hands-at-work/rounds", url.Values{"name": {""}, "quorum": {"two"}}), http.StatusUnprocessableEntity,
		"New round", "This value is not valid.", `value="two"`)
	roundID := find(t, rounds, `/c/hands-at-work/rounds/([a-z0-9]+)/results`)
	base := "/c/hands-at-work/rounds/" + roundID
	want(t, org.get(base), http.StatusOK, "Assign automatically", "Jo Judge")
	nairobi := mustZone("Africa/Nairobi")
	want(t, org.post(base+"/settings", url.Values{"name": {"Shortlist"}, "quorum": {"2"}, "blind": {"on"},
		"opens_at":  {time.Now().Add(-time.Hour).In(nairobi).Format("2006-01-02T15:04")},
		"closes_at": {time.Now().Add(72 * time.Hour).In(nairobi).Format("2006-01-02T15:04")}}), http.StatusOK, "Settings saved.", "Shortlist")
	want(t, org.post(base+"/assign", nil), http.StatusOK, "Entries assigned.")

	// The judge's blind queue and review.
	q := people["judge"].get(base + "/queue")
	want(t, q, http.StatusOK, "Work of owner", "Work of other", "0 of 2 submitted")
	lacks(t, q, "Amina Wanjiru", "Bo Mensah")
	rv := base + "/review/" + entries[0]
	page := people["judge"].get(rv)
	want(t, page, http.StatusOK, "Work of owner", "Submit scores", `name="note"`, `name="feedback"`, "judge.js")
	lacks(t, page, "Amina Wanjiru")
	var fields []string
	for _, m := range findAll(page.Body, `name="(c_[a-z0-9]+)" value="1"`) {
		fields = append(fields, m)
	}
	if len(fields) != 3 {
		t.Fatalf("rubric fields: %v", fields)
	}
	want(t, people["judge"].post(rv, url.Values{fields[0]: {"8"}, "note": {"bright"}, "action": {"draft"}}), http.StatusOK, "Draft saved.")
	bad := people["judge"].post(rv, url.Values{fields[0]: {"8"}, "action": {"submit"}})
	want(t, bad, http.StatusUnprocessableEntity, "error-summary")
	done := people["judge"].post(rv, url.Values{fields[0]: {"9"}, fields[1]: {"7"}, fields[2]: {"8"}, "feedback": {"Lovely."}, "action": {"submit"}, "next": {"queue"}})
	want(t, done, http.StatusOK, "1 of 2 submitted")
	// The conflicted judge never sees the entry, on the queue or directly.
	cq := people["conflicted"].get(base + "/queue")
	want(t, cq, http.StatusOK)
	lacks(t, cq, "Work of owner")
	if p := people["conflicted"].get(rv); p.Status != http.StatusNotFound {
		t.Fatalf("conflicted judge opens the entry: %d", p.Status)
	}
	if p := people["owner"].get(base + "/queue"); p.Status != http.StatusForbidden {
		t.Fatalf("entrant opens a queue: %d", p.Status)
	}
	// French.
	want(t, people["judge"].get(rv+"?lang=fr"), http.StatusOK, "Enregistrer les modifications", "Grille")

	// Results, a prize, the announcement, mail and audit.
	res := org.get(base + "/results")
	want(t, res, http.StatusOK, "Work of owner", "Amina Wanjiru", "normalised", "1 of 2")
	want(t, org.post(base+"/award", url.Values{"entry_id": {entries[0]}, "kind": {"first"}}), http.StatusOK, "First")
	// A time that is not valid is shown beside its field on the results
	// page, with the rest of the page as it was.
	badAt := org.post(base+"/announcement", url.Values{"when": {"later"}, "at": {"soon"}})
	want(t, badAt, http.StatusUnprocessableEntity, "This value is not valid.", `id="f-at"`, `aria-invalid="true"`, "Work of owner", "normalised")
	// "Schedule" with the time cleared asks for it; it never announces now.
	noAt := org.post(base+"/announcement", url.Values{"when": {"later"}, "at": {""}})
	want(t, noAt, http.StatusUnprocessableEntity, "This field is required.", `aria-invalid="true"`)
	lacks(t, noAt, "Results are public from")
	want(t, org.get("/c/hands-at-work/outbox"), http.StatusOK)
	lacks(t, org.get("/c/hands-at-work/outbox"), "amina@example.org")
	want(t, org.post(base+"/announcement", url.Values{"when": {"now"}}), http.StatusOK, "Results are public from")
	want(t, org.get("/c/hands-at-work/outbox"), http.StatusOK, "amina@example.org", "bo@example.org")
	want(t, org.get("/c/hands-at-work/audit"), http.StatusOK, "score.submit", "assign.auto", "award.add", "results.announce", "conflict.declare", "conflict.confirm")
	if p := people["judge"].get("/c/hands-at-work/audit"); p.Status != http.StatusForbidden {
		t.Fatalf("judge opens the audit log: %d", p.Status)
	}
	want(t, s.browser().get("/c/hands-at-work/gallery"), http.StatusOK, "Work of owner")
}

func findAll(body, pattern string) []string {
	var out []string
	for _, m := range regexp.MustCompile(pattern).FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	return out
}

// TestJudgeHome is where "Judge entries" leads when there is not exactly
// one open round for the judge: with two open rounds, a choice between
// their queues with the progress in each (in French too); once both have
// closed and none is planned, a clear word and the closed rounds to read.
func TestJudgeHome(t *testing.T) {
	s := newStack(t, false)
	ctx := context.Background()
	org := s.organizer("olga@example.org")
	want(t, org.post("/new", competitionForm("Two Rounds")), http.StatusOK)
	comp, err := s.db.CompetitionBySlug(ctx, "two-rounds")
	if err != nil {
		t.Fatal(err)
	}
	cats, _ := s.db.Categories(ctx, comp.ID)
	jud, ent := s.browser(), s.browser()
	want(t, jud.signUp("Jo Judge", "jo@example.org", "judge-pass-123", "/"), http.StatusOK)
	want(t, ent.signUp("Amina Wanjiru", "amina@example.org", "entrant-pass-1", "/"), http.StatusOK)
	ju, _ := s.db.UserByEmail(ctx, "jo@example.org")
	eu, _ := s.db.UserByEmail(ctx, "amina@example.org")
	if err := s.db.AddMember(ctx, comp.ID, ju.ID, contest.RoleJudge); err != nil {
		t.Fatal(err)
	}
	e := contest.Entry{CompetitionID: comp.ID, CategoryID: cats[0].ID, EntrantID: eu.ID, Title: "Indigo Hands", Consent: true, ConsentRules: true}
	if err := s.db.CreateEntry(ctx, &e, 0); err != nil {
		t.Fatal(err)
	}
	if err := s.db.SubmitEntry(ctx, e.ID, eu.ID); err != nil {
		t.Fatal(err)
	}
	nairobi := mustZone("Africa/Nairobi")
	want(t, org.post("/c/two-rounds/rounds", url.Values{"name": {"Second look"}, "criterion_1": {"Overall"}, "weight_1": {"1"},
		"opens_at":  {time.Now().Add(-time.Hour).In(nairobi).Format("2006-01-02T15:04")},
		"closes_at": {time.Now().Add(48 * time.Hour).In(nairobi).Format("2006-01-02T15:04")}}), http.StatusOK, "Second look")
	rs, err := s.db.Rounds(ctx, comp.ID)
	if err != nil || len(rs) != 2 {
		t.Fatalf("rounds: %v %v", rs, err)
	}
	// The app advances entries only out of a closed round; the database
	// lets the test put the entry in both open rounds at once.
	if err := s.db.Advance(ctx, comp.ID, rs[0].ID, rs[1].ID, []string{e.ID}, "picked", ju.ID); err != nil {
		t.Fatal(err)
	}

	p := jud.get("/c/two-rounds/judge")
	want(t, p, http.StatusOK, "Several rounds are open. Choose one to judge:", rs[0].Name, "Second look", "0 of 1 submitted",
		`href="/c/two-rounds/rounds/`+rs[0].ID+`/queue"`, `href="/c/two-rounds/rounds/`+rs[1].ID+`/queue"`, "closes ")
	lacks(t, p, "Amina Wanjiru")
	if p.URL.Path != "/c/two-rounds/judge" {
		t.Fatalf("two open rounds: at %s, want the choice", p.URL.Path)
	}
	want(t, jud.get("/c/two-rounds/judge?lang=fr"), http.StatusOK, "Plusieurs sessions sont ouvertes", "0 sur 1 soumises")

	// Both rounds over, none planned.
	s.clock.advanceTo(rs[0].ClosesAt.Add(time.Hour))
	p = jud.get("/c/two-rounds/judge?lang=en")
	want(t, p, http.StatusOK, "You have no entries to judge right now.", "No other round is planned yet.", "Closed rounds (read only)",
		`href="/c/two-rounds/rounds/`+rs[0].ID+`/queue"`, `href="/c/two-rounds/rounds/`+rs[1].ID+`/queue"`)
	want(t, jud.get("/c/two-rounds/rounds/"+rs[1].ID+"/queue"), http.StatusOK, "Indigo Hands",
		"This round is closed: you can read your marks, but not change them.")
}
