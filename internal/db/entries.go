package db

import (
	"context"
	"fmt"
	"strings"

	"github.com/tessera/tessera/internal/contest"
)

const entryColumns = `id, competition_id, category_id, entrant_id, title, statement, status, consent_publish AS consent, consent_rules, COALESCE(nominated_by, '') AS nominated_by, submitted_at, created_at, updated_at`

// ErrEntryLimit is returned when an entrant already has the category's
// maximum number of entries.
var ErrEntryLimit = fmt.Errorf("entry limit reached: %w", contest.ErrConflict)

// CreateEntry stores a draft entry, refusing with ErrEntryLimit when the
// entrant already has maxEntries (when > 0) live entries in the category.
func (db *DB) CreateEntry(ctx context.Context, e *contest.Entry, maxEntries int) error {
	e.ID = NewID()
	e.Status = contest.EntryDraft
	e.CreatedAt = db.now()
	e.UpdatedAt = e.CreatedAt
	return db.tx(ctx, func(tx *sqlxTx) error {
		if maxEntries > 0 {
			var n int
			if err := tx.GetContext(ctx, &n, db.q(`SELECT COUNT(*) FROM entries WHERE category_id = ? AND entrant_id = ? AND status <> 'withdrawn'`), e.CategoryID, e.EntrantID); err != nil {
				return fmt.Errorf("count entries: %w", err)
			}
			if n >= maxEntries {
				return ErrEntryLimit
			}
		}
		_, err := tx.ExecContext(ctx, db.q(`INSERT INTO entries (id, competition_id, category_id, entrant_id, title, statement, status, consent_publish, consent_rules, nominated_by, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`), e.ID, e.CompetitionID, e.CategoryID, e.EntrantID, e.Title, e.Statement, string(e.Status), e.Consent, e.ConsentRules, nullString(e.NominatedBy), e.CreatedAt, e.UpdatedAt)
		if err != nil {
			return fmt.Errorf("create entry: %w", err)
		}
		return nil
	})
}

// Entry finds an entry.
func (db *DB) Entry(ctx context.Context, id string) (contest.Entry, error) {
	var e contest.Entry
	err := db.x.GetContext(ctx, &e, db.q(`SELECT `+entryColumns+` FROM entries WHERE id = ?`), id)
	if err != nil {
		return e, notFound(err, "entry")
	}
	return e, nil
}

// EntriesOf lists an entrant's entries in a competition, newest first.
func (db *DB) EntriesOf(ctx context.Context, competitionID, entrantID string) ([]contest.Entry, error) {
	var es []contest.Entry
	err := db.x.SelectContext(ctx, &es, db.q(`SELECT `+entryColumns+` FROM entries WHERE competition_id = ? AND entrant_id = ? ORDER BY created_at DESC, id`), competitionID, entrantID)
	if err != nil {
		return nil, fmt.Errorf("entries of entrant: %w", err)
	}
	return es, nil
}

// EntriesByStatus lists a competition's entries in a state, oldest first,
// with paging.
func (db *DB) EntriesByStatus(ctx context.Context, competitionID string, status contest.EntryStatus, limit, offset int) ([]contest.Entry, error) {
	var es []contest.Entry
	err := db.x.SelectContext(ctx, &es, db.q(`SELECT `+entryColumns+` FROM entries WHERE competition_id = ? AND status = ? ORDER BY created_at, id LIMIT ? OFFSET ?`),
		competitionID, string(status), limit, offset)
	if err != nil {
		return nil, fmt.Errorf("entries: %w", err)
	}
	return es, nil
}

// EntriesByID returns the entries with the given ids, in no set order.
func (db *DB) EntriesByID(ctx context.Context, ids []string) ([]contest.Entry, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	var es []contest.Entry
	q := `SELECT ` + entryColumns + ` FROM entries WHERE id IN (?` + strings.Repeat(", ?", len(ids)-1) + `)`
	if err := db.x.SelectContext(ctx, &es, db.q(q), anys(ids)...); err != nil {
		return nil, fmt.Errorf("entries by id: %w", err)
	}
	return es, nil
}

