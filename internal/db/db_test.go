package db_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/tessera/tessera/internal/contest"
	"github.com/tessera/tessera/internal/db"
	"github.com/tessera/tessera/internal/db/dbtest"
)

func seed(t *testing.T, d *db.DB) (org contest.User, n db.NewCompetition) {
	t.Helper()
	ctx := context.Background()
	org = contest.User{Email: "Org@Example.org", Name: "Org", PasswordHash: "x"}
	if err := d.CreateUser(ctx, &org); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	n = db.NewCompetition{
		Competition: contest.Competition{Slug: "c1", Title: "C1", TimeZone: "Africa/Nairobi", OpensAt: now.Add(-time.Hour), ClosesAt: now.Add(24 * time.Hour)},
		Categories:  []contest.Category{{Medium: contest.MediumPhoto, Name: "Photos", MaxEntries: 1}, {Medium: contest.MediumEssay, Name: "Essays"}},
		Round:       contest.Round{Name: "Final", Blind: true, OpensAt: now, ClosesAt: now.Add(48 * time.Hour)},
		Criteria:    []contest.Criterion{{Name: "Craft", Weight: 2, ScaleMin: 1, ScaleMax: 10}, {Name: "Impact", Weight: 1, ScaleMin: 1, ScaleMax: 10}},
		OrganizerID: org.ID,
	}
	if err := d.CreateCompetition(ctx, &n); err != nil {
		t.Fatal(err)
	}
	return org, n
}

