package worker

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/tessera/tessera/internal/contest"
	"github.com/tessera/tessera/internal/db"
	"github.com/tessera/tessera/internal/db/dbtest"
	"github.com/tessera/tessera/worker/tasks"
)

// enqueued records the asset ids of the media tasks it is given, failing
// for ids in fail.
type enqueued struct {
	mu   sync.Mutex
	ids  []string
	fail map[string]bool
}

func (e *enqueued) enqueue(_ context.Context, t *asynq.Task) error {
	p, err := tasks.ParseMediaProcess(t)
	if err != nil {
		return err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.fail[p.AssetID] {
		return errors.New("redis down")
	}
	e.ids = append(e.ids, p.AssetID)
	return nil
}

func (e *enqueued) list() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.ids)
}

func TestSweepOnce(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	assets := []contest.Asset{
		{ID: "p1", State: contest.AssetPending},
		{ID: "p2", State: contest.AssetPending},
		{ID: "s1", State: contest.AssetProcessing, Attempts: 2},
		{ID: "dead", State: contest.AssetProcessing, Attempts: 6},
	}
	tests := []struct {
		name        string
		stale       []string
		staleErr    error
		fail        map[string]bool
		staleAfter  time.Duration
		limit       int
		maxAttempts int
		wantN       int
		wantIDs     []string
		wantErr     string
		wantBefore  time.Time
		wantLimit   int
		wantFailed  []string
	}{
		{
			name: "pending and abandoned are enqueued", stale: []string{"p1", "s1", "p2"}, staleAfter: 30 * time.Minute,
			wantN: 3, wantIDs: []string{"p1", "s1", "p2"}, wantBefore: now.Add(-30 * time.Minute), wantLimit: DefaultSweepLimit,
		},
		{
			name: "defaults", stale: nil,
			wantN: 0, wantBefore: now.Add(-DefaultStaleAfter), wantLimit: DefaultSweepLimit,
		},
		{
			name: "limit is passed on", stale: []string{"p1"}, limit: 7,
			wantN: 1, wantIDs: []string{"p1"}, wantBefore: now.Add(-DefaultStaleAfter), wantLimit: 7,
		},
		{
			name: "one failed enqueue does not stop the others", stale: []string{"p1", "p2", "s1"}, fail: map[string]bool{"p2": true},
			wantN: 2, wantIDs: []string{"p1", "s1"}, wantErr: "enqueue asset p2: redis down",
			wantBefore: now.Add(-DefaultStaleAfter), wantLimit: DefaultSweepLimit,
		},
		{
			name: "listing fails", staleErr: errors.New("db down"),
			wantErr: "db down", wantBefore: now.Add(-DefaultStaleAfter), wantLimit: DefaultSweepLimit,
		},
		{
			name: "deleted since listing is skipped", stale: []string{"gone", "p1"},
			wantN: 1, wantIDs: []string{"p1"}, wantBefore: now.Add(-DefaultStaleAfter), wantLimit: DefaultSweepLimit,
		},
		{
			name: "out of attempts is failed, not enqueued", stale: []string{"dead", "p1"},
			wantN: 1, wantIDs: []string{"p1"}, wantFailed: []string{"dead"},
			wantBefore: now.Add(-DefaultStaleAfter), wantLimit: DefaultSweepLimit,
		},
		{
			name: "attempt cap is configurable", stale: []string{"dead", "s1"}, maxAttempts: 2,
			wantN: 0, wantFailed: []string{"dead", "s1"},
			wantBefore: now.Add(-DefaultStaleAfter), wantLimit: DefaultSweepLimit,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store := newFakeAssets(assets...)
			store.stale, store.staleErr = tt.stale, tt.staleErr
			q := &enqueued{fail: tt.fail}
			s := &Sweeper{
				Assets: store, Enqueue: q.enqueue, StaleAfter: tt.staleAfter, Limit: tt.limit, MaxAttempts: tt.maxAttempts,
				Now: func() time.Time { return now },
			}
			n, err := s.SweepOnce(t.Context())
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("err = %v, want %q", err, tt.wantErr)
			}
			if n != tt.wantN {
				t.Errorf("n = %d, want %d", n, tt.wantN)
			}
			if got := q.list(); !slices.Equal(got, tt.wantIDs) {
				t.Errorf("enqueued %v, want %v", got, tt.wantIDs)
			}
			if !store.staleBefore.Equal(tt.wantBefore) || store.staleLimit != tt.wantLimit {
				t.Errorf("StaleAssets(%v, %d), want (%v, %d)", store.staleBefore, store.staleLimit, tt.wantBefore, tt.wantLimit)
			}
			var failed []string
			for id, a := range store.snapshot() {
				if a.State == contest.AssetFailed {
					failed = append(failed, id)
				}
			}
			slices.Sort(failed)
			if !slices.Equal(failed, tt.wantFailed) {
				t.Errorf("failed %v, want %v", failed, tt.wantFailed)
			}
		})
	}
}

