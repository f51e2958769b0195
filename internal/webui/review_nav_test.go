package webui_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tessera/tessera/internal/contest"
)

// TestQueueStatesAndNeighbours is a judge moving through their queue: the
// queue counts entries not started, in draft and submitted, and marks each
// entry so; the review page links to the previous and next entries of the
// judge's own queue only (never to another judge's entry, and no "next"
// after the last); "Submit and next" submits and opens the next entry, and
// on the last entry goes back to the queue.
func TestQueueStatesAndNeighbours(t *testing.T) {
	s := newStack(t, false)
	ctx := context.Background()
	org := s.organizer("olga@example.org")
	want(t, org.post("/new", competitionForm("Hands at Work")), http.StatusOK)
	comp, err := s.db.CompetitionBySlug(ctx, "hands-at-work")
	if err != nil {
		t.Fatal(err)
	}
	cats, _ := s.db.Categories(ctx, comp.ID)
	judges := map[string]*browser{}
	ids := map[string]string{}
	for _, p := range []struct{ key, name, email string }{
		{"jo", "Jo Judge", "jo@example.org"},
		{"kim", "Kim Judge", "kim@example.org"},
		{"entrant", "Amina Wanjiru", "amina@example.org"},
	} {
		b := s.browser()
		want(t, b.signUp(p.name, p.email, "judge-pass-123", "/"), http.StatusOK)
		u, err := s.db.UserByEmail(ctx, p.email)
		if err != nil {
			t.Fatal(err)
		}
		judges[p.key], ids[p.key] = b, u.ID
	}
	for _, j := range []string{"jo", "kim"} {
		if err := s.db.AddMember(ctx, comp.ID, ids[j], contest.RoleJudge); err != nil {
			t.Fatal(err)
		}
	}
	for _, title := range []string{"First work", "Second work", "Kim's work", "Last work"} {
		e := contest.Entry{CompetitionID: comp.ID, CategoryID: cats[0].ID, EntrantID: ids["entrant"], Title: title, Consent: true, ConsentRules: true}
		if err := s.db.CreateEntry(ctx, &e, 0); err != nil {
			t.Fatal(err)
		}
		if err := s.db.SubmitEntry(ctx, e.ID, e.EntrantID); err != nil {
			t.Fatal(err)
		}
	}
	rs, err := s.db.Rounds(ctx, comp.ID)
	if err != nil || len(rs) != 1 {
		t.Fatalf("rounds: %v %v", rs, err)
	}
	round := rs[0]
	nairobi := mustZone("Africa/Nairobi")
	base := "/c/hands-at-work/rounds/" + round.ID
	want(t, org.post(base+"/settings", url.Values{"name": {"Shortlist"}, "quorum": {"1"}, "blind": {"on"},
		"opens_at":  {time.Now().Add(-time.Hour).In(nairobi).Format("2006-01-02T15:04")},
		"closes_at": {time.Now().Add(72 * time.Hour).In(nairobi).Format("2006-01-02T15:04")}}), http.StatusOK, "Settings saved.")
	round, crit, err := s.db.Round(ctx, comp.ID, round.ID)
	if err != nil {
		t.Fatal(err)
	}
	// Queue order is the order of entry: Jo has the first, second and last
	// entries, Kim the third.
	order, err := s.db.RoundEntries(ctx, round)
	if err != nil || len(order) != 4 {
		t.Fatalf("round entries: %v %v", order, err)
	}
	e := map[string]string{}
	for _, x := range order {
		e[x.Title] = x.ID
	}
	var pairs []contest.Pair
	for _, title := range []string{"First work", "Second work", "Last work"} {
		pairs = append(pairs, contest.Pair{EntryID: e[title], JudgeID: ids["jo"]})
	}
	pairs = append(pairs, contest.Pair{EntryID: e["Kim's work"], JudgeID: ids["kim"]})
	if err := s.db.AddAssignments(ctx, comp.ID, round.ID, pairs, "manual", ids["jo"]); err != nil {
		t.Fatal(err)
	}
	jo, kim := judges["jo"], judges["kim"]
	review := func(title string) string { return base + "/review/" + e[title] }
	counts := func(notStarted, drafts, submitted string) []string {
		return []string{"<dt>Not started</dt><dd>" + notStarted + "</dd>", "<dt>Drafts</dt><dd>" + drafts + "</dd>",
			"<dt>Submitted</dt><dd>" + submitted + "</dd>"}
	}
	badge := func(p page, title, state string) {
		t.Helper()
		i := strings.Index(p.Body, ">"+title+"<")
		if i < 0 {
			t.Fatalf("the queue lacks %s", title)
		}
		item := p.Body[i:]
		if j := strings.Index(item, "</li>"); j > 0 {
			item = item[:j]
		}
		if !strings.Contains(item, `class="badge badge-`+state+`"`) {
			t.Errorf("%s: want state %s in %s", title, state, item)
		}
	}
	marks := func(v string) url.Values {
		f := url.Values{}
		for _, c := range crit {
			f.Set("c_"+c.ID, v)
		}
		return f
	}

	t.Run("the queue counts each state", func(t *testing.T) {
		q := jo.get(base + "/queue")
		want(t, q, http.StatusOK, append(counts("3", "0", "0"), "0 of 3 submitted")...)
		lacks(t, q, "Kim&#39;s work", e["Kim's work"])
		for _, title := range []string{"First work", "Second work", "Last work"} {
			badge(q, title, "not_started")
		}
	})

	t.Run("neighbours in queue order, only the judge's own", func(t *testing.T) {
		first := jo.get(review("First work"))
		want(t, first, http.StatusOK, "Entry 1 of 3", `rel="next" href="`+review("Second work")+`"`, "Submit and next")
		lacks(t, first, `rel="prev"`)
		second := jo.get(review("Second work"))
		want(t, second, http.StatusOK, "Entry 2 of 3", `rel="prev" href="`+review("First work")+`"`,
			`rel="next" href="`+review("Last work")+`"`)
		lacks(t, second, e["Kim's work"])
		last := jo.get(review("Last work"))
		want(t, last, http.StatusOK, "Entry 3 of 3", `rel="prev" href="`+review("Second work")+`"`, "Submit scores")
		lacks(t, last, `rel="next"`, "Submit and next", e["Kim's work"])
		// Kim's queue is one entry: no way to Jo's.
		theirs := kim.get(review("Kim's work"))
		want(t, theirs, http.StatusOK, "Entry 1 of 1")
		lacks(t, theirs, `rel="prev"`, `rel="next"`, e["First work"], e["Second work"], e["Last work"])
		// Another judge's entry is not found, read or written, next or not.
		if p := jo.get(review("Kim's work")); p.Status != http.StatusNotFound {
			t.Errorf("Jo opens Kim's entry: %d", p.Status)
		}
		f := marks("5")
		f.Set("action", "submit_next")
		if p := jo.post(review("Kim's work"), f); p.Status != http.StatusNotFound {
			t.Errorf("Jo submits Kim's entry and moves on: %d", p.Status)
		}
	})

	t.Run("a draft and a submission move the counts", func(t *testing.T) {
		f := url.Values{"c_" + crit[0].ID: {"7"}, "action": {"draft"}}
		want(t, jo.post(review("First work"), f), http.StatusOK, "Draft saved.")
		q := jo.get(base + "/queue")
		want(t, q, http.StatusOK, counts("2", "1", "0")...)
		badge(q, "First work", "draft")
		badge(q, "Second work", "not_started")

		f = marks("8")
		f.Set("action", "submit_next")
		p := jo.post(review("Second work"), f)
		want(t, p, http.StatusOK, "Saved. Here is the next entry of your queue.", "Last work", "Entry 3 of 3")
		if p.URL.Path != review("Last work") {
			t.Errorf("submit and next: at %s, want the last entry", p.URL.Path)
		}
		q = jo.get(base + "/queue")
		want(t, q, http.StatusOK, append(counts("1", "1", "1"), "1 of 3 submitted")...)
		badge(q, "Second work", "submitted")

		// On the last entry "and next" ends at the queue.
		f = marks("6")
		f.Set("action", "submit_next")
		p = jo.post(review("Last work"), f)
		want(t, p, http.StatusOK, counts("0", "1", "2")...)
		if p.URL.Path != base+"/queue" {
			t.Errorf("submit and next on the last entry: at %s, want the queue", p.URL.Path)
		}
		// Kim's counts are Kim's.
		want(t, kim.get(base+"/queue"), http.StatusOK, counts("1", "0", "0")...)
	})

	t.Run("French", func(t *testing.T) {
		want(t, jo.get(base+"/queue?lang=fr"), http.StatusOK, "<dt>Brouillons</dt><dd>1</dd>", `badge-draft">Brouillon<`, `badge-submitted">Soumise<`)
		want(t, jo.get(review("Second work")+"?lang=fr"), http.StatusOK, "Œuvre 2 sur 3", "Précédente", "Suivante",
			"Enregistrer et passer à la suivante", "Raccourcis clavier")
	})
}

