package db

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/tessera/tessera/internal/contest"
)

// RoundJudge is a judge on a round's panels.
type RoundJudge struct {
	RoundID     string
	JudgeID     string
	Categories  string   `json:"-"`
	CategoryIDs []string `db:"-"`
	Active      bool
}

// SetRoundJudge puts a judge on a round (for the given categories; none
// means all), or back on it.
func (db *DB) SetRoundJudge(ctx context.Context, competitionID, roundID, judgeID string, categoryIDs []string, actorID string) error {
	return db.tx(ctx, func(tx *sqlxTx) error {
		if err := db.lockRound(ctx, tx, roundID, true); err != nil {
			return err
		}
		cats := strings.Join(categoryIDs, ",")
		if _, err := tx.ExecContext(ctx, db.q(`INSERT INTO round_judges (round_id, judge_id, categories, active, created_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (round_id, judge_id) DO UPDATE SET categories = excluded.categories, active = excluded.active`), roundID, judgeID, cats, true, db.now()); err != nil {
			return fmt.Errorf("round judge: %w", err)
		}
		return appendAudit(ctx, db, tx, contest.AuditEvent{CompetitionID: competitionID, ActorID: actorID, Action: "judge.panel", Subject: judgeID, Detail: roundID + " " + cats})
	})
}

// RoundJudges lists a round's judges, active or not.
func (db *DB) RoundJudges(ctx context.Context, roundID string) ([]RoundJudge, error) {
	var js []RoundJudge
	if err := db.x.SelectContext(ctx, &js, db.q(`SELECT round_id, judge_id, categories, active FROM round_judges WHERE round_id = ? ORDER BY created_at, judge_id`), roundID); err != nil {
		return nil, fmt.Errorf("round judges: %w", err)
	}
	for i := range js {
		if js[i].Categories != "" {
			js[i].CategoryIDs = strings.Split(js[i].Categories, ",")
		}
	}
	return js, nil
}

// DropJudge takes a judge off a round: their assignments without a
// submitted review are released (returned), submitted ones and every mark
// stay. A round that named no judges (every judge of the competition sat on
// it) first names them all, so that the one leaving can be marked inactive.
// It waits for reviews being saved in the round, so a review submitted
// meanwhile is never released.
func (db *DB) DropJudge(ctx context.Context, competitionID, roundID, judgeID, actorID string) ([]string, error) {
	var released []string
	err := db.tx(ctx, func(tx *sqlxTx) error {
		if err := db.lockRound(ctx, tx, roundID, true); err != nil {
			return err
		}
		var named int
		if err := tx.GetContext(ctx, &named, db.q(`SELECT COUNT(*) FROM (SELECT 1 FROM round_judges WHERE round_id = ? LIMIT 1) x`), roundID); err != nil {
			return fmt.Errorf("drop judge: %w", err)
		}
		if named == 0 {
			var judges []string
			if err := tx.SelectContext(ctx, &judges, db.q(`SELECT m.user_id FROM memberships m JOIN users u ON u.id = m.user_id
				WHERE m.competition_id = ? AND m.role = ? ORDER BY u.name, u.email`), competitionID, string(contest.RoleJudge)); err != nil {
				return fmt.Errorf("drop judge: %w", err)
			}
			now := db.now()
			for _, j := range judges {
				if _, err := tx.ExecContext(ctx, db.q(`INSERT INTO round_judges (round_id, judge_id, categories, active, created_at) VALUES (?, ?, '', ?, ?)
					ON CONFLICT (round_id, judge_id) DO NOTHING`), roundID, j, true, now); err != nil {
					return fmt.Errorf("round judge: %w", err)
				}
				if err := appendAudit(ctx, db, tx, contest.AuditEvent{CompetitionID: competitionID, ActorID: actorID, Action: "judge.panel", Subject: j, Detail: roundID + " "}); err != nil {
					return err
				}
			}
		}
		if _, err := tx.ExecContext(ctx, db.q(`UPDATE round_judges SET active = ? WHERE round_id = ? AND judge_id = ?`), false, roundID, judgeID); err != nil {
			return fmt.Errorf("drop judge: %w", err)
		}
		if err := tx.SelectContext(ctx, &released, db.q(`SELECT a.entry_id FROM assignments a WHERE a.round_id = ? AND a.judge_id = ?
			AND NOT EXISTS (SELECT 1 FROM reviews r WHERE r.round_id = a.round_id AND r.entry_id = a.entry_id AND r.judge_id = a.judge_id AND r.submitted_at IS NOT NULL)
			ORDER BY a.entry_id`), roundID, judgeID); err != nil {
			return fmt.Errorf("drop judge: %w", err)
		}
		for _, id := range released {
			if _, err := tx.ExecContext(ctx, db.q(`DELETE FROM assignments WHERE round_id = ? AND judge_id = ? AND entry_id = ?`), roundID, judgeID, id); err != nil {
				return fmt.Errorf("release assignment: %w", err)
			}
		}
		return appendAudit(ctx, db, tx, contest.AuditEvent{CompetitionID: competitionID, ActorID: actorID, Action: "judge.drop", Subject: judgeID,
			Detail: fmt.Sprintf("%s released %d", roundID, len(released))})
	})
	return released, err
}

