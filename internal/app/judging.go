package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/tessera/tessera/internal/contest"
)

// QueueItem is one entry in a judge's queue.
type QueueItem struct {
	EntryView
	Scored bool `json:"scored"`
}

// JudgeQueue is a judge's work in the current round.
type JudgeQueue struct {
	Round    contest.Round       `json:"-"`
	Criteria []contest.Criterion `json:"-"`
	Items    []QueueItem         `json:"items"`
	Scored   int                 `json:"scored"`
	Total    int                 `json:"total"`
}

// JudgeQueue lists the submitted entries a judge may score, with progress. Every
// judge of the competition sees every submitted entry they are not
// conflicted with (panels and assignment arrive with multi-round judging).
func (a *App) JudgeQueue(ctx context.Context, acc Access, limit, offset int) (JudgeQueue, error) {
	if err := acc.Require(contest.RoleJudge); err != nil {
		return JudgeQueue{}, err
	}
	r, crit, err := a.DB.CurrentRound(ctx, acc.Competition.ID)
	if err != nil {
		return JudgeQueue{}, err
	}
	es, err := a.DB.EntriesByStatus(ctx, acc.Competition.ID, contest.EntrySubmitted, limit, offset)
	if err != nil {
		return JudgeQueue{}, err
	}
	ec, err := a.loadContext(ctx, acc.Competition, es, !r.Blind)
	if err != nil {
		return JudgeQueue{}, err
	}
	mine, err := a.DB.JudgeScores(ctx, r.ID, acc.User.ID)
	if err != nil {
		return JudgeQueue{}, err
	}
	scored := map[string]bool{}
	for _, s := range mine {
		scored[s.EntryID] = true
	}
	q := JudgeQueue{Round: r, Criteria: crit, Items: []QueueItem{}}
	for _, e := range es {
		v, ok := a.view(acc, ec, e)
		if !ok || !contest.See(a.viewer(acc, ec, e)).Score {
			continue
		}
		q.Items = append(q.Items, QueueItem{EntryView: v, Scored: scored[e.ID]})
	}
	// Progress counts the whole queue, not the page.
	if q.Total, err = a.DB.CountEntries(ctx, acc.Competition.ID, contest.EntrySubmitted); err != nil {
		return JudgeQueue{}, err
	}
	if q.Scored, err = a.DB.CountScoredEntries(ctx, r.ID, acc.User.ID, contest.EntrySubmitted); err != nil {
		return JudgeQueue{}, err
	}
	return q, nil
}

func (a *App) fillMyScores(ctx context.Context, acc Access, r contest.Round, v *EntryView) error {
	ss, err := a.DB.JudgeScores(ctx, r.ID, acc.User.ID)
	if err != nil {
		return err
	}
	for _, s := range ss {
		if s.EntryID != v.ID {
			continue
		}
		if v.MyScores == nil {
			v.MyScores = map[string]int{}
		}
		v.MyScores[s.CriterionID] = s.Value
	}
	if v.MyScores != nil {
		_, crit, err := a.DB.CurrentRound(ctx, acc.Competition.ID)
		if err != nil {
			return err
		}
		if t, err := contest.WeightedTotal(crit, v.MyScores); err == nil {
			v.MyTotal = &t
		}
	}
	return nil
}

// Rubric returns the current round and its criteria.
func (a *App) Rubric(ctx context.Context, acc Access) (contest.Round, []contest.Criterion, error) {
	return a.DB.CurrentRound(ctx, acc.Competition.ID)
}

// Score records a judge's marks for an entry in the current round and
// returns the weighted total. Marks can change until the round closes.
func (a *App) Score(ctx context.Context, acc Access, entryID string, values map[string]int) (float64, error) {
	if err := acc.Require(contest.RoleJudge); err != nil {
		return 0, err
	}
	e, err := a.DB.Entry(ctx, entryID)
	if err != nil {
		return 0, err
	}
	if e.CompetitionID != acc.Competition.ID {
		return 0, fmt.Errorf("entry: %w", contest.ErrNotFound)
	}
	ec, err := a.loadContext(ctx, acc.Competition, []contest.Entry{e}, false)
	if err != nil {
		return 0, err
	}
	if !contest.See(a.viewer(acc, ec, e)).Score {
		return 0, fmt.Errorf("entry: %w", contest.ErrNotFound)
	}
	r, crit, err := a.DB.CurrentRound(ctx, acc.Competition.ID)
	if err != nil {
		return 0, err
	}
	if err := contest.CheckScoringOpen(r, a.Now()); err != nil {
		return 0, err
	}
	total, err := contest.WeightedTotal(crit, values)
	if err != nil {
		return 0, err
	}
	known := map[string]bool{}
	for _, c := range crit {
		known[c.ID] = true
	}
	for id := range values {
		if !known[id] {
			return 0, &contest.FieldError{Fields: map[string]string{id: "score.unknown_criterion"}}
		}
	}
	if err := a.DB.SaveScores(ctx, acc.Competition.ID, r.ID, e.ID, acc.User.ID, values); err != nil {
		return 0, err
	}
	return total, nil
}

