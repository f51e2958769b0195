package db

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/tessera/tessera/internal/contest"
)

const userColumns = `id, email, name, organisation, country, password_hash, locale, can_organize, created_at`

// CreateUser stores a new user; an email already in use returns
// contest.ErrConflict. Email is stored lower-cased.
func (db *DB) CreateUser(ctx context.Context, u *contest.User) error {
	if u.ID == "" {
		u.ID = NewID()
	}
	u.Email = strings.ToLower(strings.TrimSpace(u.Email))
	u.CreatedAt = db.now()
	_, err := db.x.ExecContext(ctx, db.q(`INSERT INTO users (`+userColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`),
		u.ID, u.Email, u.Name, u.Organisation, u.Country, u.PasswordHash, u.Locale, u.CanOrganize, u.CreatedAt)
	if isUnique(err) {
		return fmt.Errorf("create user %s: %w", u.Email, contest.ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("create user: %w", err)
	}
	return nil
}

// UserByEmail finds a user by email, case-insensitively.
func (db *DB) UserByEmail(ctx context.Context, email string) (contest.User, error) {
	var u contest.User
	err := db.x.GetContext(ctx, &u, db.q(`SELECT `+userColumns+` FROM users WHERE email = ?`), strings.ToLower(strings.TrimSpace(email)))
	if err != nil {
		return u, notFound(err, "user by email")
	}
	return u, nil
}

// UserByID finds a user.
func (db *DB) UserByID(ctx context.Context, id string) (contest.User, error) {
	var u contest.User
	err := db.x.GetContext(ctx, &u, db.q(`SELECT `+userColumns+` FROM users WHERE id = ?`), id)
	if err != nil {
		return u, notFound(err, "user")
	}
	return u, nil
}

// SetPassword replaces a user's password hash and ends their sessions.
func (db *DB) SetPassword(ctx context.Context, userID, hash string) error {
	return db.tx(ctx, func(tx *sqlxTx) error {
		res, err := tx.ExecContext(ctx, db.q(`UPDATE users SET password_hash = ? WHERE id = ?`), hash, userID)
		if err != nil {
			return fmt.Errorf("set password: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("set password: %w", contest.ErrNotFound)
		}
		if _, err := tx.ExecContext(ctx, db.q(`DELETE FROM sessions WHERE user_id = ?`), userID); err != nil {
			return fmt.Errorf("end sessions: %w", err)
		}
		return nil
	})
}

// CreateSession stores a session keyed by the hash of its token.
func (db *DB) CreateSession(ctx context.Context, tokenHash, userID string, expires time.Time) error {
	_, err := db.x.ExecContext(ctx, db.q(`INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)`),
		tokenHash, userID, db.now(), expires.UTC())
	if err != nil {
		return fmt.Errorf("create session: %w", err)
	}
	return nil
}

// SessionUser returns the user of an unexpired session.
func (db *DB) SessionUser(ctx context.Context, tokenHash string) (contest.User, error) {
	var u contest.User
	err := db.x.GetContext(ctx, &u, db.q(`SELECT u.id, u.email, u.name, u.organisation, u.country, u.password_hash, u.locale, u.can_organize, u.created_at
		FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ? AND s.expires_at > ?`), tokenHash, db.now())
	if err != nil {
		return u, notFound(err, "session")
	}
	return u, nil
}

// DeleteSession ends a session.
func (db *DB) DeleteSession(ctx context.Context, tokenHash string) error {
	if _, err := db.x.ExecContext(ctx, db.q(`DELETE FROM sessions WHERE token_hash = ?`), tokenHash); err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return nil
}

// DeleteExpiredSessions removes sessions past their expiry.
func (db *DB) DeleteExpiredSessions(ctx context.Context) (int64, error) {
	res, err := db.x.ExecContext(ctx, db.q(`DELETE FROM sessions WHERE expires_at <= ?`), db.now())
	if err != nil {
		return 0, fmt.Errorf("delete expired sessions: %w", err)
	}
	return res.RowsAffected()
}

// grantRole inserts a membership that keeps the user's organisation and
// country as they are now (a judge's automatic conflicts use these, not
// the profile they may edit later); granting a held role changes nothing.
const grantRole = `INSERT INTO memberships (competition_id, user_id, role, created_at, organisation, country)
	VALUES (?, ?, ?, ?, COALESCE((SELECT organisation FROM users WHERE id = ?), ''), COALESCE((SELECT country FROM users WHERE id = ?), ''))
	ON CONFLICT (competition_id, user_id, role) DO NOTHING`

// AddMember gives a user a role in a competition; adding it twice is
// harmless and keeps the organisation and country of the first time.
func (db *DB) AddMember(ctx context.Context, competitionID, userID string, role contest.Role) error {
	_, err := db.x.ExecContext(ctx, db.q(grantRole), competitionID, userID, string(role), db.now(), userID, userID)
	if err != nil {
		return fmt.Errorf("add member: %w", err)
	}
	return nil
}

// Roles returns the roles a user holds in a competition.
func (db *DB) Roles(ctx context.Context, competitionID, userID string) ([]contest.Role, error) {
	var roles []contest.Role
	err := db.x.SelectContext(ctx, &roles, db.q(`SELECT role FROM memberships WHERE competition_id = ? AND user_id = ? ORDER BY role`), competitionID, userID)
	if err != nil {
		return nil, fmt.Errorf("roles: %w", err)
	}
	return roles, nil
}

// Member is a user with a role in a competition.
type Member struct {
	contest.User
	Role contest.Role
}

// Members lists the users holding role in a competition.
func (db *DB) Members(ctx context.Context, competitionID string, role contest.Role) ([]contest.User, error) {
	var us []contest.User
	err := db.x.SelectContext(ctx, &us, db.q(`SELECT u.id, u.email, u.name, u.organisation, u.country, u.password_hash, u.locale, u.can_organize, u.created_at
		FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.competition_id = ? AND m.role = ? ORDER BY u.name, u.email`), competitionID, string(role))
	if err != nil {
		return nil, fmt.Errorf("members: %w", err)
	}
	return us, nil
}

// CreateInvitation stores an invitation keyed by its token hash.
func (db *DB) CreateInvitation(ctx context.Context, tokenHash string, inv contest.Invitation) error {
	_, err := db.x.ExecContext(ctx, db.q(`INSERT INTO invitations (token_hash, competition_id, role, email, created_by, created_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`), tokenHash, inv.CompetitionID, string(inv.Role), inv.Email, inv.CreatedBy, db.now(), inv.ExpiresAt.UTC())
	if err != nil {
		return fmt.Errorf("create invitation: %w", err)
	}
	return nil
}

// Invitation returns an unused, unexpired invitation by token hash.
func (db *DB) Invitation(ctx context.Context, tokenHash string) (contest.Invitation, error) {
	var inv contest.Invitation
	err := db.x.GetContext(ctx, &inv, db.q(`SELECT competition_id, role, email, statement, created_by, expires_at, used_at FROM invitations
		WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?`), tokenHash, db.now())
	if err != nil {
		return inv, notFound(err, "invitation")
	}
	return inv, nil
}

// AcceptInvitation marks the invitation used by userID and grants its role,
// atomically; a used or expired invitation returns contest.ErrNotFound.
func (db *DB) AcceptInvitation(ctx context.Context, tokenHash, userID string) (contest.Invitation, error) {
	var inv contest.Invitation
	err := db.tx(ctx, func(tx *sqlxTx) error {
		now := db.now()
		if err := tx.GetContext(ctx, &inv, db.q(`SELECT competition_id, role, email, statement, created_by, expires_at, used_at FROM invitations
			WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?`), tokenHash, now); err != nil {
			return notFound(err, "invitation")
		}
		res, err := tx.ExecContext(ctx, db.q(`UPDATE invitations SET used_at = ?, used_by = ? WHERE token_hash = ? AND used_at IS NULL`), now, userID, tokenHash)
		if err != nil {
			return fmt.Errorf("use invitation: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return fmt.Errorf("use invitation: %w", contest.ErrNotFound)
		}
		if _, err := tx.ExecContext(ctx, db.q(grantRole), inv.CompetitionID, userID, string(inv.Role), now, userID, userID); err != nil {
			return fmt.Errorf("grant role: %w", err)
		}
		return nil
	})
	return inv, err
}

// SetCanOrganize lets (or stops) a user create competitions.
func (db *DB) SetCanOrganize(ctx context.Context, userID string, can bool) error {
	res, err := db.x.ExecContext(ctx, db.q(`UPDATE users SET can_organize = ? WHERE id = ?`), can, userID)
	if err != nil {
		return fmt.Errorf("set can_organize: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("set can_organize: %w", contest.ErrNotFound)
	}
	return nil
}