func TestSweeperRun(t *testing.T) {
	store := newFakeAssets(contest.Asset{ID: "p1", State: contest.AssetPending})
	store.stale = []string{"p1"}
	swept := make(chan struct{}, 100)
	s := &Sweeper{
		Assets: store,
		Enqueue: func(context.Context, *asynq.Task) error {
			swept <- struct{}{}
			return nil
		},
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() {
		s.Run(ctx, 10*time.Millisecond)
		close(done)
	}()
	for i := range 3 { // the sweep at start, then two periodic ones
		select {
		case <-swept:
		case <-time.After(5 * time.Second):
			t.Fatalf("sweep %d did not happen", i+1)
		}
	}
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
}

func TestSweeperRunSweepsAtStart(t *testing.T) {
	store := newFakeAssets()
	s := &Sweeper{Assets: store, Enqueue: func(context.Context, *asynq.Task) error { return nil }}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() {
		s.Run(ctx, time.Hour)
		close(done)
	}()
	deadline := time.Now().Add(5 * time.Second)
	for !slices.Contains(store.callLog(), "stale") {
		if time.Now().After(deadline) {
			t.Fatal("no sweep at start")
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	<-done
}

// TestSweepDeletesExpiredSessions runs a sweep on each real database: an
// expired session's row is gone afterwards, a live session still signs its
// user in.
func TestSweepDeletesExpiredSessions(t *testing.T) {
	dbtest.Backends(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		u := contest.User{Email: "sleeper@example.org", Name: "Sleeper", PasswordHash: "x"}
		if err := d.CreateUser(ctx, &u); err != nil {
			t.Fatal(err)
		}
		expiredAt := time.Now().Add(-time.Hour)
		if err := d.CreateSession(ctx, "expired-token-hash", u.ID, expiredAt); err != nil {
			t.Fatal(err)
		}
		if err := d.CreateSession(ctx, "live-token-hash", u.ID, time.Now().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		// Seen from before its expiry, the expired session's row still
		// signs in: this is how the test sees whether the row is there.
		before := func() time.Time { return expiredAt.Add(-time.Minute) }
		d.SetClock(before)
		if _, err := d.SessionUser(ctx, "expired-token-hash"); err != nil {
			t.Fatalf("the expired session's row is not there to begin with: %v", err)
		}
		d.SetClock(time.Now)

		sw := &Sweeper{Assets: d, Sessions: d, Enqueue: (&enqueued{}).enqueue}
		if _, err := sw.SweepOnce(ctx); err != nil {
			t.Fatal(err)
		}
		if got, err := d.SessionUser(ctx, "live-token-hash"); err != nil || got.ID != u.ID {
			t.Fatalf("the live session after a sweep: %+v, %v", got, err)
		}
		d.SetClock(before)
		if _, err := d.SessionUser(ctx, "expired-token-hash"); !errors.Is(err, contest.ErrNotFound) {
			t.Fatalf("the expired session's row survived the sweep: %v", err)
		}
	})
}
