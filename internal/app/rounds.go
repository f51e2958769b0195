package app

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/tessera/tessera/internal/contest"
)

// CriterionSpec is one line of a round's rubric as an organizer sets it.
type CriterionSpec struct {
	Name     string  `json:"name"`
	Guidance string  `json:"guidance"`
	Weight   float64 `json:"weight"`
	ScaleMin int     `json:"scale_min"`
	ScaleMax int     `json:"scale_max"`
	Excluded bool    `json:"excluded"` // "does not count": recorded and shown, not in the total
}

// RoundSpec creates or changes a round.
type RoundSpec struct {
	contest.RoundInput
	Criteria []CriterionSpec `json:"criteria"`
}

func toCriteria(specs []CriterionSpec) []contest.Criterion {
	out := make([]contest.Criterion, len(specs))
	for i, c := range specs {
		out[i] = contest.Criterion{Name: strings.TrimSpace(c.Name), Guidance: strings.TrimSpace(c.Guidance), Weight: c.Weight, ScaleMin: c.ScaleMin, ScaleMax: c.ScaleMax, Excluded: c.Excluded}
	}
	return out
}

// RoundView is a round with its rubric and its state now.
type RoundView struct {
	ID              string                  `json:"id"`
	Name            string                  `json:"name"`
	Position        int                     `json:"position"`
	State           contest.RoundState      `json:"state"`
	OpensAt         time.Time               `json:"opens_at"`
	ClosesAt        time.Time               `json:"closes_at"`
	CategoryIDs     []string                `json:"category_ids"`
	ScoringMode     contest.ScoringMode     `json:"scoring_mode"`
	Quorum          int                     `json:"quorum"`
	Blind           bool                    `json:"blind"`
	ScoreVisibility contest.ScoreVisibility `json:"score_visibility"`
	MinScores       int                     `json:"min_scores"`
	Disagreement    float64                 `json:"disagreement"`
	RankBy          contest.RankBy          `json:"rank_by"`
	TieBreaks       []contest.TieBreak      `json:"tie_breaks"`
	Criteria        []CriterionView         `json:"criteria"`
}

// CriterionView is one rubric line.
type CriterionView struct {
	ID       string  `json:"id"`
	Name     string  `json:"name"`
	Guidance string  `json:"guidance"`
	Weight   float64 `json:"weight"`
	ScaleMin int     `json:"scale_min"`
	ScaleMax int     `json:"scale_max"`
	Excluded bool    `json:"excluded"`
}

func (a *App) roundView(r contest.Round, crit []contest.Criterion) RoundView {
	v := RoundView{ID: r.ID, Name: r.Name, Position: r.Position, State: r.State(a.Now()), OpensAt: r.OpensAt.UTC(), ClosesAt: r.ClosesAt.UTC(),
		CategoryIDs: r.CategoryIDs, ScoringMode: r.ScoringMode, Quorum: r.Quorum, Blind: r.Blind, ScoreVisibility: r.ScoreVisibility,
		MinScores: r.MinScores, Disagreement: r.Disagreement, RankBy: r.RankBy, TieBreaks: contest.ParseTieBreaks(r.TieBreaks), Criteria: []CriterionView{}}
	if v.CategoryIDs == nil {
		v.CategoryIDs = []string{}
	}
	if v.TieBreaks == nil {
		v.TieBreaks = []contest.TieBreak{}
	}
	if v.ScoringMode == "" {
		v.ScoringMode = contest.ScoringRubric
	}
	for _, c := range crit {
		v.Criteria = append(v.Criteria, CriterionView{ID: c.ID, Name: c.Name, Guidance: c.Guidance, Weight: c.Weight, ScaleMin: c.ScaleMin, ScaleMax: c.ScaleMax, Excluded: c.Excluded})
	}
	return v
}

// Rounds lists the competition's rounds. Organizers and judges.
func (a *App) Rounds(ctx context.Context, acc Access) ([]RoundView, error) {
	if err := acc.Require(contest.RoleOrganizer, contest.RoleJudge); err != nil {
		return nil, err
	}
	rs, err := a.DB.Rounds(ctx, acc.Competition.ID)
	if err != nil {
		return nil, err
	}
	out := make([]RoundView, 0, len(rs))
	for _, r := range rs {
		crit, err := a.DB.Criteria(ctx, r.ID)
		if err != nil {
			return nil, err
		}
		out = append(out, a.roundView(r, crit))
	}
	return out, nil
}

// Round returns one round. Organizers and judges.
func (a *App) Round(ctx context.Context, acc Access, roundID string) (RoundView, error) {
	if err := acc.Require(contest.RoleOrganizer, contest.RoleJudge); err != nil {
		return RoundView{}, err
	}
	r, crit, err := a.DB.Round(ctx, acc.Competition.ID, roundID)
	if err != nil {
		return RoundView{}, err
	}
	return a.roundView(r, crit), nil
}

