package db_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/tessera/tessera/internal/db"
	"github.com/tessera/tessera/internal/db/dbtest"
)

var errIncomplete = errors.New("incomplete marks")

// all runs fns at once and waits for them.
func all(fns ...func()) {
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

// TestSaveReviewConcurrently saves one review from many goroutines at once
// (autosaves and submits, as two tabs or autosave racing Submit do), on
// both backends: no save fails but for the completeness check, each
// submission is audited once, and the stored review is whole the last
// audited save.
func TestSaveReviewConcurrently(t *testing.T) {
	dbtest.Backends(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		_, n := seed(t, d)
		comp, crit := n.Competition, n.Criteria
		judge := judgingUser(t, d, "judge")
		entrant := judgingUser(t, d, "entrant")
		e := submittedEntry(t, d, comp.ID, n.Categories[0].ID, entrant.ID)
		complete := func(s map[string]int) error {
			if len(s) != len(crit) {
				return errIncomplete
			}
			return nil
		}
		type save struct {
			rv       db.Review
			submit   bool
			complete bool
			err      error
		}
		saves := make([]*save, 60)
		fns := make([]func(), len(saves))
		for i := range saves {
			s := &save{submit: i%2 == 0, complete: i%4 != 1}
			s.rv = db.Review{RoundID: n.Round.ID, EntryID: e.ID, JudgeID: judge.ID, Note: fmt.Sprintf("save %d", i), Scores: map[string]int{crit[0].ID: i/10 + 1}}
			if s.complete {
				s.rv.Scores[crit[1].ID] = i%10 + 1
			}
			saves[i] = s
			fns[i] = func() { _, s.err = d.SaveReview(ctx, comp.ID, s.rv, s.submit, complete) }
		}
		all(fns...)
		for i, s := range saves {
			if s.err != nil && (s.complete || !errors.Is(s.err, errIncomplete)) {
				t.Errorf("save %d (submit %v, complete %v): %v", i, s.submit, s.complete, s.err)
			}
		}
		evs, err := d.Audit(ctx, comp.ID, 0, 1000)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[*save]int{}
		var last *save
		k := 0
		for _, ev := range evs {
			if ev.Action != "score.submit" && ev.Action != "score.change" {
				continue
			}
			marks := map[string]int{}
			for _, f := range strings.Fields(ev.Detail)[1:] {
				c, v, _ := strings.Cut(f, "=")
				marks[c], _ = strconv.Atoi(v)
			}
			var s *save
			for _, x := range saves {
				if maps.Equal(x.rv.Scores, marks) {
					s = x
				}
			}
			switch {
			case s == nil:
				t.Errorf("audit line %q matches no save", ev.Detail)
				continue
			case s.err != nil || !s.complete:
				t.Errorf("audited a save that failed or was incomplete: %q", ev.Detail)
			case k == 0 && (ev.Action != "score.submit" || !s.submit):
				t.Errorf("first audit line %s %q, want the first submission", ev.Action, ev.Detail)
			case k > 0 && ev.Action != "score.change":
				t.Errorf("audit line %d is %s, want score.change", k, ev.Action)
			}
			seen[s]++
			last = s
			k++
		}
		for i, s := range saves {
			if seen[s] > 1 || (s.submit && s.err == nil && seen[s] != 1) {
				t.Errorf("save %d (submit %v) audited %d times", i, s.submit, seen[s])
			}
		}
		if last == nil {
			t.Fatal("no submission audited")
		}
		got, err := d.Review(ctx, n.Round.ID, e.ID, judge.ID)
		if err != nil || got.SubmittedAt == nil || !maps.Equal(got.Scores, last.rv.Scores) || got.Note != last.rv.Note {
			t.Fatalf("stored %+v (%v), want the last audited save %+v", got, err, last.rv)
		}
	})
}
