package httpapi_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tessera/tessera/internal/config"
	"github.com/tessera/tessera/internal/contest"
)

// TestConcurrentWrites sends overlapping writes that users really make
// (autosave and Submit of one review, two tabs, several judges at once, an
// organizer assigning while judges submit, an uploader retrying Complete)
// through the real HTTP stack on both shapes: SQLite with the embedded
// queue and local store, and PostgreSQL, Redis and MinIO. Whatever the
// interleaving, no request may fail with a 5xx and the stored state must be
// what the answers said.
func TestConcurrentWrites(t *testing.T) {
	shapes := map[string]func(*testing.T) config.Config{"embedded": embeddedConfig, "real": realConfig}
	for _, shape := range []string{"embedded", "real"} {
		t.Run(shape, func(t *testing.T) {
			env := startStack(t, shapes[shape](t))
			t.Run("one review from many tabs", func(t *testing.T) { concOneReview(t, env) })
			t.Run("many reviews at once", func(t *testing.T) { concManyReviews(t, env) })
			t.Run("auto-assign runs overlap", func(t *testing.T) { concAutoAssignTwice(t, env) })
			t.Run("auto-assign while judges submit", func(t *testing.T) { concAssignWhileSubmitting(t, env) })
			t.Run("removals and a drop-out while judges submit", func(t *testing.T) { concRemoveWhileSubmitting(t, env) })
			t.Run("upload completed twice at once", func(t *testing.T) { concCompleteUpload(t, env) })
		})
	}
}

// send is apiClient.do for goroutines: it never stops the test, and
// reports a failed exchange as status 0.
func (c *apiClient) send(t *testing.T, method, path, token string, body any) response {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Errorf("marshal: %v", err)
			return response{}
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(context.WithValue(context.Background(), testKey{}, t), method, c.base+path, rd)
	if err != nil {
		t.Errorf("%s %s: %v", method, path, err)
		return response{}
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		t.Errorf("%s %s: %v", method, path, err)
		return response{}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Errorf("%s %s: read body: %v", method, path, err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: b}
}

// together runs fns at once (released together) and waits for them all.
func together(fns ...func()) {
	start := make(chan struct{})
	var wg sync.WaitGroup
	for _, fn := range fns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			fn()
		}()
	}
	close(start)
	wg.Wait()
}

// wantStatus reports an answer outside allowed; a 5xx (or no answer) is
// never allowed.
func wantStatus(t *testing.T, what string, r response, allowed ...int) {
	t.Helper()
	if r.status >= 500 || r.status == 0 || !slices.Contains(allowed, r.status) {
		t.Errorf("%s: status %d, want one of %v; body: %s", what, r.status, allowed, r.body)
	}
}

// cw is one competition of the concurrency tests: an organizer, judges,
// submitted photo entries and an open round with three criteria (1–10).
type cw struct {
	env     *testEnv
	tag     string
	compID  string
	base    string
	round   string
	crit    []string
	orgTok  string
	judges  []cwUser
	entries []string
}

type cwUser struct{ id, tok string }

