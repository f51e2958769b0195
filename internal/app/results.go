package app

import (
	"context"
	"strings"

	"github.com/tessera/tessera/internal/contest"
)

// ResultLine is one entry's line in the results.
type ResultLine struct {
	contest.Result
	Entry    EntryView `json:"-"`
	Decision string    `json:"-"` // the recorded tie decision's reason
}

// CategoryResults is one category's ranking.
type CategoryResults struct {
	Category contest.Category
	Lines    []ResultLine
}

// RoundResults is a round's results, category by category.
type RoundResults struct {
	Round      RoundView
	RankBy     contest.RankBy
	Categories []CategoryResults
}

// Results computes a round's results; rankBy overrides the round's
// setting for this view ("" keeps it). Organizers only.
func (a *App) RoundResults(ctx context.Context, acc Access, roundID string, rankBy contest.RankBy) (RoundResults, error) {
	r, _, err := a.organizerRound(ctx, acc, roundID)
	if err != nil {
		return RoundResults{}, err
	}
	switch rankBy {
	case "", contest.RankRaw, contest.RankNormalised:
	default:
		return RoundResults{}, &contest.FieldError{Fields: map[string]string{"rank_by": "round.rank_by_invalid"}}
	}
	return a.computeResults(ctx, acc, r, rankBy)
}

// JudgeTotals turns a round's submitted marks into per-judge totals.
func JudgeTotals(crit []contest.Criterion, ss []contest.Score) []contest.JudgeTotal {
	type key struct{ e, j string }
	vals := map[key]map[string]int{}
	var order []key
	for _, s := range ss {
		k := key{s.EntryID, s.JudgeID}
		if vals[k] == nil {
			vals[k] = make(map[string]int, len(crit))
			order = append(order, k)
		}
		vals[k][s.CriterionID] = s.Value
	}
	out := make([]contest.JudgeTotal, 0, len(order))
	for _, k := range order {
		t, err := contest.WeightedTotal(crit, vals[k])
		if err != nil {
			continue // an incomplete set never counts
		}
		top := 0
		for _, c := range crit {
			if !c.Excluded && vals[k][c.ID] == c.ScaleMax {
				top++
			}
		}
		out = append(out, contest.JudgeTotal{EntryID: k.e, JudgeID: k.j, Total: t, TopMarks: top})
	}
	return out
}

func (a *App) computeResults(ctx context.Context, acc Access, r contest.Round, rankBy contest.RankBy) (RoundResults, error) {
	crit, err := a.DB.Criteria(ctx, r.ID)
	if err != nil {
		return RoundResults{}, err
	}
	es, err := a.DB.RoundEntries(ctx, r)
	if err != nil {
		return RoundResults{}, err
	}
	totals, err := a.DB.SubmittedTotals(ctx, r.ID, crit)
	if err != nil {
		return RoundResults{}, err
	}
	decisions, err := a.DB.TieDecisions(ctx, r.ID)
	if err != nil {
		return RoundResults{}, err
	}
	if rankBy == "" {
		rankBy = r.RankBy
	}
	opts := contest.ResultOptions{Quorum: r.Quorum, MinScores: r.MinScores, Disagreement: r.Disagreement, RankBy: rankBy, TieBreaks: contest.ParseTieBreaks(r.TieBreaks), Decisions: map[string]int{}}
	reasons := map[string]string{}
	for _, d := range decisions {
		opts.Decisions[d.EntryID] = d.Position
		reasons[d.EntryID] = d.Reason
	}
	cats, err := a.DB.Categories(ctx, acc.Competition.ID)
	if err != nil {
		return RoundResults{}, err
	}
	catPos := map[string]int{}
	for i, c := range cats {
		catPos[c.ID] = i
	}
	entries := make([]contest.ResultEntry, 0, len(es))
	// Category order first, so results come category by category.
	for _, c := range cats {
		for _, e := range es {
			if e.CategoryID == c.ID {
				entries = append(entries, contest.ResultEntry{ID: e.ID, CategoryID: e.CategoryID})
			}
		}
	}
	res := contest.ComputeResults(entries, totals, opts)
	ec, err := a.loadContext(ctx, acc.Competition, es, true)
	if err != nil {
		return RoundResults{}, err
	}
	byID := make(map[string]contest.Entry, len(es))
	for _, e := range es {
		byID[e.ID] = e
	}
	out := RoundResults{Round: a.roundView(r, crit), RankBy: rankBy}
	idx := map[string]int{}
	for _, x := range res {
		i, ok := idx[x.CategoryID]
		if !ok {
			i = len(out.Categories)
			idx[x.CategoryID] = i
			out.Categories = append(out.Categories, CategoryResults{Category: cats[catPos[x.CategoryID]]})
		}
		v, _ := a.view(acc, ec, byID[x.EntryID])
		out.Categories[i].Lines = append(out.Categories[i].Lines, ResultLine{Result: x, Entry: v, Decision: reasons[x.EntryID]})
	}
	return out, nil
}

// TieDecisionInput orders entries the declared rules leave tied.
type TieDecisionInput struct {
	EntryIDs []string `json:"entry_ids"` // best first
	Reason   string   `json:"reason"`
}

// DecideTie records the organizer's order for tied entries, with the
// reason. The round's rules must include the organizer's decision.
func (a *App) DecideTie(ctx context.Context, acc Access, roundID string, in TieDecisionInput) error {
	r, _, err := a.organizerRound(ctx, acc, roundID)
	if err != nil {
		return err
	}
	var fe contest.FieldError
	hasDecision := false
	for _, t := range contest.ParseTieBreaks(r.TieBreaks) {
		hasDecision = hasDecision || t == contest.TieDecision
	}
	if !hasDecision {
		fe.Add("entry_ids", "tie.not_declared")
	}
	in.Reason = strings.TrimSpace(in.Reason)
	if in.Reason == "" {
		fe.Add("reason", "field.required")
	}
	if len(in.EntryIDs) < 2 {
		fe.Add("entry_ids", "tie.too_few")
	}
	seen := map[string]bool{}
	for _, id := range in.EntryIDs {
		ok, err := a.DB.InRound(ctx, r, id)
		if err != nil {
			return err
		}
		if !ok || seen[id] {
			fe.Add("entry_ids", "tie.entry_invalid")
		}
		seen[id] = true
	}
	if err := fe.Err(); err != nil {
		return err
	}
	return a.DB.SetTieDecision(ctx, acc.Competition.ID, r.ID, in.EntryIDs, in.Reason, acc.User.ID)
}
