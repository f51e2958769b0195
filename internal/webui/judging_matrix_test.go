package webui_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tessera/tessera/internal/contest"
)

// What the page matrix looks for in every page it opens. Entry a ("Secret
// Loom" by Amina Wanjiru, a photo uploaded as "Amina Wanjiru loom-0427.jpg")
// wins first prize; entry b ("Blue Hour" by Bo Mensah, no file) is advanced
// to the final round, which makes it a finalist.
const (
	titleA = "Secret Loom"
	nameA  = "Amina Wanjiru"
	fileA  = "loom-0427"
	prizeA = "First prize"
	titleB = "Blue Hour"
	nameB  = "Bo Mensah"
)

// Messages the matrix expects on judging pages.
const (
	roundClosedMsg = "This round is closed: marks can no longer change."
	queueClosedMsg = "This round is closed: you can read your marks, but not change them."
	noWorkMsg      = "You have no entries to judge right now."
	nextRoundMsg   = "The next round, Final, opens"
)

// matrixWorld is one competition seen by every role: the public, the
// entrant who owns a ("owner"), the entrant who owns b ("other"), a judge
// assigned to both entries ("judge"), a judge who sits on another
// category's panel ("unassigned"), a judge who declared a conflict with a
// ("conflicted"), a nominator and the organizer. Another competition's
// entry and round serve as tampered ids. The app's clock moves the world
// through the round's states: open, closed (a is given first prize and b
// advanced to the final round), announcement scheduled, announced.
type matrixWorld struct {
	s                  *stack
	people             map[string]*browser
	ids                map[string]string
	blind              bool
	slug               string
	round              contest.Round // the first round, where the judging happens
	final              string        // the final round, which opens after the announcement
	foreignRd          string
	a, b, foreign, cat string
	phase              string
}

