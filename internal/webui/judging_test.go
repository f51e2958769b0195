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
	// The conflicted judge declares a conflict with the owner's entry.
	want(t, people["conflicted"].post("/c/hands-at-work/conflicts", url.Values{"kind": {"entry"}, "value": {entries[0]}}), http.StatusOK, entries[0])

	rounds := org.get("/c/hands-at-work/rounds")
	want(t, rounds, http.StatusOK, "Judging rounds", "New round")
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
	want(t, org.post("/c/hands-at-work/schedule", url.Values{"when": {"now"}, "back": {base + "/results"}}), http.StatusOK, "Results are public from")
	want(t, org.get("/c/hands-at-work/outbox"), http.StatusOK, "amina@example.org", "bo@example.org")
	want(t, org.get("/c/hands-at-work/audit"), http.StatusOK, "score.submit", "assign.auto", "award.add", "results.announce", "conflict.declare")
	if p := people["judge"].get("/c/hands-at-work/audit"); p.Status != http.StatusForbidden {
		t.Fatalf("judge opens the audit log: %d", p.Status)
	}
	want(t, s.browser().get("/c/hands-at-work/winners"), http.StatusOK, "Work of owner")
}

func findAll(body, pattern string) []string {
	var out []string
	for _, m := range regexp.MustCompile(pattern).FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	return out
}

