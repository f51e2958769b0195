package db

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/tessera/tessera/internal/contest"
)

// Review is one judge's work on one entry in a round: a draft until
// SubmittedAt is set.
type Review struct {
	RoundID     string
	EntryID     string
	JudgeID     string
	Note        string // private to organizers
	Feedback    string // for the entrant
	SubmittedAt *time.Time
	UpdatedAt   time.Time
	Scores      map[string]int `db:"-"`
}

type reviewRow struct {
	RoundID     string
	EntryID     string
	JudgeID     string
	Note        string
	Feedback    string
	SubmittedAt sql.NullTime
	UpdatedAt   time.Time
}

func (r reviewRow) review() Review {
	return Review{RoundID: r.RoundID, EntryID: r.EntryID, JudgeID: r.JudgeID, Note: r.Note, Feedback: r.Feedback, SubmittedAt: timePtr(r.SubmittedAt), UpdatedAt: r.UpdatedAt}
}

// SaveReview stores a judge's marks (replacing the earlier set), note and
// feedback in one transaction that concurrent saves of the same review
// (autosave and Submit, two tabs) queue behind instead of colliding with:
// the review's row is made if missing and locked, and the previous state is
// read under the lock, so the last save to commit wins whole (marks, note,
// feedback together). submit marks the review submitted; a draft save
// leaves an earlier submission in place. complete, when not nil, is called
// under the lock with the new marks whenever the review will be submitted
// after the save (a submission, or any save of a review submitted before);
// its error refuses the save.
//
// The judge must still be on the entry when the save runs: assigned to it
// in a round with assignments, else an active judge of the round
// (ErrNotFound otherwise); the round's assignments and panels cannot
// change until the save commits. Submitting and every later save of a
// submitted review are audited with the marks, once per save (score.submit
// for the first, score.change after); drafts of an unsubmitted review are
// not. The database refuses any of it once the round has closed
// (ErrRoundClosed).
func (db *DB) SaveReview(ctx context.Context, competitionID string, rv Review, submit bool, complete func(scores map[string]int) error) (Review, error) {
	ids := make([]string, 0, len(rv.Scores))
	for id := range rv.Scores {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	key := []any{rv.RoundID, rv.EntryID, rv.JudgeID}
	err := db.tx(ctx, func(tx *sqlxTx) error {
		if err := db.lockRound(ctx, tx, rv.RoundID, false); err != nil {
			return err
		}
		if err := db.stillJudging(ctx, tx, rv.RoundID, rv.EntryID, rv.JudgeID); err != nil {
			return err
		}
		now := db.now()
		// Make sure the row exists, then lock it: a concurrent save of the
		// same review waits here until this one commits.
		if _, err := tx.ExecContext(ctx, db.q(`INSERT INTO reviews (round_id, entry_id, judge_id, note, feedback, submitted_at, updated_at) VALUES (?, ?, ?, '', '', NULL, ?)
			ON CONFLICT (round_id, entry_id, judge_id) DO NOTHING`), append(key, now)...); err != nil {
			return fmt.Errorf("save review: %w", closedErr(err))
		}
		var prev reviewRow
		if err := tx.GetContext(ctx, &prev, db.q(`SELECT round_id, entry_id, judge_id, note, feedback, submitted_at, updated_at FROM reviews
			WHERE round_id = ? AND entry_id = ? AND judge_id = ?`+db.forUpdate()), key...); err != nil {
			return fmt.Errorf("review: %w", err)
		}
		wasSubmitted := prev.SubmittedAt.Valid
		submittedAt := prev.SubmittedAt
		if submit && !wasSubmitted {
			submittedAt = sql.NullTime{Time: now, Valid: true}
		}
		if submittedAt.Valid && complete != nil {
			if err := complete(rv.Scores); err != nil {
				return err
			}
		}
		for _, cid := range ids {
			if _, err := tx.ExecContext(ctx, db.q(`INSERT INTO scores (round_id, entry_id, judge_id, criterion_id, value, updated_at) VALUES (?, ?, ?, ?, ?, ?)
				ON CONFLICT (round_id, entry_id, judge_id, criterion_id) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`),
				rv.RoundID, rv.EntryID, rv.JudgeID, cid, rv.Scores[cid], now); err != nil {
				return fmt.Errorf("save score: %w", closedErr(err))
			}
		}
		del := `DELETE FROM scores WHERE round_id = ? AND entry_id = ? AND judge_id = ?`
		args := key
		if len(ids) > 0 {
			del += ` AND criterion_id NOT IN (?` + strings.Repeat(", ?", len(ids)-1) + `)`
			args = append(append([]any{}, key...), anys(ids)...)
		}
		if _, err := tx.ExecContext(ctx, db.q(del), args...); err != nil {
			return fmt.Errorf("replace scores: %w", closedErr(err))
		}
		if _, err := tx.ExecContext(ctx, db.q(`UPDATE reviews SET note = ?, feedback = ?, submitted_at = ?, updated_at = ? WHERE round_id = ? AND entry_id = ? AND judge_id = ?`),
			append([]any{rv.Note, rv.Feedback, submittedAt, now}, key...)...); err != nil {
			return fmt.Errorf("save review: %w", closedErr(err))
		}
		rv.SubmittedAt, rv.UpdatedAt = timePtr(submittedAt), now
		if !submittedAt.Valid {
			return nil
		}
		parts := make([]string, 0, len(ids))
		for _, cid := range ids {
			parts = append(parts, fmt.Sprintf("%s=%d", cid, rv.Scores[cid]))
		}
		action := "score.submit"
		if wasSubmitted {
			action = "score.change"
		}
		return appendAudit(ctx, db, tx, contest.AuditEvent{CompetitionID: competitionID, ActorID: rv.JudgeID, Action: action, Subject: rv.EntryID, Detail: rv.RoundID + " " + strings.Join(parts, " ")})
	})
	return rv, err
}

// stillJudging checks, inside a transaction holding the round's lock, that
// a judge may still save a review of an entry: assigned to it when the
// round has assignments, else not dropped from a round that names its
// judges. It answers ErrNotFound, as for an entry off the judge's queue.
func (db *DB) stillJudging(ctx context.Context, tx *sqlxTx, roundID, entryID, judgeID string) error {
	gone := fmt.Errorf("entry: %w", contest.ErrNotFound)
	var some, mine int
	if err := tx.GetContext(ctx, &some, db.q(`SELECT COUNT(*) FROM (SELECT 1 FROM assignments WHERE round_id = ? LIMIT 1) x`), roundID); err != nil {
		return fmt.Errorf("assignment: %w", err)
	}
	if some > 0 {
		if err := tx.GetContext(ctx, &mine, db.q(`SELECT COUNT(*) FROM assignments WHERE round_id = ? AND entry_id = ? AND judge_id = ?`), roundID, entryID, judgeID); err != nil {
			return fmt.Errorf("assignment: %w", err)
		}
		if mine == 0 {
			return gone
		}
		return nil
	}
	if err := tx.GetContext(ctx, &some, db.q(`SELECT COUNT(*) FROM (SELECT 1 FROM round_judges WHERE round_id = ? LIMIT 1) x`), roundID); err != nil {
		return fmt.Errorf("round judges: %w", err)
	}
	if some == 0 {
		return nil
	}
	if err := tx.GetContext(ctx, &mine, db.q(`SELECT COUNT(*) FROM round_judges WHERE round_id = ? AND judge_id = ? AND active = ?`), roundID, judgeID, true); err != nil {
		return fmt.Errorf("round judges: %w", err)
	}
	if mine == 0 {
		return gone
	}
	return nil
}

// Review returns a judge's review of an entry with its marks; ErrNotFound
// when there is none yet.
func (db *DB) Review(ctx context.Context, roundID, entryID, judgeID string) (Review, error) {
	var row reviewRow
	if err := db.x.GetContext(ctx, &row, db.q(`SELECT round_id, entry_id, judge_id, note, feedback, submitted_at, updated_at FROM reviews WHERE round_id = ? AND entry_id = ? AND judge_id = ?`),
		roundID, entryID, judgeID); err != nil {
		return Review{}, notFound(err, "review")
	}
	rv := row.review()
	var ss []contest.Score
	if err := db.x.SelectContext(ctx, &ss, db.q(`SELECT round_id, entry_id, judge_id, criterion_id, value, updated_at FROM scores WHERE round_id = ? AND entry_id = ? AND judge_id = ?`),
		roundID, entryID, judgeID); err != nil {
		return rv, fmt.Errorf("review scores: %w", err)
	}
	rv.Scores = map[string]int{}
	for _, s := range ss {
		rv.Scores[s.CriterionID] = s.Value
	}
	return rv, nil
}

// ReviewStates returns, for a judge in a round, which of entryIDs have a
// draft (false) or a submitted review (true).
func (db *DB) ReviewStates(ctx context.Context, roundID, judgeID string, entryIDs []string) (map[string]bool, error) {
	out := map[string]bool{}
	for start := 0; start < len(entryIDs); start += 500 {
		chunk := entryIDs[start:min(start+500, len(entryIDs))]
		var rows []struct {
			EntryID   string
			Submitted bool
		}
		q := `SELECT entry_id, CASE WHEN submitted_at IS NULL THEN 0 ELSE 1 END AS submitted FROM reviews WHERE round_id = ? AND judge_id = ? AND entry_id IN (?` + strings.Repeat(", ?", len(chunk)-1) + `)`
		if err := db.x.SelectContext(ctx, &rows, db.q(q), append([]any{roundID, judgeID}, anys(chunk)...)...); err != nil {
			return nil, fmt.Errorf("review states: %w", err)
		}
		for _, r := range rows {
			out[r.EntryID] = r.Submitted
		}
	}
	return out, nil
}

// RoundReviews lists a round's reviews (drafts included) without marks.
func (db *DB) RoundReviews(ctx context.Context, roundID string) ([]Review, error) {
	var rows []reviewRow
	if err := db.x.SelectContext(ctx, &rows, db.q(`SELECT round_id, entry_id, judge_id, note, feedback, submitted_at, updated_at FROM reviews WHERE round_id = ? ORDER BY entry_id, judge_id`), roundID); err != nil {
		return nil, fmt.Errorf("round reviews: %w", err)
	}
	out := make([]Review, len(rows))
	for i, r := range rows {
		out[i] = r.review()
	}
	return out, nil
}

// SubmittedScores returns every mark of the submitted reviews of a round in
// one query: what results are computed from.
func (db *DB) SubmittedScores(ctx context.Context, roundID string) ([]contest.Score, error) {
	var ss []contest.Score
	err := db.x.SelectContext(ctx, &ss, db.q(`SELECT s.round_id, s.entry_id, s.judge_id, s.criterion_id, s.value, s.updated_at
		FROM scores s JOIN reviews r ON r.round_id = s.round_id AND r.entry_id = s.entry_id AND r.judge_id = s.judge_id
		WHERE s.round_id = ? AND r.submitted_at IS NOT NULL ORDER BY s.entry_id, s.judge_id, s.criterion_id`), roundID)
	if err != nil {
		return nil, fmt.Errorf("submitted scores: %w", err)
	}
	return ss, nil
}

// EntrySubmittedScores returns the submitted marks of one entry in a round.
func (db *DB) EntrySubmittedScores(ctx context.Context, roundID, entryID string) ([]contest.Score, error) {
	var ss []contest.Score
	err := db.x.SelectContext(ctx, &ss, db.q(`SELECT s.round_id, s.entry_id, s.judge_id, s.criterion_id, s.value, s.updated_at
		FROM scores s JOIN reviews r ON r.round_id = s.round_id AND r.entry_id = s.entry_id AND r.judge_id = s.judge_id
		WHERE s.round_id = ? AND s.entry_id = ? AND r.submitted_at IS NOT NULL ORDER BY s.judge_id, s.criterion_id`), roundID, entryID)
	if err != nil {
		return nil, fmt.Errorf("entry scores: %w", err)
	}
	return ss, nil
}

// SubmittedTotals computes every submitted review's weighted total in a
// round while reading its marks in one pass (marks come in primary-key
// order, so each review's marks are adjacent): no per-mark allocation, so it
// costs little more than the SELECT itself. Incomplete sets never count.
func (db *DB) SubmittedTotals(ctx context.Context, roundID string, crit []contest.Criterion) ([]contest.JudgeTotal, error) {
	// Drafts are few next to submitted reviews: read their keys first and
	// skip them while streaming, instead of joining every mark.
	var drafts []struct {
		EntryID string
		JudgeID string
	}
	if err := db.x.SelectContext(ctx, &drafts, db.q(`SELECT entry_id, judge_id FROM reviews WHERE round_id = ? AND submitted_at IS NULL`), roundID); err != nil {
		return nil, fmt.Errorf("submitted totals: %w", err)
	}
	draft := make(map[[2]string]bool, len(drafts))
	for _, d := range drafts {
		draft[[2]string{d.EntryID, d.JudgeID}] = true
	}
	rows, err := db.x.QueryContext(ctx, db.q(`SELECT entry_id, judge_id, criterion_id, value FROM scores WHERE round_id = ? ORDER BY entry_id, judge_id, criterion_id`), roundID)
	if err != nil {
		return nil, fmt.Errorf("submitted totals: %w", err)
	}
	defer rows.Close()
	byID := make(map[string]contest.Criterion, len(crit))
	for _, c := range crit {
		byID[c.ID] = c
	}
	var (
		out          []contest.JudgeTotal
		entry, judge string
		vals         = make(map[string]int, len(crit))
		e, j, c      sql.RawBytes
		v            int
	)
	flush := func() {
		if entry == "" || draft[[2]string{entry, judge}] {
			clear(vals)
			return
		}
		t, err := contest.WeightedTotal(crit, vals)
		if err == nil {
			top := 0
			for _, cr := range crit {
				if !cr.Excluded && vals[cr.ID] == cr.ScaleMax {
					top++
				}
			}
			out = append(out, contest.JudgeTotal{EntryID: entry, JudgeID: judge, Total: t, TopMarks: top})
		}
		clear(vals)
	}
	for rows.Next() {
		if err := rows.Scan(&e, &j, &c, &v); err != nil {
			return nil, fmt.Errorf("submitted totals: %w", err)
		}
		if string(e) != entry || string(j) != judge {
			flush()
			entry, judge = string(e), string(j)
		}
		if cr, ok := byID[string(c)]; ok {
			vals[cr.ID] = v
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("submitted totals: %w", err)
	}
	flush()
	return out, nil
}