// Assignment is one judge on one entry in a round.
type Assignment struct {
	EntryID   string
	JudgeID   string
	Source    string // auto or manual
	Submitted bool   // the judge submitted their review
}

// Assignments lists a round's assignments with whether each is submitted.
func (db *DB) Assignments(ctx context.Context, roundID string) ([]Assignment, error) {
	var as []Assignment
	err := db.x.SelectContext(ctx, &as, db.q(`SELECT a.entry_id, a.judge_id, a.source,
		CASE WHEN r.submitted_at IS NULL THEN 0 ELSE 1 END AS submitted
		FROM assignments a LEFT JOIN reviews r ON r.round_id = a.round_id AND r.entry_id = a.entry_id AND r.judge_id = a.judge_id
		WHERE a.round_id = ? ORDER BY a.entry_id, a.judge_id`), roundID)
	if err != nil {
		return nil, fmt.Errorf("assignments: %w", err)
	}
	return as, nil
}

// HasAssignments reports whether a round has any assignment (until it has,
// every judge of the competition judges every entry of the round).
func (db *DB) HasAssignments(ctx context.Context, roundID string) (bool, error) {
	var n int
	if err := db.x.GetContext(ctx, &n, db.q(`SELECT COUNT(*) FROM (SELECT 1 FROM assignments WHERE round_id = ? LIMIT 1) x`), roundID); err != nil {
		return false, fmt.Errorf("has assignments: %w", err)
	}
	return n > 0, nil
}

// AssignedTo returns which of entryIDs a judge is assigned in a round.
func (db *DB) AssignedTo(ctx context.Context, roundID, judgeID string, entryIDs []string) (map[string]bool, error) {
	out := map[string]bool{}
	for start := 0; start < len(entryIDs); start += 500 {
		chunk := entryIDs[start:min(start+500, len(entryIDs))]
		var ids []string
		q := `SELECT entry_id FROM assignments WHERE round_id = ? AND judge_id = ? AND entry_id IN (?` + strings.Repeat(", ?", len(chunk)-1) + `)`
		if err := db.x.SelectContext(ctx, &ids, db.q(q), append([]any{roundID, judgeID}, anys(chunk)...)...); err != nil {
			return nil, fmt.Errorf("assigned: %w", err)
		}
		for _, id := range ids {
			out[id] = true
		}
	}
	return out, nil
}

// AddAssignments stores pairs, skipping any already made, and records one
// audit line for the batch.
func (db *DB) AddAssignments(ctx context.Context, competitionID, roundID string, pairs []contest.Pair, source, actorID string) error {
	return db.tx(ctx, func(tx *sqlxTx) error {
		if err := db.lockRound(ctx, tx, roundID, true); err != nil {
			return err
		}
		return db.insertAssignments(ctx, tx, competitionID, roundID, pairs, source, actorID)
	})
}

// ErrAssignmentsChanged is returned by AddAutoAssignments when the round's
// assignments or submitted reviews are no longer those the pairs were
// computed from; nothing was stored, and the caller computes again.
var ErrAssignmentsChanged = fmt.Errorf("the round's assignments changed meanwhile: %w", contest.ErrConflict)

// AssignmentBasis is the state of a round an automatic assignment is
// computed from and that concurrent requests change: its assignments and
// submitted reviews (ordered by entry then judge), its panels (who is
// active for which categories) and the competition's declared conflicts
// and recusals.
type AssignmentBasis struct {
	Assigned  []contest.Pair // the round's assignments
	Submitted []contest.Pair // its submitted reviews
	Panels    []string       // judge, active, categories of each named judge
	Conflicts []string       // ids of the competition's conflicts
}

func (b AssignmentBasis) equal(o AssignmentBasis) bool {
	return slices.Equal(b.Assigned, o.Assigned) && slices.Equal(b.Submitted, o.Submitted) &&
		slices.Equal(b.Panels, o.Panels) && slices.Equal(b.Conflicts, o.Conflicts)
}

// AssignmentBasis reads what an automatic assignment of a round depends on.
func (db *DB) AssignmentBasis(ctx context.Context, competitionID, roundID string) (AssignmentBasis, error) {
	return db.assignmentBasis(ctx, db.x, competitionID, roundID)
}