// TestReviewLongScale is a rubric on 0–100: each criterion is one number
// field (never 101 choices) that works without JavaScript, keeps what was
// sent, and refuses a mark off the scale beside the field.
func TestReviewLongScale(t *testing.T) {
	s := newStack(t, false)
	ctx := context.Background()
	org := s.organizer("olga@example.org")
	form := competitionForm("Long Scales")
	form.Set("scale_min", "0")
	form.Set("scale_max", "100")
	want(t, org.post("/new", form), http.StatusOK)
	comp, err := s.db.CompetitionBySlug(ctx, "long-scales")
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
	rs, err := s.db.Rounds(ctx, comp.ID)
	if err != nil || len(rs) != 1 {
		t.Fatalf("rounds: %v %v", rs, err)
	}
	nairobi := mustZone("Africa/Nairobi")
	base := "/c/long-scales/rounds/" + rs[0].ID
	want(t, org.post(base+"/settings", url.Values{"name": {"Final"}, "quorum": {"1"},
		"opens_at":  {time.Now().Add(-time.Hour).In(nairobi).Format("2006-01-02T15:04")},
		"closes_at": {time.Now().Add(72 * time.Hour).In(nairobi).Format("2006-01-02T15:04")}}), http.StatusOK, "Settings saved.")
	_, crit, err := s.db.Round(ctx, comp.ID, rs[0].ID)
	if err != nil || len(crit) != 3 {
		t.Fatalf("criteria: %v %v", crit, err)
	}
	rv := base + "/review/" + e.ID
	p := jud.get(rv)
	want(t, p, http.StatusOK, `type="number"`, `min="0" max="100"`, "out of 100", "Entry 1 of 1")
	lacks(t, p, `type="radio"`, `rel="next"`, "Submit and next")
	f := url.Values{"action": {"submit"}}
	for _, c := range crit {
		f.Set("c_"+c.ID, "75")
	}
	f.Set("c_"+crit[1].ID, "101")
	bad := jud.post(rv, f)
	want(t, bad, http.StatusUnprocessableEntity, "error-summary", `value="101"`, `id="f-c_`+crit[1].ID+`-error"`)
	f.Set("c_"+crit[1].ID, "60")
	want(t, jud.post(rv, f), http.StatusOK, "Your scores are submitted.", `value="75"`, `value="60"`)
	want(t, jud.get(base+"/queue"), http.StatusOK, "1 of 1 submitted", "<dt>Submitted</dt><dd>1</dd>")
}
