package db

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tessera/tessera/internal/contest"
)

// ErrQuotaReached is returned when a nominator has used their quota.
var ErrQuotaReached = errors.New("nomination quota reached")

// Nomination is one nominator's nomination of a nominee, with its status
// derived from the invitation it carries and the entries it led to.
type Nomination struct {
	ID            string    `db:"id"`
	CompetitionID string    `db:"competition_id"`
	NominatorID   string    `db:"nominator_id"`
	NominatorName string    `db:"nominator_name"`
	NominatorOrg  string    `db:"nominator_org"`
	NomineeEmail  string    `db:"nominee_email"`
	NomineeName   string    `db:"nominee_name"`
	Statement     string    `db:"statement"`
	NomineeID     string    `db:"nominee_id"`
	Entries       int       `db:"entries"`
	CreatedAt     time.Time `db:"created_at"`
}

// Status is invited, accepted or entered.
func (n Nomination) Status() string {
	switch {
	case n.Entries > 0:
		return "entered"
	case n.NomineeID != "":
		return "accepted"
	}
	return "invited"
}

// NominationsEnabled reports whether a competition accepts nominations.
func (db *DB) NominationsEnabled(ctx context.Context, competitionID string) (bool, error) {
	var on bool
	if err := db.x.GetContext(ctx, &on, db.q(`SELECT nominations FROM competitions WHERE id = ?`), competitionID); err != nil {
		return false, notFound(err, "competition")
	}
	return on, nil
}

// SetNominationsEnabled turns nominations on or off for a competition.
func (db *DB) SetNominationsEnabled(ctx context.Context, competitionID string, on bool) error {
	if _, err := db.x.ExecContext(ctx, db.q(`UPDATE competitions SET nominations = ? WHERE id = ?`), on, competitionID); err != nil {
		return fmt.Errorf("set nominations: %w", err)
	}
	return nil
}

// NominatorQuota returns a nominator's quota in a competition (0: no limit).
func (db *DB) NominatorQuota(ctx context.Context, competitionID, userID string) (int, error) {
	var q int
	err := db.x.GetContext(ctx, &q, db.q(`SELECT quota FROM nominator_quotas WHERE competition_id = ? AND user_id = ?`), competitionID, userID)
	if err != nil {
		if errors.Is(notFound(err, "quota"), contest.ErrNotFound) {
			return 0, nil
		}
		return 0, fmt.Errorf("quota: %w", err)
	}
	return q, nil
}

// NominatorQuotas returns every quota set in a competition by user id.
func (db *DB) NominatorQuotas(ctx context.Context, competitionID string) (map[string]int, error) {
	var rows []struct {
		UserID string `db:"user_id"`
		Quota  int    `db:"quota"`
	}
	if err := db.x.SelectContext(ctx, &rows, db.q(`SELECT user_id, quota FROM nominator_quotas WHERE competition_id = ?`), competitionID); err != nil {
		return nil, fmt.Errorf("quotas: %w", err)
	}
	m := map[string]int{}
	for _, r := range rows {
		m[r.UserID] = r.Quota
	}
	return m, nil
}

// SetNominatorQuota sets a nominator's quota (0: no limit).
func (db *DB) SetNominatorQuota(ctx context.Context, competitionID, userID string, quota int) error {
	_, err := db.x.ExecContext(ctx, db.q(`INSERT INTO nominator_quotas (competition_id, user_id, quota) VALUES (?, ?, ?)
		ON CONFLICT (competition_id, user_id) DO UPDATE SET quota = excluded.quota`), competitionID, userID, quota)
	if err != nil {
		return fmt.Errorf("set quota: %w", err)
	}
	return nil
}

// NewNomination is what CreateNomination stores.
type NewNomination struct {
	CompetitionID string
	NominatorID   string
	Email         string
	Name          string
	Statement     string
	TokenHash     string
	ExpiresAt     time.Time
	// Mail, when not nil, is queued in the outbox with the nomination.
	Mail *Mail
}

