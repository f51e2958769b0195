package app

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tessera/tessera/internal/contest"
	"github.com/tessera/tessera/internal/db"
)

// ReviewInput is a judge's marks, note and feedback. Submit false saves a
// draft (autosave); true submits, which needs every counted criterion.
type ReviewInput struct {
	Scores   map[string]int `json:"scores"`
	Note     string         `json:"note"`
	Feedback string         `json:"feedback"`
	Submit   bool           `json:"submit"`
}

// PeerReview is another judge's submitted total, shown when the round
// allows it; judges are numbered, never named.
type PeerReview struct {
	Judge  int            `json:"judge"`
	Total  float64        `json:"total"`
	Scores map[string]int `json:"scores"`
}

// ReviewView is a judge's review of one entry with the entry as they may
// see it.
type ReviewView struct {
	Entry       EntryView      `json:"entry"`
	Round       RoundView      `json:"round"`
	Scores      map[string]int `json:"scores"`
	Note        string         `json:"note"`
	Feedback    string         `json:"feedback"`
	Total       *float64       `json:"total,omitempty"`
	Submitted   bool           `json:"submitted"`
	SubmittedAt *time.Time     `json:"submitted_at,omitempty"`
	Editable    bool           `json:"editable"`
	Peers       []PeerReview   `json:"peers,omitempty"`
}

// judgeEntry loads an entry a judge may score in round r, or ErrNotFound
// (the same answer for an entry that does not exist, is elsewhere, is not
// theirs or is conflicted, so nothing leaks).
func (a *App) judgeEntry(ctx context.Context, acc Access, r contest.Round, entryID string) (contest.Entry, entryContext, error) {
	nf := fmt.Errorf("entry: %w", contest.ErrNotFound)
	e, err := a.DB.Entry(ctx, entryID)
	if errors.Is(err, contest.ErrNotFound) || (err == nil && e.CompetitionID != acc.Competition.ID) {
		return e, entryContext{}, nf
	}
	if err != nil {
		return e, entryContext{}, err
	}
	ec, err := a.loadContext(ctx, acc.Competition, []contest.Entry{e}, !r.Blind)
	if err != nil {
		return e, ec, err
	}
	ec.round = r
	if err := a.loadJudging(ctx, acc, &ec, []contest.Entry{e}); err != nil {
		return e, ec, err
	}
	if !contest.See(a.viewer(acc, ec, e)).Score {
		return e, ec, nf
	}
	return e, ec, nil
}

// Review returns the calling judge's review of an entry in a round.
func (a *App) Review(ctx context.Context, acc Access, roundID, entryID string) (ReviewView, error) {
	r, crit, err := a.judgeRound(ctx, acc, roundID)
	if err != nil {
		return ReviewView{}, err
	}
	e, ec, err := a.judgeEntry(ctx, acc, r, entryID)
	if err != nil {
		return ReviewView{}, err
	}
	v, _ := a.view(acc, ec, e)
	rv, err := a.DB.Review(ctx, r.ID, e.ID, acc.User.ID)
	if err != nil && !errors.Is(err, contest.ErrNotFound) {
		return ReviewView{}, err
	}
	out := ReviewView{Entry: v, Round: a.roundView(r, crit), Scores: rv.Scores, Note: rv.Note, Feedback: rv.Feedback, Submitted: rv.SubmittedAt != nil,
		SubmittedAt: rv.SubmittedAt, Editable: r.State(a.Now()) == contest.RoundOpen}
	if out.Scores == nil {
		out.Scores = map[string]int{}
	}
	if t, err := contest.WeightedTotal(crit, out.Scores); err == nil && len(out.Scores) > 0 {
		out.Total = &t
	}
	if contest.See(a.viewer(acc, ec, e)).PeerScores {
		ss, err := a.DB.EntrySubmittedScores(ctx, r.ID, e.ID)
		if err != nil {
			return ReviewView{}, err
		}
		byJudge := map[string]map[string]int{}
		var order []string
		for _, s := range ss {
			if s.JudgeID == acc.User.ID {
				continue
			}
			if byJudge[s.JudgeID] == nil {
				byJudge[s.JudgeID] = map[string]int{}
				order = append(order, s.JudgeID)
			}
			byJudge[s.JudgeID][s.CriterionID] = s.Value
		}
		for i, j := range order {
			t, _ := contest.WeightedTotal(crit, byJudge[j])
			out.Peers = append(out.Peers, PeerReview{Judge: i + 1, Total: math.Round(t*100) / 100, Scores: byJudge[j]})
		}
	}
	return out, nil
}

// SaveReview stores the calling judge's marks on an entry in a round: a
// draft, or a submission once every counted criterion is marked. Changes
// are accepted until the round closes and never after (the database
// enforces it too). Saves of one review that overlap (autosave and Submit,
// two tabs) are applied one after the other, each whole.
func (a *App) SaveReview(ctx context.Context, acc Access, roundID, entryID string, in ReviewInput) (ReviewView, error) {
	r, crit, err := a.judgeRound(ctx, acc, roundID)
	if err != nil {
		return ReviewView{}, err
	}
	e, _, err := a.judgeEntry(ctx, acc, r, entryID)
	if err != nil {
		return ReviewView{}, err
	}
	if err := contest.CheckScoringOpen(r, a.Now()); err != nil {
		return ReviewView{}, err
	}
	fe := &contest.FieldError{}
	if err := contest.CheckMarks(crit, in.Scores, false); err != nil && !errors.As(err, &fe) {
		return ReviewView{}, err
	}
	in.Note, in.Feedback = strings.TrimSpace(in.Note), strings.TrimSpace(in.Feedback)
	if utf8.RuneCountInString(in.Note) > 5000 {
		fe.Add("note", "field.too_long")
	}
	if utf8.RuneCountInString(in.Feedback) > 5000 {
		fe.Add("feedback", "field.too_long")
	}
	if err := fe.Err(); err != nil {
		return ReviewView{}, err
	}
	if in.Scores == nil {
		in.Scores = map[string]int{}
	}
	// A submission, or a change to a submitted review, must be complete.
	// Whether the review is submitted is decided under the review's lock,
	// so a draft racing a Submit from another tab is checked too.
	complete := func(scores map[string]int) error {
		return contest.CheckMarks(crit, scores, true)
	}
	rv := db.Review{RoundID: r.ID, EntryID: e.ID, JudgeID: acc.User.ID, Note: in.Note, Feedback: in.Feedback, Scores: in.Scores}
	if _, err := a.DB.SaveReview(ctx, acc.Competition.ID, rv, in.Submit, complete); err != nil {
		return ReviewView{}, err
	}
	return a.Review(ctx, acc, r.ID, e.ID)
}

// fillMyReview adds the calling judge's own marks on an entry in round r
// (draft or submitted) and their total once complete.
func (a *App) fillMyReview(ctx context.Context, acc Access, r contest.Round, v *EntryView) error {
	rv, err := a.DB.Review(ctx, r.ID, v.ID, acc.User.ID)
	if errors.Is(err, contest.ErrNotFound) || (err == nil && len(rv.Scores) == 0) {
		return nil
	}
	if err != nil {
		return err
	}
	v.MyScores = rv.Scores
	crit, err := a.DB.Criteria(ctx, r.ID)
	if err != nil {
		return err
	}
	if t, err := contest.WeightedTotal(crit, rv.Scores); err == nil {
		v.MyTotal = &t
	}
	return nil
}
