package db

import (
	"context"
	"fmt"
	"strings"

	"github.com/tessera/tessera/internal/contest"
)

const conflictColumns = `id, competition_id, judge_id, COALESCE(entry_id, '') AS entry_id, COALESCE(entrant_id, '') AS entrant_id, organisation, country, source, reason`

// AddConflict records a declared conflict or an organizer's recusal.
func (db *DB) AddConflict(ctx context.Context, c *contest.Conflict, actorID string) error {
	c.ID = NewID()
	return db.tx(ctx, func(tx *sqlxTx) error {
		if _, err := tx.ExecContext(ctx, db.q(`INSERT INTO conflicts (id, competition_id, judge_id, entry_id, entrant_id, organisation, country, source, reason, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`), c.ID, c.CompetitionID, c.JudgeID, nullString(c.EntryID), nullString(c.EntrantID),
			strings.TrimSpace(c.Organisation), strings.TrimSpace(c.Country), string(c.Source), c.Reason, db.now()); err != nil {
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

// Conflicts lists a competition's declared conflicts and recusals; judgeID
// narrows to one judge.
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
