// Package dbtest gives tests a freshly migrated database on each backend:
// SQLite always, PostgreSQL when make test provides one.
package dbtest

import (
	"context"
	"database/sql"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tessera/tessera/internal/db"
	"github.com/tessera/tessera/internal/testenv"
)

// Backends runs fn as subtests named "sqlite" and "postgres", each with its
// own empty, migrated database.
func Backends(t *testing.T, fn func(t *testing.T, d *db.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, SQLite(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, Postgres(t)) })
}

// SQLite opens a migrated SQLite database in a temporary directory.
func SQLite(t testing.TB) *db.DB {
	t.Helper()
	return open(t, "", filepath.Join(t.TempDir(), "tessera.db"))
}

// Postgres creates a fresh PostgreSQL database (dropped after the test) and
// returns it migrated. Without make test's services the test is skipped.
func Postgres(t testing.TB) *db.DB {
	t.Helper()
	u := PostgresURL(t)
	return open(t, u, "")
}

// PostgresURL creates a fresh, empty PostgreSQL database for the test and
// returns its URL.
func PostgresURL(t testing.TB) string {
	t.Helper()
	admin := testenv.PostgresURL(t)
	ctx := context.Background()
	conn, err := sql.Open("pgx", admin)
	if err != nil {
		t.Fatalf("open postgres: %v", err)
	}
	name := "t_" + strings.ToLower(db.NewID())
	if _, err := conn.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		conn.Close()
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		_, _ = conn.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
		conn.Close()
	})
	pu, err := url.Parse(admin)
	if err != nil {
		t.Fatalf("parse postgres url: %v", err)
	}
	pu.Path = "/" + name
	return pu.String()
}

func open(t testing.TB, databaseURL, path string) *db.DB {
	t.Helper()
	ctx := context.Background()
	d, err := db.Open(ctx, databaseURL, path)
	if err != nil {
		t.Fatalf("open database: %v", err)
	}
	t.Cleanup(func() { d.Close() })
	if _, err := d.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return d
}
