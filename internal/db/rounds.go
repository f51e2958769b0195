package db

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/tessera/tessera/internal/contest"
)

const roundColumns = `id, competition_id, name, position, blind, scoring_mode, quorum, opens_at, closes_at,
	score_visibility, min_scores, disagreement, rank_by, tie_breaks`

const criterionColumns = `id, round_id, name, guidance, weight, scale_min, scale_max, position, NOT counts AS excluded`

// ErrRoundClosed is returned when the database refuses a change to a closed
// round's marks (the triggers of migration 00004).
var ErrRoundClosed = fmt.Errorf("round closed: scores are final: %w", contest.ErrJudgingClosed)

// closedErr maps the closed-round trigger's error to ErrRoundClosed.
func closedErr(err error) error {
	if err != nil && strings.Contains(err.Error(), "round closed: scores are final") {
		return ErrRoundClosed
	}
	return err
}

func (db *DB) fillRoundCategories(ctx context.Context, q execer, rs []contest.Round) error {
	for i := range rs {
		var ids []string
		if err := q.SelectContext(ctx, &ids, db.q(`SELECT rc.category_id FROM round_categories rc JOIN categories c ON c.id = rc.category_id
			WHERE rc.round_id = ? ORDER BY c.position`), rs[i].ID); err != nil {
			return fmt.Errorf("round categories: %w", err)
		}
		rs[i].CategoryIDs = ids
	}
	return nil
}

