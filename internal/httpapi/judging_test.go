package httpapi_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3filter"

	"github.com/tessera/tessera/internal/auth"
	"github.com/tessera/tessera/internal/config"
	"github.com/tessera/tessera/internal/contest"
)

// TestJudging drives rounds, panels, conflicts, automatic assignment,
// review with drafts, the closing of a round, results, advancing, awards,
// the scheduled announcement, mail and exports through the real HTTP stack
// on both shapes, and walks the visibility matrix (every role × every
// endpoint) in each state of the competition. It runs twice on each stack,
// side by side in two competitions: once with a blind round, where nothing
// tells a judge who made an entry, and once with a round that is not blind,
// where the assigned judge sees it and nobody else learns more.
func TestJudging(t *testing.T) {
	shapes := map[string]func(*testing.T) config.Config{"embedded": embeddedConfig, "real": realConfig}
	for _, shape := range []string{"embedded", "real"} {
		t.Run(shape, func(t *testing.T) {
			env := startStack(t, shapes[shape](t))
			for _, blind := range []bool{true, false} {
				name := map[bool]string{true: "blind", false: "not blind"}[blind]
				t.Run(name, func(t *testing.T) {
					t.Parallel()
					runJudging(t, env, blind)
				})
			}
		})
	}
}

var zipDecoder sync.Once

// jw is the judging test's world: one competition and its people.
type jw struct {
	env *testEnv
	// blind is whether the judged round is blind; tag tells this world's
	// competitions and accounts from the other's on the same stack.
	blind   bool
	tag     string
	base    string
	tok     map[string]string // role name → session token
	ids     map[string]string // role name → user id
	photo   string
	essay   string
	round1  string
	crit    []string
	entries map[string]string // A (owner's, blind check, consenting), B (no consent), C, D
	foreign struct{ base, entry, round string }
	// announceAt is the scheduled moment of the announcement; matrixTook is
	// how long one walk of the matrix took (the announcement leaves time
	// for one more before the moment).
	announceAt time.Time
	matrixTook time.Duration
	// routeHits holds every route everyRoute called; lateCalls counts calls
	// of the scheduled phase answered after the moment.
	routeHits sync.Map
	lateCalls atomic.Int64
}

const (
	jOwnerName = "Amina Wanjiru"
	jOwnerOrg  = "Loom Collective"
)

// email is the address of role's account in this world.
func (w *jw) email(role string) string {
	return strings.ToLower(role) + "@" + w.tag + ".judging.example.org"
}

// mayName reports whether role may learn who made entry A: its entrant and
// the organizers always, everyone once it has won (announced, with
// consent), and the judge it is assigned to when the round is not blind.
// A conflicted or unassigned judge never does.
func (w *jw) mayName(role string, announced bool) bool {
	return role == "organizer" || role == "owner" || announced || (!w.blind && role == "judge")
}

func (w *jw) call(t *testing.T, role, method, path string, body any) response {
	t.Helper()
	return w.env.client.json(t, method, path, w.tok[role], body)
}