// TestJudgingPageMatrix opens every judging page as every role, while the
// round is open and after the announcement, and checks the status and that
// no page shows a judge who made a blind entry or anyone a result early.
// Tampered ids (an entry of another competition, a made-up round) answer
// 404 like entries the caller may not see.
func TestJudgingPageMatrix(t *testing.T) {
	s := newStack(t, false)
	ctx := context.Background()
	org := s.organizer("olga@example.org")
	want(t, org.post("/new", competitionForm("Matrix Works")), http.StatusOK)
	want(t, org.post("/new", competitionForm("Elsewhere Works")), http.StatusOK)
	comp, _ := s.db.CompetitionBySlug(ctx, "matrix-works")
	other, _ := s.db.CompetitionBySlug(ctx, "elsewhere-works")
	cats, _ := s.db.Categories(ctx, comp.ID)
	ocats, _ := s.db.Categories(ctx, other.ID)
	people := map[string]*browser{"public": s.browser(), "organizer": org}
	ids := map[string]string{}
	for _, p := range []struct{ key, name string }{{"owner", "Amina Wanjiru"}, {"other", "Bo Mensah"}, {"judge", "Jo Judge"}, {"unassigned", "Uma Unassigned"}, {"conflicted", "Cy Conflicted"}, {"nominator", "Nia Nominator"}} {
		b := s.browser()
		want(t, b.signUp(p.name, p.key+"@example.org", "matrix-pass-123", "/"), http.StatusOK)
		u, _ := s.db.UserByEmail(ctx, p.key+"@example.org")
		people[p.key], ids[p.key] = b, u.ID
	}
	for _, j := range []string{"judge", "unassigned", "conflicted"} {
		_ = s.db.AddMember(ctx, comp.ID, ids[j], contest.RoleJudge)
	}
	_ = s.db.AddMember(ctx, comp.ID, ids["nominator"], contest.RoleNominator)
	mk := func(compID, cat, owner, title string) string {
		e := contest.Entry{CompetitionID: compID, CategoryID: cat, EntrantID: owner, Title: title, Consent: true}
		if err := s.db.CreateEntry(ctx, &e, 0); err != nil {
			t.Fatal(err)
		}
		if err := s.db.SubmitEntry(ctx, e.ID, owner); err != nil {
			t.Fatal(err)
		}
		return e.ID
	}
	a := mk(comp.ID, cats[0].ID, ids["owner"], "Secret Loom")
	b := mk(comp.ID, cats[0].ID, ids["other"], "Blue Hour")
	foreign := mk(other.ID, ocats[0].ID, ids["other"], "Foreign Work")
	want(t, people["conflicted"].post("/c/matrix-works/conflicts", url.Values{"kind": {"entry"}, "value": {a}}), http.StatusOK)
	r, _, err := s.db.ActiveRound(ctx, comp.ID, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	// The unassigned judge sits on no panel of this round's photo category.
	for _, j := range []string{"judge", "conflicted"} {
		if err := s.db.SetRoundJudge(ctx, comp.ID, r.ID, ids[j], []string{cats[0].ID}, ids["judge"]); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.db.SetRoundJudge(ctx, comp.ID, r.ID, ids["unassigned"], []string{cats[3].ID}, ids["judge"]); err != nil {
		t.Fatal(err)
	}
	base := "/c/matrix-works/rounds/" + r.ID
	want(t, org.post(base+"/assign", nil), http.StatusOK, "Entries assigned.")
	foreignRound, _, err := s.db.ActiveRound(ctx, other.ID, time.Now())
	if err != nil {
		t.Fatal(err)
	}

	roles := []string{"public", "owner", "other", "judge", "unassigned", "conflicted", "nominator", "organizer"}
	isJudge := func(role string) bool { return role == "judge" || role == "unassigned" || role == "conflicted" }
	orgOnly := func(role string) int {
		switch role {
		case "organizer":
			return 200
		case "public":
			return 303
		}
		return 403
	}
	judges := func(role string) int {
		switch {
		case isJudge(role):
			return 200
		case role == "public":
			return 303
		}
		return 403
	}
	for _, phase := range []string{"open", "announced"} {
		announced := phase == "announced"
		if announced {
			want(t, org.post(base+"/award", url.Values{"entry_id": {a}, "kind": {"first"}}), http.StatusOK)
			want(t, org.post("/c/matrix-works/schedule", url.Values{"when": {"now"}}), http.StatusOK)
		}
		pages := []struct {
			path string
			want func(role string) int
		}{
			{"/c/matrix-works/rounds", func(role string) int {
				if role == "organizer" {
					return 200
				}
				return judges(role)
			}},
			{base, orgOnly},
			{base + "/results", orgOnly},
			{base + "/queue", judges},
			{base + "/review/" + a, func(role string) int {
				switch {
				case role == "judge":
					return 200
				case isJudge(role):
					return 404
				case role == "public":
					return 303
				}
				return 403
			}},
			{base + "/review/" + foreign, func(role string) int {
				switch {
				case isJudge(role):
					return 404
				case role == "public":
					return 303
				}
				return 403
			}},
			{"/c/matrix-works/rounds/madeupround/results", func(role string) int {
				if role == "organizer" {
					return 404
				}
				return orgOnly(role)
			}},
			{"/c/matrix-works/conflicts", func(role string) int {
				if role == "organizer" {
					return 200
				}
				return judges(role)
			}},
			{"/c/matrix-works/outbox", orgOnly},
			{"/c/matrix-works/audit", orgOnly},
			{"/c/matrix-works/winners", func(string) int { return 200 }},
			{"/c/matrix-works/entries/" + a, func(role string) int {
				switch {
				case role == "organizer" || role == "owner" || role == "judge" || announced:
					return 200
				case role == "public":
					return 303
				}
				return 404
			}},
			{"/c/matrix-works/entries/" + foreign, func(string) int { return 404 }},
		}
		for _, pg := range pages {
			for _, role := range roles {
				t.Run(phase+pg.path+"/"+role, func(t *testing.T) {
					p := people[role].noRedirects().get(pg.path)
					if w := pg.want(role); p.Status != w {
						t.Fatalf("%s as %s: %d, want %d", pg.path, role, p.Status, w)
					}
					if p.Status != 200 {
						return
					}
					if !announced && role != "organizer" && role != "owner" {
						lacks(t, p, "Amina Wanjiru", "First prize")
					}
					if isJudge(role) && role != "judge" || role == "other" || role == "nominator" || role == "public" {
						if !announced {
							lacks(t, p, "Secret Loom")
						}
					}
				})
			}
		}
		everyPage(t, pageWorld{people: people, slug: "matrix-works", round: r.ID, foreignRd: foreignRound.ID, a: a, b: b, foreign: foreign, cat: cats[0].ID, announced: announced})
	}
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