func TestStore(t *testing.T) {
	dbtest.Backends(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		org, n := seed(t, d)

		t.Run("users are unique by email, case-insensitively", func(t *testing.T) {
			dup := contest.User{Email: "org@example.ORG", Name: "Dup", PasswordHash: "x"}
			if err := d.CreateUser(ctx, &dup); !errors.Is(err, contest.ErrConflict) {
				t.Fatalf("duplicate email: got %v, want ErrConflict", err)
			}
			u, err := d.UserByEmail(ctx, " ORG@example.org ")
			if err != nil || u.ID != org.ID {
				t.Fatalf("UserByEmail = %v, %v", u.ID, err)
			}
			if _, err := d.UserByEmail(ctx, "nobody@example.org"); !errors.Is(err, contest.ErrNotFound) {
				t.Fatalf("missing user: %v", err)
			}
		})

		t.Run("sessions expire and end", func(t *testing.T) {
			if err := d.CreateSession(ctx, "live", org.ID, time.Now().Add(time.Hour)); err != nil {
				t.Fatal(err)
			}
			if err := d.CreateSession(ctx, "old", org.ID, time.Now().Add(-time.Minute)); err != nil {
				t.Fatal(err)
			}
			if u, err := d.SessionUser(ctx, "live"); err != nil || u.ID != org.ID {
				t.Fatalf("live session: %v %v", u.ID, err)
			}
			if _, err := d.SessionUser(ctx, "old"); !errors.Is(err, contest.ErrNotFound) {
				t.Fatalf("expired session: %v", err)
			}
			if err := d.DeleteSession(ctx, "live"); err != nil {
				t.Fatal(err)
			}
			if _, err := d.SessionUser(ctx, "live"); !errors.Is(err, contest.ErrNotFound) {
				t.Fatalf("ended session still valid: %v", err)
			}
		})

		t.Run("competition with categories, round and rubric", func(t *testing.T) {
			c, err := d.CompetitionBySlug(ctx, "c1")
			if err != nil || c.TimeZone != "Africa/Nairobi" || c.Status != contest.StatusOpen {
				t.Fatalf("competition = %+v, %v", c, err)
			}
			cats, err := d.Categories(ctx, c.ID)
			if err != nil || len(cats) != 2 || cats[0].Medium != contest.MediumPhoto {
				t.Fatalf("categories = %+v, %v", cats, err)
			}
			r, crit, err := d.CurrentRound(ctx, c.ID)
			if err != nil || !r.Blind || len(crit) != 2 || crit[0].Weight != 2 {
				t.Fatalf("round = %+v %+v %v", r, crit, err)
			}
			roles, err := d.Roles(ctx, c.ID, org.ID)
			if err != nil || len(roles) != 1 || roles[0] != contest.RoleOrganizer {
				t.Fatalf("roles = %v %v", roles, err)
			}
			again := n
			if err := d.CreateCompetition(ctx, &again); !errors.Is(err, contest.ErrConflict) {
				t.Fatalf("duplicate slug: %v", err)
			}
		})

		t.Run("invitation is single use", func(t *testing.T) {
			judge := contest.User{Email: "judge@example.org", Name: "J", PasswordHash: "x"}
			if err := d.CreateUser(ctx, &judge); err != nil {
				t.Fatal(err)
			}
			inv := contest.Invitation{CompetitionID: n.Competition.ID, Role: contest.RoleJudge, CreatedBy: org.ID, ExpiresAt: time.Now().Add(time.Hour)}
			if err := d.CreateInvitation(ctx, "tok", inv); err != nil {
				t.Fatal(err)
			}
			if _, err := d.AcceptInvitation(ctx, "tok", judge.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := d.AcceptInvitation(ctx, "tok", judge.ID); !errors.Is(err, contest.ErrNotFound) {
				t.Fatalf("second use: %v", err)
			}
			roles, _ := d.Roles(ctx, n.Competition.ID, judge.ID)
			if len(roles) != 1 || roles[0] != contest.RoleJudge {
				t.Fatalf("judge roles = %v", roles)
			}
		})

		t.Run("entry limit, assets and processing", func(t *testing.T) {
			ent := contest.User{Email: "ent@example.org", Name: "E", PasswordHash: "x"}
			if err := d.CreateUser(ctx, &ent); err != nil {
				t.Fatal(err)
			}
			e := contest.Entry{CompetitionID: n.Competition.ID, CategoryID: n.Categories[0].ID, EntrantID: ent.ID, Title: "Loom"}
			if err := d.CreateEntry(ctx, &e, 1); err != nil {
				t.Fatal(err)
			}
			e2 := e
			if err := d.CreateEntry(ctx, &e2, 1); !errors.Is(err, db.ErrEntryLimit) {
				t.Fatalf("second entry over limit: %v", err)
			}
			a := contest.Asset{EntryID: e.ID, FileName: "loom.jpg", ContentType: "image/jpeg", OriginalKey: "k"}
			if err := d.CreateAsset(ctx, &a); err != nil {
				t.Fatal(err)
			}
			if ok, err := d.StartProcessing(ctx, a.ID); err != nil || ok {
				t.Fatalf("an uploading asset must not be processed: %v %v", ok, err)
			}
			if err := d.MarkUploaded(ctx, a.ID, 1234, "image/jpeg"); err != nil {
				t.Fatal(err)
			}
			stale, err := d.StaleAssets(ctx, time.Now().Add(-time.Minute), 10)
			if err != nil || len(stale) != 1 || stale[0] != a.ID {
				t.Fatalf("pending asset is stale work: %v %v", stale, err)
			}
			if ok, err := d.StartProcessing(ctx, a.ID); err != nil || !ok {
				t.Fatalf("start: %v %v", ok, err)
			}
			if stale, _ := d.StaleAssets(ctx, time.Now().Add(-time.Minute), 10); len(stale) != 0 {
				t.Fatalf("freshly processing asset is not stale: %v", stale)
			}
			if stale, _ := d.StaleAssets(ctx, time.Now().Add(time.Minute), 10); len(stale) != 1 {
				t.Fatalf("processing asset untouched past the cut-off is stale: %v", stale)
			}
			ds := []contest.Derivative{{Name: "thumb", Key: "t", ContentType: "image/jpeg", Width: 320, Height: 200, Size: 10}}
			if err := d.FinishProcessing(ctx, a.ID, 3200, 2000, ds); err != nil {
				t.Fatal(err)
			}
			if err := d.FinishProcessing(ctx, a.ID, 3200, 2000, ds); !errors.Is(err, contest.ErrConflict) {
				t.Fatalf("finishing twice must be refused: %v", err)
			}
			if ok, _ := d.StartProcessing(ctx, a.ID); ok {
				t.Fatal("a ready asset must not be processed again")
			}
			got, err := d.Asset(ctx, a.ID)
			if err != nil || got.State != contest.AssetReady || got.Width != 3200 || got.Attempts != 1 {
				t.Fatalf("asset = %+v %v", got, err)
			}
			gotDs, err := d.Derivatives(ctx, a.ID)
			if err != nil || len(gotDs) != 1 || gotDs[0].Key != "t" {
				t.Fatalf("derivatives = %+v %v", gotDs, err)
			}
			if err := d.SubmitEntry(ctx, e.ID, ent.ID); err != nil {
				t.Fatal(err)
			}
			if err := d.SubmitEntry(ctx, e.ID, ent.ID); !errors.Is(err, contest.ErrConflict) {
				t.Fatalf("submit twice: %v", err)
			}
			sub, err := d.EntriesByStatus(ctx, n.Competition.ID, contest.EntrySubmitted, 10, 0)
			if err != nil || len(sub) != 1 || sub[0].SubmittedAt == nil {
				t.Fatalf("submitted = %+v %v", sub, err)
			}

			rv := db.Review{RoundID: n.Round.ID, EntryID: e.ID, JudgeID: org.ID, Scores: map[string]int{n.Criteria[0].ID: 8, n.Criteria[1].ID: 5}}
			if _, err := d.SaveReview(ctx, n.Competition.ID, rv, true, nil); err != nil {
				t.Fatal(err)
			}
			rv.Scores[n.Criteria[0].ID] = 9
			if _, err := d.SaveReview(ctx, n.Competition.ID, rv, true, nil); err != nil {
				t.Fatal(err)
			}
			ss, err := d.SubmittedScores(ctx, n.Round.ID)
			if err != nil || len(ss) != 2 || ss[0].Value+ss[1].Value != 14 {
				t.Fatalf("scores = %+v %v", ss, err)
			}
			aw := contest.Award{CompetitionID: n.Competition.ID, EntryID: e.ID, Kind: contest.AwardWinner, CategoryID: e.CategoryID}
			if err := d.GiveAward(ctx, &aw, org.ID); err != nil {
				t.Fatal(err)
			}
			if err := d.AnnounceWithMail(ctx, n.Competition.ID, org.ID, time.Now(), nil); err != nil {
				t.Fatal(err)
			}
			if err := d.AnnounceWithMail(ctx, n.Competition.ID, org.ID, time.Now(), nil); !errors.Is(err, contest.ErrConflict) {
				t.Fatalf("announce twice: %v", err)
			}
		})

		t.Run("audit log is append-only", func(t *testing.T) {
			evs, err := d.Audit(ctx, n.Competition.ID, 0, 100)
			if err != nil || len(evs) < 4 {
				t.Fatalf("audit = %d lines, %v", len(evs), err)
			}
			if evs[0].Action != "competition.create" {
				t.Fatalf("first audit line = %+v", evs[0])
			}
			if err := d.TamperAuditForTest(ctx); err == nil {
				t.Fatal("updating the audit log must fail")
			}
		})
	})
}

func TestSchemaBehind(t *testing.T) {
	ctx := context.Background()
	d, err := db.Open(ctx, "", filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if err := d.CheckSchema(ctx); !errors.Is(err, db.ErrSchemaBehind) {
		t.Fatalf("fresh database: %v, want ErrSchemaBehind", err)
	}
	if _, err := d.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if err := d.CheckSchema(ctx); err != nil {
		t.Fatalf("after migrate: %v", err)
	}
}
