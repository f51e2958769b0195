package db_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/tessera/tessera/internal/contest"
	"github.com/tessera/tessera/internal/db"
	"github.com/tessera/tessera/internal/db/dbtest"
)

func judgingUser(t *testing.T, d *db.DB, name string) contest.User {
	t.Helper()
	u := contest.User{Email: name + "@example.org", Name: name, PasswordHash: "x", Organisation: name + " Co", Country: "KE"}
	if err := d.CreateUser(context.Background(), &u); err != nil {
		t.Fatal(err)
	}
	return u
}

func submittedEntry(t *testing.T, d *db.DB, compID, catID, entrantID string) contest.Entry {
	t.Helper()
	ctx := context.Background()
	e := contest.Entry{CompetitionID: compID, CategoryID: catID, EntrantID: entrantID, Title: "T " + entrantID, Consent: true}
	if err := d.CreateEntry(ctx, &e, 0); err != nil {
		t.Fatal(err)
	}
	if err := d.SubmitEntry(ctx, e.ID, entrantID); err != nil {
		t.Fatal(err)
	}
	return e
}

// TestJudgingStore covers rounds, reviews, assignments, conflicts, mail and
// the database's refusal to change marks after a round closes, on both
// backends.
func TestJudgingStore(t *testing.T) {
	dbtest.Backends(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		org, n := seed(t, d)
		comp := n.Competition
		photo := n.Categories[0].ID
		judge := judgingUser(t, d, "judge")
		judge2 := judgingUser(t, d, "judge2")
		var es []contest.Entry
		for i := 0; i < 3; i++ {
			u := judgingUser(t, d, fmt.Sprintf("entrant%d", i))
			es = append(es, submittedEntry(t, d, comp.ID, photo, u.ID))
		}
		r1, crit, err := d.ActiveRound(ctx, comp.ID, time.Now())
		if err != nil || r1.ID != n.Round.ID || len(crit) != 2 || crit[0].Excluded {
			t.Fatalf("active round: %+v %v %v", r1, crit, err)
		}
		in1, err := d.RoundEntries(ctx, r1)
		if err != nil || len(in1) != 3 {
			t.Fatalf("round 1 takes every submitted entry when it names no category: %d, %v", len(in1), err)
		}

		t.Run("rounds", func(t *testing.T) {
			now := time.Now().UTC()
			r2 := contest.Round{CompetitionID: comp.ID, Name: "Final", Blind: false, ScoringMode: contest.ScoringRubric, Quorum: 2, OpensAt: now.Add(72 * time.Hour), ClosesAt: now.Add(96 * time.Hour),
				ScoreVisibility: contest.PeerScoresAfterSubmit, MinScores: 2, Disagreement: 25, RankBy: contest.RankNormalised, TieBreaks: "top_marks", CategoryIDs: []string{photo}}
			cr := []contest.Criterion{{Name: "Story", Weight: 1, ScaleMin: 1, ScaleMax: 5}, {Name: "Notes", Weight: 1, ScaleMin: 1, ScaleMax: 5, Excluded: true}}
			if err := d.CreateRound(ctx, &r2, cr, org.ID); err != nil {
				t.Fatal(err)
			}
			got, gc, err := d.Round(ctx, comp.ID, r2.ID)
			if err != nil || got.Position != 2 || got.Quorum != 2 || got.RankBy != contest.RankNormalised || got.Blind || len(got.CategoryIDs) != 1 || len(gc) != 2 || !gc[1].Excluded || gc[0].Excluded {
				t.Fatalf("round 2: %+v %+v %v", got, gc, err)
			}
			if in2, _ := d.RoundEntries(ctx, got); len(in2) != 0 {
				t.Fatalf("a later round starts empty, got %d", len(in2))
			}
			if err := d.Advance(ctx, comp.ID, r1.ID, r2.ID, []string{es[0].ID}, "top_n=1", org.ID); err != nil {
				t.Fatal(err)
			}
			if in2, _ := d.RoundEntries(ctx, got); len(in2) != 1 || in2[0].ID != es[0].ID {
				t.Fatalf("advanced entries: %+v", in2)
			}
			fin, _ := d.Finalists(ctx, comp.ID)
			if !fin[es[0].ID] || fin[es[1].ID] {
				t.Errorf("finalists %v", fin)
			}
			if _, _, err := d.ActiveRound(ctx, comp.ID, now.Add(80*time.Hour)); err != nil {
				t.Fatal(err)
			}
			if ar, _, _ := d.ActiveRound(ctx, comp.ID, now.Add(80*time.Hour)); ar.ID != r2.ID {
				t.Errorf("active round once round 2 opened: %s", ar.Name)
			}
			scr := contest.Round{CompetitionID: comp.ID, Name: "Screen", ScoringMode: contest.ScoringScreening, Quorum: 1, OpensAt: now.Add(100 * time.Hour), ClosesAt: now.Add(110 * time.Hour)}
			if err := d.CreateRound(ctx, &scr, nil, org.ID); err != nil {
				t.Fatal(err)
			}
			if _, sc, _ := d.Round(ctx, comp.ID, scr.ID); len(sc) != 1 || sc[0].ScaleMin != 0 || sc[0].ScaleMax != 1 {
				t.Errorf("screening rubric: %+v", sc)
			}
		})

		t.Run("reviews: drafts, submit, change", func(t *testing.T) {
			rv := db.Review{RoundID: r1.ID, EntryID: es[0].ID, JudgeID: judge.ID, Note: "private", Scores: map[string]int{crit[0].ID: 7}}
			if _, err := d.SaveReview(ctx, comp.ID, rv, false, nil); err != nil {
				t.Fatal(err)
			}
			if ss, _ := d.SubmittedScores(ctx, r1.ID); len(ss) != 0 {
				t.Fatalf("a draft must not count: %+v", ss)
			}
			rv.Scores = map[string]int{crit[0].ID: 8, crit[1].ID: 6}
			rv.Feedback = "Lovely light."
			saved, err := d.SaveReview(ctx, comp.ID, rv, true, nil)
			if err != nil || saved.SubmittedAt == nil {
				t.Fatalf("submit: %+v %v", saved, err)
			}
			rv.Scores[crit[0].ID] = 9
			if again, err := d.SaveReview(ctx, comp.ID, rv, false, nil); err != nil || again.SubmittedAt == nil {
				t.Fatalf("a later save keeps the submission: %+v %v", again, err)
			}
			got, err := d.Review(ctx, r1.ID, es[0].ID, judge.ID)
			if err != nil || got.Scores[crit[0].ID] != 9 || got.Note != "private" || got.Feedback != "Lovely light." || got.SubmittedAt == nil {
				t.Fatalf("review: %+v %v", got, err)
			}
			if ss, _ := d.SubmittedScores(ctx, r1.ID); len(ss) != 2 {
				t.Fatalf("submitted scores: %+v", ss)
			}
			st, _ := d.ReviewStates(ctx, r1.ID, judge.ID, []string{es[0].ID, es[1].ID})
			if !st[es[0].ID] {
				t.Errorf("states %v", st)
			}
			evs, _ := d.Audit(ctx, comp.ID, 0, 100)
			var actions []string
			for _, e := range evs {
				actions = append(actions, e.Action)
			}
			if !containsAll(actions, "score.submit", "score.change", "round.advance", "round.create") {
				t.Errorf("audit actions %v", actions)
			}
		})

		t.Run("assignments and drop-out", func(t *testing.T) {
			if has, _ := d.HasAssignments(ctx, r1.ID); has {
				t.Fatal("no assignments yet")
			}
			if err := d.SetRoundJudge(ctx, comp.ID, r1.ID, judge2.ID, []string{photo}, org.ID); err != nil {
				t.Fatal(err)
			}
			pairs := []contest.Pair{{EntryID: es[0].ID, JudgeID: judge.ID}, {EntryID: es[1].ID, JudgeID: judge.ID}, {EntryID: es[1].ID, JudgeID: judge2.ID}}
			if err := d.AddAssignments(ctx, comp.ID, r1.ID, pairs, "auto", org.ID); err != nil {
				t.Fatal(err)
			}
			total, done, err := d.QueueCounts(ctx, r1, judge.ID, false)
			if err != nil || total != 2 || done != 1 {
				t.Fatalf("queue counts %d/%d %v", done, total, err)
			}
			page1, err := d.JudgeQueuePage(ctx, r1, judge.ID, false, nil, 1)
			if err != nil || len(page1) != 1 {
				t.Fatal(err)
			}
			page2, _ := d.JudgeQueuePage(ctx, r1, judge.ID, false, &db.QueueCursor{CreatedAt: page1[0].CreatedAt, ID: page1[0].ID}, 10)
			if len(page2) != 1 || page2[0].ID == page1[0].ID {
				t.Fatalf("keyset page 2: %+v", page2)
			}
			if err := d.RemoveAssignment(ctx, comp.ID, r1.ID, es[0].ID, judge.ID, org.ID); !errors.Is(err, contest.ErrConflict) {
				t.Fatalf("removing a submitted review's assignment: %v", err)
			}
			released, err := d.DropJudge(ctx, comp.ID, r1.ID, judge.ID, org.ID)
			if err != nil || len(released) != 1 || released[0] != es[1].ID {
				t.Fatalf("drop: %v %v", released, err)
			}
			as, _ := d.Assignments(ctx, r1.ID)
			if len(as) != 2 {
				t.Fatalf("after drop-out: %+v", as)
			}
			if ss, _ := d.SubmittedScores(ctx, r1.ID); len(ss) != 2 {
				t.Fatalf("submitted marks survive a drop-out: %+v", ss)
			}
		})

		t.Run("conflicts", func(t *testing.T) {
			c := contest.Conflict{CompetitionID: comp.ID, JudgeID: judge.ID, Organisation: "Loom Ltd", Source: contest.ConflictDeclared}
			if err := d.AddConflict(ctx, &c, judge.ID); err != nil {
				t.Fatal(err)
			}
			rec := contest.Conflict{CompetitionID: comp.ID, JudgeID: judge.ID, EntryID: es[2].ID, Source: contest.ConflictRecusal, Reason: "knows the family"}
			if err := d.AddConflict(ctx, &rec, org.ID); err != nil {
				t.Fatal(err)
			}
			cs, _ := d.Conflicts(ctx, comp.ID, judge.ID)
			if len(cs) != 2 || cs[1].EntryID != es[2].ID || cs[1].Reason != "knows the family" {
				t.Fatalf("conflicts: %+v", cs)
			}
			if err := d.DeleteConflict(ctx, comp.ID, rec.ID, judge.ID, judge.ID); !errors.Is(err, contest.ErrNotFound) {
				t.Fatalf("a judge cannot lift a recusal: %v", err)
			}
			if err := d.DeleteConflict(ctx, comp.ID, c.ID, judge.ID, judge.ID); err != nil {
				t.Fatal(err)
			}
			ce, err := d.ConflictEntries(ctx, []string{es[0].ID})
			if err != nil || len(ce) != 1 || ce[0].Organisation != "entrant0 Co" || ce[0].Country != "KE" {
				t.Fatalf("conflict entries: %+v %v", ce, err)
			}
			if on, _ := d.ConflictCountry(ctx, comp.ID); on {
				t.Fatal("same-country rule is off by default")
			}
			_ = d.SetConflictCountry(ctx, comp.ID, true, org.ID)
			if on, _ := d.ConflictCountry(ctx, comp.ID); !on {
				t.Fatal("same-country rule not set")
			}
		})

		t.Run("awards and announcement with mail", func(t *testing.T) {
			a := contest.Award{CompetitionID: comp.ID, EntryID: es[0].ID, Kind: contest.AwardFirst, CategoryID: photo}
			if err := d.GiveAward(ctx, &a, org.ID); err != nil {
				t.Fatal(err)
			}
			b := contest.Award{CompetitionID: comp.ID, EntryID: es[1].ID, Kind: contest.AwardFirst, CategoryID: photo}
			if err := d.GiveAward(ctx, &b, org.ID); !errors.Is(err, contest.ErrConflict) {
				t.Fatalf("two firsts in one category: %v", err)
			}
			when := time.Now().UTC().Add(time.Hour)
			if err := d.AnnounceWithMail(ctx, comp.ID, org.ID, when, []db.Mail{{ToAddress: "x@example.org", Subject: "s", Body: "b"}}); err != nil {
				t.Fatal(err)
			}
			if due, _ := d.DueMail(ctx, time.Now(), 10); len(due) != 0 {
				t.Fatalf("mail before the moment: %+v", due)
			}
			due, _ := d.DueMail(ctx, when.Add(time.Second), 10)
			if len(due) != 1 {
				t.Fatalf("mail at the moment: %+v", due)
			}
			if ok, err := d.ClaimMail(ctx, due[0].ID, when.Add(time.Second)); !ok || err != nil {
				t.Fatalf("claim: %v %v", ok, err)
			}
			if ok, _ := d.ClaimMail(ctx, due[0].ID, when.Add(2*time.Second)); ok {
				t.Fatal("a mail being sent was claimed twice")
			}
			if err := d.FinishMail(ctx, due[0].ID, db.MailKept, ""); err != nil {
				t.Fatal(err)
			}
			box, _ := d.Outbox(ctx, comp.ID, 10)
			if len(box) != 1 || box[0].State != db.MailKept || box[0].SentAt == nil {
				t.Fatalf("outbox: %+v", box)
			}
			if err := d.AnnounceWithMail(ctx, comp.ID, org.ID, when, nil); !errors.Is(err, contest.ErrConflict) {
				t.Fatalf("announcing twice: %v", err)
			}
		})

		t.Run("the database refuses marks after the round closes", func(t *testing.T) {
			now := time.Now().UTC()
			past := contest.Round{CompetitionID: comp.ID, Name: "Closed", ScoringMode: contest.ScoringRubric, Quorum: 1, OpensAt: now.Add(-2 * time.Hour), ClosesAt: now.Add(1500 * time.Millisecond)}
			if err := d.CreateRound(ctx, &past, []contest.Criterion{{Name: "X", Weight: 1, ScaleMin: 1, ScaleMax: 3}}, org.ID); err != nil {
				t.Fatal(err)
			}
			_, pc, _ := d.Round(ctx, comp.ID, past.ID)
			rv := db.Review{RoundID: past.ID, EntryID: es[2].ID, JudgeID: judge2.ID, Scores: map[string]int{pc[0].ID: 2}}
			if _, err := d.SaveReview(ctx, comp.ID, rv, true, nil); err != nil {
				t.Fatalf("before closing: %v", err)
			}
			time.Sleep(time.Until(past.ClosesAt) + 50*time.Millisecond)
			rv.Scores[pc[0].ID] = 3
			if _, err := d.SaveReview(ctx, comp.ID, rv, true, nil); !errors.Is(err, db.ErrRoundClosed) || !errors.Is(err, contest.ErrClosed) {
				t.Fatalf("after closing: got %v, want ErrRoundClosed", err)
			}
			got, _ := d.Review(ctx, past.ID, es[2].ID, judge2.ID)
			if got.Scores[pc[0].ID] != 2 {
				t.Fatalf("mark changed after close: %+v", got.Scores)
			}
			past.ClosesAt = now.Add(time.Hour)
			if err := d.UpdateRound(ctx, past, org.ID); !errors.Is(err, db.ErrRoundClosed) {
				t.Fatalf("reopening a closed round: %v", err)
			}
		})
	})
}

func containsAll(have []string, want ...string) bool {
	set := map[string]bool{}
	for _, h := range have {
		set[h] = true
	}
	for _, w := range want {
		if !set[w] {
			return false
		}
	}
	return true
}