func (db *DB) assignmentBasis(ctx context.Context, q execer, competitionID, roundID string) (AssignmentBasis, error) {
	var b AssignmentBasis
	if err := q.SelectContext(ctx, &b.Assigned, db.q(`SELECT entry_id, judge_id FROM assignments WHERE round_id = ? ORDER BY entry_id, judge_id`), roundID); err != nil {
		return b, fmt.Errorf("assignments: %w", err)
	}
	if err := q.SelectContext(ctx, &b.Submitted, db.q(`SELECT entry_id, judge_id FROM reviews WHERE round_id = ? AND submitted_at IS NOT NULL ORDER BY entry_id, judge_id`), roundID); err != nil {
		return b, fmt.Errorf("submitted reviews: %w", err)
	}
	var panels []RoundJudge
	if err := q.SelectContext(ctx, &panels, db.q(`SELECT round_id, judge_id, categories, active FROM round_judges WHERE round_id = ? ORDER BY judge_id`), roundID); err != nil {
		return b, fmt.Errorf("round judges: %w", err)
	}
	for _, p := range panels {
		b.Panels = append(b.Panels, fmt.Sprintf("%s %v %s", p.JudgeID, p.Active, p.Categories))
	}
	if err := q.SelectContext(ctx, &b.Conflicts, db.q(`SELECT id FROM conflicts WHERE competition_id = ? ORDER BY id`), competitionID); err != nil {
		return b, fmt.Errorf("conflicts: %w", err)
	}
	return b, nil
}

// AddAutoAssignments stores an automatic assignment computed from basis,
// with one audit line, or nothing and ErrAssignmentsChanged when the round
// moved on since basis was read (another assignment, a removal, a drop-out,
// a panel change, a submission, a new conflict). It compares and writes
// holding the round's lock, which those changes (conflicts aside) and
// review saves also take, so two automatic runs never both fill the same
// gap and a review submitted meanwhile is never left without its
// assignment.
func (db *DB) AddAutoAssignments(ctx context.Context, competitionID, roundID string, pairs []contest.Pair, basis AssignmentBasis, actorID string) error {
	return db.tx(ctx, func(tx *sqlxTx) error {
		if err := db.lockRound(ctx, tx, roundID, true); err != nil {
			return err
		}
		now, err := db.assignmentBasis(ctx, tx, competitionID, roundID)
		if err != nil {
			return err
		}
		if !now.equal(basis) {
			return ErrAssignmentsChanged
		}
		if len(pairs) == 0 {
			return nil
		}
		return db.insertAssignments(ctx, tx, competitionID, roundID, pairs, "auto", actorID)
	})
}

func (db *DB) insertAssignments(ctx context.Context, tx *sqlxTx, competitionID, roundID string, pairs []contest.Pair, source, actorID string) error {
	now := db.now()
	for _, p := range pairs {
		if _, err := tx.ExecContext(ctx, db.q(`INSERT INTO assignments (round_id, entry_id, judge_id, created_at, source) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (round_id, entry_id, judge_id) DO NOTHING`), roundID, p.EntryID, p.JudgeID, now, source); err != nil {
			return fmt.Errorf("assign: %w", err)
		}
	}
	detail := fmt.Sprintf("%s %d pairs", roundID, len(pairs))
	if len(pairs) <= 20 {
		parts := make([]string, len(pairs))
		for i, p := range pairs {
			parts[i] = p.EntryID + "←" + p.JudgeID
		}
		detail = roundID + " " + strings.Join(parts, " ")
	}
	return appendAudit(ctx, db, tx, contest.AuditEvent{CompetitionID: competitionID, ActorID: actorID, Action: "assign." + source, Subject: roundID, Detail: detail})
}

// RemoveAssignment takes a judge off an entry; refused with ErrConflict
// when the judge has submitted their review (their marks stay). It waits
// for reviews being saved in the round, so a submission that commits first
// is always seen.
func (db *DB) RemoveAssignment(ctx context.Context, competitionID, roundID, entryID, judgeID, actorID string) error {
	return db.tx(ctx, func(tx *sqlxTx) error {
		if err := db.lockRound(ctx, tx, roundID, true); err != nil {
			return err
		}
		var n int
		if err := tx.GetContext(ctx, &n, db.q(`SELECT COUNT(*) FROM reviews WHERE round_id = ? AND entry_id = ? AND judge_id = ? AND submitted_at IS NOT NULL`), roundID, entryID, judgeID); err != nil {
			return fmt.Errorf("remove assignment: %w", err)
		}
		if n > 0 {
			return fmt.Errorf("the judge has submitted this review: %w", contest.ErrConflict)
		}
		res, err := tx.ExecContext(ctx, db.q(`DELETE FROM assignments WHERE round_id = ? AND entry_id = ? AND judge_id = ?`), roundID, entryID, judgeID)
		if err != nil {
			return fmt.Errorf("remove assignment: %w", err)
		}
		if k, _ := res.RowsAffected(); k != 1 {
			return fmt.Errorf("assignment: %w", contest.ErrNotFound)
		}
		return appendAudit(ctx, db, tx, contest.AuditEvent{CompetitionID: competitionID, ActorID: actorID, Action: "assign.remove", Subject: roundID, Detail: entryID + "←" + judgeID})
	})
}

