package webui_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/tessera/tessera/internal/contest"
)

// TestBlindQueuePage plays, on the pages, a judge of a blind round who
// declares a country, watches their queue and withdraws: the queue page
// must not move by a byte until an organizer confirms the declaration.
// Paging through the queue (?after=) still shows every entry once.
func TestBlindQueuePage(t *testing.T) {
	s := newStack(t, false)
	ctx := context.Background()
	org := s.organizer("olga@example.org")
	want(t, org.post("/new", competitionForm("Blind Looms")), http.StatusOK)
	comp, err := s.db.CompetitionBySlug(ctx, "blind-looms")
	if err != nil {
		t.Fatal(err)
	}
	cats, _ := s.db.Categories(ctx, comp.ID)
	round, _, err := s.db.ActiveRound(ctx, comp.ID, time.Now())
	if err != nil || !round.Blind {
		t.Fatalf("a blind round: %+v %v", round, err)
	}
	// 52 entries: two from Kenya, the rest from Ghana; more than one page.
	var titles, kenyan []string
	for i := range 52 {
		country, title := "GH", fmt.Sprintf("Ghana work %02d", i)
		if i == 7 || i == 40 {
			country, title = "KE", fmt.Sprintf("Kenya work %02d", i)
			kenyan = append(kenyan, title)
		}
		u := contest.User{Email: fmt.Sprintf("entrant%d@example.org", i), Name: fmt.Sprintf("Entrant %d", i), PasswordHash: "x", Country: country, Organisation: "Studio " + country}
		if err := s.db.CreateUser(ctx, &u); err != nil {
			t.Fatal(err)
		}
		e := contest.Entry{CompetitionID: comp.ID, CategoryID: cats[0].ID, EntrantID: u.ID, Title: title, Consent: true}
		if err := s.db.CreateEntry(ctx, &e, 0); err != nil {
			t.Fatal(err)
		}
		if err := s.db.SubmitEntry(ctx, e.ID, u.ID); err != nil {
			t.Fatal(err)
		}
		titles = append(titles, title)
	}
	judge := s.browser()
	want(t, judge.signUp("Jo Judge", "jo@example.org", "judge-pass-123", "/"), http.StatusOK)
	u, err := s.db.UserByEmail(ctx, "jo@example.org")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.db.AddMember(ctx, comp.ID, u.ID, contest.RoleJudge); err != nil {
		t.Fatal(err)
	}
	queue := "/c/blind-looms/rounds/" + round.ID + "/queue"
	titleRE := regexp.MustCompile(`<span class="queue-title">([^<]+)</span>`)
	afterRE := regexp.MustCompile(`\?after=([A-Za-z0-9_-]+)`)

	// pages walks the queue's pages and returns their bodies, each with
	// the ?after= cursor (sealed with a fresh nonce on every request) made
	// the same, and the titles shown.
	pages := func(t *testing.T) (bodies []string, shown []string) {
		t.Helper()
		path := queue
		for range 5 {
			p := judge.get(path)
			want(t, p, http.StatusOK)
			for _, m := range titleRE.FindAllStringSubmatch(p.Body, -1) {
				shown = append(shown, m[1])
			}
			bodies = append(bodies, afterRE.ReplaceAllString(p.Body, "?after=(sealed)"))
			m := afterRE.FindStringSubmatch(p.Body)
			if m == nil {
				return bodies, shown
			}
			path = queue + "?after=" + m[1]
		}
		t.Fatal("the queue never ends")
		return nil, nil
	}
	before, shown := pages(t)
	if len(before) != 2 || !slices.Equal(sorted(shown), sorted(titles)) {
		t.Fatalf("two pages with every entry once, got %d pages showing %v", len(before), shown)
	}
	unchanged := func(t *testing.T, after string) {
		t.Helper()
		got, _ := pages(t)
		if !slices.Equal(got, before) {
			t.Fatalf("after %s the queue pages changed", after)
		}
	}

	// Declare, look, withdraw: nothing moves, and the judge's own list
	// names no entry.
	conflicts := "/c/blind-looms/conflicts"
	p := judge.post(conflicts, url.Values{"kind": {"country"}, "value": {"KE"}})
	want(t, p, http.StatusOK, "Awaiting the organizer")
	lacks(t, p, kenyan...)
	unchanged(t, "declaring Kenya")
	withdraw := find(t, p, `action="(/c/blind-looms/conflicts/[a-z0-9]+/delete)"`)
	want(t, judge.post(withdraw, nil), http.StatusOK, "No conflicts declared.")
	unchanged(t, "withdrawing it")

	// Declared again and confirmed by the organizer, who sees the entries
	// it takes: now they leave the queue, and the judge cannot lift it.
	p = judge.post(conflicts, url.Values{"kind": {"country"}, "value": {"KE"}})
	want(t, p, http.StatusOK, "Awaiting the organizer")
	unchanged(t, "declaring Kenya again")
	op := org.get(conflicts)
	want(t, op, http.StatusOK, append([]string{"Awaiting the organizer"}, kenyan...)...)
	want(t, org.post(find(t, op, `action="(/c/blind-looms/conflicts/[a-z0-9]+/confirm)"`), nil), http.StatusOK, "Confirmed")
	_, shown = pages(t)
	if len(shown) != 50 {
		t.Fatalf("after the confirmation the queue shows %d entries, want the 50 not from Kenya", len(shown))
	}
	for _, k := range kenyan {
		if slices.Contains(shown, k) {
			t.Errorf("%s is still on the queue", k)
		}
	}
	mine := judge.get(conflicts)
	want(t, mine, http.StatusOK, "Confirmed")
	lacks(t, mine, append([]string{"Withdraw"}, kenyan...)...)
	confirmed := conflicts + "/" + find(t, op, `action="/c/blind-looms/conflicts/([a-z0-9]+)/confirm"`) + "/delete"
	if p := judge.post(confirmed, nil); p.Status != http.StatusForbidden {
		t.Fatalf("the judge withdraws a confirmed declaration: %d", p.Status)
	}
	want(t, org.get("/c/blind-looms/audit"), http.StatusOK, "conflict.declare", "conflict.withdraw", "conflict.confirm")
}

func sorted(ss []string) []string {
	out := slices.Clone(ss)
	slices.Sort(out)
	return out
}
