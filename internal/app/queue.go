package app

import (
	"context"

	"github.com/tessera/tessera/internal/contest"
)

// QueueItem is one entry in a judge's queue.
type QueueItem struct {
	EntryView
	Scored bool `json:"scored"`
}

// QueuePage is one page of a judge's queue in a round.
type QueuePage struct {
	Round      RoundView   `json:"round"`
	Items      []QueueItem `json:"items"`
	Scored     int         `json:"scored"` // submitted reviews, whole queue
	Total      int         `json:"total"`
	NextCursor string      `json:"next_cursor,omitempty"`
}

// judgeRound loads a round for a judge of the competition.
func (a *App) judgeRound(ctx context.Context, acc Access, roundID string) (contest.Round, []contest.Criterion, error) {
	if err := acc.Require(contest.RoleJudge); err != nil {
		return contest.Round{}, nil, err
	}
	if roundID == "" {
		return a.DB.ActiveRound(ctx, acc.Competition.ID, a.Now())
	}
	return a.DB.Round(ctx, acc.Competition.ID, roundID)
}

// JudgeQueuePage lists, a keyset page at a time, the entries a judge has in a round
// (the active one when roundID is empty), with progress over the whole
// queue. Conflicted entries never appear.
func (a *App) JudgeQueuePage(ctx context.Context, acc Access, roundID, cursor string, limit int) (QueuePage, error) {
	r, crit, err := a.judgeRound(ctx, acc, roundID)
	if err != nil {
		return QueuePage{}, err
	}
	scope := queueScope(r.ID, acc.User.ID)
	after, err := a.Cursors.Open(scope, cursor)
	if err != nil {
		return QueuePage{}, err
	}
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	open, cats, err := a.openPanel(ctx, r, acc.User.ID)
	if err != nil {
		return QueuePage{}, err
	}
	page := QueuePage{Round: a.roundView(r, crit), Items: []QueueItem{}}
	onPanel := open || cats != nil
	if !onPanel && !a.hasAssignments(ctx, r.ID) {
		return page, nil
	}
	es, err := a.DB.JudgeQueuePage(ctx, r, acc.User.ID, open, after, limit)
	if err != nil {
		return QueuePage{}, err
	}
	ec, err := a.loadContext(ctx, acc.Competition, es, !r.Blind)
	if err != nil {
		return QueuePage{}, err
	}
	ec.round = r
	if err := a.loadJudging(ctx, acc, &ec, es); err != nil {
		return QueuePage{}, err
	}
	for _, e := range es {
		v, ok := a.view(acc, ec, e)
		if !ok || !contest.See(a.viewer(acc, ec, e)).Score {
			continue
		}
		_, started := ec.judging.submitted[e.ID]
		page.Items = append(page.Items, QueueItem{EntryView: v, Scored: started})
	}
	if len(es) == limit {
		page.NextCursor = a.Cursors.Seal(scope, es[len(es)-1])
	}
	if page.Total, page.Scored, err = a.DB.QueueCounts(ctx, r, acc.User.ID, open); err != nil {
		return QueuePage{}, err
	}
	return page, nil
}

// openPanel reports whether a round still judges without assignments with
// the judge on it (open: every entry is theirs), and the judge's categories
// when they sit on a panel with assignments.
func (a *App) openPanel(ctx context.Context, r contest.Round, judgeID string) (bool, []string, error) {
	has, err := a.DB.HasAssignments(ctx, r.ID)
	if err != nil {
		return false, nil, err
	}
	on, cats, err := a.panel(ctx, r, judgeID)
	if err != nil {
		return false, nil, err
	}
	if has {
		if on && cats == nil {
			cats = []string{}
		}
		return false, cats, nil
	}
	return on && len(cats) == 0, cats, nil
}

func (a *App) hasAssignments(ctx context.Context, roundID string) bool {
	has, err := a.DB.HasAssignments(ctx, roundID)
	return err == nil && has
}