// CreateRound adds a round after the last one. Organizers only.
func (a *App) CreateRound(ctx context.Context, acc Access, in RoundSpec) (RoundView, error) {
	if err := acc.Require(contest.RoleOrganizer); err != nil {
		return RoundView{}, err
	}
	cats, err := a.DB.Categories(ctx, acc.Competition.ID)
	if err != nil {
		return RoundView{}, err
	}
	r := contest.Round{CompetitionID: acc.Competition.ID}
	fe := contest.FieldError{}
	if err := in.Apply(&r, cats); err != nil {
		fe = *err.(*contest.FieldError)
	}
	crit := toCriteria(in.Criteria)
	if r.ScoringMode != contest.ScoringScreening && in.ScoringMode != contest.ScoringScreening {
		if err := contest.ValidateRubric(crit); err != nil {
			for k, v := range err.(*contest.FieldError).Fields {
				fe.Add(k, v)
			}
		}
	}
	if err := fe.Err(); err != nil {
		return RoundView{}, err
	}
	if err := a.DB.CreateRound(ctx, &r, crit, acc.User.ID); err != nil {
		return RoundView{}, err
	}
	return a.Round(ctx, acc, r.ID)
}

// UpdateRound changes a round's settings. Once a round has closed nothing
// changes, so its results stay what they were (the database also refuses
// to move a passed closing time).
func (a *App) UpdateRound(ctx context.Context, acc Access, roundID string, in contest.RoundInput) (RoundView, error) {
	r, _, err := a.organizerRound(ctx, acc, roundID)
	if err != nil {
		return RoundView{}, err
	}
	if r.State(a.Now()) == contest.RoundClosed {
		return RoundView{}, contest.ErrJudgingClosed
	}
	cats, err := a.DB.Categories(ctx, acc.Competition.ID)
	if err != nil {
		return RoundView{}, err
	}
	if err := in.Apply(&r, cats); err != nil {
		return RoundView{}, err
	}
	if err := a.DB.UpdateRound(ctx, r, acc.User.ID); err != nil {
		return RoundView{}, err
	}
	return a.Round(ctx, acc, r.ID)
}

// SetRubric replaces a round's criteria until the first mark is given.
func (a *App) SetRubric(ctx context.Context, acc Access, roundID string, specs []CriterionSpec) (RoundView, error) {
	r, _, err := a.organizerRound(ctx, acc, roundID)
	if err != nil {
		return RoundView{}, err
	}
	if r.ScoringMode == contest.ScoringScreening {
		return RoundView{}, &contest.FieldError{Fields: map[string]string{"criteria": "rubric.screening"}}
	}
	crit := toCriteria(specs)
	if err := contest.ValidateRubric(crit); err != nil {
		return RoundView{}, err
	}
	if err := a.DB.ReplaceCriteria(ctx, acc.Competition.ID, r.ID, crit, acc.User.ID); err != nil {
		return RoundView{}, err
	}
	return a.Round(ctx, acc, r.ID)
}

// AdvanceResult reports which entries went on.
type AdvanceResult struct {
	ToRoundID string   `json:"to_round_id"`
	EntryIDs  []string `json:"entry_ids"`
}

// Advance puts entries of a closed round into the next round: the top N of
// each category, those at or above a threshold, or a hand-picked set.
func (a *App) Advance(ctx context.Context, acc Access, roundID string, rule contest.AdvanceRule) (AdvanceResult, error) {
	r, _, err := a.organizerRound(ctx, acc, roundID)
	if err != nil {
		return AdvanceResult{}, err
	}
	if r.State(a.Now()) != contest.RoundClosed {
		return AdvanceResult{}, &contest.FieldError{Fields: map[string]string{"round": "advance.round_open"}}
	}
	rs, err := a.DB.Rounds(ctx, acc.Competition.ID)
	if err != nil {
		return AdvanceResult{}, err
	}
	var next *contest.Round
	for i := range rs {
		if rs[i].Position == r.Position+1 {
			next = &rs[i]
		}
	}
	if next == nil {
		return AdvanceResult{}, &contest.FieldError{Fields: map[string]string{"round": "advance.no_next_round"}}
	}
	res, err := a.computeResults(ctx, acc, r, "")
	if err != nil {
		return AdvanceResult{}, err
	}
	var flat []contest.Result
	for _, c := range res.Categories {
		for _, l := range c.Lines {
			flat = append(flat, l.Result)
		}
	}
	ids, err := rule.Select(flat)
	if err != nil {
		return AdvanceResult{}, err
	}
	desc := "hand-picked"
	switch {
	case rule.TopN > 0:
		desc = fmt.Sprintf("top %d per category", rule.TopN)
	case rule.Threshold != nil:
		desc = fmt.Sprintf("threshold %g", *rule.Threshold)
	}
	if err := a.DB.Advance(ctx, acc.Competition.ID, r.ID, next.ID, ids, desc, acc.User.ID); err != nil {
		return AdvanceResult{}, err
	}
	if ids == nil {
		ids = []string{}
	}
	return AdvanceResult{ToRoundID: next.ID, EntryIDs: ids}, nil
}

// ActiveRound returns the round judging now (or last), with its criteria.
func (a *App) ActiveRound(ctx context.Context, acc Access) (contest.Round, []contest.Criterion, error) {
	return a.DB.ActiveRound(ctx, acc.Competition.ID, a.Now())
}
