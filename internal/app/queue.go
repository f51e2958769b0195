package app

import (
	"context"

	"github.com/tessera/tessera/internal/contest"
	"github.com/tessera/tessera/internal/db"
)

// ReviewState is where a judge's review of an entry stands.
type ReviewState string

// Review states: nothing saved yet, a draft (autosaved or saved, never in
// results), or submitted.
const (
	ReviewNotStarted ReviewState = "not_started"
	ReviewDraft      ReviewState = "draft"
	ReviewSubmitted  ReviewState = "submitted"
)

// QueueItem is one entry in a judge's queue with the state of their review.
type QueueItem struct {
	EntryView
	State ReviewState `json:"state"`
	// Scored is State == submitted.
	Scored bool `json:"scored"`
}

// QueueCounts counts a judge's whole queue in a round by review state.
type QueueCounts struct {
	NotStarted int `json:"not_started"`
	Draft      int `json:"draft"`
	Submitted  int `json:"submitted"`
}

// QueuePage is one page of a judge's queue in a round.
type QueuePage struct {
	Round      RoundView   `json:"round"`
	Items      []QueueItem `json:"items"`
	Counts     QueueCounts `json:"counts"` // whole queue
	Scored     int         `json:"scored"` // submitted reviews, whole queue (Counts.Submitted)
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
	states, err := a.DB.ReviewStates(ctx, r.ID, acc.User.ID, entryIDs(es))
	if err != nil {
		return QueuePage{}, err
	}
	for _, e := range es {
		v, ok := a.view(acc, ec, e)
		if !ok || !contest.See(a.viewer(acc, ec, e)).Score {
			continue
		}
		st := ReviewNotStarted
		if sub, ok := states[e.ID]; ok {
			st = ReviewDraft
			if sub {
				st = ReviewSubmitted
			}
		}
		page.Items = append(page.Items, QueueItem{EntryView: v, State: st, Scored: st == ReviewSubmitted})
	}
	if len(es) == limit {
		page.NextCursor = a.Cursors.Seal(scope, es[len(es)-1])
	}
	n, err := a.DB.QueueStateCounts(ctx, r, acc.User.ID, open)
	if err != nil {
		return QueuePage{}, err
	}
	page.Total, page.Scored = n.Total, n.Submitted
	page.Counts = QueueCounts{NotStarted: n.Total - n.Draft - n.Submitted, Draft: n.Draft, Submitted: n.Submitted}
	return page, nil
}

// QueueNeighbours are the entries before and after one in a judge's queue,
// for moving through it from the review page.
type QueueNeighbours struct {
	Prev *EntryView `json:"prev,omitempty"`
	Next *EntryView `json:"next,omitempty"`
	// Position is the entry's place in the queue (1-based) of Total.
	Position int `json:"position"`
	Total    int `json:"total"`
}

// neighbourBatch is how many queue entries one step reads at a time while
// skipping those the judge may not score (a conflict declared since).
const neighbourBatch = 20

// ReviewNeighbours returns the entries just before and after entryID in
// the calling judge's queue of a round, in queue order. Only entries the
// judge may score are ever returned, so a neighbour is always one their
// queue already shows; an entry they may not score is ErrNotFound, as for
// Review.
func (a *App) ReviewNeighbours(ctx context.Context, acc Access, roundID, entryID string) (QueueNeighbours, error) {
	r, _, err := a.judgeRound(ctx, acc, roundID)
	if err != nil {
		return QueueNeighbours{}, err
	}
	e, _, err := a.judgeEntry(ctx, acc, r, entryID)
	if err != nil {
		return QueueNeighbours{}, err
	}
	open, cats, err := a.openPanel(ctx, r, acc.User.ID)
	if err != nil {
		return QueueNeighbours{}, err
	}
	var out QueueNeighbours
	if !open && cats == nil && !a.hasAssignments(ctx, r.ID) {
		return out, nil
	}
	at := db.QueueCursor{CreatedAt: e.CreatedAt, ID: e.ID}
	if out.Prev, err = a.queueNeighbour(ctx, acc, r, open, at, true); err != nil {
		return QueueNeighbours{}, err
	}
	if out.Next, err = a.queueNeighbour(ctx, acc, r, open, at, false); err != nil {
		return QueueNeighbours{}, err
	}
	if out.Position, err = a.DB.QueuePosition(ctx, r, acc.User.ID, open, at); err != nil {
		return QueueNeighbours{}, err
	}
	n, err := a.DB.QueueStateCounts(ctx, r, acc.User.ID, open)
	if err != nil {
		return QueueNeighbours{}, err
	}
	out.Total = n.Total
	return out, nil
}

// queueNeighbour is the nearest entry after (or before) a cursor in a
// judge's queue that they may score, or nil.
func (a *App) queueNeighbour(ctx context.Context, acc Access, r contest.Round, open bool, from db.QueueCursor, backward bool) (*EntryView, error) {
	for range 50 {
		es, err := a.DB.QueueStep(ctx, r, acc.User.ID, open, from, backward, neighbourBatch)
		if err != nil || len(es) == 0 {
			return nil, err
		}
		ec, err := a.loadContext(ctx, acc.Competition, es, !r.Blind)
		if err != nil {
			return nil, err
		}
		ec.round = r
		if err := a.loadJudging(ctx, acc, &ec, es); err != nil {
			return nil, err
		}
		for _, e := range es {
			v, ok := a.view(acc, ec, e)
			if ok && contest.See(a.viewer(acc, ec, e)).Score {
				return &v, nil
			}
		}
		last := es[len(es)-1]
		from = db.QueueCursor{CreatedAt: last.CreatedAt, ID: last.ID}
	}
	return nil, nil
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