func (w *jw) user(t *testing.T, role, name, org, country string) {
	t.Helper()
	ctx := context.Background()
	s := w.env.stack
	u, err := s.Auth.SignUp(ctx, auth.SignUpInput{Email: w.email(role), Name: name, Password: password, Organisation: org, Country: country})
	if err != nil {
		t.Fatalf("sign up %s: %v", role, err)
	}
	tok, _, err := s.Auth.StartSession(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	w.tok[role], w.ids[role] = tok, u.ID
}

func runJudging(t *testing.T, env *testEnv, blind bool) {
	zipDecoder.Do(func() { openapi3filter.RegisterBodyDecoder("application/zip", openapi3filter.FileBodyDecoder) })
	ctx := context.Background()
	s := env.stack
	w := &jw{env: env, blind: blind, tag: map[bool]string{true: "blind", false: "seen"}[blind], tok: map[string]string{}, ids: map[string]string{}, entries: map[string]string{}}
	w.user(t, "organizer", "Olu Organizer", "", "")
	if err := s.DB.SetCanOrganize(ctx, w.ids["organizer"], true); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	var comp competitionJSON
	w.call(t, "organizer", http.MethodPost, "/api/v1/competitions", map[string]any{
		"title": "Threads of Light " + w.tag, "time_zone": "Africa/Nairobi", "opens_at": now.Add(-time.Hour), "closes_at": now.Add(48 * time.Hour),
		"criteria": []map[string]any{{"name": "Composition", "weight": 2, "scale_min": 1, "scale_max": 10}, {"name": "Impact", "weight": 1, "scale_min": 1, "scale_max": 10}},
	}).want(t, "create competition", http.StatusCreated, &comp)
	w.base = "/api/v1/competitions/" + comp.Slug
	var ov struct {
		Categories []struct{ ID, Medium string } `json:"categories"`
		Round      struct{ ID string }           `json:"round"`
	}
	w.call(t, "organizer", http.MethodGet, w.base, nil).want(t, "overview", http.StatusOK, &ov)
	for _, c := range ov.Categories {
		switch c.Medium {
		case "photo":
			w.photo = c.ID
		case "essay":
			w.essay = c.ID
		}
	}
	w.round1 = ov.Round.ID

	// People: four entrants, four judges (J3 shares the owner's
	// organisation: an automatic conflict), a nominator.
	w.user(t, "owner", jOwnerName, jOwnerOrg, "KE")
	w.user(t, "other", "Bo Mensah", "Bo Studio", "GH")
	w.user(t, "entrantC", "Chidi Okafor", "C Works", "NG")
	w.user(t, "entrantD", "Dana Leroy", "D Atelier", "FR")
	w.user(t, "judge", "Jo Judge", "Judges Guild", "UG")
	w.user(t, "unassigned", "Uma Unassigned", "Essay Circle", "TZ")
	w.user(t, "conflicted", "Cy Conflicted", jOwnerOrg, "RW")
	w.user(t, "judge4", "Kim Fourth", "Fourth Guild", "ZA")
	w.user(t, "nominator", "Nia Nominator", "Scouts", "KE")
	for _, r := range []string{"judge", "unassigned", "conflicted", "judge4"} {
		if err := s.DB.AddMember(ctx, comp.ID, w.ids[r], contest.RoleJudge); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.DB.AddMember(ctx, comp.ID, w.ids["nominator"], contest.RoleNominator); err != nil {
		t.Fatal(err)
	}

	// Entry A (the owner's) goes through the API with a real photo; B, C, D
	// are made directly (the submission path is the entrants' issue).
	var entry entryJSON
	w.call(t, "owner", http.MethodPost, w.base+"/entries", map[string]any{"category_id": w.photo, "title": "Loom at dusk", "consent_publish": true, "consent_rules": true}).want(t, "create entry", http.StatusCreated, &entry)
	w.entries["A"] = entry.ID
	entryPath := w.base + "/entries/" + entry.ID
	var up uploadJSON
	env.client.do(t, http.MethodPut, entryPath+"/files?name="+fileName, w.tok["owner"], "image/jpeg", testJPEG(t, 800, 600)).want(t, "upload", http.StatusCreated, &up)
	waitReady(t, env.client, entryPath, w.tok["owner"], up.ID)
	w.call(t, "owner", http.MethodPost, entryPath+"/submit", nil).want(t, "submit", http.StatusOK, &entry)
	for _, x := range []struct{ key, role, title string }{{"B", "other", "Blue hour"}, {"C", "entrantC", "Copper"}, {"D", "entrantD", "Dyes"}} {
		e := contest.Entry{CompetitionID: comp.ID, CategoryID: w.photo, EntrantID: w.ids[x.role], Title: x.title, Consent: x.key != "B"}
		if err := s.DB.CreateEntry(ctx, &e, 0); err != nil {
			t.Fatal(err)
		}
		if err := s.DB.SubmitEntry(ctx, e.ID, e.EntrantID); err != nil {
			t.Fatal(err)
		}
		w.entries[x.key] = e.ID
	}
	w.makeForeign(t)

	t.Run("rounds", func(t *testing.T) { w.rounds(t) })
	t.Run("conflicts and assignment", func(t *testing.T) { w.assignment(t) })
	t.Run("matrix: round open", func(t *testing.T) { w.matrix(t, phaseOpen) })
	t.Run("review", func(t *testing.T) { w.review(t) })
	t.Run("results", func(t *testing.T) { w.results(t) })
	t.Run("closing", func(t *testing.T) { w.closing(t) })
	t.Run("matrix: round closed", func(t *testing.T) {
		start := time.Now()
		w.matrix(t, phaseClosed)
		w.matrixTook = time.Since(start)
	})
	t.Run("advance and awards", func(t *testing.T) { w.awards(t) })
	t.Run("announcement", func(t *testing.T) { w.announce(t) })
	t.Run("exports", func(t *testing.T) { w.exports(t) })
}

// makeForeign creates a second competition with an entry and a round, for
// tampered ids.
func (w *jw) makeForeign(t *testing.T) {
	now := time.Now().UTC()
	var comp competitionJSON
	w.call(t, "organizer", http.MethodPost, "/api/v1/competitions", map[string]any{
		"title": "Elsewhere " + w.tag, "time_zone": "Europe/Paris", "opens_at": now.Add(-time.Hour), "closes_at": now.Add(48 * time.Hour),
		"criteria": []map[string]any{{"name": "Craft", "weight": 1, "scale_min": 1, "scale_max": 5}},
	}).want(t, "foreign competition", http.StatusCreated, &comp)
	w.foreign.base = "/api/v1/competitions/" + comp.Slug
	var ov struct {
		Categories []struct{ ID string } `json:"categories"`
		Round      struct{ ID string }   `json:"round"`
	}
	w.call(t, "organizer", http.MethodGet, w.foreign.base, nil).want(t, "foreign overview", http.StatusOK, &ov)
	w.foreign.round = ov.Round.ID
	e := contest.Entry{CompetitionID: comp.ID, CategoryID: ov.Categories[0].ID, EntrantID: w.ids["other"], Title: "Foreign"}
	ctx := context.Background()
	if err := w.env.stack.DB.CreateEntry(ctx, &e, 0); err != nil {
		t.Fatal(err)
	}
	if err := w.env.stack.DB.SubmitEntry(ctx, e.ID, e.EntrantID); err != nil {
		t.Fatal(err)
	}
	w.foreign.entry = e.ID
}

type roundJSON struct {
	ID        string   `json:"id"`
	Name      string   `json:"name"`
	Position  int      `json:"position"`
	State     string   `json:"state"`
	Quorum    int      `json:"quorum"`
	Blind     bool     `json:"blind"`
	TieBreaks []string `json:"tie_breaks"`
	Criteria  []struct {
		ID       string `json:"id"`
		ScaleMax int    `json:"scale_max"`
		Excluded bool   `json:"excluded"`
	} `json:"criteria"`
	CategoryIDs []string  `json:"category_ids"`
	ClosesAt    time.Time `json:"closes_at"`
	OpensAt     time.Time `json:"opens_at"`
}

func (w *jw) rounds(t *testing.T) {
	now := time.Now().UTC()
	var r roundJSON
	// Round 1 becomes a photo round (blind or not, as this world says),
	// quorum 2, peers' marks after one's own submission, normalising from
	// one score, ties by top marks then the organizer's decision.
	w.call(t, "organizer", http.MethodPatch, w.base+"/rounds/"+w.round1, map[string]any{
		"name": "Shortlist", "opens_at": now.Add(-time.Minute), "closes_at": now.Add(time.Hour), "category_ids": []string{w.photo},
		"quorum": 2, "blind": w.blind, "score_visibility": "after_submit", "min_scores": 1, "rank_by": "raw", "tie_breaks": []string{"top_marks", "decision"},
	}).want(t, "update round 1", http.StatusOK, &r)
	if r.Quorum != 2 || r.Blind != w.blind || r.State != "open" || len(r.TieBreaks) != 2 || len(r.CategoryIDs) != 1 {
		t.Fatalf("round 1: %+v", r)
	}
	for _, c := range r.Criteria {
		w.crit = append(w.crit, c.ID)
	}
	// A rubric with a criterion that does not count.
	w.call(t, "organizer", http.MethodPut, w.base+"/rounds/"+w.round1+"/criteria", map[string]any{"criteria": []map[string]any{
		{"name": "Composition", "weight": 2, "scale_min": 1, "scale_max": 10},
		{"name": "Impact", "weight": 1, "scale_min": 1, "scale_max": 10},
		{"name": "Originality (not counted)", "weight": 1, "scale_min": 1, "scale_max": 5, "excluded": true},
	}}).want(t, "rubric with an excluded criterion", http.StatusOK, &r)
	w.crit = nil
	for _, c := range r.Criteria {
		w.crit = append(w.crit, c.ID)
	}
	if len(r.Criteria) != 3 || !r.Criteria[2].Excluded {
		t.Fatalf("rubric: %+v", r.Criteria)
	}
	// Bad settings are named field by field.
	p := w.call(t, "organizer", http.MethodPost, w.base+"/rounds", map[string]any{"name": "", "opens_at": now, "closes_at": now.Add(-time.Hour), "quorum": 99, "tie_breaks": []string{"coin"}, "criteria": []map[string]any{}}).
		wantProblem(t, "bad round", http.StatusUnprocessableEntity)
	for _, f := range []string{"name", "closes_at", "quorum", "tie_breaks", "criteria"} {
		if p.fieldCode(f) == "" {
			t.Errorf("bad round: no problem on %s: %+v", f, p)
		}
	}
	w.call(t, "judge", http.MethodPost, w.base+"/rounds", map[string]any{"name": "x", "opens_at": now, "closes_at": now.Add(time.Hour)}).wantProblem(t, "judge creates a round", http.StatusForbidden)
	// A later yes/no screening round exists for advancing into.
	var r2 roundJSON
	w.call(t, "organizer", http.MethodPost, w.base+"/rounds", map[string]any{"name": "Final", "opens_at": now.Add(24 * time.Hour), "closes_at": now.Add(48 * time.Hour),
		"scoring_mode": "screening", "quorum": 1, "blind": false}).want(t, "create round 2", http.StatusCreated, &r2)
	if r2.Position != 2 || len(r2.Criteria) != 1 || r2.Criteria[0].ScaleMax != 1 || r2.State != "pending" {
		t.Fatalf("round 2: %+v", r2)
	}
	var list struct{ Items []roundJSON }
	w.call(t, "judge", http.MethodGet, w.base+"/rounds", nil).want(t, "judge lists rounds", http.StatusOK, &list)
	if len(list.Items) != 2 {
		t.Fatalf("rounds: %+v", list.Items)
	}
}

type summaryJSON struct {
	Added   int      `json:"added"`
	Short   []string `json:"short"`
	Judges  int      `json:"judges"`
	Entries int      `json:"entries"`
}

type assignmentsJSON struct {
	Items []struct {
		EntryID   string `json:"entry_id"`
		JudgeID   string `json:"judge_id"`
		Source    string `json:"source"`
		Submitted bool   `json:"submitted"`
	} `json:"items"`
	Judges []struct {
		JudgeID  string `json:"judge_id"`
		Assigned int    `json:"assigned"`
		Active   bool   `json:"active"`
	} `json:"judges"`
}

func (w *jw) assignments(t *testing.T) (map[string][]string, assignmentsJSON) {
	t.Helper()
	var as assignmentsJSON
	w.call(t, "organizer", http.MethodGet, w.base+"/rounds/"+w.round1+"/assignments", nil).want(t, "assignments", http.StatusOK, &as)
	by := map[string][]string{}
	for _, a := range as.Items {
		by[a.EntryID] = append(by[a.EntryID], a.JudgeID)
	}
	return by, as
}

func has(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

func (w *jw) assignment(t *testing.T) {
	r1 := w.base + "/rounds/" + w.round1
	// Panels: the unassigned judge only judges essays.
	for _, j := range []string{"judge", "conflicted", "judge4"} {
		w.call(t, "organizer", http.MethodPut, r1+"/judges", map[string]any{"judge_id": w.ids[j], "category_ids": []string{w.photo}}).want(t, "panel "+j, http.StatusNoContent, nil)
	}
	w.call(t, "organizer", http.MethodPut, r1+"/judges", map[string]any{"judge_id": w.ids["unassigned"], "category_ids": []string{w.essay}}).wantProblem(t, "panel outside the round", http.StatusUnprocessableEntity)
	w.call(t, "organizer", http.MethodPut, r1+"/judges", map[string]any{"judge_id": w.ids["owner"]}).wantProblem(t, "panel for a non-judge", http.StatusUnprocessableEntity)
	// Judge 4 declares a conflict with C's organisation; the judge cannot
	// see the organizer's recusals, only their own declarations.
	var cv struct {
		ID     string `json:"id"`
		Source string `json:"source"`
		Status string `json:"status"`
	}
	w.call(t, "judge4", http.MethodPost, w.base+"/conflicts", map[string]any{"organisation": "c works"}).want(t, "declare conflict", http.StatusCreated, &cv)
	if cv.Status != "pending" {
		t.Fatalf("a declaration waits for the organizer, got %+v", cv)
	}
	w.call(t, "organizer", http.MethodPost, w.base+"/conflicts/"+cv.ID+"/confirm", nil).want(t, "confirm the declaration", http.StatusOK, &cv)
	if cv.Status != "confirmed" {
		t.Fatalf("confirmed declaration: %+v", cv)
	}
	w.call(t, "judge4", http.MethodPost, w.base+"/conflicts", map[string]any{"organisation": "x", "country": "FR"}).wantProblem(t, "two targets", http.StatusUnprocessableEntity)
	w.call(t, "judge4", http.MethodPost, w.base+"/conflicts", map[string]any{"entry_id": w.foreign.entry}).wantProblem(t, "conflict with a foreign entry", http.StatusUnprocessableEntity)
	w.call(t, "owner", http.MethodPost, w.base+"/conflicts", map[string]any{"country": "KE"}).wantProblem(t, "entrant declares", http.StatusForbidden)

	var sum summaryJSON
	w.call(t, "organizer", http.MethodPost, r1+"/assignments/auto", nil).want(t, "auto-assign", http.StatusOK, &sum)
	if sum.Entries != 4 || sum.Judges != 3 || sum.Added != 8 || len(sum.Short) != 0 {
		t.Fatalf("auto-assign: %+v", sum)
	}
	by, _ := w.assignments(t)
	if has(by[w.entries["A"]], w.ids["conflicted"]) || has(by[w.entries["C"]], w.ids["judge4"]) {
		t.Fatalf("conflicted judges assigned: %v", by)
	}
	if !has(by[w.entries["A"]], w.ids["judge"]) || !has(by[w.entries["A"]], w.ids["judge4"]) {
		t.Fatalf("A must go to the two judges without a conflict: %v", by[w.entries["A"]])
	}
	// Running it again adds nothing.
	w.call(t, "organizer", http.MethodPost, r1+"/assignments/auto", nil).want(t, "auto-assign again", http.StatusOK, &sum)
	if sum.Added != 0 {
		t.Fatalf("second run added %d", sum.Added)
	}
	// Manual override: a conflicted judge is refused; a free pair is added
	// and removed again.
	w.call(t, "organizer", http.MethodPost, r1+"/assignments", map[string]any{"judge_id": w.ids["conflicted"], "entry_id": w.entries["A"]}).wantProblem(t, "assign a conflicted judge", http.StatusUnprocessableEntity)
	w.call(t, "organizer", http.MethodPost, r1+"/assignments", map[string]any{"judge_id": w.ids["judge"], "entry_id": w.foreign.entry}).wantProblem(t, "assign a foreign entry", http.StatusUnprocessableEntity)
	// Recusal: the judge is taken off D without being told why.
	if has(by[w.entries["D"]], w.ids["judge"]) {
		var rc struct {
			Reason string `json:"reason"`
		}
		w.call(t, "organizer", http.MethodPost, w.base+"/recusals", map[string]any{"judge_id": w.ids["judge"], "entry_id": w.entries["D"], "reason": "neighbour of the entrant"}).want(t, "recuse", http.StatusCreated, &rc)
		if rc.Reason == "" {
			t.Errorf("organizer should see the recusal's reason")
		}
		w.call(t, "organizer", http.MethodPost, r1+"/assignments/auto", nil).want(t, "top up after recusal", http.StatusOK, &sum)
		by, _ = w.assignments(t)
		if has(by[w.entries["D"]], w.ids["judge"]) || len(by[w.entries["D"]]) != 2 {
			t.Fatalf("after recusal D has %v", by[w.entries["D"]])
		}
	}
	r := w.call(t, "judge", http.MethodGet, w.base+"/conflicts", nil)
	if r.status != http.StatusOK || bytes.Contains(r.body, []byte("neighbour")) || bytes.Contains(r.body, []byte("recusal")) {
		t.Errorf("a judge must not see recusals: %d %s", r.status, r.body)
	}
	r = w.call(t, "organizer", http.MethodGet, w.base+"/conflicts", nil)
	if r.status != http.StatusOK || !bytes.Contains(r.body, []byte("c works")) {
		t.Errorf("organizer conflicts: %d %s", r.status, r.body)
	}
}

type reviewJSON struct {
	Entry     json.RawMessage `json:"entry"`
	Scores    map[string]int  `json:"scores"`
	Note      string          `json:"note"`
	Feedback  string          `json:"feedback"`
	Total     *float64        `json:"total"`
	Submitted bool            `json:"submitted"`
	Editable  bool            `json:"editable"`
	Peers     []struct {
		Judge int     `json:"judge"`
		Total float64 `json:"total"`
	} `json:"peers"`
}

// wantJudgeView checks what the assigned judge's queue or review shows of
// entry A: never its file name or original; its entrant's name and
// organisation exactly when the round is not blind.
func (w *jw) wantJudgeView(t *testing.T, what string, body []byte) {
	t.Helper()
	if w.blind {
		wantBlind(t, what, body)
		return
	}
	for _, leak := range []string{`"original_url"`, `"file_name"`, `"fail_reason"`, fileName, "/original"} {
		if bytes.Contains(body, []byte(leak)) {
			t.Errorf("%s leaks %s: %s", what, leak, body)
		}
	}
	for _, name := range []string{`"entrant"`, jOwnerName, jOwnerOrg} {
		if !bytes.Contains(body, []byte(name)) {
			t.Errorf("%s in a round that is not blind lacks %s: %s", what, name, body)
		}
	}
}

type queueJSON struct {
	Items []struct {
		ID     string `json:"id"`
		Scored bool   `json:"scored"`
	} `json:"items"`
	Scored     int    `json:"scored"`
	Total      int    `json:"total"`
	NextCursor string `json:"next_cursor"`
}

func (w *jw) marks(a, b, c int) map[string]int {
	return map[string]int{w.crit[0]: a, w.crit[1]: b, w.crit[2]: c}
}

func (w *jw) review(t *testing.T) {
	r1 := w.base + "/rounds/" + w.round1
	a := w.entries["A"]
	// The judge's queue: progress, keyset pages, nothing that names the
	// entrant.
	var q queueJSON
	r := w.call(t, "judge", http.MethodGet, r1+"/queue?limit=1", nil)
	r.want(t, "queue page 1", http.StatusOK, &q)
	w.wantJudgeView(t, "queue", r.body)
	if q.Total < 2 || q.Scored != 0 || len(q.Items) != 1 || q.NextCursor == "" {
		t.Fatalf("queue: %+v", q)
	}
	var q2 queueJSON
	w.call(t, "judge", http.MethodGet, r1+"/queue?limit=1&cursor="+q.NextCursor, nil).want(t, "queue page 2", http.StatusOK, &q2)
	if len(q2.Items) != 1 || q2.Items[0].ID == q.Items[0].ID {
		t.Fatalf("queue page 2: %+v", q2)
	}
	w.call(t, "judge", http.MethodGet, r1+"/queue?cursor=not-a-cursor", nil).wantProblem(t, "tampered cursor", http.StatusUnprocessableEntity)

	rv := r1 + "/entries/" + a + "/review"
	var got reviewJSON
	r = w.call(t, "judge", http.MethodGet, rv, nil)
	r.want(t, "open review", http.StatusOK, &got)
	w.wantJudgeView(t, "review", r.body)
	if got.Submitted || !got.Editable {
		t.Fatalf("review before submitting (the matrix saved a draft): %+v", got)
	}
	// An autosaved draft may be incomplete and does not count.
	w.call(t, "judge", http.MethodPut, rv, map[string]any{"scores": map[string]int{w.crit[0]: 7}, "note": "strong light"}).want(t, "draft", http.StatusOK, &got)
	if got.Submitted || got.Scores[w.crit[0]] != 7 || got.Note != "strong light" {
		t.Fatalf("draft: %+v", got)
	}
	p := w.call(t, "judge", http.MethodPut, rv, map[string]any{"scores": map[string]int{w.crit[0]: 7}, "submit": true}).wantProblem(t, "incomplete submission", http.StatusUnprocessableEntity)
	if p.fieldCode(w.crit[1]) != "score.missing" || p.fieldCode(w.crit[2]) != "" {
		t.Errorf("incomplete submission: %+v (the excluded criterion is optional)", p.Errors)
	}
	w.call(t, "judge", http.MethodPut, rv, map[string]any{"scores": map[string]int{w.crit[0]: 11, w.crit[1]: 5}}).wantProblem(t, "out of range", http.StatusUnprocessableEntity)
	w.call(t, "judge", http.MethodPut, rv, map[string]any{"scores": w.marks(10, 10, 1), "note": "strong light", "feedback": "Lovely work.", "submit": true}).want(t, "submit", http.StatusOK, &got)
	if !got.Submitted || got.Total == nil || *got.Total != 100 {
		t.Fatalf("submitted: %+v (the excluded criterion must not lower the total)", got)
	}
	if len(got.Peers) != 0 {
		t.Errorf("no peers have submitted yet: %+v", got.Peers)
	}
	// Judge 4 scores A too; then the first judge sees a numbered peer.
	w.call(t, "judge4", http.MethodPut, rv, map[string]any{"scores": w.marks(4, 4, 3), "submit": true}).want(t, "judge4 submits A", http.StatusOK, &got)
	w.call(t, "judge", http.MethodGet, rv, nil).want(t, "review with peers", http.StatusOK, &got)
	if len(got.Peers) != 1 || got.Peers[0].Judge != 1 {
		t.Fatalf("peers: %+v", got.Peers)
	}
	// A change after submitting stays submitted and must stay complete.
	w.call(t, "judge", http.MethodPut, rv, map[string]any{"scores": map[string]int{w.crit[0]: 9}}).wantProblem(t, "incomplete change", http.StatusUnprocessableEntity)
	w.call(t, "judge", http.MethodPut, rv, map[string]any{"scores": w.marks(9, 10, 5), "feedback": "Lovely work."}).want(t, "change", http.StatusOK, &got)
	if !got.Submitted || got.Scores[w.crit[0]] != 9 {
		t.Fatalf("changed: %+v", got)
	}
	// The rest of the queue, so results have something to rank.
	by, _ := w.assignments(t)
	score := map[string][3]int{"B": {6, 6, 2}, "C": {6, 6, 2}, "D": {3, 5, 2}}
	for key, m := range score {
		for _, j := range by[w.entries[key]] {
			role := map[string]string{w.ids["judge"]: "judge", w.ids["judge4"]: "judge4", w.ids["conflicted"]: "conflicted"}[j]
			if role == "judge4" && key == "D" {
				continue // left unscored for the drop-out
			}
			w.call(t, role, http.MethodPut, r1+"/entries/"+w.entries[key]+"/review", map[string]any{"scores": w.marks(m[0], m[1], m[2]), "submit": true}).
				want(t, role+" scores "+key, http.StatusOK, nil)
		}
	}
	// Judge 4 drops out: their submitted review of A stays, their unscored
	// entries go to the others.
	_, before := w.assignments(t)
	var sum summaryJSON
	w.call(t, "organizer", http.MethodDelete, r1+"/judges/"+w.ids["judge4"], nil).want(t, "drop judge 4", http.StatusOK, &sum)
	by, after := w.assignments(t)
	if !has(by[a], w.ids["judge4"]) {
		t.Fatalf("the submitted review of the judge who left must stay: %v", by[a])
	}
	for _, x := range after.Items {
		if x.JudgeID == w.ids["judge4"] && !x.Submitted {
			t.Fatalf("an unscored assignment of the judge who left remains: %+v", x)
		}
	}
	if len(after.Items) < len(before.Items)-1 {
		t.Errorf("released work was not reassigned: %d → %d (%+v)", len(before.Items), len(after.Items), sum)
	}
	w.call(t, "judge4", http.MethodPut, rv, map[string]any{"scores": w.marks(5, 5, 5)}).want(t, "judge who left may still change a submitted review while open", http.StatusOK, nil)
}

type resultsJSON struct {
	RankBy     string `json:"rank_by"`
	Categories []struct {
		ID    string `json:"id"`
		Items []struct {
			Rank         int      `json:"rank"`
			Tied         bool     `json:"tied"`
			Raw          float64  `json:"raw"`
			Normalised   *float64 `json:"normalised"`
			Scores       int      `json:"scores"`
			Quorum       int      `json:"quorum"`
			Disagreement bool     `json:"disagreement"`
			TieDecision  string   `json:"tie_decision"`
			Entry        struct {
				ID      string `json:"id"`
				Entrant *struct {
					Name string `json:"name"`
				} `json:"entrant"`
			} `json:"entry"`
		} `json:"items"`
	} `json:"categories"`
}

func (w *jw) results(t *testing.T) {
	r1 := w.base + "/rounds/" + w.round1
	var res resultsJSON
	w.call(t, "organizer", http.MethodGet, r1+"/results", nil).want(t, "results", http.StatusOK, &res)
	if res.RankBy != "raw" || len(res.Categories) != 1 || len(res.Categories[0].Items) != 4 {
		t.Fatalf("results: %+v", res)
	}
	top := res.Categories[0].Items[0]
	if top.Entry.ID != w.entries["A"] || top.Rank != 1 || top.Scores != 2 || top.Quorum != 2 || top.Normalised == nil || top.Entry.Entrant == nil || !top.Disagreement {
		t.Fatalf("top line: %+v", top)
	}
	// B and C have the same marks: tied until the organizer decides.
	var bc []int
	for i, l := range res.Categories[0].Items {
		if l.Entry.ID == w.entries["B"] || l.Entry.ID == w.entries["C"] {
			bc = append(bc, i)
			if !l.Tied {
				t.Errorf("B and C should be tied: %+v", l)
			}
		}
	}
	w.call(t, "organizer", http.MethodPost, r1+"/tie-decisions", map[string]any{"entry_ids": []string{w.entries["C"], w.entries["B"]}, "reason": ""}).wantProblem(t, "decision without reason", http.StatusUnprocessableEntity)
	w.call(t, "organizer", http.MethodPost, r1+"/tie-decisions", map[string]any{"entry_ids": []string{w.entries["C"], w.entries["B"]}, "reason": "C's story is stronger"}).want(t, "decide tie", http.StatusNoContent, nil)
	w.call(t, "organizer", http.MethodGet, r1+"/results?rank_by=normalised", nil).want(t, "results normalised", http.StatusOK, &res)
	if res.RankBy != "normalised" {
		t.Errorf("rank_by %q", res.RankBy)
	}
	w.call(t, "organizer", http.MethodGet, r1+"/results", nil).want(t, "results after decision", http.StatusOK, &res)
	var order []string
	for _, l := range res.Categories[0].Items {
		if l.Entry.ID == w.entries["B"] || l.Entry.ID == w.entries["C"] {
			order = append(order, l.Entry.ID)
			if l.Tied || l.TieDecision != "C's story is stronger" {
				t.Errorf("after the decision: %+v", l)
			}
		}
	}
	if len(order) != 2 || order[0] != w.entries["C"] {
		t.Errorf("decision not applied: %v", order)
	}
	w.call(t, "organizer", http.MethodGet, r1+"/results?rank_by=coin", nil).wantProblem(t, "bad rank_by", http.StatusUnprocessableEntity)
}

func (w *jw) closing(t *testing.T) {
	r1 := w.base + "/rounds/" + w.round1
	closes := time.Now().UTC().Add(1500 * time.Millisecond)
	var r roundJSON
	w.call(t, "organizer", http.MethodPatch, r1, map[string]any{
		"name": "Shortlist", "opens_at": time.Now().UTC().Add(-time.Hour), "closes_at": closes, "category_ids": []string{w.photo},
		"quorum": 2, "blind": w.blind, "score_visibility": "after_submit", "min_scores": 1, "tie_breaks": []string{"top_marks", "decision"},
	}).want(t, "close soon", http.StatusOK, &r)
	time.Sleep(time.Until(closes) + 100*time.Millisecond)
	rv := r1 + "/entries/" + w.entries["A"] + "/review"
	var got reviewJSON
	w.call(t, "judge", http.MethodGet, rv, nil).want(t, "review after close", http.StatusOK, &got)
	if got.Editable || !got.Submitted {
		t.Errorf("after close: %+v", got)
	}
	w.call(t, "judge", http.MethodPut, rv, map[string]any{"scores": w.marks(1, 1, 1)}).wantProblem(t, "change after close", http.StatusForbidden)
	w.call(t, "organizer", http.MethodPatch, r1, map[string]any{"name": "Reopened", "opens_at": time.Now().UTC(), "closes_at": time.Now().UTC().Add(time.Hour)}).wantProblem(t, "reopen a closed round", http.StatusForbidden)
	w.call(t, "organizer", http.MethodPost, r1+"/assignments/auto", nil).wantProblem(t, "assign in a closed round", http.StatusForbidden)
	w.call(t, "judge", http.MethodGet, rv, nil).want(t, "review unchanged", http.StatusOK, &got)
	if got.Scores[w.crit[0]] != 9 {
		t.Errorf("marks changed after close: %+v", got.Scores)
	}
}

func (w *jw) awards(t *testing.T) {
	r1 := w.base + "/rounds/" + w.round1
	var adv struct {
		ToRoundID string   `json:"to_round_id"`
		EntryIDs  []string `json:"entry_ids"`
	}
	w.call(t, "organizer", http.MethodPost, r1+"/advance", map[string]any{"top_n": 1, "threshold": 10}).wantProblem(t, "two rules", http.StatusUnprocessableEntity)
	w.call(t, "organizer", http.MethodPost, r1+"/advance", map[string]any{"top_n": 2}).want(t, "advance top 2", http.StatusOK, &adv)
	if len(adv.EntryIDs) != 2 || adv.EntryIDs[0] != w.entries["A"] || adv.EntryIDs[1] != w.entries["C"] {
		t.Fatalf("advanced %v, want A then C", adv.EntryIDs)
	}
	w.call(t, "organizer", http.MethodPost, r1+"/awards", map[string]any{"entry_id": w.entries["A"], "kind": "first"}).want(t, "first prize", http.StatusCreated, nil)
	w.call(t, "organizer", http.MethodPost, r1+"/awards", map[string]any{"entry_id": w.entries["C"], "kind": "first"}).wantProblem(t, "second first prize", http.StatusUnprocessableEntity)
	w.call(t, "organizer", http.MethodPost, r1+"/awards", map[string]any{"entry_id": w.entries["B"], "kind": "honourable"}).want(t, "honourable mention", http.StatusCreated, nil)
	w.call(t, "organizer", http.MethodPost, r1+"/awards", map[string]any{"entry_id": w.entries["A"], "kind": "grand"}).want(t, "grand prize", http.StatusCreated, nil)
	w.call(t, "organizer", http.MethodPost, r1+"/awards", map[string]any{"entry_id": w.entries["D"], "kind": "third"}).want(t, "third", http.StatusCreated, nil)
	w.call(t, "organizer", http.MethodDelete, r1+"/awards/"+w.entries["D"]+"/third", nil).want(t, "withdraw third", http.StatusNoContent, nil)
	w.call(t, "judge", http.MethodPost, r1+"/awards", map[string]any{"entry_id": w.entries["D"], "kind": "third"}).wantProblem(t, "judge gives a prize", http.StatusForbidden)
}

func (w *jw) announce(t *testing.T) {
	// Long enough for the matrix to walk every route before the moment
	// (everyRoute checks leaks only for calls answered before it), however
	// slow this machine is today.
	at := time.Now().UTC().Add(max(12*time.Second, 3*w.matrixTook)).Truncate(time.Second).Add(time.Second)
	w.announceAt = at
	var ann struct {
		AnnouncedAt *time.Time `json:"announced_at"`
	}
	r1 := w.base + "/rounds/" + w.round1
	w.call(t, "organizer", http.MethodPost, r1+"/announcement", map[string]any{"at": at}).want(t, "schedule", http.StatusOK, &ann)
	w.call(t, "organizer", http.MethodPost, r1+"/awards", map[string]any{"entry_id": w.entries["D"], "kind": "third"}).wantProblem(t, "award after scheduling", http.StatusForbidden)
	// Before the moment: mail queued but not sent (checked first, while
	// the moment is surely ahead), and nothing anywhere.
	var box struct {
		Items []struct {
			To, State string
			Body      string
		} `json:"items"`
	}
	w.call(t, "organizer", http.MethodGet, w.base+"/outbox", nil).want(t, "outbox before", http.StatusOK, &box)
	if asked := time.Now(); !asked.Before(at) {
		t.Fatalf("the outbox answered at %s, after the moment %s: the machine is too slow for this test", asked.Format(time.RFC3339Nano), at)
	}
	if len(box.Items) != 4 {
		t.Fatalf("outbox: %+v", box.Items)
	}
	for _, m := range box.Items {
		if m.State != "pending" {
			t.Errorf("mail left before the announcement: %+v", m)
		}
	}
	w.matrix(t, phaseScheduled)
	time.Sleep(time.Until(at) + 100*time.Millisecond)
	w.matrix(t, phaseAnnounced)
	// The mail loop keeps (no SMTP here) every outcome mail within seconds.
	deadline := time.Now().Add(10 * time.Second)
	for {
		w.call(t, "organizer", http.MethodGet, w.base+"/outbox", nil).want(t, "outbox after", http.StatusOK, &box)
		kept := 0
		for _, m := range box.Items {
			if m.State == "kept" {
				kept++
			}
			if m.To == w.email("owner") && !strings.Contains(m.Body, "Loom at dusk") {
				t.Errorf("owner's mail: %q", m.Body)
			}
		}
		if kept == len(box.Items) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("mail not handled: %+v", box.Items)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func (w *jw) exports(t *testing.T) {
	c := w.env.client
	get := func(role, path string) response {
		return c.do(t, http.MethodGet, path, w.tok[role], "", nil)
	}
	rows := func(what string, r response) [][]string {
		t.Helper()
		if r.status != http.StatusOK || !strings.HasPrefix(r.header.Get("Content-Type"), "text/csv") {
			t.Fatalf("%s: %d %s", what, r.status, r.header.Get("Content-Type"))
		}
		rs, err := csv.NewReader(bytes.NewReader(r.body)).ReadAll()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		return rs
	}
	r1 := w.base + "/rounds/" + w.round1
	if rs := rows("entries.csv", get("organizer", w.base+"/exports/entries.csv")); len(rs) != 5 || rs[0][0] != "entry_id" {
		t.Errorf("entries.csv: %v", rs)
	}
	if rs := rows("scores.csv", get("organizer", r1+"/exports/scores.csv")); len(rs) < 1+3*6 || rs[0][8] != "judge_total_raw" {
		t.Errorf("scores.csv: %d rows %v", len(rs), rs[0])
	}
	if rs := rows("results.csv", get("organizer", r1+"/exports/results.csv")); len(rs) != 5 || rs[1][3] != w.entries["A"] {
		t.Errorf("results.csv: %v", rs)
	}
	audit := rows("audit.csv", get("organizer", w.base+"/exports/audit.csv"))
	seen := map[string]bool{}
	for _, r := range audit[1:] {
		seen[r[3]] = true
	}
	for _, a := range []string{"round.update", "round.create", "rubric.set", "judge.panel", "conflict.declare", "conflict.confirm", "conflict.recuse", "assign.auto", "score.submit", "score.change", "judge.drop", "tie.decide", "round.advance", "award.add", "award.remove", "results.announce"} {
		if !seen[a] {
			t.Errorf("audit log lacks %s", a)
		}
	}
	for _, orig := range []bool{false, true} {
		path := r1 + "/exports/media.zip"
		if orig {
			path += "?originals=true"
		}
		r := get("organizer", path)
		if r.status != http.StatusOK || r.header.Get("Content-Type") != "application/zip" {
			t.Fatalf("media.zip: %d %s", r.status, r.body)
		}
		zr, err := zip.NewReader(bytes.NewReader(r.body), int64(len(r.body)))
		if err != nil || len(zr.File) != 1 {
			t.Fatalf("media.zip (originals %v): %v, %d files", orig, err, len(zr.File))
		}
		name := zr.File[0].Name
		if orig != strings.HasSuffix(name, "/"+fileName) || !strings.HasPrefix(name, "Photography/"+w.entries["A"]+"-Loom at dusk/") {
			t.Errorf("media.zip (originals %v) holds %q", orig, name)
		}
	}
	for _, role := range []string{"judge", "owner"} {
		if r := get(role, w.base+"/exports/entries.csv"); r.status != http.StatusForbidden {
			t.Errorf("%s exports entries: %d", role, r.status)
		}
		if r := get(role, r1+"/exports/media.zip"); r.status != http.StatusForbidden {
			t.Errorf("%s exports media: %d", role, r.status)
		}
	}
	if r := get("organizer", w.foreign.base+"/rounds/"+w.round1+"/exports/media.zip"); r.status != http.StatusForbidden && r.status != http.StatusNotFound {
		t.Errorf("round of another competition: %d", r.status)
	}
}

// ---------------------------------------------------------------- matrix

type phase int

const (
	phaseOpen phase = iota
	phaseClosed
	phaseScheduled // announcement scheduled, not yet reached
	phaseAnnounced
)

var matrixRoles = []string{"public", "owner", "other", "judge", "unassigned", "conflicted", "nominator", "organizer"}

// matrix calls every judging endpoint as every role and checks the status
// and that each sees exactly what the policy allows: who made entry A only
// for those w.mayName lets know it (so, in a round that is not blind, the
// assigned judge must see it where a blind round hides it), A's file name
// and original only for its entrant and the organizers, and no result for
// anyone but organizers before the announcement.
func (w *jw) matrix(t *testing.T, ph phase) {
	t.Helper()
	a := w.entries["A"]
	r1 := w.base + "/rounds/" + w.round1
	announced := ph == phaseAnnounced
	type ep struct {
		name, method, path string
		body               any
		want               func(role string) int
		check              func(t *testing.T, role string, body []byte)
	}
	judgeRole := func(role string) bool { return role == "judge" || role == "unassigned" || role == "conflicted" }
	orgOnly := func(role string) int {
		switch role {
		case "organizer":
			return 200
		case "public":
			return 401
		}
		return 403
	}
	judgesOnly := func(role string) int {
		switch {
		case judgeRole(role):
			return 200
		case role == "public":
			return 401
		}
		return 403
	}
	noResult := func(t *testing.T, role string, body []byte) {
		if announced || role == "organizer" {
			return
		}
		for _, leak := range []string{`"awards"`, `"first"`, `"grand"`, `"honourable"`} {
			if bytes.Contains(body, []byte(leak)) {
				t.Errorf("%s sees a result before the announcement (%s): %s", role, leak, truncate(body))
			}
		}
	}
	noEntrant := func(t *testing.T, role string, body []byte) {
		if !w.mayName(role, announced) {
			for _, leak := range []string{jOwnerName, jOwnerOrg} {
				if bytes.Contains(body, []byte(leak)) {
					t.Errorf("%s sees who made A (%s; blind %v): %s", role, leak, w.blind, truncate(body))
				}
			}
		}
		if role != "organizer" && role != "owner" {
			for _, leak := range []string{fileName, "/original"} {
				if bytes.Contains(body, []byte(leak)) {
					t.Errorf("%s sees A's original file (%s): %s", role, leak, truncate(body))
				}
			}
		}
	}
	// named checks that a judge's view of A names its entrant when the
	// round is not blind (the policy's Entrant: !Blind for assigned judges).
	named := func(t *testing.T, role string, body []byte) {
		if role != "judge" || w.blind {
			return
		}
		for _, name := range []string{jOwnerName, jOwnerOrg} {
			if !bytes.Contains(body, []byte(name)) {
				t.Errorf("the assigned judge is not told who made A (%s) in a round that is not blind: %s", name, truncate(body))
			}
		}
	}
	eps := []ep{
		{name: "entry A", method: "GET", path: w.base + "/entries/" + a, want: func(role string) int {
			switch {
			case role == "organizer" || role == "owner" || role == "judge":
				return 200
			case announced:
				return 200 // awarded, consenting: public
			case role == "public":
				return 401
			}
			return 404
		}, check: named},
		{name: "foreign entry", method: "GET", path: w.base + "/entries/" + w.foreign.entry, want: func(role string) int {
			if role == "public" {
				return 404
			}
			return 404
		}},
		{name: "queue", method: "GET", path: r1 + "/queue", want: judgesOnly, check: func(t *testing.T, role string, body []byte) {
			if contains := bytes.Contains(body, []byte(a)); contains != (role == "judge") {
				t.Errorf("%s's queue holds A: %v", role, contains)
			}
			named(t, role, body)
		}},
		{name: "foreign round queue", method: "GET", path: w.base + "/rounds/" + w.foreign.round + "/queue", want: func(role string) int {
			if judgeRole(role) {
				return 404
			}
			if role == "public" {
				return 401
			}
			return 403
		}},
		{name: "review A", method: "GET", path: r1 + "/entries/" + a + "/review", want: func(role string) int {
			switch {
			case role == "judge":
				return 200
			case judgeRole(role):
				return 404
			case role == "public":
				return 401
			}
			return 403
		}, check: named},
		{name: "review of a foreign entry", method: "GET", path: r1 + "/entries/" + w.foreign.entry + "/review", want: func(role string) int {
			if judgeRole(role) {
				return 404
			}
			if role == "public" {
				return 401
			}
			return 403
		}},
		{name: "score A", method: "PUT", path: r1 + "/entries/" + a + "/review", body: map[string]any{"scores": w.marks(9, 10, 5)}, want: func(role string) int {
			switch {
			case role == "judge" && ph == phaseOpen:
				return 200
			case role == "judge":
				return 403 // closed
			case judgeRole(role):
				return 404
			case role == "public":
				return 401
			}
			return 403
		}},
		{name: "results", method: "GET", path: r1 + "/results", want: orgOnly},
		{name: "foreign results", method: "GET", path: w.base + "/rounds/" + w.foreign.round + "/results", want: func(role string) int {
			if role == "organizer" {
				return 404
			}
			return orgOnly(role)
		}},
		{name: "assignments", method: "GET", path: r1 + "/assignments", want: orgOnly},
		{name: "outbox", method: "GET", path: w.base + "/outbox", want: orgOnly},
		{name: "entries.csv", method: "GET", path: w.base + "/exports/entries.csv", want: orgOnly},
		{name: "rounds", method: "GET", path: w.base + "/rounds", want: func(role string) int {
			if role == "organizer" {
				return 200
			}
			return judgesOnly(role)
		}},
		{name: "conflicts", method: "GET", path: w.base + "/conflicts", want: func(role string) int {
			if role == "organizer" {
				return 200
			}
			return judgesOnly(role)
		}},
		{name: "gallery", method: "GET", path: w.base + "/gallery", want: func(string) int { return 200 }, check: func(t *testing.T, role string, body []byte) {
			var g struct {
				Announced bool              `json:"announced"`
				Items     []json.RawMessage `json:"items"`
			}
			_ = json.Unmarshal(body, &g)
			if g.Announced != announced {
				t.Errorf("gallery announced = %v", g.Announced)
			}
			want := 0
			if announced {
				want = 2 // A (winner, consent) and C (finalist, consent); B gave no consent; D neither won nor advanced
			}
			if len(g.Items) != want {
				t.Errorf("%s: gallery has %d items, want %d: %s", role, len(g.Items), want, truncate(body))
			}
			if announced && !bytes.Contains(body, []byte(jOwnerName)) {
				t.Errorf("the announced gallery names the entrant")
			}
			if bytes.Contains(body, []byte("Blue hour")) {
				t.Errorf("an entry without consent is in the gallery")
			}
		}},
		{name: "owner's entries", method: "GET", path: w.base + "/entries", want: func(role string) int {
			if role == "public" {
				return 401
			}
			return 200
		}},
	}
	if ph == phaseScheduled || ph == phaseAnnounced {
		// After the round, nobody scores; the owner's view tells the outcome only at the moment.
		eps[6].want = func(role string) int {
			switch {
			case role == "judge":
				return 403
			case judgeRole(role):
				return 404
			case role == "public":
				return 401
			}
			return 403
		}
	}
	for _, e := range eps {
		for _, role := range matrixRoles {
			t.Run(e.name+"/"+role, func(t *testing.T) {
				r := w.env.client.json(t, e.method, e.path, w.tok[role], e.body)
				if want := e.want(role); r.status != want {
					t.Fatalf("%s %s as %s: %d, want %d: %s", e.method, e.path, role, r.status, want, truncate(r.body))
				}
				noEntrant(t, role, r.body)
				noResult(t, role, r.body)
				if e.check != nil && r.status == 200 {
					e.check(t, role, r.body)
				}
			})
		}
	}
	// The owner learns the outcome exactly at the announcement.
	var e entryJSON
	w.call(t, "owner", http.MethodGet, w.base+"/entries/"+a, nil).want(t, "owner's entry", http.StatusOK, &e)
	if (len(e.Awards) > 0) != announced {
		t.Errorf("owner sees awards %v (announced %v)", e.Awards, announced)
	}
	w.everyRoute(t, ph)
}
