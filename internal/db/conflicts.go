package db

import (
	"context"
	"fmt"
	"strings"

	"github.com/tessera/tessera/internal/contest"
)

const conflictColumns = `id, competition_id, judge_id, COALESCE(entry_id, '') AS entry_id, COALESCE(entrant_id, '') AS entrant_id, organisation, country, source, reason, status, note`

// AddConflict records a declared conflict or an organizer's recusal. A
// conflict given no status is pending when declared (it waits for an
// organizer) and confirmed otherwise.
func (db *DB) AddConflict(ctx context.Context, c *contest.Conflict, actorID string) error {
	c.ID = NewID()
	if c.Status == "" {
		c.Status = contest.ConflictConfirmed
		if c.Source == contest.ConflictDeclared {
			c.Status = contest.ConflictPending
		}
	}
	return db.tx(ctx, func(tx *sqlxTx) error {
		if _, err := tx.ExecContext(ctx, db.q(`INSERT INTO conflicts (id, competition_id, judge_id, entry_id, entrant_id, organisation, country, source, reason, status, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`), c.ID, c.CompetitionID, c.JudgeID, nullString(c.EntryID), nullString(c.EntrantID),
			strings.TrimSpace(c.Organisation), strings.TrimSpace(c.Country), string(c.Source), c.Reason, string(c.Status), db.now()); err != nil {
			return fmt.Errorf("add conflict: %w", err)
		}
		action := "conflict.declare"
		if c.Source == contest.ConflictRecusal {
			action = "conflict.recuse"
		}
		target := c.EntryID + c.EntrantID + c.Organisation + c.Country
		return appendAudit(ctx, db, tx, contest.AuditEvent{CompetitionID: c.CompetitionID, ActorID: actorID, Action: action, Subject: c.JudgeID,
			Detail: strings.TrimSpace(target + " " + c.Reason)})
	})
}

