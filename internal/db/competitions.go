package db

import (
	"context"
	"fmt"

	"github.com/tessera/tessera/internal/contest"
)

const competitionColumns = `id, slug, title, description, time_zone, opens_at, closes_at, grace_minutes AS grace_min, status, announced_at, created_at`

// NewCompetition is everything created with a competition in one step.
type NewCompetition struct {
	Competition contest.Competition
	Categories  []contest.Category
	Round       contest.Round
	Criteria    []contest.Criterion
	OrganizerID string
}

// CreateCompetition stores a competition with its categories, first round and
// rubric, and makes OrganizerID its organizer, all or nothing. A slug already
// in use returns contest.ErrConflict. IDs are filled in on the arguments.
func (db *DB) CreateCompetition(ctx context.Context, n *NewCompetition) error {
	c := &n.Competition
	c.ID = NewID()
	c.CreatedAt = db.now()
	if c.Status == "" {
		c.Status = contest.StatusOpen
	}
	return db.tx(ctx, func(tx *sqlxTx) error {
		_, err := tx.ExecContext(ctx, db.q(`INSERT INTO competitions (id, slug, title, description, time_zone, opens_at, closes_at, grace_minutes, status, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
			c.ID, c.Slug, c.Title, c.Description, c.TimeZone, c.OpensAt.UTC(), c.ClosesAt.UTC(), c.GraceMin, string(c.Status), c.CreatedAt)
		if isUnique(err) {
			return fmt.Errorf("create competition %q: %w", c.Slug, contest.ErrConflict)
		}
		if err != nil {
			return fmt.Errorf("create competition: %w", err)
		}
		for i := range n.Categories {
			cat := &n.Categories[i]
			cat.ID, cat.CompetitionID, cat.Position = NewID(), c.ID, i
			if _, err := tx.ExecContext(ctx, db.q(`INSERT INTO categories (id, competition_id, medium, name, description, max_file_bytes, max_entries, position)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?)`), cat.ID, c.ID, string(cat.Medium), cat.Name, cat.Description, cat.MaxFileBytes, cat.MaxEntries, cat.Position); err != nil {
				return fmt.Errorf("create category %q: %w", cat.Name, err)
			}
		}
		r := &n.Round
		r.ID, r.CompetitionID, r.Position = NewID(), c.ID, 1
		if _, err := tx.ExecContext(ctx, db.q(`INSERT INTO rounds (id, competition_id, name, position, blind, opens_at, closes_at) VALUES (?, ?, ?, ?, ?, ?, ?)`),
			r.ID, c.ID, r.Name, r.Position, r.Blind, r.OpensAt.UTC(), r.ClosesAt.UTC()); err != nil {
			return fmt.Errorf("create round: %w", err)
		}
		for i := range n.Criteria {
			cr := &n.Criteria[i]
			cr.ID, cr.RoundID, cr.Position = NewID(), r.ID, i
			if _, err := tx.ExecContext(ctx, db.q(`INSERT INTO criteria (id, round_id, name, guidance, weight, scale_min, scale_max, position) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
				cr.ID, r.ID, cr.Name, cr.Guidance, cr.Weight, cr.ScaleMin, cr.ScaleMax, cr.Position); err != nil {
				return fmt.Errorf("create criterion %q: %w", cr.Name, err)
			}
		}
		if _, err := tx.ExecContext(ctx, db.q(`INSERT INTO memberships (competition_id, user_id, role, created_at) VALUES (?, ?, ?, ?)`),
			c.ID, n.OrganizerID, string(contest.RoleOrganizer), c.CreatedAt); err != nil {
			return fmt.Errorf("add organizer: %w", err)
		}
		return appendAudit(ctx, db, tx, contest.AuditEvent{CompetitionID: c.ID, ActorID: n.OrganizerID, Action: "competition.create", Subject: c.ID, Detail: c.Title})
	})
}

// CompetitionBySlug finds a competition by its URL slug.
func (db *DB) CompetitionBySlug(ctx context.Context, slug string) (contest.Competition, error) {
	var c contest.Competition
	err := db.x.GetContext(ctx, &c, db.q(`SELECT `+competitionColumns+` FROM competitions WHERE slug = ?`), slug)
	if err != nil {
		return c, notFound(err, "competition")
	}
	return c, nil
}

// CompetitionByID finds a competition.
func (db *DB) CompetitionByID(ctx context.Context, id string) (contest.Competition, error) {
	var c contest.Competition
	err := db.x.GetContext(ctx, &c, db.q(`SELECT `+competitionColumns+` FROM competitions WHERE id = ?`), id)
	if err != nil {
		return c, notFound(err, "competition")
	}
	return c, nil
}

// Competitions lists competitions, newest first, at most limit after offset.
func (db *DB) Competitions(ctx context.Context, limit, offset int) ([]contest.Competition, error) {
	var cs []contest.Competition
	err := db.x.SelectContext(ctx, &cs, db.q(`SELECT `+competitionColumns+` FROM competitions ORDER BY created_at DESC, id LIMIT ? OFFSET ?`), limit, offset)
	if err != nil {
		return nil, fmt.Errorf("list competitions: %w", err)
	}
	return cs, nil
}

// UserCompetitions lists the competitions a user holds any role in, with the
// roles joined by commas.
func (db *DB) UserCompetitions(ctx context.Context, userID string) ([]contest.Competition, map[string][]contest.Role, error) {
	var rows []struct {
		CompetitionID string
		Role          contest.Role
	}
	if err := db.x.SelectContext(ctx, &rows, db.q(`SELECT competition_id, role FROM memberships WHERE user_id = ? ORDER BY competition_id, role`), userID); err != nil {
		return nil, nil, fmt.Errorf("user memberships: %w", err)
	}
	roles := map[string][]contest.Role{}
	var cs []contest.Competition
	for _, r := range rows {
		if _, seen := roles[r.CompetitionID]; !seen {
			c, err := db.CompetitionByID(ctx, r.CompetitionID)
			if err != nil {
				return nil, nil, err
			}
			cs = append(cs, c)
		}
		roles[r.CompetitionID] = append(roles[r.CompetitionID], r.Role)
	}
	return cs, roles, nil
}

// Categories lists a competition's categories in order.
func (db *DB) Categories(ctx context.Context, competitionID string) ([]contest.Category, error) {
	var cs []contest.Category
	err := db.x.SelectContext(ctx, &cs, db.q(`SELECT id, competition_id, medium, name, description, max_file_bytes, max_entries, position
		FROM categories WHERE competition_id = ? ORDER BY position`), competitionID)
	if err != nil {
		return nil, fmt.Errorf("categories: %w", err)
	}
	return cs, nil
}

// CurrentRound returns the competition's first round (the only one until
// multi-round judging lands).
func (db *DB) CurrentRound(ctx context.Context, competitionID string) (contest.Round, []contest.Criterion, error) {
	var r contest.Round
	if err := db.x.GetContext(ctx, &r, db.q(`SELECT id, competition_id, name, position, blind, opens_at, closes_at
		FROM rounds WHERE competition_id = ? ORDER BY position LIMIT 1`), competitionID); err != nil {
		return r, nil, notFound(err, "round")
	}
	var cs []contest.Criterion
	if err := db.x.SelectContext(ctx, &cs, db.q(`SELECT id, round_id, name, guidance, weight, scale_min, scale_max, position
		FROM criteria WHERE round_id = ? ORDER BY position`), r.ID); err != nil {
		return r, nil, fmt.Errorf("criteria: %w", err)
	}
	return r, cs, nil
}
