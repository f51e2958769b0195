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

	"github.com/tessera/tessera/internal/contest"
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

// TestRemoveAssignmentWhileSubmitting removes assignments while their
// judges submit them, on both backends: each pair ends one way or the
// other, never a submitted review without its assignment.
func TestRemoveAssignmentWhileSubmitting(t *testing.T) {
	dbtest.Backends(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		org, n := seed(t, d)
		comp, crit := n.Competition, n.Criteria
		var es []contest.Entry
		var pairs []contest.Pair
		for i := range 20 {
			u := judgingUser(t, d, fmt.Sprintf("entrant%d", i))
			j := judgingUser(t, d, fmt.Sprintf("judge%d", i))
			es = append(es, submittedEntry(t, d, comp.ID, n.Categories[0].ID, u.ID))
			pairs = append(pairs, contest.Pair{EntryID: es[i].ID, JudgeID: j.ID})
		}
		// One more pair stays throughout: a round left without assignments
		// would again let every judge judge every entry.
		keep := contest.Pair{EntryID: es[0].ID, JudgeID: judgingUser(t, d, "keeper").ID}
		if err := d.AddAssignments(ctx, comp.ID, n.Round.ID, append([]contest.Pair{keep}, pairs...), "manual", org.ID); err != nil {
			t.Fatal(err)
		}
		saveErr := make([]error, len(pairs))
		removeErr := make([]error, len(pairs))
		var fns []func()
		for i, p := range pairs {
			rv := db.Review{RoundID: n.Round.ID, EntryID: p.EntryID, JudgeID: p.JudgeID, Scores: map[string]int{crit[0].ID: 5, crit[1].ID: 6}}
			fns = append(fns,
				func() { _, saveErr[i] = d.SaveReview(ctx, comp.ID, rv, true, nil) },
				func() { removeErr[i] = d.RemoveAssignment(ctx, comp.ID, n.Round.ID, p.EntryID, p.JudgeID, org.ID) })
		}
		all(fns...)
		as, err := d.Assignments(ctx, n.Round.ID)
		if err != nil {
			t.Fatal(err)
		}
		assigned := map[contest.Pair]bool{}
		for _, a := range as {
			assigned[contest.Pair{EntryID: a.EntryID, JudgeID: a.JudgeID}] = a.Submitted
		}
		for i, p := range pairs {
			submittedFirst := saveErr[i] == nil && errors.Is(removeErr[i], contest.ErrConflict)
			removedFirst := removeErr[i] == nil && errors.Is(saveErr[i], contest.ErrNotFound)
			if !submittedFirst && !removedFirst {
				t.Errorf("pair %d: save %v, removal %v: want one to win and the other refused", i, saveErr[i], removeErr[i])
			}
			if sub, ok := assigned[p]; submittedFirst && (!ok || !sub) || removedFirst && ok {
				t.Errorf("pair %d: submitted first %v, still assigned %v (submitted %v)", i, submittedFirst, ok, sub)
			}
		}
	})
}
