package db

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/tessera/tessera/internal/contest"
)

// SaveScores records one judge's marks for one entry in a round (replacing
// earlier marks) and marks the review submitted, all or nothing.
func (db *DB) SaveScores(ctx context.Context, competitionID, roundID, entryID, judgeID string, values map[string]int) error {
	return db.tx(ctx, func(tx *sqlxTx) error {
		now := db.now()
		ids := make([]string, 0, len(values))
		for id := range values {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		for _, cid := range ids {
			if _, err := tx.ExecContext(ctx, db.q(`INSERT INTO scores (round_id, entry_id, judge_id, criterion_id, value, updated_at) VALUES (?, ?, ?, ?, ?, ?)
				ON CONFLICT (round_id, entry_id, judge_id, criterion_id) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`),
				roundID, entryID, judgeID, cid, values[cid], now); err != nil {
				return fmt.Errorf("save score: %w", err)
			}
		}
		if _, err := tx.ExecContext(ctx, db.q(`INSERT INTO reviews (round_id, entry_id, judge_id, submitted_at, updated_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (round_id, entry_id, judge_id) DO UPDATE SET submitted_at = excluded.submitted_at, updated_at = excluded.updated_at`),
			roundID, entryID, judgeID, now, now); err != nil {
			return fmt.Errorf("save review: %w", err)
		}
		parts := make([]string, 0, len(ids))
		for _, cid := range ids {
			parts = append(parts, fmt.Sprintf("%s=%d", cid, values[cid]))
		}
		return appendAudit(ctx, db, tx, contest.AuditEvent{CompetitionID: competitionID, ActorID: judgeID, Action: "score.save", Subject: entryID, Detail: strings.Join(parts, " ")})
	})
}

// RoundScores returns every mark given in a round.
func (db *DB) RoundScores(ctx context.Context, roundID string) ([]contest.Score, error) {
	var ss []contest.Score
	err := db.x.SelectContext(ctx, &ss, db.q(`SELECT round_id, entry_id, judge_id, criterion_id, value, updated_at FROM scores WHERE round_id = ? ORDER BY entry_id, judge_id, criterion_id`), roundID)
	if err != nil {
		return nil, fmt.Errorf("round scores: %w", err)
	}
	return ss, nil
}

// JudgeScores returns one judge's marks in a round.
func (db *DB) JudgeScores(ctx context.Context, roundID, judgeID string) ([]contest.Score, error) {
	var ss []contest.Score
	err := db.x.SelectContext(ctx, &ss, db.q(`SELECT round_id, entry_id, judge_id, criterion_id, value, updated_at FROM scores WHERE round_id = ? AND judge_id = ?`), roundID, judgeID)
	if err != nil {
		return nil, fmt.Errorf("judge scores: %w", err)
	}
	return ss, nil
}

// AddAward gives an entry a prize; the same prize twice is harmless.
func (db *DB) AddAward(ctx context.Context, a *contest.Award, actorID string) error {
	a.ID = NewID()
	a.CreatedAt = db.now()
	return db.tx(ctx, func(tx *sqlxTx) error {
		res, err := tx.ExecContext(ctx, db.q(`INSERT INTO awards (id, competition_id, entry_id, kind, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (competition_id, entry_id, kind) DO NOTHING`), a.ID, a.CompetitionID, a.EntryID, string(a.Kind), actorID, a.CreatedAt)
		if err != nil {
			return fmt.Errorf("add award: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		return appendAudit(ctx, db, tx, contest.AuditEvent{CompetitionID: a.CompetitionID, ActorID: actorID, Action: "award.add", Subject: a.EntryID, Detail: string(a.Kind)})
	})
}

// Awards lists a competition's awards, oldest first.
func (db *DB) Awards(ctx context.Context, competitionID string) ([]contest.Award, error) {
	var as []contest.Award
	err := db.x.SelectContext(ctx, &as, db.q(`SELECT id, competition_id, entry_id, kind, created_at FROM awards WHERE competition_id = ? ORDER BY created_at, id`), competitionID)
	if err != nil {
		return nil, fmt.Errorf("awards: %w", err)
	}
	return as, nil
}
