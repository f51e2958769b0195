package db_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/tessera/tessera/internal/contest"
	"github.com/tessera/tessera/internal/db"
	"github.com/tessera/tessera/internal/db/dbtest"
)

// TestQueueNavigation covers a judge's queue by review state and the steps
// through it, on both backends: counts of entries not started, in draft and
// submitted; the next and previous entries in queue order, only among the
// judge's own; the entry's place in the queue.
func TestQueueNavigation(t *testing.T) {
	dbtest.Backends(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		org, n := seed(t, d)
		comp := n.Competition
		photo := n.Categories[0].ID
		judge := judgingUser(t, d, "judge")
		other := judgingUser(t, d, "other")
		var es []contest.Entry
		for i := range 4 {
			u := judgingUser(t, d, fmt.Sprintf("entrant%d", i))
			es = append(es, submittedEntry(t, d, comp.ID, photo, u.ID))
		}
		r, crit, err := d.ActiveRound(ctx, comp.ID, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		all, err := d.RoundEntries(ctx, r) // queue order
		if err != nil || len(all) != 4 {
			t.Fatalf("round entries: %d %v", len(all), err)
		}
		// The judge has entries 0, 1 and 3; the other judge entry 2.
		pairs := []contest.Pair{{EntryID: all[0].ID, JudgeID: judge.ID}, {EntryID: all[1].ID, JudgeID: judge.ID},
			{EntryID: all[3].ID, JudgeID: judge.ID}, {EntryID: all[2].ID, JudgeID: other.ID}}
		if err := d.AddAssignments(ctx, comp.ID, r.ID, pairs, "manual", org.ID); err != nil {
			t.Fatal(err)
		}
		at := func(e contest.Entry) db.QueueCursor { return db.QueueCursor{CreatedAt: e.CreatedAt, ID: e.ID} }
		ids := func(es []contest.Entry) []string {
			out := []string{}
			for _, e := range es {
				out = append(out, e.ID)
			}
			return out
		}

		t.Run("counts by state", func(t *testing.T) {
			got, err := d.QueueStateCounts(ctx, r, judge.ID, false)
			if err != nil || got != (db.QueueStates{Total: 3}) {
				t.Fatalf("before any review: %+v %v", got, err)
			}
			draft := db.Review{RoundID: r.ID, EntryID: all[0].ID, JudgeID: judge.ID, Scores: map[string]int{crit[0].ID: 5}}
			if _, err := d.SaveReview(ctx, comp.ID, draft, false, nil); err != nil {
				t.Fatal(err)
			}
			done := db.Review{RoundID: r.ID, EntryID: all[1].ID, JudgeID: judge.ID, Scores: map[string]int{crit[0].ID: 5, crit[1].ID: 6}}
			if _, err := d.SaveReview(ctx, comp.ID, done, true, nil); err != nil {
				t.Fatal(err)
			}
			// The other judge's submission counts only for them.
			theirs := db.Review{RoundID: r.ID, EntryID: all[2].ID, JudgeID: other.ID, Scores: map[string]int{crit[0].ID: 5, crit[1].ID: 6}}
			if _, err := d.SaveReview(ctx, comp.ID, theirs, true, nil); err != nil {
				t.Fatal(err)
			}
			if got, err := d.QueueStateCounts(ctx, r, judge.ID, false); err != nil || got != (db.QueueStates{Total: 3, Draft: 1, Submitted: 1}) {
				t.Fatalf("after a draft and a submission: %+v %v", got, err)
			}
			if got, err := d.QueueStateCounts(ctx, r, other.ID, false); err != nil || got != (db.QueueStates{Total: 1, Submitted: 1}) {
				t.Fatalf("the other judge: %+v %v", got, err)
			}
			// Open (no assignments considered): the whole round.
			if got, err := d.QueueStateCounts(ctx, r, judge.ID, true); err != nil || got != (db.QueueStates{Total: 4, Draft: 1, Submitted: 1}) {
				t.Fatalf("open queue: %+v %v", got, err)
			}
		})

		t.Run("steps in queue order, only the judge's own", func(t *testing.T) {
			for _, c := range []struct {
				name     string
				from     contest.Entry
				backward bool
				want     []string
			}{
				{"after the first", all[0], false, []string{all[1].ID, all[3].ID}},
				{"after the second skips the other judge's", all[1], false, []string{all[3].ID}},
				{"after the last", all[3], false, []string{}},
				{"before the last skips the other judge's", all[3], true, []string{all[1].ID, all[0].ID}},
				{"before the first", all[0], true, []string{}},
			} {
				got, err := d.QueueStep(ctx, r, judge.ID, false, at(c.from), c.backward, 10)
				if err != nil || fmt.Sprint(ids(got)) != fmt.Sprint(c.want) {
					t.Errorf("%s: %v %v, want %v", c.name, ids(got), err, c.want)
				}
			}
			if got, _ := d.QueueStep(ctx, r, judge.ID, false, at(all[0]), false, 1); len(got) != 1 || got[0].ID != all[1].ID {
				t.Errorf("limit 1: %v", ids(got))
			}
			if got, _ := d.QueueStep(ctx, r, judge.ID, true, at(all[1]), false, 10); fmt.Sprint(ids(got)) != fmt.Sprint([]string{all[2].ID, all[3].ID}) {
				t.Errorf("open queue: %v", ids(got))
			}
		})

		t.Run("position", func(t *testing.T) {
			for i, want := range map[int]int{0: 1, 1: 2, 3: 3} {
				if got, err := d.QueuePosition(ctx, r, judge.ID, false, at(all[i])); err != nil || got != want {
					t.Errorf("entry %d: position %d %v, want %d", i, got, err, want)
				}
			}
		})
	})
}
