package db

import (
	"context"
	"fmt"

	"github.com/tessera/tessera/internal/contest"
)

// appendAudit writes one audit line inside tx.
func appendAudit(ctx context.Context, db *DB, tx execer, e contest.AuditEvent) error {
	if _, err := tx.ExecContext(ctx, db.q(`INSERT INTO audit_log (competition_id, actor_id, action, subject, detail, at) VALUES (?, ?, ?, ?, ?, ?)`),
		e.CompetitionID, e.ActorID, e.Action, e.Subject, e.Detail, db.now()); err != nil {
		return fmt.Errorf("audit %s: %w", e.Action, err)
	}
	return nil
}

// Audit returns a competition's audit log, oldest first, at most limit lines
// with id greater than after.
func (db *DB) Audit(ctx context.Context, competitionID string, after int64, limit int) ([]contest.AuditEvent, error) {
	var es []contest.AuditEvent
	err := db.x.SelectContext(ctx, &es, db.q(`SELECT id, competition_id, actor_id, action, subject, detail, at FROM audit_log
		WHERE competition_id = ? AND id > ? ORDER BY id LIMIT ?`), competitionID, after, limit)
	if err != nil {
		return nil, fmt.Errorf("audit log: %w", err)
	}
	return es, nil
}
