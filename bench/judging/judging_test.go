// Package judging benchmarks the judging hot paths against both databases:
// computing a round's results versus a plain SELECT of its marks, keyset
// pages of the judge queue and the gallery at depth 5,000 of 10,000 versus
// page 1 (and OFFSET paging for contrast), and automatic assignment.
//
//	go test ./bench/judging -run '^$' -bench . -benchtime 20x
//
// PostgreSQL runs when make test's services are up (source their env file);
// see docs/BENCHMARKS.md for figures.
package judging_test

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tessera/tessera/internal/contest"
	"github.com/tessera/tessera/internal/db"
	"github.com/tessera/tessera/internal/db/dbtest"
)

const (
	nEntries  = 10_000
	nJudges   = 5
	nCriteria = 6
)

// fixture is one seeded database.
type fixture struct {
	d       *db.DB
	raw     *sql.DB
	round   contest.Round
	crit    []contest.Criterion
	judge   string
	compID  string
	entries []contest.Entry // in queue order
}

func seed(b *testing.B, backend string) *fixture {
	b.Helper()
	ctx := context.Background()
	var url, path, driver, dsn string
	switch backend {
	case "sqlite":
		path = filepath.Join(b.TempDir(), "bench.db")
		driver, dsn = "sqlite", "file:"+path+"?_pragma=foreign_keys(1)&_pragma=busy_timeout(10000)"
	default:
		url = dbtest.PostgresURL(b)
		driver, dsn = "pgx", url
	}
	d, err := db.Open(ctx, url, path)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := d.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	raw, err := sql.Open(driver, dsn)
	if err != nil {
		b.Fatal(err)
	}
	org := contest.User{Email: "org@bench.example", Name: "Org", PasswordHash: "x"}
	if err := d.CreateUser(ctx, &org); err != nil {
		b.Fatal(err)
	}
	now := time.Now().UTC()
	crit := make([]contest.Criterion, nCriteria)
	for i := range crit {
		crit[i] = contest.Criterion{Name: fmt.Sprintf("C%d", i), Weight: float64(1 + i%3), ScaleMin: 1, ScaleMax: 10}
	}
	n := db.NewCompetition{
		Competition: contest.Competition{Slug: "bench", Title: "Bench", TimeZone: "UTC", OpensAt: now.Add(-time.Hour), ClosesAt: now.Add(time.Hour)},
		Categories:  []contest.Category{{Medium: contest.MediumPhoto, Name: "Photos"}, {Medium: contest.MediumMural, Name: "Murals"}},
		Round:       contest.Round{Name: "R1", Blind: true, OpensAt: now.Add(-time.Hour), ClosesAt: now.Add(24 * time.Hour)},
		Criteria:    crit,
		OrganizerID: org.ID,
	}
	if err := d.CreateCompetition(ctx, &n); err != nil {
		b.Fatal(err)
	}
	f := &fixture{d: d, raw: raw, compID: n.Competition.ID}
	f.round, f.crit, err = d.Round(ctx, n.Competition.ID, n.Round.ID)
	if err != nil {
		b.Fatal(err)
	}
	q := func(s string) string {
		if backend == "sqlite" {
			return s
		}
		i := 0
		return replaceEach(s, "?", func() string { i++; return fmt.Sprintf("$%d", i) })
	}
	tx, err := raw.BeginTx(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	judges := make([]string, nJudges)
	for j := range judges {
		judges[j] = fmt.Sprintf("judge%02d", j)
		if _, err := tx.ExecContext(ctx, q(`INSERT INTO users (id, email, name, password_hash, created_at) VALUES (?, ?, ?, 'x', ?)`), judges[j], judges[j]+"@bench.example", judges[j], now); err != nil {
			b.Fatal(err)
		}
		if _, err := tx.ExecContext(ctx, q(`INSERT INTO memberships (competition_id, user_id, role, created_at) VALUES (?, ?, 'judge', ?)`), f.compID, judges[j], now); err != nil {
			b.Fatal(err)
		}
	}
	f.judge = judges[0]
	rng := rand.New(rand.NewPCG(1, 2))
	batch := func(table, cols string, rows [][]any) {
		ncol := len(rows[0])
		ph := "(" + strings.TrimSuffix(strings.Repeat("?, ", ncol), ", ") + ")"
		for start := 0; start < len(rows); start += 400 {
			chunk := rows[start:min(start+400, len(rows))]
			var args []any
			phs := make([]string, len(chunk))
			for i, r := range chunk {
				phs[i] = ph
				args = append(args, r...)
			}
			if _, err := tx.ExecContext(ctx, q(`INSERT INTO `+table+` (`+cols+`) VALUES `+strings.Join(phs, ", ")), args...); err != nil {
				b.Fatalf("seed %s: %v", table, err)
			}
		}
	}
	var users, entries, assigns, reviews, scores [][]any
	for i := 0; i < nEntries; i++ {
		uid, eid := fmt.Sprintf("u%05d", i), fmt.Sprintf("e%05d", i)
		at := now.Add(-time.Duration(nEntries-i) * time.Second)
		users = append(users, []any{uid, uid + "@bench.example", "Entrant " + uid, "x", now})
		entries = append(entries, []any{eid, f.compID, n.Categories[i%2].ID, uid, "Entry " + eid, "submitted", true, at, at, at})
		f.entries = append(f.entries, contest.Entry{ID: eid, CreatedAt: at})
		for _, j := range judges {
			assigns = append(assigns, []any{f.round.ID, eid, j, now})
			reviews = append(reviews, []any{f.round.ID, eid, j, now, now})
			for _, c := range f.crit {
				scores = append(scores, []any{f.round.ID, eid, j, c.ID, 1 + rng.IntN(10), now})
			}
		}
	}
	batch("users", "id, email, name, password_hash, created_at", users)
	batch("entries", "id, competition_id, category_id, entrant_id, title, status, consent_publish, submitted_at, created_at, updated_at", entries)
	batch("assignments", "round_id, entry_id, judge_id, created_at", assigns)
	batch("reviews", "round_id, entry_id, judge_id, submitted_at, updated_at", reviews)
	batch("scores", "round_id, entry_id, judge_id, criterion_id, value, updated_at", scores)
	// Every entry won a prize, so the gallery holds 10,000 and depth 5,000
	// is its middle.
	var awards [][]any
	for i := 0; i < nEntries; i++ {
		awards = append(awards, []any{fmt.Sprintf("a%05d", i), f.compID, fmt.Sprintf("e%05d", i), "honourable", org.ID, now})
	}
	batch("awards", "id, competition_id, entry_id, kind, created_by, created_at", awards)
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	if _, err := raw.ExecContext(ctx, "ANALYZE"); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { raw.Close(); d.Close() })
	return f
}

