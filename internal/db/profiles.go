package db

import (
	"context"
	"fmt"

	"github.com/tessera/tessera/internal/contest"
)

// Profile is how an entrant presents themselves and is reached.
type Profile struct {
	Name         string `json:"name"`
	Organisation string `json:"organisation"`
	Country      string `json:"country"` // ISO 3166-1 alpha-2, "" when not given
	Phone        string `json:"phone"`
	Address      string `json:"address"`
}

// ProfileOf returns a user's profile.
func (db *DB) ProfileOf(ctx context.Context, userID string) (Profile, error) {
	var p Profile
	if err := db.x.GetContext(ctx, &p, db.q(`SELECT name, organisation, country, phone, address FROM users WHERE id = ?`), userID); err != nil {
		return p, notFound(err, "user")
	}
	return p, nil
}

// UpdateProfile replaces a user's profile.
func (db *DB) UpdateProfile(ctx context.Context, userID string, p Profile) error {
	res, err := db.x.ExecContext(ctx, db.q(`UPDATE users SET name = ?, organisation = ?, country = ?, phone = ?, address = ? WHERE id = ?`),
		p.Name, p.Organisation, p.Country, p.Phone, p.Address, userID)
	if err != nil {
		return fmt.Errorf("update profile: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return fmt.Errorf("user: %w", contest.ErrNotFound)
	}
	return nil
}