// SubmitEntry moves a draft entry to submitted.
func (db *DB) SubmitEntry(ctx context.Context, id, actorID string) error {
	return db.tx(ctx, func(tx *sqlxTx) error {
		now := db.now()
		res, err := tx.ExecContext(ctx, db.q(`UPDATE entries SET status = 'submitted', submitted_at = ?, updated_at = ? WHERE id = ? AND status = 'draft'`), now, now, id)
		if err != nil {
			return fmt.Errorf("submit entry: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return fmt.Errorf("submit entry: not a draft: %w", contest.ErrConflict)
		}
		var compID string
		if err := tx.GetContext(ctx, &compID, db.q(`SELECT competition_id FROM entries WHERE id = ?`), id); err != nil {
			return fmt.Errorf("submit entry: %w", err)
		}
		return appendAudit(ctx, db, tx, contest.AuditEvent{CompetitionID: compID, ActorID: actorID, Action: "entry.submit", Subject: id})
	})
}

// CountEntries counts a competition's entries in a state.
func (db *DB) CountEntries(ctx context.Context, competitionID string, status contest.EntryStatus) (int, error) {
	var n int
	if err := db.x.GetContext(ctx, &n, db.q(`SELECT COUNT(*) FROM entries WHERE competition_id = ? AND status = ?`), competitionID, string(status)); err != nil {
		return 0, fmt.Errorf("count entries: %w", err)
	}
	return n, nil
}

// CountScoredEntries counts the entries in a state that a judge has scored
// in a round.
func (db *DB) CountScoredEntries(ctx context.Context, roundID, judgeID string, status contest.EntryStatus) (int, error) {
	var n int
	err := db.x.GetContext(ctx, &n, db.q(`SELECT COUNT(DISTINCT s.entry_id) FROM scores s JOIN entries e ON e.id = s.entry_id
		WHERE s.round_id = ? AND s.judge_id = ? AND e.status = ?`), roundID, judgeID, string(status))
	if err != nil {
		return 0, fmt.Errorf("count scored entries: %w", err)
	}
	return n, nil
}

// UpdateEntry saves an entry's title, statement and consents while it is a
// draft or submitted (never once withdrawn).
func (db *DB) UpdateEntry(ctx context.Context, e contest.Entry) error {
	res, err := db.x.ExecContext(ctx, db.q(`UPDATE entries SET title = ?, statement = ?, consent_publish = ?, consent_rules = ?, updated_at = ? WHERE id = ? AND status <> 'withdrawn'`),
		e.Title, e.Statement, e.Consent, e.ConsentRules, db.now(), e.ID)
	if err != nil {
		return fmt.Errorf("update entry: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return fmt.Errorf("update entry: withdrawn: %w", contest.ErrConflict)
	}
	return nil
}

// WithdrawEntry moves a draft or submitted entry to withdrawn.
func (db *DB) WithdrawEntry(ctx context.Context, id, actorID string) error {
	return db.tx(ctx, func(tx *sqlxTx) error {
		res, err := tx.ExecContext(ctx, db.q(`UPDATE entries SET status = 'withdrawn', updated_at = ? WHERE id = ? AND status <> 'withdrawn'`), db.now(), id)
		if err != nil {
			return fmt.Errorf("withdraw entry: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return fmt.Errorf("withdraw entry: already withdrawn: %w", contest.ErrConflict)
		}
		var compID string
		if err := tx.GetContext(ctx, &compID, db.q(`SELECT competition_id FROM entries WHERE id = ?`), id); err != nil {
			return fmt.Errorf("withdraw entry: %w", err)
		}
		return appendAudit(ctx, db, tx, contest.AuditEvent{CompetitionID: compID, ActorID: actorID, Action: "entry.withdraw", Subject: id})
	})
}