// DeleteConflict removes a conflict; judgeID, when set, must own it and it
// must be declared (a judge cannot lift a recusal).
func (db *DB) DeleteConflict(ctx context.Context, competitionID, id, judgeID, actorID string) error {
	return db.tx(ctx, func(tx *sqlxTx) error {
		q := `DELETE FROM conflicts WHERE id = ? AND competition_id = ?`
		args := []any{id, competitionID}
		if judgeID != "" {
			q += ` AND judge_id = ? AND source = 'declared'`
			args = append(args, judgeID)
		}
		res, err := tx.ExecContext(ctx, db.q(q), args...)
		if err != nil {
			return fmt.Errorf("delete conflict: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return fmt.Errorf("conflict: %w", contest.ErrNotFound)
		}
		return appendAudit(ctx, db, tx, contest.AuditEvent{CompetitionID: competitionID, ActorID: actorID, Action: "conflict.remove", Subject: id})
	})
}

// DecideConflict confirms or declines (status) a pending declaration with
// the organizer's note, and audits it as conflict.confirm or
// conflict.decline. A declaration already decided is contest.ErrConflict;
// no declaration of that id in the competition, contest.ErrNotFound.
func (db *DB) DecideConflict(ctx context.Context, competitionID, id string, status contest.ConflictStatus, note, actorID string) (contest.Conflict, error) {
	action := map[contest.ConflictStatus]string{contest.ConflictConfirmed: "conflict.confirm", contest.ConflictDeclined: "conflict.decline"}[status]
	if action == "" {
		return contest.Conflict{}, fmt.Errorf("decide conflict: status %q is no decision", status)
	}
	var c contest.Conflict
	err := db.tx(ctx, func(tx *sqlxTx) error {
		if err := tx.GetContext(ctx, &c, db.q(`SELECT `+conflictColumns+` FROM conflicts WHERE id = ? AND competition_id = ? AND source = 'declared'`), id, competitionID); err != nil {
			return notFound(err, "conflict")
		}
		if c.Status != contest.ConflictPending {
			return fmt.Errorf("conflict already %s: %w", c.Status, contest.ErrConflict)
		}
		res, err := tx.ExecContext(ctx, db.q(`UPDATE conflicts SET status = ?, note = ? WHERE id = ? AND status = 'pending'`), string(status), note, id)
		if err != nil {
			return fmt.Errorf("decide conflict: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return fmt.Errorf("conflict decided meanwhile: %w", contest.ErrConflict)
		}
		c.Status, c.Note = status, note
		target := c.EntryID + c.EntrantID + c.Organisation + c.Country
		return appendAudit(ctx, db, tx, contest.AuditEvent{CompetitionID: competitionID, ActorID: actorID, Action: action, Subject: c.JudgeID,
			Detail: strings.TrimSpace(id + " " + target + " " + note)})
	})
	return c, err
}

// WithdrawConflict removes a judge's own declaration while it is pending.
// One already confirmed or declined is contest.ErrForbidden (only an
// organizer lifts it); none of theirs with that id, contest.ErrNotFound.
func (db *DB) WithdrawConflict(ctx context.Context, competitionID, id, judgeID string) error {
	return db.tx(ctx, func(tx *sqlxTx) error {
		var status contest.ConflictStatus
		if err := tx.GetContext(ctx, &status, db.q(`SELECT status FROM conflicts WHERE id = ? AND competition_id = ? AND judge_id = ? AND source = 'declared'`),
			id, competitionID, judgeID); err != nil {
			return notFound(err, "conflict")
		}
		if status != contest.ConflictPending {
			return fmt.Errorf("a %s declaration is lifted by an organizer: %w", status, contest.ErrForbidden)
		}
		res, err := tx.ExecContext(ctx, db.q(`DELETE FROM conflicts WHERE id = ? AND status = 'pending'`), id)
		if err != nil {
			return fmt.Errorf("withdraw conflict: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return fmt.Errorf("declaration decided meanwhile: %w", contest.ErrForbidden)
		}
		return appendAudit(ctx, db, tx, contest.AuditEvent{CompetitionID: competitionID, ActorID: judgeID, Action: "conflict.withdraw", Subject: id})
	})
}

// Conflicts lists a competition's declared conflicts (whatever their
// status) and recusals; judgeID narrows to one judge.
func (db *DB) Conflicts(ctx context.Context, competitionID, judgeID string) ([]contest.Conflict, error) {
	q := `SELECT ` + conflictColumns + ` FROM conflicts WHERE competition_id = ?`
	args := []any{competitionID}
	if judgeID != "" {
		q += ` AND judge_id = ?`
		args = append(args, judgeID)
	}
	var cs []contest.Conflict
	if err := db.x.SelectContext(ctx, &cs, db.q(q+` ORDER BY created_at, id`), args...); err != nil {
		return nil, fmt.Errorf("conflicts: %w", err)
	}
	return cs, nil
}

// ConflictCountry reports whether the same country is a conflict in the
// competition.
func (db *DB) ConflictCountry(ctx context.Context, competitionID string) (bool, error) {
	var b bool
	if err := db.x.GetContext(ctx, &b, db.q(`SELECT conflict_country FROM competitions WHERE id = ?`), competitionID); err != nil {
		return false, notFound(err, "competition")
	}
	return b, nil
}

// SetConflictCountry turns the same-country rule on or off.
func (db *DB) SetConflictCountry(ctx context.Context, competitionID string, on bool, actorID string) error {
	return db.tx(ctx, func(tx *sqlxTx) error {
		if _, err := tx.ExecContext(ctx, db.q(`UPDATE competitions SET conflict_country = ? WHERE id = ?`), on, competitionID); err != nil {
			return fmt.Errorf("conflict country: %w", err)
		}
		return appendAudit(ctx, db, tx, contest.AuditEvent{CompetitionID: competitionID, ActorID: actorID, Action: "conflict.country_rule", Subject: competitionID, Detail: fmt.Sprint(on)})
	})
}

// ConflictCandidate is an entry a declaration could name, with its title
// for the organizer who decides on it.
type ConflictCandidate struct {
	contest.ConflictEntry
	Title string
}

// ConflictCandidates returns the competition's entries that are not
// withdrawn, with what conflict detection needs and their titles, in the
// order they were created.
func (db *DB) ConflictCandidates(ctx context.Context, competitionID string) ([]ConflictCandidate, error) {
	var out []ConflictCandidate
	if err := db.x.SelectContext(ctx, &out, db.q(`SELECT e.id, e.entrant_id, u.organisation, u.country, COALESCE(e.nominated_by, '') AS nominated_by, e.title
		FROM entries e JOIN users u ON u.id = e.entrant_id WHERE e.competition_id = ? AND e.status <> 'withdrawn' ORDER BY e.created_at, e.id`), competitionID); err != nil {
		return nil, fmt.Errorf("conflict candidates: %w", err)
	}
	return out, nil
}

// JudgeProfiles returns the organisation and country each judge of the
// competition had when they joined it (what automatic conflicts use), by
// judge id.
func (db *DB) JudgeProfiles(ctx context.Context, competitionID string) (map[string]contest.ConflictJudge, error) {
	var js []contest.ConflictJudge
	if err := db.x.SelectContext(ctx, &js, db.q(`SELECT user_id AS id, organisation, country FROM memberships WHERE competition_id = ? AND role = 'judge'`), competitionID); err != nil {
		return nil, fmt.Errorf("judge profiles: %w", err)
	}
	out := make(map[string]contest.ConflictJudge, len(js))
	for _, j := range js {
		out[j.ID] = j
	}
	return out, nil
}

// ConflictEntries returns what conflict detection needs about entries: the
// entrant, their organisation and country, and who nominated the entry.
func (db *DB) ConflictEntries(ctx context.Context, entryIDs []string) ([]contest.ConflictEntry, error) {
	var out []contest.ConflictEntry
	for start := 0; start < len(entryIDs); start += 500 {
		chunk := entryIDs[start:min(start+500, len(entryIDs))]
		var part []contest.ConflictEntry
		q := `SELECT e.id, e.entrant_id, u.organisation, u.country, COALESCE(e.nominated_by, '') AS nominated_by
			FROM entries e JOIN users u ON u.id = e.entrant_id WHERE e.id IN (?` + strings.Repeat(", ?", len(chunk)-1) + `)`
		if err := db.x.SelectContext(ctx, &part, db.q(q), anys(chunk)...); err != nil {
			return nil, fmt.Errorf("conflict entries: %w", err)
		}
		out = append(out, part...)
	}
	return out, nil
}
