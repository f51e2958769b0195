package db_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/tessera/tessera/internal/contest"
	"github.com/tessera/tessera/internal/db"
	"github.com/tessera/tessera/internal/db/dbtest"
)

// TestConflictReview covers declarations waiting for an organizer (pending
// by default, withdrawn only while pending, confirmed or declined once,
// audited) and judges' organisation and country kept as they joined, on
// both backends.
func TestConflictReview(t *testing.T) {
	dbtest.Backends(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		org, n := seed(t, d)
		comp := n.Competition
		judge, other := judgingUser(t, d, "judge"), judgingUser(t, d, "other")
		for _, j := range []contest.User{judge, other} {
			if err := d.AddMember(ctx, comp.ID, j.ID, contest.RoleJudge); err != nil {
				t.Fatal(err)
			}
		}

		t.Run("judges as they joined", func(t *testing.T) {
			if err := d.UpdateProfile(ctx, judge.ID, db.Profile{Name: judge.Name, Organisation: "Somewhere Else", Country: "GH"}); err != nil {
				t.Fatal(err)
			}
			late := judgingUser(t, d, "late")
			if err := d.CreateInvitation(ctx, "late-token-hash", contest.Invitation{CompetitionID: comp.ID, Role: contest.RoleJudge, CreatedBy: org.ID, ExpiresAt: time.Now().Add(time.Hour)}); err != nil {
				t.Fatal(err)
			}
			if _, err := d.AcceptInvitation(ctx, "late-token-hash", late.ID); err != nil {
				t.Fatal(err)
			}
			// Joining again keeps the first record.
			if err := d.AddMember(ctx, comp.ID, judge.ID, contest.RoleJudge); err != nil {
				t.Fatal(err)
			}
			js, err := d.JudgeProfiles(ctx, comp.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got := js[judge.ID]; got.Organisation != "judge Co" || got.Country != "KE" {
				t.Errorf("the judge's profile change reached their conflicts: %+v", got)
			}
			if got := js[late.ID]; got.Organisation != "late Co" || got.Country != "KE" {
				t.Errorf("a judge joining by invitation: %+v", got)
			}
			if _, ok := js[org.ID]; ok {
				t.Errorf("the organizer is not a judge: %+v", js)
			}
		})

		t.Run("declarations wait for an organizer", func(t *testing.T) {
			declare := func(j contest.User, country string) contest.Conflict {
				t.Helper()
				c := contest.Conflict{CompetitionID: comp.ID, JudgeID: j.ID, Country: country, Source: contest.ConflictDeclared}
				if err := d.AddConflict(ctx, &c, j.ID); err != nil {
					t.Fatal(err)
				}
				return c
			}
			first, second, third := declare(judge, "KE"), declare(judge, "UG"), declare(judge, "NG")
			rec := contest.Conflict{CompetitionID: comp.ID, JudgeID: judge.ID, Organisation: "X", Source: contest.ConflictRecusal, Reason: "family"}
			if err := d.AddConflict(ctx, &rec, org.ID); err != nil {
				t.Fatal(err)
			}
			cs, err := d.Conflicts(ctx, comp.ID, judge.ID)
			if err != nil || len(cs) != 4 || cs[0].Status != contest.ConflictPending || cs[3].Status != contest.ConflictConfirmed {
				t.Fatalf("declared conflicts start pending, recusals confirmed: %+v %v", cs, err)
			}

			if err := d.WithdrawConflict(ctx, comp.ID, first.ID, other.ID); !errors.Is(err, contest.ErrNotFound) {
				t.Errorf("another judge withdraws it: %v", err)
			}
			if err := d.WithdrawConflict(ctx, comp.ID, rec.ID, judge.ID); !errors.Is(err, contest.ErrNotFound) {
				t.Errorf("a judge withdraws a recusal: %v", err)
			}
			if err := d.WithdrawConflict(ctx, comp.ID, first.ID, judge.ID); err != nil {
				t.Fatalf("withdraw a pending declaration: %v", err)
			}

			got, err := d.DecideConflict(ctx, comp.ID, second.ID, contest.ConflictConfirmed, "", org.ID)
			if err != nil || got.Status != contest.ConflictConfirmed || got.Country != "UG" {
				t.Fatalf("confirm: %+v %v", got, err)
			}
			if got, err = d.DecideConflict(ctx, comp.ID, third.ID, contest.ConflictDeclined, "not related", org.ID); err != nil || got.Status != contest.ConflictDeclined || got.Note != "not related" {
				t.Fatalf("decline: %+v %v", got, err)
			}
			for name, id := range map[string]string{"confirmed": second.ID, "declined": third.ID} {
				if err := d.WithdrawConflict(ctx, comp.ID, id, judge.ID); !errors.Is(err, contest.ErrForbidden) {
					t.Errorf("the judge withdraws a %s declaration: %v", name, err)
				}
				if _, err := d.DecideConflict(ctx, comp.ID, id, contest.ConflictConfirmed, "", org.ID); !errors.Is(err, contest.ErrConflict) {
					t.Errorf("decide a %s declaration again: %v", name, err)
				}
			}
			for name, id := range map[string]string{"recusal": rec.ID, "withdrawn": first.ID, "made up": "nope"} {
				if _, err := d.DecideConflict(ctx, comp.ID, id, contest.ConflictConfirmed, "", org.ID); !errors.Is(err, contest.ErrNotFound) {
					t.Errorf("decide a %s one: %v", name, err)
				}
			}
			if _, err := d.DecideConflict(ctx, comp.ID, declare(other, "FR").ID, contest.ConflictPending, "", org.ID); err == nil {
				t.Errorf("pending is no decision")
			}
			cs, _ = d.Conflicts(ctx, comp.ID, judge.ID)
			var states []contest.ConflictStatus
			for _, c := range cs {
				states = append(states, c.Status)
			}
			if !slices.Equal(states, []contest.ConflictStatus{contest.ConflictConfirmed, contest.ConflictDeclined, contest.ConflictConfirmed}) {
				t.Errorf("after the decisions: %v", states)
			}
			events, err := d.Audit(ctx, comp.ID, 0, 100)
			if err != nil {
				t.Fatal(err)
			}
			seen := map[string]bool{}
			for _, e := range events {
				seen[e.Action] = true
			}
			for _, a := range []string{"conflict.declare", "conflict.withdraw", "conflict.confirm", "conflict.decline", "conflict.recuse"} {
				if !seen[a] {
					t.Errorf("the audit log lacks %s", a)
				}
			}
		})

		t.Run("candidates", func(t *testing.T) {
			entrant := judgingUser(t, d, "entrant")
			kept := submittedEntry(t, d, comp.ID, n.Categories[1].ID, entrant.ID)
			gone := submittedEntry(t, d, comp.ID, n.Categories[0].ID, entrant.ID)
			if err := d.WithdrawEntry(ctx, gone.ID, entrant.ID); err != nil {
				t.Fatal(err)
			}
			cs, err := d.ConflictCandidates(ctx, comp.ID)
			if err != nil || len(cs) != 1 || cs[0].ID != kept.ID || cs[0].Title != kept.Title || cs[0].Country != "KE" || cs[0].Organisation != "entrant Co" {
				t.Fatalf("candidates: %+v %v", cs, err)
			}
		})
	})
}
