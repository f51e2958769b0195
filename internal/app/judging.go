package app

import (
	"context"
	"time"

	"github.com/tessera/tessera/internal/contest"
)

// JudgeQueue is a judge's work in the current round.
type JudgeQueue struct {
	Round    contest.Round       `json:"-"`
	Criteria []contest.Criterion `json:"-"`
	Items    []QueueItem         `json:"items"`
	Scored   int                 `json:"scored"`
	Total    int                 `json:"total"`
}

// JudgeQueue lists the entries a judge may score in the active round, with
// progress: their assignments, or every entry of the round while it has
// none; never a conflicted entry.
func (a *App) JudgeQueue(ctx context.Context, acc Access, limit, offset int) (JudgeQueue, error) {
	// Offset paging over the keyset queue of the active round (results.go).
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	page, err := a.JudgeQueuePage(ctx, acc, "", "", min(offset+limit, 200))
	if err != nil {
		return JudgeQueue{}, err
	}
	r, crit, err := a.DB.Round(ctx, acc.Competition.ID, page.Round.ID)
	if err != nil {
		return JudgeQueue{}, err
	}
	items := page.Items
	if offset < len(items) {
		items = items[offset:]
	} else {
		items = []QueueItem{}
	}
	return JudgeQueue{Round: r, Criteria: crit, Items: items, Scored: page.Scored, Total: page.Total}, nil
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
		crit, err := a.DB.Criteria(ctx, r.ID)
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
	return a.DB.ActiveRound(ctx, acc.Competition.ID, a.Now())
}

// Score records and submits a judge's marks for an entry in the active
// round and returns the weighted total. Marks can change until the round
// closes (SaveReview in results.go).
func (a *App) Score(ctx context.Context, acc Access, entryID string, values map[string]int) (float64, error) {
	rv, err := a.SaveReview(ctx, acc, "", entryID, ReviewInput{Scores: values, Submit: true})
	if err != nil {
		return 0, err
	}
	if rv.Total == nil {
		return 0, nil
	}
	return *rv.Total, nil
}

// ResultRow is one line of the organizer's ranking.
type ResultRow struct {
	contest.Standing
	Entry EntryView `json:"entry"`
}

// Results ranks the entries of the active round, category by category
// (RoundResults in results.go has the full table). Organizers only.
func (a *App) Results(ctx context.Context, acc Access) ([]ResultRow, error) {
	if err := acc.Require(contest.RoleOrganizer); err != nil {
		return nil, err
	}
	r, _, err := a.DB.ActiveRound(ctx, acc.Competition.ID, a.Now())
	if err != nil {
		return nil, err
	}
	res, err := a.computeResults(ctx, acc, r, "")
	if err != nil {
		return nil, err
	}
	var rows []ResultRow
	for _, c := range res.Categories {
		for _, l := range c.Lines {
			rows = append(rows, ResultRow{Standing: contest.Standing{EntryID: l.EntryID, Mean: l.Raw, Scores: l.Scores, Rank: l.Rank}, Entry: l.Entry})
		}
	}
	return rows, nil
}

// Award gives a submitted entry a prize. Organizers only, before the
// announcement.
func (a *App) Award(ctx context.Context, acc Access, entryID string, kind contest.AwardKind) error {
	return a.GiveAward(ctx, acc, entryID, kind)
}

// Announce makes results public at when (zero means now).
func (a *App) Announce(ctx context.Context, acc Access, when time.Time) error {
	_, err := a.ScheduleAnnouncement(ctx, acc, when)
	return err
}

// Gallery lists the announced winners and finalists who consented to
// publication, as the public sees them; empty before the announcement.
func (a *App) Gallery(ctx context.Context, acc Access) ([]EntryView, error) {
	out := []EntryView{}
	cursor := ""
	for {
		page, err := a.GalleryPage(ctx, acc, cursor, 200)
		if err != nil {
			return nil, err
		}
		out = append(out, page.Items...)
		if page.NextCursor == "" {
			return out, nil
		}
		cursor = page.NextCursor
	}
}
