package worker

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/hibiken/asynq"

	"github.com/tessera/tessera/internal/contest"
	"github.com/tessera/tessera/worker/tasks"
)

// Sweeper defaults, used when the matching field is zero.
const (
	// DefaultStaleAfter is twice the media task timeout: a processing
	// asset untouched that long has lost its worker.
	DefaultStaleAfter = 2 * tasks.MediaTimeout
	// DefaultSweepLimit is how many assets one sweep looks at.
	DefaultSweepLimit = 500
	// DefaultSweepEvery is how often Run sweeps.
	DefaultSweepEvery = time.Minute
	// DefaultMaxAttempts is how many processing attempts an asset gets:
	// one per try asynq makes of a task.
	DefaultMaxAttempts = tasks.MediaMaxRetry + 1
)

// SessionStore is what the sweeper needs to purge sessions (implemented by
// internal/db).
type SessionStore interface {
	// DeleteExpiredSessions removes the sessions past their expiry and
	// returns how many it removed.
	DeleteExpiredSessions(ctx context.Context) (int64, error)
}

// Sweeper re-enqueues work the queue may have lost: every pending asset,
// and every processing asset whose worker has not touched it for StaleAfter.
// The database, not the queue, is the record of pending work, so this makes
// an embedded queue's restart or a Redis failover harmless. Enqueueing a
// task already queued is harmless too (its id is derived from the asset).
// It also deletes expired sessions, so that their rows do not pile up: the
// sweeper runs wherever workers run, which every deployment has.
type Sweeper struct {
	Assets AssetStore
	// Sessions, when set, has its expired sessions deleted on each sweep.
	Sessions SessionStore
	// Enqueue queues a task, treating an already-queued id as success
	// (queue.Queue.Enqueue).
	Enqueue func(context.Context, *asynq.Task) error
	// Logger receives a line per sweep that found work; nil discards.
	Logger *slog.Logger
	// StaleAfter is how long a processing asset may go untouched before it
	// counts as abandoned; it must exceed the task timeout.
	// DefaultStaleAfter when zero.
	StaleAfter time.Duration
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// Limit is the most assets one sweep handles; DefaultSweepLimit when
	// zero.
	Limit int
	// MaxAttempts is the attempt count at which an abandoned processing
	// asset is marked failed instead of re-enqueued (its worker keeps dying
	// on it, and asynq has archived its task); DefaultMaxAttempts when zero.
	MaxAttempts int
}

// SweepOnce deletes expired sessions, enqueues a media task for each stale
// asset and returns how many it enqueued. Abandoned assets that used up
// their attempts are marked failed instead. It goes on after a failed
// enqueue and returns the joined errors.
func (s *Sweeper) SweepOnce(ctx context.Context) (int, error) {
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	staleAfter := cmp.Or(s.StaleAfter, DefaultStaleAfter)
	limit := cmp.Or(s.Limit, DefaultSweepLimit)
	maxAttempts := cmp.Or(s.MaxAttempts, DefaultMaxAttempts)
	log := s.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}

	var errs []error
	if s.Sessions != nil {
		n, err := s.Sessions.DeleteExpiredSessions(ctx)
		if err != nil {
			errs = append(errs, fmt.Errorf("sweep: delete expired sessions: %w", err))
		} else {
			log.DebugContext(ctx, "sweep: expired sessions deleted", "count", n)
		}
	}
	ids, err := s.Assets.StaleAssets(ctx, now().Add(-staleAfter), limit)
	if err != nil {
		return 0, errors.Join(append(errs, fmt.Errorf("sweep: list stale assets: %w", err))...)
	}
	n, failed := 0, 0
	for _, id := range ids {
		a, err := s.Assets.Asset(ctx, id)
		switch {
		case errors.Is(err, contest.ErrNotFound):
			continue
		case err != nil:
			errs = append(errs, fmt.Errorf("sweep: load asset %s: %w", id, err))
			continue
		case a.State == contest.AssetProcessing && a.Attempts >= maxAttempts:
			if err := s.Assets.FailProcessing(ctx, id, reasonGaveUp); err != nil {
				errs = append(errs, fmt.Errorf("sweep: fail asset %s: %w", id, err))
				continue
			}
			log.WarnContext(ctx, "sweep: asset abandoned after too many attempts", "asset", id, "attempts", a.Attempts)
			failed++
			continue
		}
		t, err := tasks.NewMediaProcessTask(id)
		if err != nil {
			errs = append(errs, fmt.Errorf("sweep: asset %s: %w", id, err))
			continue
		}
		if err := s.Enqueue(ctx, t); err != nil {
			errs = append(errs, fmt.Errorf("sweep: enqueue asset %s: %w", id, err))
			continue
		}
		n++
	}
	if n > 0 || failed > 0 || len(errs) > 0 {
		log.InfoContext(ctx, "sweep: done", "stale", len(ids), "enqueued", n, "failed", failed, "errors", len(errs))
	}
	return n, errors.Join(errs...)
}

// Run sweeps once at once, then every interval (DefaultSweepEvery when
// every <= 0), until ctx is done. Errors are logged, never fatal.
func (s *Sweeper) Run(ctx context.Context, every time.Duration) {
	if every <= 0 {
		every = DefaultSweepEvery
	}
	log := s.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	sweep := func() {
		if _, err := s.SweepOnce(ctx); err != nil && ctx.Err() == nil {
			log.ErrorContext(ctx, "sweep failed", "err", err)
		}
	}
	sweep()
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			sweep()
		}
	}
}