// lockRound orders a transaction against others touching the same round's
// judging on PostgreSQL: exclusive for changes of assignments and panels,
// shared for saving a review (saves of different reviews run side by side;
// an assignment change waits for them, and they for it). SQLite needs
// nothing: its write transactions begin IMMEDIATE and so run one at a time.
// A round that does not exist is ErrNotFound.
func (db *DB) lockRound(ctx context.Context, tx *sqlxTx, roundID string, exclusive bool) error {
	if db.dialect != Postgres {
		return nil
	}
	mode := " FOR KEY SHARE"
	if exclusive {
		mode = " FOR UPDATE"
	}
	var id string
	if err := tx.GetContext(ctx, &id, db.q(`SELECT id FROM rounds WHERE id = ?`+mode), roundID); err != nil {
		return notFound(err, "round")
	}
	return nil
}

// forUpdate is the clause that locks the rows a SELECT reads until the
// transaction ends, where the dialect has one (SQLite's write transactions
// hold the whole database).
func (db *DB) forUpdate() string {
	if db.dialect == Postgres {
		return " FOR UPDATE"
	}
	return ""
}

// QueueCursor is where a keyset page of entries starts: after this entry.
type QueueCursor struct {
	CreatedAt time.Time
	ID        string
}

// JudgeQueuePage lists the entries assigned to a judge in a round (or, when
// open is set, every entry of the round), oldest first, at most limit after
// the cursor. Keyset paging keeps page 5,000 as quick as page 1.
func (db *DB) JudgeQueuePage(ctx context.Context, r contest.Round, judgeID string, open bool, after *QueueCursor, limit int) ([]contest.Entry, error) {
	where, args := db.roundEntryFilter(r)
	if !open {
		// A correlated EXISTS on the assignments' key lets the database walk
		// entries in keyset order and stop after limit rows.
		where += ` AND EXISTS (SELECT 1 FROM assignments a WHERE a.round_id = ? AND a.entry_id = e.id AND a.judge_id = ?)`
		args = append(args, r.ID, judgeID)
	}
	if after != nil {
		// A plain range on created_at lets both planners seek in the
		// index; the OR then skips the ties already shown.
		where += ` AND e.created_at >= ? AND (e.created_at > ? OR e.id > ?)`
		args = append(args, after.CreatedAt.UTC(), after.CreatedAt.UTC(), after.ID)
	}
	args = append(args, limit)
	var es []contest.Entry
	if err := db.x.SelectContext(ctx, &es, db.q(`SELECT `+entryColumns+` FROM entries e WHERE `+where+` ORDER BY e.created_at, e.id LIMIT ?`), args...); err != nil {
		return nil, fmt.Errorf("judge queue: %w", err)
	}
	return es, nil
}

// QueueCounts returns how many entries a judge has in a round (assigned,
// or all when open) and how many of those they have submitted.
func (db *DB) QueueCounts(ctx context.Context, r contest.Round, judgeID string, open bool) (total, submitted int, err error) {
	where, args := db.roundEntryFilter(r)
	if !open {
		where += ` AND EXISTS (SELECT 1 FROM assignments a WHERE a.round_id = ? AND a.entry_id = e.id AND a.judge_id = ?)`
		args = append(args, r.ID, judgeID)
	}
	if err := db.x.GetContext(ctx, &total, db.q(`SELECT COUNT(*) FROM entries e WHERE `+where), args...); err != nil {
		return 0, 0, fmt.Errorf("queue count: %w", err)
	}
	args = append(args, r.ID, judgeID)
	if err := db.x.GetContext(ctx, &submitted, db.q(`SELECT COUNT(*) FROM entries e WHERE `+where+
		` AND EXISTS (SELECT 1 FROM reviews rv WHERE rv.round_id = ? AND rv.entry_id = e.id AND rv.judge_id = ? AND rv.submitted_at IS NOT NULL)`), args...); err != nil {
		return 0, 0, fmt.Errorf("queue count: %w", err)
	}
	return total, submitted, nil
}
