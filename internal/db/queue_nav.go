package db

import (
	"context"
	"fmt"

	"github.com/tessera/tessera/internal/contest"
)

// QueueStates counts a judge's queue in a round by the state of their
// review: none yet, a draft, or submitted.
type QueueStates struct {
	Total, Draft, Submitted int
}

// queueFilter is the WHERE clause of a judge's queue in a round: the
// entries assigned to them (or, when open is set, every entry of the
// round), as JudgeQueuePage lists them.
func (db *DB) queueFilter(r contest.Round, judgeID string, open bool) (string, []any) {
	where, args := db.roundEntryFilter(r)
	if !open {
		where += ` AND EXISTS (SELECT 1 FROM assignments a WHERE a.round_id = ? AND a.entry_id = e.id AND a.judge_id = ?)`
		args = append(args, r.ID, judgeID)
	}
	return where, args
}

// QueueStateCounts counts the entries of a judge's queue in a round (the
// same entries as JudgeQueuePage and QueueCounts) by their review's state.
func (db *DB) QueueStateCounts(ctx context.Context, r contest.Round, judgeID string, open bool) (QueueStates, error) {
	where, args := db.queueFilter(r, judgeID, open)
	var row struct {
		Total     int `db:"total"`
		Draft     int `db:"draft"`
		Submitted int `db:"submitted"`
	}
	q := `SELECT COUNT(*) AS total,
		COALESCE(SUM(CASE WHEN rv.entry_id IS NOT NULL AND rv.submitted_at IS NULL THEN 1 ELSE 0 END), 0) AS draft,
		COALESCE(SUM(CASE WHEN rv.submitted_at IS NOT NULL THEN 1 ELSE 0 END), 0) AS submitted
		FROM entries e LEFT JOIN reviews rv ON rv.round_id = ? AND rv.entry_id = e.id AND rv.judge_id = ?
		WHERE ` + where
	if err := db.x.GetContext(ctx, &row, db.q(q), append([]any{r.ID, judgeID}, args...)...); err != nil {
		return QueueStates{}, fmt.Errorf("queue state counts: %w", err)
	}
	return QueueStates{Total: row.Total, Draft: row.Draft, Submitted: row.Submitted}, nil
}

// QueueStep lists at most limit entries of a judge's queue in a round
// strictly after the cursor in queue order (oldest first), or, when
// backward is set, strictly before it, nearest first.
func (db *DB) QueueStep(ctx context.Context, r contest.Round, judgeID string, open bool, from QueueCursor, backward bool, limit int) ([]contest.Entry, error) {
	where, args := db.queueFilter(r, judgeID, open)
	at := from.CreatedAt.UTC()
	order := `e.created_at, e.id`
	if backward {
		where += ` AND e.created_at <= ? AND (e.created_at < ? OR e.id < ?)`
		order = `e.created_at DESC, e.id DESC`
	} else {
		where += ` AND e.created_at >= ? AND (e.created_at > ? OR e.id > ?)`
	}
	args = append(args, at, at, from.ID, limit)
	var es []contest.Entry
	if err := db.x.SelectContext(ctx, &es, db.q(`SELECT `+entryColumns+` FROM entries e WHERE `+where+` ORDER BY `+order+` LIMIT ?`), args...); err != nil {
		return nil, fmt.Errorf("queue step: %w", err)
	}
	return es, nil
}

// QueuePosition is how many entries of a judge's queue in a round come
// before the cursor in queue order, plus one: the entry's place in it.
func (db *DB) QueuePosition(ctx context.Context, r contest.Round, judgeID string, open bool, at QueueCursor) (int, error) {
	where, args := db.queueFilter(r, judgeID, open)
	t := at.CreatedAt.UTC()
	where += ` AND e.created_at <= ? AND (e.created_at < ? OR e.id < ?)`
	args = append(args, t, t, at.ID)
	var n int
	if err := db.x.GetContext(ctx, &n, db.q(`SELECT COUNT(*) FROM entries e WHERE `+where), args...); err != nil {
		return 0, fmt.Errorf("queue position: %w", err)
	}
	return n + 1, nil
}