// ResultRow is one line of the organizer's ranking.
type ResultRow struct {
	contest.Standing
	Entry EntryView `json:"entry"`
}

// Results ranks the submitted entries of the current round by their mean
// weighted total. Organizers only.
func (a *App) Results(ctx context.Context, acc Access) ([]ResultRow, error) {
	if err := acc.Require(contest.RoleOrganizer); err != nil {
		return nil, err
	}
	r, crit, err := a.DB.CurrentRound(ctx, acc.Competition.ID)
	if err != nil {
		return nil, err
	}
	es, err := a.DB.EntriesByStatus(ctx, acc.Competition.ID, contest.EntrySubmitted, 10000, 0)
	if err != nil {
		return nil, err
	}
	ss, err := a.DB.RoundScores(ctx, r.ID)
	if err != nil {
		return nil, err
	}
	byJudge := map[[2]string]map[string]int{}
	for _, s := range ss {
		k := [2]string{s.EntryID, s.JudgeID}
		if byJudge[k] == nil {
			byJudge[k] = map[string]int{}
		}
		byJudge[k][s.CriterionID] = s.Value
	}
	totals := map[string][]float64{}
	for _, e := range es {
		totals[e.ID] = nil
	}
	for k, vals := range byJudge {
		if _, ok := totals[k[0]]; !ok {
			continue
		}
		if t, err := contest.WeightedTotal(crit, vals); err == nil {
			totals[k[0]] = append(totals[k[0]], t)
		}
	}
	ec, err := a.loadContext(ctx, acc.Competition, es, true)
	if err != nil {
		return nil, err
	}
	byID := map[string]contest.Entry{}
	for _, e := range es {
		byID[e.ID] = e
	}
	var rows []ResultRow
	for _, st := range contest.Rank(totals) {
		v, _ := a.view(acc, ec, byID[st.EntryID])
		rows = append(rows, ResultRow{Standing: st, Entry: v})
	}
	return rows, nil
}

// Award gives a submitted entry a prize. Organizers only, before the
// announcement.
func (a *App) Award(ctx context.Context, acc Access, entryID string, kind contest.AwardKind) error {
	if err := acc.Require(contest.RoleOrganizer); err != nil {
		return err
	}
	switch kind {
	case contest.AwardWinner, contest.AwardFirst, contest.AwardSecond, contest.AwardThird, contest.AwardHonour, contest.AwardGrand:
	default:
		return &contest.FieldError{Fields: map[string]string{"kind": "award.kind_invalid"}}
	}
	if acc.Competition.AnnouncedAt != nil {
		return fmt.Errorf("results are already announced: %w", contest.ErrClosed)
	}
	e, err := a.DB.Entry(ctx, entryID)
	if err != nil && !errors.Is(err, contest.ErrNotFound) {
		return err
	}
	if err != nil || e.CompetitionID != acc.Competition.ID || e.Status != contest.EntrySubmitted {
		return &contest.FieldError{Fields: map[string]string{"entry_id": "award.entry_invalid"}}
	}
	aw := contest.Award{CompetitionID: acc.Competition.ID, EntryID: e.ID, Kind: kind}
	return a.DB.AddAward(ctx, &aw, acc.User.ID)
}

// Announce makes results public at when (zero means now).
func (a *App) Announce(ctx context.Context, acc Access, when time.Time) error {
	if err := acc.Require(contest.RoleOrganizer); err != nil {
		return err
	}
	now := a.Now()
	if when.IsZero() {
		when = now
	}
	if when.Before(now.Add(-time.Minute)) {
		return &contest.FieldError{Fields: map[string]string{"at": "announce.in_past"}}
	}
	aws, err := a.DB.Awards(ctx, acc.Competition.ID)
	if err != nil {
		return err
	}
	if len(aws) == 0 {
		return &contest.FieldError{Fields: map[string]string{"at": "announce.no_awards"}}
	}
	return a.DB.Announce(ctx, acc.Competition.ID, acc.User.ID, when)
}

// Gallery lists the announced winners who consented to publication. Before
// the announcement it is empty for everyone who is not an organizer.
func (a *App) Gallery(ctx context.Context, acc Access) ([]EntryView, error) {
	aws, err := a.DB.Awards(ctx, acc.Competition.ID)
	if err != nil {
		return nil, err
	}
	if !acc.Competition.Announced(a.Now()) {
		return []EntryView{}, nil
	}
	ids := make([]string, 0, len(aws))
	seen := map[string]bool{}
	for _, aw := range aws {
		if !seen[aw.EntryID] {
			seen[aw.EntryID] = true
			ids = append(ids, aw.EntryID)
		}
	}
	es, err := a.DB.EntriesByID(ctx, ids)
	if err != nil {
		return nil, err
	}
	ec, err := a.loadContext(ctx, acc.Competition, es, true)
	if err != nil {
		return nil, err
	}
	// Public view: whoever asks, the gallery shows what the public may see.
	public := Access{Competition: acc.Competition}
	out := []EntryView{}
	for _, id := range ids {
		for _, e := range es {
			if e.ID != id {
				continue
			}
			if v, ok := a.view(public, ec, e); ok {
				out = append(out, v)
			}
		}
	}
	return out, nil
}