// CreateRound adds a round after the competition's last one, with its
// categories and rubric, all or nothing. A screening round gets the single
// yes/no criterion whatever criteria are given.
func (db *DB) CreateRound(ctx context.Context, r *contest.Round, criteria []contest.Criterion, actorID string) error {
	r.ID = NewID()
	if r.ScoringMode == contest.ScoringScreening {
		criteria = []contest.Criterion{contest.ScreeningCriterion()}
	}
	return db.tx(ctx, func(tx *sqlxTx) error {
		if err := tx.GetContext(ctx, &r.Position, db.q(`SELECT COALESCE(MAX(position), 0) + 1 FROM rounds WHERE competition_id = ?`), r.CompetitionID); err != nil {
			return fmt.Errorf("next round position: %w", err)
		}
		if _, err := tx.ExecContext(ctx, db.q(`INSERT INTO rounds (id, competition_id, name, position, blind, scoring_mode, quorum, opens_at, closes_at, score_visibility, min_scores, disagreement, rank_by, tie_breaks)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
			r.ID, r.CompetitionID, r.Name, r.Position, r.Blind, string(r.ScoringMode), r.Quorum, r.OpensAt.UTC(), r.ClosesAt.UTC(),
			string(r.ScoreVisibility), r.MinScores, r.Disagreement, string(r.RankBy), r.TieBreaks); err != nil {
			return fmt.Errorf("create round: %w", err)
		}
		if err := db.setRoundCategories(ctx, tx, r.ID, r.CategoryIDs); err != nil {
			return err
		}
		if err := db.insertCriteria(ctx, tx, r.ID, criteria); err != nil {
			return err
		}
		return appendAudit(ctx, db, tx, contest.AuditEvent{CompetitionID: r.CompetitionID, ActorID: actorID, Action: "round.create", Subject: r.ID,
			Detail: fmt.Sprintf("%s #%d %s quorum=%d blind=%v", r.Name, r.Position, r.ScoringMode, r.Quorum, r.Blind)})
	})
}

func (db *DB) setRoundCategories(ctx context.Context, tx *sqlxTx, roundID string, ids []string) error {
	if _, err := tx.ExecContext(ctx, db.q(`DELETE FROM round_categories WHERE round_id = ?`), roundID); err != nil {
		return fmt.Errorf("round categories: %w", err)
	}
	for _, c := range ids {
		if _, err := tx.ExecContext(ctx, db.q(`INSERT INTO round_categories (round_id, category_id) VALUES (?, ?)`), roundID, c); err != nil {
			return fmt.Errorf("round category: %w", err)
		}
	}
	return nil
}

func (db *DB) insertCriteria(ctx context.Context, tx *sqlxTx, roundID string, criteria []contest.Criterion) error {
	for i := range criteria {
		cr := &criteria[i]
		cr.ID, cr.RoundID, cr.Position = NewID(), roundID, i
		if _, err := tx.ExecContext(ctx, db.q(`INSERT INTO criteria (id, round_id, name, guidance, weight, scale_min, scale_max, position, counts) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`),
			cr.ID, roundID, cr.Name, cr.Guidance, cr.Weight, cr.ScaleMin, cr.ScaleMax, cr.Position, !cr.Excluded); err != nil {
			return fmt.Errorf("create criterion %q: %w", cr.Name, err)
		}
	}
	return nil
}

// UpdateRound changes a round's settings and categories. Tie-break rules
// and times of a closed round are final: the app refuses, and the database
// refuses to move a passed closing time.
func (db *DB) UpdateRound(ctx context.Context, r contest.Round, actorID string) error {
	return db.tx(ctx, func(tx *sqlxTx) error {
		res, err := tx.ExecContext(ctx, db.q(`UPDATE rounds SET name = ?, blind = ?, quorum = ?, opens_at = ?, closes_at = ?, score_visibility = ?,
			min_scores = ?, disagreement = ?, rank_by = ?, tie_breaks = ? WHERE id = ? AND competition_id = ?`),
			r.Name, r.Blind, r.Quorum, r.OpensAt.UTC(), r.ClosesAt.UTC(), string(r.ScoreVisibility), r.MinScores, r.Disagreement, string(r.RankBy), r.TieBreaks, r.ID, r.CompetitionID)
		if err != nil {
			return fmt.Errorf("update round: %w", closedErr(err))
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return fmt.Errorf("round: %w", contest.ErrNotFound)
		}
		if err := db.setRoundCategories(ctx, tx, r.ID, r.CategoryIDs); err != nil {
			return err
		}
		return appendAudit(ctx, db, tx, contest.AuditEvent{CompetitionID: r.CompetitionID, ActorID: actorID, Action: "round.update", Subject: r.ID,
			Detail: fmt.Sprintf("%s closes=%s quorum=%d blind=%v rank_by=%s tie_breaks=%s", r.Name, r.ClosesAt.UTC().Format(time.RFC3339), r.Quorum, r.Blind, r.RankBy, r.TieBreaks)})
	})
}

// ReplaceCriteria sets a round's rubric; refused with ErrConflict once any
// mark exists in the round.
func (db *DB) ReplaceCriteria(ctx context.Context, competitionID, roundID string, criteria []contest.Criterion, actorID string) error {
	return db.tx(ctx, func(tx *sqlxTx) error {
		var n int
		if err := tx.GetContext(ctx, &n, db.q(`SELECT COUNT(*) FROM scores WHERE round_id = ?`), roundID); err != nil {
			return fmt.Errorf("count scores: %w", err)
		}
		if n > 0 {
			return fmt.Errorf("the rubric is fixed once marks exist: %w", contest.ErrConflict)
		}
		if _, err := tx.ExecContext(ctx, db.q(`DELETE FROM criteria WHERE round_id = ?`), roundID); err != nil {
			return fmt.Errorf("replace criteria: %w", err)
		}
		if err := db.insertCriteria(ctx, tx, roundID, criteria); err != nil {
			return err
		}
		names := make([]string, len(criteria))
		for i, c := range criteria {
			names[i] = fmt.Sprintf("%s×%g", c.Name, c.Weight)
			if c.Excluded {
				names[i] += "(not counted)"
			}
		}
		return appendAudit(ctx, db, tx, contest.AuditEvent{CompetitionID: competitionID, ActorID: actorID, Action: "rubric.set", Subject: roundID, Detail: strings.Join(names, ", ")})
	})
}

// Rounds lists a competition's rounds in order, with their categories.
func (db *DB) Rounds(ctx context.Context, competitionID string) ([]contest.Round, error) {
	var rs []contest.Round
	if err := db.x.SelectContext(ctx, &rs, db.q(`SELECT `+roundColumns+` FROM rounds WHERE competition_id = ? ORDER BY position`), competitionID); err != nil {
		return nil, fmt.Errorf("rounds: %w", err)
	}
	return rs, db.fillRoundCategories(ctx, db.x, rs)
}

// Round returns one round of a competition and its rubric.
func (db *DB) Round(ctx context.Context, competitionID, roundID string) (contest.Round, []contest.Criterion, error) {
	var r contest.Round
	if err := db.x.GetContext(ctx, &r, db.q(`SELECT `+roundColumns+` FROM rounds WHERE id = ? AND competition_id = ?`), roundID, competitionID); err != nil {
		return r, nil, notFound(err, "round")
	}
	rs := []contest.Round{r}
	if err := db.fillRoundCategories(ctx, db.x, rs); err != nil {
		return r, nil, err
	}
	cs, err := db.Criteria(ctx, roundID)
	return rs[0], cs, err
}

// Criteria lists a round's rubric in order.
func (db *DB) Criteria(ctx context.Context, roundID string) ([]contest.Criterion, error) {
	var cs []contest.Criterion
	if err := db.x.SelectContext(ctx, &cs, db.q(`SELECT `+criterionColumns+` FROM criteria WHERE round_id = ? ORDER BY position`), roundID); err != nil {
		return nil, fmt.Errorf("criteria: %w", err)
	}
	return cs, nil
}

// ActiveRound is the round judging is in at now: the last round that has
// opened, else the first one.
func (db *DB) ActiveRound(ctx context.Context, competitionID string, now time.Time) (contest.Round, []contest.Criterion, error) {
	rs, err := db.Rounds(ctx, competitionID)
	if err != nil {
		return contest.Round{}, nil, err
	}
	if len(rs) == 0 {
		return contest.Round{}, nil, fmt.Errorf("round: %w", contest.ErrNotFound)
	}
	r := rs[0]
	for _, x := range rs {
		if !now.Before(x.OpensAt) {
			r = x
		}
	}
	cs, err := db.Criteria(ctx, r.ID)
	return r, cs, err
}

// roundEntryFilter is the SQL (with its arguments) selecting the entries a
// round judges: the first round takes the submitted entries of its
// categories (every category when it names none), later rounds the entries
// advanced to them.
func (db *DB) roundEntryFilter(r contest.Round) (string, []any) {
	if r.Position <= 1 {
		return `e.competition_id = ? AND e.status = 'submitted' AND (e.category_id IN (SELECT category_id FROM round_categories WHERE round_id = ?)
			OR NOT EXISTS (SELECT 1 FROM round_categories WHERE round_id = ?))`,
			[]any{r.CompetitionID, r.ID, r.ID}
	}
	return `e.status = 'submitted' AND e.id IN (SELECT entry_id FROM round_entries WHERE round_id = ?)`, []any{r.ID}
}

// RoundEntries lists every entry a round judges, oldest first.
func (db *DB) RoundEntries(ctx context.Context, r contest.Round) ([]contest.Entry, error) {
	where, args := db.roundEntryFilter(r)
	var es []contest.Entry
	if err := db.x.SelectContext(ctx, &es, db.q(`SELECT `+entryColumns+` FROM entries e WHERE `+where+` ORDER BY e.created_at, e.id`), args...); err != nil {
		return nil, fmt.Errorf("round entries: %w", err)
	}
	return es, nil
}

// InRound reports whether a round judges an entry.
func (db *DB) InRound(ctx context.Context, r contest.Round, entryID string) (bool, error) {
	where, args := db.roundEntryFilter(r)
	var n int
	if err := db.x.GetContext(ctx, &n, db.q(`SELECT COUNT(*) FROM entries e WHERE e.id = ? AND `+where), append([]any{entryID}, args...)...); err != nil {
		return false, fmt.Errorf("in round: %w", err)
	}
	return n > 0, nil
}

// Advance puts entries into the next round, recording the decision. Entries
// already there are left as they are.
func (db *DB) Advance(ctx context.Context, competitionID, fromRoundID, toRoundID string, entryIDs []string, rule, actorID string) error {
	return db.tx(ctx, func(tx *sqlxTx) error {
		now := db.now()
		for _, id := range entryIDs {
			if _, err := tx.ExecContext(ctx, db.q(`INSERT INTO round_entries (round_id, entry_id, advanced_at) VALUES (?, ?, ?) ON CONFLICT (round_id, entry_id) DO NOTHING`), toRoundID, id, now); err != nil {
				return fmt.Errorf("advance: %w", err)
			}
		}
		return appendAudit(ctx, db, tx, contest.AuditEvent{CompetitionID: competitionID, ActorID: actorID, Action: "round.advance", Subject: toRoundID,
			Detail: fmt.Sprintf("from %s by %s: %s", fromRoundID, rule, strings.Join(entryIDs, " "))})
	})
}

// Finalists returns the ids of the entries in a competition's last round
// when there is more than one round (the first round holds everyone).
func (db *DB) Finalists(ctx context.Context, competitionID string) (map[string]bool, error) {
	var ids []string
	err := db.x.SelectContext(ctx, &ids, db.q(`SELECT re.entry_id FROM round_entries re JOIN rounds r ON r.id = re.round_id
		WHERE r.competition_id = ? AND r.position = (SELECT MAX(position) FROM rounds WHERE competition_id = ?) AND r.position > 1`), competitionID, competitionID)
	if err != nil {
		return nil, fmt.Errorf("finalists: %w", err)
	}
	out := make(map[string]bool, len(ids))
	for _, id := range ids {
		out[id] = true
	}
	return out, nil
}

// SetTieDecision records the organizer's order (first ranks highest) for
// entries the rules leave tied, with the reason.
func (db *DB) SetTieDecision(ctx context.Context, competitionID, roundID string, order []string, reason, actorID string) error {
	return db.tx(ctx, func(tx *sqlxTx) error {
		now := db.now()
		for i, id := range order {
			if _, err := tx.ExecContext(ctx, db.q(`INSERT INTO tie_decisions (round_id, entry_id, position, reason, decided_by, decided_at) VALUES (?, ?, ?, ?, ?, ?)
				ON CONFLICT (round_id, entry_id) DO UPDATE SET position = excluded.position, reason = excluded.reason, decided_by = excluded.decided_by, decided_at = excluded.decided_at`),
				roundID, id, i+1, reason, actorID, now); err != nil {
				return fmt.Errorf("tie decision: %w", err)
			}
		}
		return appendAudit(ctx, db, tx, contest.AuditEvent{CompetitionID: competitionID, ActorID: actorID, Action: "tie.decide", Subject: roundID,
			Detail: strings.Join(order, " > ") + " — " + reason})
	})
}

// TieDecision is one recorded tie decision.
type TieDecision struct {
	EntryID  string
	Position int
	Reason   string
}

// TieDecisions lists a round's tie decisions.
func (db *DB) TieDecisions(ctx context.Context, roundID string) ([]TieDecision, error) {
	var ds []TieDecision
	if err := db.x.SelectContext(ctx, &ds, db.q(`SELECT entry_id, position, reason FROM tie_decisions WHERE round_id = ? ORDER BY position, entry_id`), roundID); err != nil {
		return nil, fmt.Errorf("tie decisions: %w", err)
	}
	return ds, nil
}
