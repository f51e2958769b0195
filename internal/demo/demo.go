// Package demo seeds the demonstration competition "Artisans in Focus" with
// an organizer, a judge, an entrant and sample entries whose pictures it
// draws itself.
package demo

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/tessera/tessera/internal/app"
	"github.com/tessera/tessera/internal/auth"
	"github.com/tessera/tessera/internal/contest"
	"github.com/tessera/tessera/internal/db"
)

// Slug is the demo competition's address.
const Slug = "artisans-in-focus"

// Account is a demo sign-in.
type Account struct {
	Role     string
	Email    string
	Password string
}

// Accounts are the demo sign-ins, printed by `tessera demo`.
func Accounts() []Account {
	return []Account{
		{"organizer", "organizer@demo.tessera.local", "organizer-demo-2026"},
		{"judge", "judge@demo.tessera.local", "judge-demo-2026"},
		{"entrant", "entrant@demo.tessera.local", "entrant-demo-2026"},
	}
}

// Result says what Seed did.
type Result struct {
	Created bool     // false when the demo already existed and was kept
	Pending []string // entry ids waiting for processing before submission
}

// Seed creates the demo accounts and competition unless they exist. Entries
// are uploaded through the real pipeline; Submit finishes them once their
// pictures are processed.
func Seed(ctx context.Context, a *app.App, d *db.DB, s *auth.Service) (Result, error) {
	var users [3]contest.User
	for i, acc := range Accounts() {
		u, err := d.UserByEmail(ctx, acc.Email)
		if errors.Is(err, contest.ErrNotFound) {
			u, err = s.SignUp(ctx, auth.SignUpInput{Email: acc.Email, Name: demoNames[i], Password: acc.Password, Organisation: demoOrgs[i], Country: demoCountries[i]})
		}
		if err != nil {
			return Result{}, fmt.Errorf("demo account %s: %w", acc.Email, err)
		}
		users[i] = u
	}
	org, judge, entrant := users[0], users[1], users[2]
	if !org.CanOrganize {
		if err := d.SetCanOrganize(ctx, org.ID, true); err != nil {
			return Result{}, err
		}
		org.CanOrganize = true
	}
	if _, err := d.CompetitionBySlug(ctx, Slug); err == nil {
		return Result{Created: false}, nil
	} else if !errors.Is(err, contest.ErrNotFound) {
		return Result{}, err
	}
	now := a.Now().UTC().Truncate(time.Hour)
	comp, err := a.CreateCompetition(ctx, &org, app.CompetitionInput{
		Title:       "Artisans in Focus",
		Slug:        Slug,
		Description: "A global competition for the artisan sector: cooperatives, makers and the organisations that support them show their craft in photographs, videos, mural designs and essays.",
		TimeZone:    "Africa/Nairobi",
		OpensAt:     now.Add(-24 * time.Hour),
		ClosesAt:    now.Add(30 * 24 * time.Hour),
		GraceMin:    30,
		JudgingEnds: now.Add(60 * 24 * time.Hour),
		Criteria: []app.CriterionInput{
			{Name: "Storytelling", Guidance: "Does the work tell the story of the craft and its makers?", Weight: 40, ScaleMin: 1, ScaleMax: 10},
			{Name: "Craft", Guidance: "Skill, quality and originality of the work shown.", Weight: 35, ScaleMin: 1, ScaleMax: 10},
			{Name: "Impact", Guidance: "Benefit to the community, livelihoods and heritage.", Weight: 25, ScaleMin: 1, ScaleMax: 10},
		},
	})
	if err != nil {
		return Result{}, fmt.Errorf("demo competition: %w", err)
	}
	if err := d.AddMember(ctx, comp.ID, judge.ID, contest.RoleJudge); err != nil {
		return Result{}, err
	}
	acc, err := a.AccessFor(ctx, &entrant, Slug)
	if err != nil {
		return Result{}, err
	}
	cats, err := d.Categories(ctx, comp.ID)
	if err != nil {
		return Result{}, err
	}
	samples := []struct {
		title, statement string
		pattern          Pattern
	}{
		{"Threads of the Rift Valley", "Our weaving cooperative of 40 women dyes sisal with plants from the valley.", Weave},
		{"The Mosaic Workshop", "Young apprentices learn to cut and set glass tiles from recycled bottles.", Mosaic},
		{"Glaze and Fire", "Three generations of potters keep the wood-fired kiln of our village alive.", Pottery},
	}
	var res Result
	res.Created = true
	for _, sm := range samples {
		e, err := a.CreateEntry(ctx, acc, app.EntryInput{CategoryID: cats[0].ID, Title: sm.title, Statement: sm.statement, Consent: true, ConsentRules: true})
		if err != nil {
			return res, fmt.Errorf("demo entry: %w", err)
		}
		pic, err := SampleJPEG(sm.pattern, 1800, 1200)
		if err != nil {
			return res, err
		}
		if _, err := a.Upload(ctx, acc, app.UploadInput{EntryID: e.ID, FileName: Slugify(sm.title) + ".jpg", Size: int64(len(pic)), Body: bytes.NewReader(pic)}); err != nil {
			return res, fmt.Errorf("demo upload: %w", err)
		}
		res.Pending = append(res.Pending, e.ID)
	}
	return res, nil
}

// Submit waits (until ctx ends) for the pending demo entries' pictures to be
// processed and submits them, so they reach the judge.
func Submit(ctx context.Context, a *app.App, d *db.DB, pending []string) error {
	entrant, err := d.UserByEmail(ctx, Accounts()[2].Email)
	if err != nil {
		return err
	}
	acc, err := a.AccessFor(ctx, &entrant, Slug)
	if err != nil {
		return err
	}
	t := time.NewTicker(300 * time.Millisecond)
	defer t.Stop()
	for len(pending) > 0 {
		var left []string
		for _, id := range pending {
			err := a.SubmitEntry(ctx, acc, id)
			var fe *contest.FieldError
			switch {
			case err == nil:
			case errors.As(err, &fe):
				left = append(left, id)
			default:
				return fmt.Errorf("submit demo entry: %w", err)
			}
		}
		pending = left
		if len(pending) == 0 {
			break
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
	return nil
}

// Slugify is contest.Slugify, for file names.
func Slugify(s string) string { return contest.Slugify(s) }

var (
	demoNames     = [3]string{"Grace Organizer", "Jean Judge", "Amina Weaver"}
	demoOrgs      = [3]string{"Artisans in Focus", "Independent", "Rift Valley Weavers Cooperative"}
	demoCountries = [3]string{"KE", "FR", "KE"}
)
