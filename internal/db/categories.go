package db

import (
	"context"
	"fmt"
	"time"

	"github.com/tessera/tessera/internal/contest"
)

// SetSubmissionWindow changes when a competition takes entries: opening,
// deadline and grace period (organizers moving a deadline; tests).
func (db *DB) SetSubmissionWindow(ctx context.Context, competitionID string, opens, closes time.Time, graceMin int) error {
	res, err := db.x.ExecContext(ctx, db.q(`UPDATE competitions SET opens_at = ?, closes_at = ?, grace_minutes = ? WHERE id = ?`),
		opens.UTC(), closes.UTC(), graceMin, competitionID)
	if err != nil {
		return fmt.Errorf("set submission window: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return fmt.Errorf("competition: %w", contest.ErrNotFound)
	}
	return nil
}

// SetCategoryLimits sets a category's file size and entry limits (0: none)
// and its rules document (JSON).
func (db *DB) SetCategoryLimits(ctx context.Context, categoryID string, maxFileBytes int64, maxEntries int, rules string) error {
	res, err := db.x.ExecContext(ctx, db.q(`UPDATE categories SET max_file_bytes = ?, max_entries = ?, rules = ? WHERE id = ?`), maxFileBytes, maxEntries, rules, categoryID)
	if err != nil {
		return fmt.Errorf("set category limits: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return fmt.Errorf("category: %w", contest.ErrNotFound)
	}
	return nil
}

// CategoryRulesDoc returns a category's rules document (JSON, "{}" when
// none was set).
func (db *DB) CategoryRulesDoc(ctx context.Context, categoryID string) (string, error) {
	var s string
	if err := db.x.GetContext(ctx, &s, db.q(`SELECT rules FROM categories WHERE id = ?`), categoryID); err != nil {
		return "", notFound(err, "category")
	}
	return s, nil
}