func newMatrixWorld(t *testing.T, blind bool) *matrixWorld {
	t.Helper()
	s := newStack(t, true)
	ctx := context.Background()
	org := s.organizer("olga@example.org")
	form := competitionForm("Matrix Works")
	if !blind {
		form.Del("blind")
	}
	want(t, org.post("/new", form), http.StatusOK)
	want(t, org.post("/new", competitionForm("Elsewhere Works")), http.StatusOK)
	comp, err := s.db.CompetitionBySlug(ctx, "matrix-works")
	if err != nil {
		t.Fatal(err)
	}
	other, err := s.db.CompetitionBySlug(ctx, "elsewhere-works")
	if err != nil {
		t.Fatal(err)
	}
	cats, _ := s.db.Categories(ctx, comp.ID)
	ocats, _ := s.db.Categories(ctx, other.ID)
	w := &matrixWorld{s: s, people: map[string]*browser{"public": s.browser(), "organizer": org}, ids: map[string]string{},
		blind: blind, slug: "matrix-works", cat: cats[0].ID, phase: "open"}
	for _, p := range []struct{ key, name string }{{"owner", nameA}, {"other", nameB}, {"judge", "Jo Judge"}, {"unassigned", "Uma Unassigned"}, {"conflicted", "Cy Conflicted"}, {"nominator", "Nia Nominator"}} {
		b := s.browser()
		want(t, b.signUp(p.name, p.key+"@example.org", "matrix-pass-123", "/"), http.StatusOK)
		u, err := s.db.UserByEmail(ctx, p.key+"@example.org")
		if err != nil {
			t.Fatal(err)
		}
		w.people[p.key], w.ids[p.key] = b, u.ID
	}
	for _, j := range []string{"judge", "unassigned", "conflicted"} {
		if err := s.db.AddMember(ctx, comp.ID, w.ids[j], contest.RoleJudge); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.db.AddMember(ctx, comp.ID, w.ids["nominator"], contest.RoleNominator); err != nil {
		t.Fatal(err)
	}
	mk := func(compID, cat, owner, title string) string {
		e := contest.Entry{CompetitionID: compID, CategoryID: cat, EntrantID: owner, Title: title, Consent: true, ConsentRules: true}
		if err := s.db.CreateEntry(ctx, &e, 0); err != nil {
			t.Fatal(err)
		}
		return e.ID
	}
	submit := func(id, owner string) {
		if err := s.db.SubmitEntry(ctx, id, owner); err != nil {
			t.Fatal(err)
		}
	}
	// The owner uploads a photo whose file name names them and submits it
	// once it is processed.
	w.a = mk(comp.ID, cats[0].ID, w.ids["owner"], titleA)
	entry := w.path("/entries/" + w.a)
	owner := w.people["owner"]
	want(t, owner.upload(entry+"/upload", nameA+" "+fileA+".jpg", testJPEG(t, 320, 240)), http.StatusOK, fileA)
	deadline := time.Now().Add(30 * time.Second)
	for p := owner.get(entry); !strings.Contains(p.Body, `class="thumb" src="/files/`); p = owner.get(entry) {
		if time.Now().After(deadline) {
			t.Fatalf("no thumbnail after 30s:\n%s", p.Body)
		}
		time.Sleep(100 * time.Millisecond)
	}
	want(t, owner.post(entry+"/submit", nil), http.StatusOK, "Submitted")
	w.b = mk(comp.ID, cats[0].ID, w.ids["other"], titleB)
	submit(w.b, w.ids["other"])
	w.foreign = mk(other.ID, ocats[0].ID, w.ids["other"], "Foreign Work")
	submit(w.foreign, w.ids["other"])

	if w.round, _, err = s.db.ActiveRound(ctx, comp.ID, time.Now()); err != nil {
		t.Fatal(err)
	}
	if w.round.Blind != blind {
		t.Fatalf("the first round is blind=%v, want %v", w.round.Blind, blind)
	}
	// The unassigned judge sits on no panel of the photo category.
	for _, j := range []string{"judge", "conflicted"} {
		if err := s.db.SetRoundJudge(ctx, comp.ID, w.round.ID, w.ids[j], []string{cats[0].ID}, w.ids["judge"]); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.db.SetRoundJudge(ctx, comp.ID, w.round.ID, w.ids["unassigned"], []string{cats[3].ID}, w.ids["judge"]); err != nil {
		t.Fatal(err)
	}
	// Two judges per entry: both judges get both entries, until the
	// conflicted judge declares their conflict with a.
	nairobi := mustZone("Africa/Nairobi")
	settings := url.Values{"name": {w.round.Name}, "quorum": {"2"},
		"opens_at":  {w.round.OpensAt.In(nairobi).Format("2006-01-02T15:04")},
		"closes_at": {w.round.ClosesAt.In(nairobi).Format("2006-01-02T15:04")}}
	if blind {
		settings.Set("blind", "on")
	}
	want(t, org.post(w.base()+"/settings", settings), http.StatusOK, "Settings saved.")
	if w.round, _, err = s.db.Round(ctx, comp.ID, w.round.ID); err != nil {
		t.Fatal(err)
	}
	want(t, org.post(w.base()+"/assign", nil), http.StatusOK, "Entries assigned.")
	want(t, w.people["conflicted"].get(w.base()+"/queue"), http.StatusOK, titleA, titleB)
	want(t, w.people["conflicted"].post(w.path("/conflicts"), url.Values{"kind": {"entry"}, "value": {w.a}}), http.StatusOK)
	want(t, org.post(find(t, org.get(w.path("/conflicts")), `action="(/c/matrix-works/conflicts/[a-z0-9]+/confirm)"`), nil), http.StatusOK, "Confirmed")
	foreignRound, _, err := s.db.ActiveRound(ctx, other.ID, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	w.foreignRd = foreignRound.ID

	// The assigned judge submits marks on a while the round is open.
	rv := w.base() + "/review/" + w.a
	marks := url.Values{"action": {"submit"}}
	for _, f := range findAll(w.people["judge"].get(rv).Body, `name="(c_[a-z0-9]+)" value="1"`) {
		marks.Set(f, "7")
	}
	want(t, w.people["judge"].post(rv, marks), http.StatusOK, "Your scores are submitted.")

	// The final round opens a week after the first closes.
	final := url.Values{"name": {"Final"}, "criterion_1": {"Overall"}, "weight_1": {"1"},
		"opens_at":  {w.round.ClosesAt.Add(7 * 24 * time.Hour).In(nairobi).Format("2006-01-02T15:04")},
		"closes_at": {w.round.ClosesAt.Add(14 * 24 * time.Hour).In(nairobi).Format("2006-01-02T15:04")}}
	if blind {
		final.Set("blind", "on")
	}
	want(t, org.post(w.path("/rounds"), final), http.StatusOK, "Final")
	rs, err := s.db.Rounds(ctx, comp.ID)
	if err != nil || len(rs) != 2 {
		t.Fatalf("rounds: %v %v", rs, err)
	}
	w.final = rs[1].ID
	return w
}

// path is an address inside the competition.
func (w *matrixWorld) path(p string) string { return "/c/" + w.slug + p }

// base is the first round's address.
func (w *matrixWorld) base() string { return w.path("/rounds/" + w.round.ID) }

// enter moves the world into phase, as the organizer and time would.
func (w *matrixWorld) enter(t *testing.T, phase string) {
	t.Helper()
	org := w.people["organizer"]
	switch phase {
	case "closed":
		w.s.clock.advanceTo(w.round.ClosesAt.Add(time.Hour))
		want(t, org.post(w.base()+"/award", url.Values{"entry_id": {w.a}, "kind": {"first"}}), http.StatusOK, prizeA)
		want(t, org.post(w.base()+"/advance", url.Values{"rule": {"picked"}, "entry_ids": {w.b}}), http.StatusOK, "Entries advanced.")
	case "scheduled":
		at := w.s.clock.Now().Add(time.Hour).In(mustZone("Africa/Nairobi")).Format("2006-01-02T15:04")
		want(t, org.post(w.base()+"/announcement", url.Values{"at": {at}}), http.StatusOK, "Results are public from")
	case "announced":
		w.s.clock.advance(2 * time.Hour)
	}
	w.phase = phase
}

func (w *matrixWorld) announced() bool { return w.phase == "announced" }

// allowed is everything of the two entries a role may see anywhere in the
// current phase, written from the rules in docs/JUDGING.md rather than
// from contest.See, so that a wrong policy fails here:
//   - the organizer sees everything;
//   - an entrant sees their own entry and its file, never its prize before
//     the announcement;
//   - a judge sees the entries assigned to them, with the entrant's name
//     only in a round that is not blind, never a file name or original;
//   - from the announcement on, everyone sees the winner and the finalist
//     with their entrants' names (both consented), never a file name.
func (w *matrixWorld) allowed(role string) map[string]bool {
	ok := map[string]bool{}
	allow := func(ss ...string) {
		for _, s := range ss {
			ok[s] = true
		}
	}
	switch role {
	case "organizer":
		allow(w.universe()...)
		return ok
	case "owner":
		allow(titleA, nameA, fileA, w.ids["owner"], "/original")
	case "other":
		allow(titleB, nameB)
	case "judge":
		allow(titleA, titleB)
		if !w.blind {
			allow(nameA, nameB)
		}
	case "conflicted":
		allow(titleB)
		if !w.blind {
			allow(nameB)
		}
	}
	if w.announced() {
		allow(titleA, nameA, prizeA, titleB, nameB)
	}
	return ok
}

// universe is every string the matrix watches for.
func (w *matrixWorld) universe() []string {
	return []string{titleA, nameA, fileA, prizeA, titleB, nameB, w.ids["owner"], "/original"}
}

// leaks is what role must not find on any page in the current phase.
func (w *matrixWorld) leaks(role string) []string {
	ok := w.allowed(role)
	var out []string
	for _, s := range w.universe() {
		if !ok[s] {
			out = append(out, s)
		}
	}
	return out
}

// matrixPage is one page of the judging matrix: who may open it and what
// each role must (and must not) find on it.
type matrixPage struct {
	path   string
	status func(role string) int
	check  func(t *testing.T, role string, p page)
}

func isJudgeRole(role string) bool {
	return role == "judge" || role == "unassigned" || role == "conflicted"
}

// deniedStatus is the answer to a page the role may not open: the sign-in
// page when signed out, else 403.
func deniedStatus(role string) int {
	if role == "public" {
		return http.StatusSeeOther
	}
	return http.StatusForbidden
}

// pages are the judging pages in the current phase.
func (w *matrixWorld) pages() []matrixPage {
	announced := w.announced()
	open := w.phase == "open"
	// seesAsPublic: once the results are out, everyone sees at least what
	// the public sees, the winner's and the finalist's names included (a
	// blind round's judges too: the results name the entrants publicly).
	seesAsPublic := func(role string) bool {
		return announced && role != "organizer"
	}
	// entryStatus: its owner, the organizer and the judges assigned to it
	// open an entry; everyone from the announcement (it won or is a
	// finalist, and consented); others find nothing.
	entryStatus := func(owner string, assigned ...string) func(string) int {
		return func(role string) int {
			switch {
			case role == "organizer" || role == owner || slices.Contains(assigned, role) || announced:
				return http.StatusOK
			case role == "public":
				return http.StatusSeeOther
			}
			return http.StatusNotFound
		}
	}
	judges := func(role string) int {
		if isJudgeRole(role) {
			return http.StatusOK
		}
		return deniedStatus(role)
	}
	queue := w.base() + "/queue"
	return []matrixPage{
		{w.path("/entries/" + w.a), entryStatus("owner", "judge"), func(t *testing.T, role string, p page) {
			want(t, p, http.StatusOK, titleA)
			switch {
			case role == "organizer":
				want(t, p, http.StatusOK, nameA, fileA, "/original")
				if !open {
					want(t, p, http.StatusOK, prizeA)
				}
			case role == "owner":
				want(t, p, http.StatusOK, fileA)
				if announced {
					want(t, p, http.StatusOK, prizeA)
				}
			case role == "judge":
				if !w.blind || seesAsPublic(role) {
					want(t, p, http.StatusOK, nameA)
				}
				if open {
					want(t, p, http.StatusOK, "Review and score", w.base()+"/review/"+w.a)
				} else {
					lacks(t, p, "Review and score")
				}
			case seesAsPublic(role):
				want(t, p, http.StatusOK, nameA, prizeA)
				// Seeing a winner as the public does opens no review.
				lacks(t, p, "/review/")
			}
		}},
		{w.path("/entries/" + w.b), entryStatus("other", "judge", "conflicted"), func(t *testing.T, role string, p page) {
			want(t, p, http.StatusOK, titleB)
			if seesAsPublic(role) || (role == "judge" || role == "conflicted") && !w.blind {
				want(t, p, http.StatusOK, nameB)
			}
		}},
		{queue, judges, func(t *testing.T, role string, p page) {
			if !open {
				want(t, p, http.StatusOK, queueClosedMsg)
			}
			switch role {
			case "judge":
				want(t, p, http.StatusOK, titleA, titleB)
				if w.blind {
					lacks(t, p, nameA, nameB, w.ids["owner"])
				} else {
					want(t, p, http.StatusOK, nameA, nameB)
				}
			case "conflicted":
				want(t, p, http.StatusOK, titleB)
				lacks(t, p, titleA)
				if w.blind {
					lacks(t, p, nameB)
				} else {
					want(t, p, http.StatusOK, nameB)
				}
			case "unassigned":
				lacks(t, p, titleA, titleB)
			}
		}},
		{w.base() + "/review/" + w.a, func(role string) int {
			switch {
			case role == "judge":
				return http.StatusOK
			case isJudgeRole(role):
				return http.StatusNotFound
			}
			return deniedStatus(role)
		}, func(t *testing.T, role string, p page) {
			want(t, p, http.StatusOK, titleA)
			lacks(t, p, fileA, "/original")
			if w.blind {
				lacks(t, p, nameA, w.ids["owner"])
			} else {
				want(t, p, http.StatusOK, nameA)
			}
			if open {
				want(t, p, http.StatusOK, `name="action"`, "Save changes")
				lacks(t, p, roundClosedMsg)
			} else {
				want(t, p, http.StatusOK, roundClosedMsg, "disabled")
				lacks(t, p, `name="action"`)
			}
		}},
		{w.path("/judge"), func(role string) int {
			switch {
			case open && (role == "judge" || role == "conflicted"):
				return http.StatusSeeOther
			case isJudgeRole(role):
				return http.StatusOK
			}
			return deniedStatus(role)
		}, func(t *testing.T, role string, p page) {
			if p.Status == http.StatusSeeOther {
				if got := p.Header.Get("Location"); got != queue {
					t.Fatalf("/judge sends %s to %q, want the open round's queue %q", role, got, queue)
				}
				return
			}
			// No open round has entries for them: say so, and when the
			// next round opens; list the closed round they judged.
			want(t, p, http.StatusOK, noWorkMsg, nextRoundMsg)
			if role != "unassigned" {
				want(t, p, http.StatusOK, `href="`+queue+`"`)
			} else {
				lacks(t, p, `href="`+queue+`"`)
			}
		}},
		{w.path("/gallery"), func(string) int { return http.StatusOK }, func(t *testing.T, role string, p page) {
			lacks(t, p, fileA, "/original")
			if !announced {
				// Not even to those who may see the entries elsewhere.
				want(t, p, http.StatusOK, "Results have not been announced yet")
				lacks(t, p, titleA, titleB, prizeA)
				return
			}
			want(t, p, http.StatusOK, titleA, prizeA, titleB)
			if seesAsPublic(role) {
				want(t, p, http.StatusOK, nameA, nameB)
			}
		}},
		// Tampered ids: another competition's entry, in this round and
		// on its own; another competition's round; a made-up round.
		{w.base() + "/review/" + w.foreign, func(role string) int {
			if isJudgeRole(role) {
				return http.StatusNotFound
			}
			return deniedStatus(role)
		}, nil},
		{w.path("/rounds/" + w.foreignRd + "/review/" + w.foreign), func(role string) int {
			if isJudgeRole(role) {
				return http.StatusNotFound
			}
			return deniedStatus(role)
		}, nil},
		{w.path("/entries/" + w.foreign), func(string) int { return http.StatusNotFound }, nil},
		{w.path("/rounds/madeupround/results"), func(role string) int {
			if role == "organizer" {
				return http.StatusNotFound
			}
			return deniedStatus(role)
		}, nil},
		{w.path(""), func(string) int { return http.StatusOK }, nil},
		{w.path("/rounds"), func(role string) int {
			if role == "organizer" {
				return http.StatusOK
			}
			return judges(role)
		}, nil},
	}
}

// TestJudgingPageMatrix opens the judging pages as every role while the
// round is open, after it closed, with the announcement scheduled but not
// reached, and after it, in a blind round and in one that names entrants;
// then every page route (everyPage) the same way, with tampered ids. Each
// page must answer the status the policy gives the role and show exactly
// what the role may see in that state: no entrant or public page shows a
// result, prize or finalist before the moment; a closed round's marks are
// read-only and writes are refused with a clear message; a blind round
// names its entrants nowhere in a judge's HTML, file names and URLs
// included, while a named round shows the assigned judge who made it.
func TestJudgingPageMatrix(t *testing.T) {
	roles := []string{"public", "owner", "other", "judge", "unassigned", "conflicted", "nominator", "organizer"}
	for _, blind := range []bool{true, false} {
		name := "named"
		if blind {
			name = "blind"
		}
		t.Run(name, func(t *testing.T) {
			w := newMatrixWorld(t, blind)
			for _, phase := range []string{"open", "closed", "scheduled", "announced"} {
				w.enter(t, phase)
				for _, pg := range w.pages() {
					for _, role := range roles {
						t.Run(phase+strings.TrimPrefix(pg.path, w.path(""))+"/"+role, func(t *testing.T) {
							p := w.people[role].noRedirects().get(pg.path)
							if st := pg.status(role); p.Status != st {
								t.Fatalf("%s as %s: %d, want %d\n%s", pg.path, role, p.Status, st, p.Body)
							}
							if p.Status == http.StatusOK {
								lacks(t, p, w.leaks(role)...)
							}
							// A signed-in role is redirected only where the page
							// sends it on (/judge); check that too.
							if pg.check != nil && (p.Status == http.StatusOK || p.Status == http.StatusSeeOther && role != "public") {
								pg.check(t, role, p)
							}
						})
					}
				}
				everyPage(t, w.pageWorld())
			}
		})
	}
}

// pageWorld is what everyPage needs of the matrix world.
func (w *matrixWorld) pageWorld() pageWorld {
	return pageWorld{people: w.people, slug: w.slug, round: w.round.ID, foreignRd: w.foreignRd, a: w.a, b: w.b, foreign: w.foreign,
		cat: w.cat, phase: w.phase, leaks: w.leaks}
}
