// Package db is Tessera's one SQL layer. The same queries run on SQLite (the
// embedded default) and PostgreSQL; the few dialect differences stay inside
// this package. Migrations are embedded per dialect.
package db

import (
	"context"
	"crypto/rand"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	"github.com/jmoiron/sqlx"
	"github.com/jmoiron/sqlx/reflectx"
	"github.com/pressly/goose/v3"
	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/tessera/tessera/internal/contest"
)

//go:embed migrations
var migrations embed.FS

// ErrSchemaBehind is returned by CheckSchema when migrations are pending.
var ErrSchemaBehind = errors.New("database schema is behind")

// Dialect names the SQL engine behind a DB.
type Dialect string

// The supported dialects.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DB is the database handle every store method hangs off.
type DB struct {
	x       *sqlx.DB
	dialect Dialect
	now     func() time.Time
}

// Open connects to PostgreSQL when databaseURL is set, else opens (creating)
// the SQLite file at sqlitePath in WAL mode with a busy timeout.
func Open(ctx context.Context, databaseURL, sqlitePath string) (*DB, error) {
	var (
		x   *sqlx.DB
		d   Dialect
		err error
	)
	if databaseURL != "" {
		d = Postgres
		x, err = sqlx.Open("pgx", databaseURL)
		if err != nil {
			return nil, fmt.Errorf("open postgres: %w", err)
		}
		x.SetMaxOpenConns(20)
		x.SetMaxIdleConns(5)
		x.SetConnMaxIdleTime(5 * time.Minute)
	} else {
		d = SQLite
		if err := os.MkdirAll(filepath.Dir(sqlitePath), 0o750); err != nil {
			return nil, fmt.Errorf("create database directory: %w", err)
		}
		dsn := "file:" + sqlitePath + "?_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_txlock=immediate"
		x, err = sqlx.Open("sqlite", dsn)
		if err != nil {
			return nil, fmt.Errorf("open sqlite: %w", err)
		}
		// One writer at a time is SQLite's model; a small pool keeps reads
		// concurrent while immediate transactions serialise writes.
		x.SetMaxOpenConns(4)
	}
	if err := x.PingContext(ctx); err != nil {
		x.Close()
		return nil, fmt.Errorf("connect to %s: %w", d, err)
	}
	x.Mapper = reflectx.NewMapperFunc("db", snake)
	return &DB{x: x, dialect: d, now: func() time.Time { return time.Now().UTC() }}, nil
}

// Close releases the connections.
func (db *DB) Close() error { return db.x.Close() }

// Dialect reports which engine is behind db.
func (db *DB) Dialect() Dialect { return db.dialect }

// Ping checks the database answers.
func (db *DB) Ping(ctx context.Context) error { return db.x.PingContext(ctx) }

// SetClock replaces the clock used for timestamps (tests).
func (db *DB) SetClock(now func() time.Time) { db.now = func() time.Time { return now().UTC() } }

func (db *DB) provider() (*goose.Provider, error) {
	sub, err := fs.Sub(migrations, "migrations/"+string(db.dialect))
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	gd := goose.DialectSQLite3
	if db.dialect == Postgres {
		gd = goose.DialectPostgres
	}
	p, err := goose.NewProvider(gd, db.x.DB, sub)
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	return p, nil
}

// Migrate applies every pending migration and returns how many ran.
func (db *DB) Migrate(ctx context.Context) (int, error) {
	p, err := db.provider()
	if err != nil {
		return 0, err
	}
	res, err := p.Up(ctx)
	if err != nil {
		return len(res), fmt.Errorf("migrate: %w", err)
	}
	return len(res), nil
}

// CheckSchema returns ErrSchemaBehind (wrapped with the versions) when the
// database lacks migrations this binary knows.
func (db *DB) CheckSchema(ctx context.Context) error {
	p, err := db.provider()
	if err != nil {
		return err
	}
	current, target, err := p.GetVersions(ctx)
	if err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if current < target {
		return fmt.Errorf("%w: at version %d, this binary needs %d; run `tessera migrate`", ErrSchemaBehind, current, target)
	}
	return nil
}

// NewID returns a random, URL-safe identifier that reveals nothing about
// order or time.
func NewID() string {
	const alphabet = "abcdefghijkmnpqrstuvwxyz23456789"
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("crypto/rand: %v", err))
	}
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// q rewrites ? placeholders for the dialect.
func (db *DB) q(query string) string { return db.x.Rebind(query) }

type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryRowxContext(ctx context.Context, query string, args ...any) *sqlx.Row
	GetContext(ctx context.Context, dest any, query string, args ...any) error
	SelectContext(ctx context.Context, dest any, query string, args ...any) error
}

type sqlxTx = sqlx.Tx

// tx runs fn in a transaction, committing when it returns nil.
func (db *DB) tx(ctx context.Context, fn func(tx *sqlxTx) error) error {
	t, err := db.x.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(t); err != nil {
		_ = t.Rollback()
		return err
	}
	if err := t.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// notFound maps sql.ErrNoRows to contest.ErrNotFound.
func notFound(err error, what string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%s: %w", what, contest.ErrNotFound)
	}
	return fmt.Errorf("%s: %w", what, err)
}

// isUnique reports whether err is a unique-constraint violation.
func isUnique(err error) bool {
	if err == nil {
		return false
	}
	s := err.Error()
	return strings.Contains(s, "UNIQUE constraint failed") || strings.Contains(s, "SQLSTATE 23505") || strings.Contains(s, "duplicate key value")
}

func nullTime(t *time.Time) sql.NullTime {
	if t == nil {
		return sql.NullTime{}
	}
	return sql.NullTime{Time: t.UTC(), Valid: true}
}

func timePtr(n sql.NullTime) *time.Time {
	if !n.Valid {
		return nil
	}
	t := n.Time.UTC()
	return &t
}

func nullString(s string) sql.NullString {
	return sql.NullString{String: s, Valid: s != ""}
}

// snake maps a Go field name to its column: CompetitionID → competition_id.
func snake(name string) string {
	var b strings.Builder
	rs := []rune(name)
	for i, r := range rs {
		upper := r >= 'A' && r <= 'Z'
		if upper && i > 0 {
			prevLower := rs[i-1] >= 'a' && rs[i-1] <= 'z'
			nextLower := i+1 < len(rs) && rs[i+1] >= 'a' && rs[i+1] <= 'z'
			if prevLower || (nextLower && rs[i-1] >= 'A' && rs[i-1] <= 'Z') {
				b.WriteByte('_')
			}
		}
		if upper {
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}