func replaceEach(s, old string, next func() string) string {
	var out strings.Builder
	for {
		i := strings.Index(s, old)
		if i < 0 {
			out.WriteString(s)
			return out.String()
		}
		out.WriteString(s[:i])
		out.WriteString(next())
		s = s[i+len(old):]
	}
}

// BenchmarkJudging seeds each database once (10,000 entries, 5 judges
// each, 6 criteria: 300,000 marks; every entry in the gallery) and runs the
// results and paging benchmarks on it.
func BenchmarkJudging(b *testing.B) {
	for _, be := range []string{"sqlite", "postgres"} {
		b.Run(be, func(b *testing.B) {
			f := seed(b, be)
			b.Run("results", func(b *testing.B) { benchResults(b, f) })
			b.Run("queue", func(b *testing.B) { benchQueuePage(b, f) })
			b.Run("gallery", func(b *testing.B) { benchGalleryPage(b, f) })
		})
	}
}

// benchResults compares computing a round's results (one SELECT of the
// submitted marks, per-judge totals, z-scores, ranking per category) with
// the plain SELECT of the same marks.
func benchResults(b *testing.B, f *fixture) {
	{
		ctx := context.Background()
		b.Run("select_only", func(b *testing.B) {
			for b.Loop() {
				rows, err := f.raw.QueryContext(ctx, rebind(f, `SELECT entry_id, judge_id, criterion_id, value FROM scores WHERE round_id = ?`), f.round.ID)
				if err != nil {
					b.Fatal(err)
				}
				n := 0
				for rows.Next() {
					var e, j, c string
					var v int
					if err := rows.Scan(&e, &j, &c, &v); err != nil {
						b.Fatal(err)
					}
					n++
				}
				rows.Close()
				if n != nEntries*nJudges*nCriteria {
					b.Fatalf("%d marks", n)
				}
			}
		})
		b.Run("compute_results", func(b *testing.B) {
			entries := make([]contest.ResultEntry, len(f.entries))
			es, err := f.d.RoundEntries(ctx, f.round)
			if err != nil {
				b.Fatal(err)
			}
			for i, e := range es {
				entries[i] = contest.ResultEntry{ID: e.ID, CategoryID: e.CategoryID}
			}
			for b.Loop() {
				totals, err := f.d.SubmittedTotals(ctx, f.round.ID, f.crit)
				if err != nil {
					b.Fatal(err)
				}
				res := contest.ComputeResults(entries, totals, contest.ResultOptions{Quorum: 5, MinScores: 3, Disagreement: 30, RankBy: contest.RankNormalised, TieBreaks: []contest.TieBreak{contest.TieOtherScore, contest.TieTopMarks}})
				if len(res) != nEntries || res[0].Scores != nJudges {
					b.Fatalf("results: %d, %+v", len(res), res[0])
				}
			}
		})
	}
}

func rebind(f *fixture, s string) string {
	if f.d.Dialect() == db.Postgres {
		return strings.ReplaceAll(s, "?", "$1")
	}
	return s
}

