package db

import (
	"context"
	"fmt"

	"github.com/tessera/tessera/internal/contest"
)

// GiveAward gives an entry a prize in its category (or the grand prize when
// a.CategoryID is empty). One first, second and third per category and one
// grand prize per competition: giving a taken place returns ErrConflict;
// the same prize to the same entry twice is harmless.
func (db *DB) GiveAward(ctx context.Context, a *contest.Award, actorID string) error {
	a.ID = NewID()
	a.CreatedAt = db.now()
	return db.tx(ctx, func(tx *sqlxTx) error {
		if a.Kind != contest.AwardHonour {
			var n int
			if err := tx.GetContext(ctx, &n, db.q(`SELECT COUNT(*) FROM awards WHERE competition_id = ? AND kind = ? AND COALESCE(category_id, '') = ? AND entry_id <> ?`),
				a.CompetitionID, string(a.Kind), a.CategoryID, a.EntryID); err != nil {
				return fmt.Errorf("award: %w", err)
			}
			if n > 0 {
				return fmt.Errorf("this place is already given: %w", contest.ErrConflict)
			}
		}
		res, err := tx.ExecContext(ctx, db.q(`INSERT INTO awards (id, competition_id, category_id, entry_id, kind, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (competition_id, entry_id, kind) DO NOTHING`), a.ID, a.CompetitionID, nullString(a.CategoryID), a.EntryID, string(a.Kind), actorID, a.CreatedAt)
		if err != nil {
			return fmt.Errorf("add award: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		return appendAudit(ctx, db, tx, contest.AuditEvent{CompetitionID: a.CompetitionID, ActorID: actorID, Action: "award.add", Subject: a.EntryID, Detail: string(a.Kind) + " " + a.CategoryID})
	})
}

// RemoveAward takes a prize back (before the announcement; the app checks).
func (db *DB) RemoveAward(ctx context.Context, competitionID, entryID string, kind contest.AwardKind, actorID string) error {
	return db.tx(ctx, func(tx *sqlxTx) error {
		res, err := tx.ExecContext(ctx, db.q(`DELETE FROM awards WHERE competition_id = ? AND entry_id = ? AND kind = ?`), competitionID, entryID, string(kind))
		if err != nil {
			return fmt.Errorf("remove award: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return fmt.Errorf("award: %w", contest.ErrNotFound)
		}
		return appendAudit(ctx, db, tx, contest.AuditEvent{CompetitionID: competitionID, ActorID: actorID, Action: "award.remove", Subject: entryID, Detail: string(kind)})
	})
}

// Awards lists a competition's prizes with their categories.
func (db *DB) Awards(ctx context.Context, competitionID string) ([]contest.Award, error) {
	var as []contest.Award
	err := db.x.SelectContext(ctx, &as, db.q(`SELECT id, competition_id, entry_id, kind, COALESCE(category_id, '') AS category_id, created_at FROM awards WHERE competition_id = ? ORDER BY created_at, id`), competitionID)
	if err != nil {
		return nil, fmt.Errorf("awards: %w", err)
	}
	return as, nil
}

// GalleryCursor is where a keyset page of the gallery starts.
type GalleryCursor = QueueCursor

// GalleryPage lists, oldest first, the entries of a competition that won a
// prize or reached the last of several rounds and whose entrant consented
// to publication; at most limit after the cursor.
func (db *DB) GalleryPage(ctx context.Context, competitionID string, after *GalleryCursor, limit int) ([]contest.Entry, error) {
	// Two correlated EXISTS probe the awards and the last round's entries by
	// key for each row walked in keyset order, so a page costs the same at
	// any depth (an IN over all awards would be hashed for every page).
	var last []string
	if err := db.x.SelectContext(ctx, &last, db.q(`SELECT id FROM rounds WHERE competition_id = ? AND position > 1 ORDER BY position DESC LIMIT 1`), competitionID); err != nil {
		return nil, fmt.Errorf("gallery: %w", err)
	}
	where := `e.competition_id = ? AND e.status = 'submitted' AND e.consent_publish = ? AND (EXISTS (SELECT 1 FROM awards a WHERE a.entry_id = e.id)`
	args := []any{competitionID, true}
	if len(last) == 1 {
		where += ` OR EXISTS (SELECT 1 FROM round_entries re WHERE re.round_id = ? AND re.entry_id = e.id)`
		args = append(args, last[0])
	}
	where += `)`
	if after != nil {
		// A plain range on created_at lets both planners seek in the
		// index; the OR then skips the ties already shown.
		where += ` AND e.created_at >= ? AND (e.created_at > ? OR e.id > ?)`
		args = append(args, after.CreatedAt.UTC(), after.CreatedAt.UTC(), after.ID)
	}
	args = append(args, limit)
	var es []contest.Entry
	if err := db.x.SelectContext(ctx, &es, db.q(`SELECT `+entryColumns+` FROM entries e WHERE `+where+` ORDER BY e.created_at, e.id LIMIT ?`), args...); err != nil {
		return nil, fmt.Errorf("gallery: %w", err)
	}
	return es, nil
}