func newCW(t *testing.T, env *testEnv, tag string, judges, entries, quorum int) *cw {
	t.Helper()
	ctx := context.Background()
	s := env.stack
	w := &cw{env: env, tag: tag}
	// Accounts are made directly (no password hashing, which is slow under
	// the race detector); sessions come from the real session store.
	user := func(role string, i int) contest.User {
		u := contest.User{Email: fmt.Sprintf("%s%d@%s.conc.example.org", role, i, tag), Name: fmt.Sprintf("%s %s %d", tag, role, i),
			PasswordHash: "not a hash", Organisation: fmt.Sprintf("%s org %s %d", tag, role, i), Country: "KE"}
		if err := s.DB.CreateUser(ctx, &u); err != nil {
			t.Fatalf("create %s %d: %v", role, i, err)
		}
		return u
	}
	token := func(u contest.User) string {
		tok, _, err := s.Auth.StartSession(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	org := user("organizer", 0)
	if err := s.DB.SetCanOrganize(ctx, org.ID, true); err != nil {
		t.Fatal(err)
	}
	w.orgTok = token(org)
	now := time.Now().UTC()
	var comp competitionJSON
	env.client.json(t, http.MethodPost, "/api/v1/competitions", w.orgTok, map[string]any{
		"title": "Concurrency " + tag, "time_zone": "Africa/Nairobi", "opens_at": now.Add(-time.Hour), "closes_at": now.Add(48 * time.Hour),
		"criteria": []map[string]any{
			{"name": "Light", "weight": 1, "scale_min": 1, "scale_max": 10},
			{"name": "Craft", "weight": 1, "scale_min": 1, "scale_max": 10},
			{"name": "Story", "weight": 1, "scale_min": 1, "scale_max": 10},
		},
	}).want(t, "create competition", http.StatusCreated, &comp)
	w.compID, w.base = comp.ID, "/api/v1/competitions/"+comp.Slug
	var ov struct {
		Categories []struct{ ID, Medium string } `json:"categories"`
		Round      struct{ ID string }           `json:"round"`
	}
	env.client.json(t, http.MethodGet, w.base, w.orgTok, nil).want(t, "overview", http.StatusOK, &ov)
	w.round = ov.Round.ID
	photo := ""
	for _, c := range ov.Categories {
		if c.Medium == "photo" {
			photo = c.ID
		}
	}
	var r struct {
		Criteria []struct{ ID string } `json:"criteria"`
	}
	env.client.json(t, http.MethodPatch, w.base+"/rounds/"+w.round, w.orgTok, map[string]any{
		"name": "Open round", "opens_at": now.Add(-time.Minute), "closes_at": now.Add(2 * time.Hour), "category_ids": []string{photo}, "quorum": quorum, "blind": true,
	}).want(t, "open the round", http.StatusOK, &r)
	for _, c := range r.Criteria {
		w.crit = append(w.crit, c.ID)
	}
	if len(w.crit) != 3 {
		t.Fatalf("round criteria: %+v", r.Criteria)
	}
	for i := range judges {
		u := user("judge", i)
		if err := s.DB.AddMember(ctx, comp.ID, u.ID, contest.RoleJudge); err != nil {
			t.Fatal(err)
		}
		w.judges = append(w.judges, cwUser{id: u.ID, tok: token(u)})
	}
	for i := range entries {
		u := user("entrant", i)
		e := contest.Entry{CompetitionID: comp.ID, CategoryID: photo, EntrantID: u.ID, Title: fmt.Sprintf("Entry %d", i), Consent: true}
		if err := s.DB.CreateEntry(ctx, &e, 0); err != nil {
			t.Fatal(err)
		}
		if err := s.DB.SubmitEntry(ctx, e.ID, u.ID); err != nil {
			t.Fatal(err)
		}
		w.entries = append(w.entries, e.ID)
	}
	return w
}

func (w *cw) reviewPath(entry string) string {
	return w.base + "/rounds/" + w.round + "/entries/" + entry + "/review"
}

// marks are distinct for every n below 100: the first two criteria spell
// n's digits; complete adds the third.
func (w *cw) marks(n int, complete bool) map[string]int {
	m := map[string]int{w.crit[0]: n/10%10 + 1, w.crit[1]: n%10 + 1}
	if complete {
		m[w.crit[2]] = 7
	}
	return m
}

// saveReq is one PUT of a review and its answer.
type saveReq struct {
	judge, entry int
	submit       bool
	complete     bool // every criterion marked
	scores       map[string]int
	note         string
	res          response
}

func (w *cw) save(t *testing.T, q *saveReq) {
	q.res = w.env.client.send(t, http.MethodPut, w.reviewPath(w.entries[q.entry]), w.judges[q.judge].tok,
		map[string]any{"scores": q.scores, "note": q.note, "submit": q.submit})
}

type cwReview struct {
	Scores    map[string]int `json:"scores"`
	Note      string         `json:"note"`
	Submitted bool           `json:"submitted"`
}

// scoreEvents returns the score.submit and score.change lines of the audit
// log, oldest first (the order the server committed them), keyed by
// judge and entry.
func (w *cw) scoreEvents(t *testing.T) map[[2]string][]contest.AuditEvent {
	t.Helper()
	evs, err := w.env.stack.DB.Audit(context.Background(), w.compID, 0, 100000)
	if err != nil {
		t.Fatal(err)
	}
	out := map[[2]string][]contest.AuditEvent{}
	for _, e := range evs {
		if e.Action == "score.submit" || e.Action == "score.change" {
			k := [2]string{e.ActorID, e.Subject}
			out[k] = append(out[k], e)
		}
	}
	return out
}

// auditMarks reads the marks an audit line records: "<round> c1=v c2=v …".
func auditMarks(t *testing.T, e contest.AuditEvent) map[string]int {
	t.Helper()
	fields := strings.Fields(e.Detail)
	out := map[string]int{}
	for _, f := range fields[1:] {
		k, v, ok := strings.Cut(f, "=")
		n, err := strconv.Atoi(v)
		if !ok || err != nil {
			t.Errorf("audit detail %q: %q is not criterion=value", e.Detail, f)
			continue
		}
		out[k] = n
	}
	return out
}

// checkReview checks one review after its overlapping saves reqs (all of
// one judge and entry): every save answered 200, or 422 for an incomplete
// save once the review was submitted; every successful submit is audited
// exactly once, the first as score.submit; nothing a failed or incomplete
// save sent is audited; and the stored review is whole the last audited
// save: its marks and its note, submitted.
func (w *cw) checkReview(t *testing.T, events map[[2]string][]contest.AuditEvent, reqs []*saveReq) {
	t.Helper()
	if len(reqs) == 0 {
		return
	}
	j, e := reqs[0].judge, reqs[0].entry
	what := fmt.Sprintf("judge %d, entry %d", j, e)
	for _, q := range reqs {
		if q.complete {
			wantStatus(t, what+": complete save", q.res, http.StatusOK)
		} else {
			wantStatus(t, what+": incomplete draft", q.res, http.StatusOK, http.StatusUnprocessableEntity)
		}
		if q.res.status == http.StatusOK {
			var got cwReview
			if err := json.Unmarshal(q.res.body, &got); err != nil {
				t.Errorf("%s: answer %s: %v", what, q.res.body, err)
			} else if got.Submitted && len(got.Scores) != 3 {
				t.Errorf("%s: an answer shows a submitted review with incomplete marks: %+v", what, got)
			}
		}
	}
	evs := events[[2]string{w.judges[j].id, w.entries[e]}]
	seen := map[*saveReq]int{}
	var last *saveReq
	for i, ev := range evs {
		m := auditMarks(t, ev)
		var q *saveReq
		for _, r := range reqs {
			if maps.Equal(r.scores, m) {
				q = r
			}
		}
		if q == nil {
			t.Errorf("%s: audit line %q matches no request", what, ev.Detail)
			continue
		}
		seen[q]++
		last = q
		if q.res.status != http.StatusOK || !q.complete {
			t.Errorf("%s: audited a save answered %d (complete %v): %s", what, q.res.status, q.complete, ev.Detail)
		}
		if want := map[bool]string{true: "score.submit", false: "score.change"}[i == 0]; ev.Action != want {
			t.Errorf("%s: audit line %d is %s, want %s", what, i, ev.Action, want)
		}
		if i == 0 && !q.submit {
			t.Errorf("%s: the first audited save was a draft", what)
		}
	}
	for _, q := range reqs {
		if seen[q] > 1 {
			t.Errorf("%s: one save audited %d times", what, seen[q])
		}
		if q.submit && q.res.status == http.StatusOK && seen[q] != 1 {
			t.Errorf("%s: a successful submit is audited %d times, want once", what, seen[q])
		}
	}
	if last == nil {
		t.Errorf("%s: no audited submission", what)
		return
	}
	var got cwReview
	w.env.client.json(t, http.MethodGet, w.reviewPath(w.entries[e]), w.judges[j].tok, nil).want(t, what+": read the review", http.StatusOK, &got)
	if !got.Submitted || !maps.Equal(got.Scores, last.scores) || got.Note != last.note {
		t.Errorf("%s: stored review %+v, want the last audited save: marks %v, note %q", what, got, last.scores, last.note)
	}
}

// concOneReview: autosave and Submit from several tabs of one judge on one
// entry, 60 saves at once.
func concOneReview(t *testing.T, env *testEnv) {
	w := newCW(t, env, "one", 1, 1, 1)
	var reqs []*saveReq
	for i := range 60 {
		// Submits, incomplete autosaves and complete autosaves, mixed.
		q := &saveReq{submit: i%2 == 0, complete: i%4 != 1, note: fmt.Sprintf("tab save %d", i)}
		q.scores = w.marks(i, q.complete)
		reqs = append(reqs, q)
	}
	fns := make([]func(), len(reqs))
	for i, q := range reqs {
		fns[i] = func() { w.save(t, q) }
	}
	together(fns...)
	w.checkReview(t, w.scoreEvents(t), reqs)
}

// concManyReviews: five judges on five entries, each review saved four
// times at once (two autosaves, two submits): 100 saves.
func concManyReviews(t *testing.T, env *testEnv) {
	w := newCW(t, env, "many", 5, 5, 1)
	by := map[[2]int][]*saveReq{}
	var fns []func()
	for j := range w.judges {
		for e := range w.entries {
			for k := range 4 {
				q := &saveReq{judge: j, entry: e, submit: k >= 2, complete: k != 0, note: fmt.Sprintf("j%d e%d save %d", j, e, k)}
				q.scores = w.marks(j*20+e*4+k, q.complete)
				by[[2]int{j, e}] = append(by[[2]int{j, e}], q)
				fns = append(fns, func() { w.save(t, q) })
			}
		}
	}
	together(fns...)
	events := w.scoreEvents(t)
	for _, reqs := range by {
		w.checkReview(t, events, reqs)
	}
}

type cwAssignments struct {
	Items []struct {
		EntryID   string `json:"entry_id"`
		JudgeID   string `json:"judge_id"`
		Submitted bool   `json:"submitted"`
	} `json:"items"`
}

// checkAssignments checks the round's consistency once the dust settles:
// every submitted review has its assignment (so its judge keeps it and it
// counts where it is assigned), every submit answered 200 is stored
// submitted with its marks, and no entry has more judges than its quorum
// beyond those who already submitted (overlapping runs never fill one gap
// twice). It returns the assignments by entry.
func (w *cw) checkAssignments(t *testing.T, quorum int, saves []*saveReq) map[string][]string {
	t.Helper()
	ctx := context.Background()
	var as cwAssignments
	w.env.client.json(t, http.MethodGet, w.base+"/rounds/"+w.round+"/assignments", w.orgTok, nil).want(t, "assignments", http.StatusOK, &as)
	assigned := map[[2]string]bool{}
	byEntry := map[string][]string{}
	for _, a := range as.Items {
		assigned[[2]string{a.EntryID, a.JudgeID}] = true
		byEntry[a.EntryID] = append(byEntry[a.EntryID], a.JudgeID)
	}
	reviews, err := w.env.stack.DB.RoundReviews(ctx, w.round)
	if err != nil {
		t.Fatal(err)
	}
	submitted := map[string]int{}
	for _, r := range reviews {
		if r.SubmittedAt == nil {
			continue
		}
		submitted[r.EntryID]++
		if len(as.Items) > 0 && !assigned[[2]string{r.EntryID, r.JudgeID}] {
			t.Errorf("submitted review of entry %s by judge %s has no assignment", r.EntryID, r.JudgeID)
		}
	}
	for _, q := range saves {
		if !q.submit || q.res.status != http.StatusOK {
			continue
		}
		got, err := w.env.stack.DB.Review(ctx, w.round, w.entries[q.entry], w.judges[q.judge].id)
		if err != nil || got.SubmittedAt == nil || !maps.Equal(got.Scores, q.scores) {
			t.Errorf("judge %d's submission of entry %d (answered 200) is stored as %+v (%v), want marks %v", q.judge, q.entry, got, err, q.scores)
		}
	}
	for e, js := range byEntry {
		if len(js) > max(quorum, submitted[e]) {
			t.Errorf("entry %s has %d judges for a quorum of %d with %d submitted reviews: %v", e, len(js), quorum, submitted[e], js)
		}
	}
	return byEntry
}

type cwSummary struct {
	Added int `json:"added"`
}

// concAutoAssignTwice: four automatic assignments of the same round at
// once add each pair once, all told.
func concAutoAssignTwice(t *testing.T, env *testEnv) {
	const quorum = 2
	w := newCW(t, env, "twice", 4, 6, quorum)
	res := make([]response, 4)
	fns := make([]func(), len(res))
	for i := range res {
		fns[i] = func() {
			res[i] = env.client.send(t, http.MethodPost, w.base+"/rounds/"+w.round+"/assignments/auto", w.orgTok, nil)
		}
	}
	together(fns...)
	added := 0
	for i, r := range res {
		wantStatus(t, fmt.Sprintf("auto-assign %d", i), r, http.StatusOK)
		var s cwSummary
		if r.status == http.StatusOK && json.Unmarshal(r.body, &s) == nil {
			added += s.Added
		}
	}
	by := w.checkAssignments(t, quorum, nil)
	total := 0
	for _, e := range w.entries {
		if len(by[e]) != quorum {
			t.Errorf("entry %s has judges %v, want %d", e, by[e], quorum)
		}
		total += len(by[e])
	}
	if added != total {
		t.Errorf("the runs report %d pairs added, the round has %d", added, total)
	}
}

// concAssignWhileSubmitting: while every panel judge judges every entry
// (no assignments yet), judges submit and autosave while the organizer runs
// the automatic assignment three times.
func concAssignWhileSubmitting(t *testing.T, env *testEnv) {
	const quorum = 2
	w := newCW(t, env, "assign", 5, 8, quorum)
	var saves []*saveReq
	var fns []func()
	for j := range w.judges {
		for k := range 5 {
			e := (j*3 + k) % len(w.entries)
			q := &saveReq{judge: j, entry: e, submit: k < 3, complete: true, note: fmt.Sprintf("j%d e%d", j, e)}
			q.scores = w.marks(j*10+e, true)
			saves = append(saves, q)
			fns = append(fns, func() { w.save(t, q) })
		}
	}
	autos := make([]response, 3)
	for i := range autos {
		fns = append(fns, func() {
			autos[i] = env.client.send(t, http.MethodPost, w.base+"/rounds/"+w.round+"/assignments/auto", w.orgTok, nil)
		})
	}
	together(fns...)
	// A save the assignment overtook is off the judge's queue: 404, as for
	// any entry not theirs. An assignment that kept being overtaken says
	// so with 409.
	for _, q := range saves {
		wantStatus(t, fmt.Sprintf("judge %d saves entry %d", q.judge, q.entry), q.res, http.StatusOK, http.StatusNotFound)
	}
	ok := 0
	for i, r := range autos {
		wantStatus(t, fmt.Sprintf("auto-assign %d", i), r, http.StatusOK, http.StatusConflict)
		if r.status == http.StatusOK {
			ok++
		}
	}
	if ok == 0 {
		t.Fatalf("no automatic assignment went through")
	}
	w.checkAssignments(t, quorum, saves)
}

// concRemoveWhileSubmitting: once the round has assignments, judges submit
// their queue while the organizer removes some of those very assignments,
// drops a judge and runs the automatic assignment.
func concRemoveWhileSubmitting(t *testing.T, env *testEnv) {
	const quorum = 2
	w := newCW(t, env, "remove", 5, 10, quorum)
	env.client.json(t, http.MethodPost, w.base+"/rounds/"+w.round+"/assignments/auto", w.orgTok, nil).want(t, "auto-assign", http.StatusOK, nil)
	var as cwAssignments
	env.client.json(t, http.MethodGet, w.base+"/rounds/"+w.round+"/assignments", w.orgTok, nil).want(t, "assignments", http.StatusOK, &as)
	judgeIdx := map[string]int{}
	for i, j := range w.judges {
		judgeIdx[j.id] = i
	}
	entryIdx := map[string]int{}
	for i, e := range w.entries {
		entryIdx[e] = i
	}
	var saves []*saveReq
	var fns []func()
	removed := map[int]bool{} // judges with one assignment removed
	var removals []response
	for _, a := range as.Items {
		j, e := judgeIdx[a.JudgeID], entryIdx[a.EntryID]
		q := &saveReq{judge: j, entry: e, submit: true, complete: true, note: fmt.Sprintf("j%d e%d", j, e)}
		q.scores = w.marks(j*10+e, true)
		saves = append(saves, q)
		fns = append(fns, func() { w.save(t, q) })
		if j >= 2 && !removed[j] {
			// Judges 2, 3 and 4 each lose one assignment while submitting it.
			removed[j] = true
			i := len(removals)
			removals = append(removals, response{})
			fns = append(fns, func() {
				removals[i] = env.client.send(t, http.MethodDelete, w.base+"/rounds/"+w.round+"/assignments/"+a.EntryID+"/"+a.JudgeID, w.orgTok, nil)
			})
		}
	}
	var drop, auto response
	fns = append(fns,
		func() {
			drop = env.client.send(t, http.MethodDelete, w.base+"/rounds/"+w.round+"/judges/"+w.judges[0].id, w.orgTok, nil)
		},
		func() {
			auto = env.client.send(t, http.MethodPost, w.base+"/rounds/"+w.round+"/assignments/auto", w.orgTok, nil)
		})
	together(fns...)
	for _, q := range saves {
		wantStatus(t, fmt.Sprintf("judge %d submits entry %d", q.judge, q.entry), q.res, http.StatusOK, http.StatusNotFound)
	}
	for i, r := range removals {
		// Removed (204), or refused because the judge submitted first (409).
		wantStatus(t, fmt.Sprintf("removal %d", i), r, http.StatusNoContent, http.StatusConflict)
	}
	wantStatus(t, "drop judge 0", drop, http.StatusOK, http.StatusConflict)
	wantStatus(t, "auto-assign", auto, http.StatusOK, http.StatusConflict)
	by := w.checkAssignments(t, quorum, saves)
	// The dropped judge keeps exactly the entries they submitted.
	for e, js := range by {
		if !slices.Contains(js, w.judges[0].id) {
			continue
		}
		rv, err := env.stack.DB.Review(context.Background(), w.round, e, w.judges[0].id)
		if err != nil || rv.SubmittedAt == nil {
			t.Errorf("the dropped judge is still assigned entry %s without a submitted review (%v)", e, err)
		}
	}
}

// concCompleteUpload: an uploader's Complete retried while the first is
// still checking the file (eight at once): one asset, answered to all; and
// the same for a file whose checksum fails, which is refused to all and
// leaves nothing.
func concCompleteUpload(t *testing.T, env *testEnv) {
	w := newCW(t, env, "upload", 0, 0, 1)
	ctx := context.Background()
	s := env.stack
	u := contest.User{Email: "uploader@upload.conc.example.org", Name: "Uploader", PasswordHash: "not a hash"}
	if err := s.DB.CreateUser(ctx, &u); err != nil {
		t.Fatal(err)
	}
	tok, _, err := s.Auth.StartSession(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	var ov struct {
		Categories []struct{ ID, Medium string } `json:"categories"`
	}
	env.client.json(t, http.MethodGet, w.base, tok, nil).want(t, "overview", http.StatusOK, &ov)
	photo := ""
	for _, c := range ov.Categories {
		if c.Medium == "photo" {
			photo = c.ID
		}
	}
	var entry struct{ ID string }
	env.client.json(t, http.MethodPost, w.base+"/entries", tok, map[string]any{"category_id": photo, "title": "Retried", "consent_publish": true, "consent_rules": true}).
		want(t, "create entry", http.StatusCreated, &entry)
	entryPath := w.base + "/entries/" + entry.ID
	file := bigJPEG(t, 9*mib+4321)
	sum := sha256.Sum256(file)

	upload := func(t *testing.T, name, declared string) uploadStatusJSON {
		var st uploadStatusJSON
		env.client.json(t, http.MethodPost, entryPath+"/uploads", tok, map[string]any{"name": name, "size": len(file), "type": "image/jpeg", "sha256": declared}).
			want(t, "start", http.StatusCreated, &st)
		for n := 1; n <= st.PartCount; n++ {
			part := file[int64(n-1)*st.PartSize : min(int64(n)*st.PartSize, int64(len(file)))]
			env.client.do(t, http.MethodPut, w.base+"/uploads/"+st.ID+"/parts/"+strconv.Itoa(n), tok, "application/octet-stream", part).want(t, "part", http.StatusOK, nil)
		}
		return st
	}
	completeAll := func(t *testing.T, id string) []response {
		res := make([]response, 8)
		fns := make([]func(), len(res))
		for i := range res {
			fns[i] = func() { res[i] = env.client.send(t, http.MethodPost, w.base+"/uploads/"+id+"/complete", tok, nil) }
		}
		together(fns...)
		return res
	}
	assets := func(t *testing.T) []assetJSON {
		var e struct {
			Assets []assetJSON `json:"assets"`
		}
		env.client.json(t, http.MethodGet, entryPath, tok, nil).want(t, "entry", http.StatusOK, &e)
		return e.Assets
	}

	t.Run("good file", func(t *testing.T) {
		st := upload(t, "retried.jpg", hex.EncodeToString(sum[:]))
		for i, r := range completeAll(t, st.ID) {
			wantStatus(t, fmt.Sprintf("complete %d", i), r, http.StatusOK)
			var a assetJSON
			if r.status == http.StatusOK && (json.Unmarshal(r.body, &a) != nil || a.ID != st.AssetID) {
				t.Errorf("complete %d answers %s, want asset %s", i, r.body, st.AssetID)
			}
		}
		if as := assets(t); len(as) != 1 || as[0].ID != st.AssetID {
			t.Fatalf("the entry has assets %+v, want only %s", as, st.AssetID)
		}
		var got uploadStatusJSON
		env.client.json(t, http.MethodGet, w.base+"/uploads/"+st.ID, tok, nil).want(t, "upload state", http.StatusOK, &got)
		if !got.Complete {
			t.Errorf("upload not complete: %+v", got)
		}
		a := waitReady(t, env.client, entryPath, tok, st.AssetID)
		if r := env.client.do(t, http.MethodGet, a.OriginalURL, "", "", nil); r.status != http.StatusOK || sha256.Sum256(r.body) != sum {
			t.Errorf("original: status %d, %d bytes, checksum differs", r.status, len(r.body))
		}
	})

	t.Run("file failing its checksum", func(t *testing.T) {
		wrong := sha256.Sum256([]byte("another file"))
		st := upload(t, "corrupt.jpg", hex.EncodeToString(wrong[:]))
		for i, r := range completeAll(t, st.ID) {
			// Refused (422) by the check, or gone (404) once a concurrent
			// completion has discarded it.
			wantStatus(t, fmt.Sprintf("complete %d", i), r, http.StatusUnprocessableEntity, http.StatusNotFound)
		}
		for _, a := range assets(t) {
			if a.ID == st.AssetID {
				t.Errorf("the refused file's asset is still there: %+v", a)
			}
		}
		env.client.json(t, http.MethodGet, w.base+"/uploads/"+st.ID, tok, nil).wantProblem(t, "refused upload", http.StatusNotFound)
	})
}