// benchQueuePage reads 50 entries of a judge's queue (10,000 assigned)
// at page 1 and at depth 5,000, by keyset and, for contrast, by OFFSET.
func benchQueuePage(b *testing.B, f *fixture) {
	{
		ctx := context.Background()
		at := f.entries[4999]
		cursor := &db.QueueCursor{CreatedAt: at.CreatedAt, ID: at.ID}
		b.Run("keyset_page1", func(b *testing.B) {
			for b.Loop() {
				es, err := f.d.JudgeQueuePage(ctx, f.round, f.judge, false, nil, 50)
				if err != nil || len(es) != 50 || es[0].ID != "e00000" {
					b.Fatalf("%d %v", len(es), err)
				}
			}
		})
		b.Run("keyset_depth5000", func(b *testing.B) {
			for b.Loop() {
				es, err := f.d.JudgeQueuePage(ctx, f.round, f.judge, false, cursor, 50)
				if err != nil || len(es) != 50 || es[0].ID != "e05000" {
					b.Fatalf("%d %v", len(es), err)
				}
			}
		})
		b.Run("offset_depth5000", func(b *testing.B) {
			for b.Loop() {
				es, err := f.d.EntriesByStatus(ctx, f.compID, contest.EntrySubmitted, 50, 5000)
				if err != nil || len(es) != 50 {
					b.Fatalf("%d %v", len(es), err)
				}
			}
		})
	}
}

// benchGalleryPage reads 50 gallery entries at page 1 and at depth
// 5,000 of 10,000 by keyset.
func benchGalleryPage(b *testing.B, f *fixture) {
	{
		ctx := context.Background()
		at := f.entries[4999]
		cursor := &db.GalleryCursor{CreatedAt: at.CreatedAt, ID: at.ID}
		b.Run("keyset_page1", func(b *testing.B) {
			for b.Loop() {
				es, err := f.d.GalleryPage(ctx, f.compID, nil, 50)
				if err != nil || len(es) != 50 {
					b.Fatalf("%d %v", len(es), err)
				}
			}
		})
		b.Run("keyset_depth5000", func(b *testing.B) {
			for b.Loop() {
				es, err := f.d.GalleryPage(ctx, f.compID, cursor, 50)
				if err != nil || len(es) != 50 || es[0].ID != "e05000" {
					b.Fatalf("%d %v", len(es), err)
				}
			}
		})
	}
}

// BenchmarkAssign is automatic assignment at the size: 10,000
// entries × 100 judges, quorum 5, 1% conflicts, four category panels.
func BenchmarkAssign(b *testing.B) {
	rng := rand.New(rand.NewPCG(3, 4))
	in := contest.AssignInput{Quorum: 5}
	for i := 0; i < 10_000; i++ {
		in.Entries = append(in.Entries, contest.AssignEntry{ID: fmt.Sprintf("e%05d", i), CategoryID: fmt.Sprintf("c%d", i%4)})
	}
	for j := 0; j < 100; j++ {
		in.Judges = append(in.Judges, contest.AssignJudge{ID: fmt.Sprintf("j%03d", j), CategoryIDs: []string{fmt.Sprintf("c%d", j%4)}})
	}
	for _, e := range in.Entries {
		for _, j := range in.Judges {
			if rng.Float64() < 0.01 {
				in.Conflicts = append(in.Conflicts, contest.Pair{EntryID: e.ID, JudgeID: j.ID})
			}
		}
	}
	for b.Loop() {
		out := contest.Assign(in)
		if len(out.Added) != 50_000 {
			b.Fatalf("added %d", len(out.Added))
		}
	}
}

// BenchmarkPlans prints the PostgreSQL plans of the keyset pages at page 1
// and at depth 5,000 (run with -bench Plans -v): both must be index scans
// on entries_keyset that stop after the page.
func BenchmarkPlans(b *testing.B) {
	f := seed(b, "postgres")
	ctx := context.Background()
	at := f.entries[4999]
	for _, q := range []struct{ name, sql string }{
		{"queue", `SELECT e.id FROM entries e WHERE e.competition_id = $1 AND e.status = 'submitted'
			AND EXISTS (SELECT 1 FROM assignments a WHERE a.round_id = $2 AND a.entry_id = e.id AND a.judge_id = $3)
			AND e.created_at >= $4 AND (e.created_at > $4 OR e.id > $5) ORDER BY e.created_at, e.id LIMIT 50`},
		{"gallery", `SELECT e.id FROM entries e WHERE e.competition_id = $1 AND e.status = 'submitted' AND e.consent_publish
			AND (EXISTS (SELECT 1 FROM awards a WHERE a.entry_id = e.id) OR $2 = '' OR $3 = '')
			AND e.created_at >= $4 AND (e.created_at > $4 OR e.id > $5) ORDER BY e.created_at, e.id LIMIT 50`},
	} {
		for _, depth := range []struct {
			name string
			at   time.Time
			id   string
		}{{"page1", time.Time{}, ""}, {"depth5000", at.CreatedAt, at.ID}} {
			rows, err := f.raw.QueryContext(ctx, "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY ON) "+q.sql, f.compID, f.round.ID, f.judge, depth.at, depth.id)
			if err != nil {
				b.Fatal(err)
			}
			var plan []string
			for rows.Next() {
				var line string
				_ = rows.Scan(&line)
				plan = append(plan, line)
			}
			rows.Close()
			b.Logf("%s %s:\n%s", q.name, depth.name, strings.Join(plan, "\n"))
		}
	}
	for b.Loop() {
	}
}