// CreateNomination stores a nomination and the entrant invitation that
// carries it (same token), atomically, refusing with ErrQuotaReached when
// the nominator's quota (0: none) is used up.
func (db *DB) CreateNomination(ctx context.Context, n NewNomination) (string, error) {
	id := NewID()
	err := db.tx(ctx, func(tx *sqlxTx) error {
		var quota int
		err := tx.GetContext(ctx, &quota, db.q(`SELECT quota FROM nominator_quotas WHERE competition_id = ? AND user_id = ?`), n.CompetitionID, n.NominatorID)
		if err != nil && !errors.Is(notFound(err, "quota"), contest.ErrNotFound) {
			return fmt.Errorf("quota: %w", err)
		}
		if quota > 0 {
			var used int
			if err := tx.GetContext(ctx, &used, db.q(`SELECT COUNT(*) FROM nominations WHERE competition_id = ? AND nominator_id = ? AND status <> 'withdrawn'`), n.CompetitionID, n.NominatorID); err != nil {
				return fmt.Errorf("count nominations: %w", err)
			}
			if used >= quota {
				return ErrQuotaReached
			}
		}
		now := db.now()
		if _, err := tx.ExecContext(ctx, db.q(`INSERT INTO invitations (token_hash, competition_id, role, email, statement, created_by, created_at, expires_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`), n.TokenHash, n.CompetitionID, string(contest.RoleEntrant), strings.TrimSpace(n.Email), n.Statement, n.NominatorID, now, n.ExpiresAt.UTC()); err != nil {
			return fmt.Errorf("create invitation: %w", err)
		}
		if _, err := tx.ExecContext(ctx, db.q(`INSERT INTO nominations (id, competition_id, nominator_id, nominee_email, nominee_name, statement, token_hash, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`), id, n.CompetitionID, n.NominatorID, strings.TrimSpace(n.Email), n.Name, n.Statement, n.TokenHash, now); err != nil {
			return fmt.Errorf("create nomination: %w", err)
		}
		if n.Mail != nil {
			n.Mail.CompetitionID = n.CompetitionID
			return db.insertMail(ctx, tx, n.Mail)
		}
		return nil
	})
	return id, err
}

const nominationSelect = `SELECT n.id, n.competition_id, n.nominator_id, u.name AS nominator_name, u.organisation AS nominator_org,
	n.nominee_email, n.nominee_name, n.statement, COALESCE(i.used_by, '') AS nominee_id, n.created_at,
	(SELECT COUNT(*) FROM entries e WHERE e.competition_id = n.competition_id AND e.entrant_id = i.used_by AND e.nominated_by = n.nominator_id) AS entries
	FROM nominations n JOIN users u ON u.id = n.nominator_id LEFT JOIN invitations i ON i.token_hash = n.token_hash`

// Nominations lists a competition's nominations, or one nominator's when
// nominatorID is not empty, oldest first.
func (db *DB) Nominations(ctx context.Context, competitionID, nominatorID string) ([]Nomination, error) {
	q := nominationSelect + ` WHERE n.competition_id = ?`
	args := []any{competitionID}
	if nominatorID != "" {
		q += ` AND n.nominator_id = ?`
		args = append(args, nominatorID)
	}
	var ns []Nomination
	if err := db.x.SelectContext(ctx, &ns, db.q(q+` ORDER BY n.created_at, n.id`), args...); err != nil {
		return nil, fmt.Errorf("nominations: %w", err)
	}
	for i := range ns {
		ns[i].CreatedAt = ns[i].CreatedAt.UTC()
	}
	return ns, nil
}

// NominatorOf returns who nominated userID in a competition (the nominator
// of the invitation they accepted), or "" when nobody did.
func (db *DB) NominatorOf(ctx context.Context, competitionID, userID string) (string, error) {
	var ids []string
	err := db.x.SelectContext(ctx, &ids, db.q(`SELECT n.nominator_id FROM nominations n JOIN invitations i ON i.token_hash = n.token_hash
		WHERE n.competition_id = ? AND i.used_by = ? AND n.status <> 'withdrawn' ORDER BY i.used_at DESC`), competitionID, userID)
	if err != nil {
		return "", fmt.Errorf("nominator of: %w", err)
	}
	if len(ids) == 0 {
		return "", nil
	}
	return ids[0], nil
}
