// Package queue connects Tessera to the Redis that asynq keeps its tasks in:
// a real Redis when a URL is configured, otherwise an in-process miniredis
// reached without opening any port. The queue is never the only record of
// work (see the worker sweeper), so the embedded one losing its contents on
// restart is harmless.
package queue

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"

	"github.com/alicebob/miniredis/v2"
	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
)

// Queue is an open connection to the task queue. It is safe for concurrent
// use. Servers made by NewServer share its connection: shut them down
// before calling Close.
type Queue struct {
	rdb       redis.UniversalClient
	mini      *miniredis.Miniredis // nil unless embedded
	client    *asynq.Client
	inspector *asynq.Inspector
	logger    *slog.Logger
}

// Open connects to the Redis at redisURL (redis:// or rediss://, as
// accepted by go-redis ParseURL) and checks that it answers. With an empty
// redisURL it starts an embedded in-memory Redis instead, which lives as
// long as the Queue and opens no network port. A nil logger discards logs.
func Open(ctx context.Context, redisURL string, logger *slog.Logger) (*Queue, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	q := &Queue{logger: logger}
	if redisURL == "" {
		m := miniredis.NewMiniRedis()
		// Expire keys with the wall clock, as a real Redis does; without
		// this miniredis keeps every key with a TTL forever.
		m.ClockTTL(true)
		q.mini = m
		q.rdb = redis.NewClient(&redis.Options{
			Addr: "embedded",
			Dialer: func(context.Context, string, string) (net.Conn, error) {
				return m.Dial()
			},
			DisableIdentity: true,
		})
	} else {
		opts, err := redis.ParseURL(redisURL)
		if err != nil {
			// A *url.Error repeats the URL, password included: keep only
			// its cause so the password never reaches a log.
			var uerr *url.Error
			if errors.As(err, &uerr) {
				err = uerr.Err
			}
			return nil, fmt.Errorf("queue: invalid redis URL: %w", err)
		}
		q.rdb = redis.NewClient(opts)
		logger = logger.With("redis", opts.Addr, "db", opts.DB)
		q.logger = logger
	}
	if err := q.rdb.Ping(ctx).Err(); err != nil {
		_ = q.Close()
		return nil, fmt.Errorf("queue: connect to redis: %w", err)
	}
	q.client = asynq.NewClientFromRedisClient(q.rdb)
	q.inspector = asynq.NewInspectorFromRedisClient(q.rdb)
	if q.Embedded() {
		logger.Info("queue: using the embedded in-process Redis; tasks do not survive a restart (the sweeper re-enqueues pending work)")
	} else {
		logger.Info("queue: connected to redis")
	}
	return q, nil
}

// Embedded reports whether the queue runs on the in-process Redis.
func (q *Queue) Embedded() bool { return q.mini != nil }

// Enqueue adds task to the queue with the options it was built with. A task
// whose ID is already queued, scheduled for retry or running (asynq's
// ErrTaskIDConflict, or ErrDuplicateTask for unique tasks) counts as
// success: the work is already on its way.
func (q *Queue) Enqueue(ctx context.Context, task *asynq.Task) error {
	info, err := q.client.EnqueueContext(ctx, task)
	switch {
	case errors.Is(err, asynq.ErrTaskIDConflict), errors.Is(err, asynq.ErrDuplicateTask):
		q.logger.DebugContext(ctx, "queue: task already queued", "type", task.Type())
		return nil
	case err != nil:
		return fmt.Errorf("queue: enqueue %s: %w", task.Type(), err)
	}
	q.logger.DebugContext(ctx, "queue: enqueued", "type", task.Type(), "id", info.ID, "queue", info.Queue)
	return nil
}

// NewServer returns an asynq server on this queue's connection. When
// cfg.Logger is nil the server logs through the Queue's slog logger. The
// caller starts it and must Shutdown it before closing the Queue.
func (q *Queue) NewServer(cfg asynq.Config) *asynq.Server {
	if cfg.Logger == nil {
		cfg.Logger = slogAdapter{l: q.logger.With("component", "asynq")}
	}
	return asynq.NewServerFromRedisClient(q.rdb, cfg)
}

// Inspector returns an asynq inspector on this queue's connection, for
// queue statistics and administration. It is closed with the Queue.
func (q *Queue) Inspector() *asynq.Inspector { return q.inspector }

// Ping checks that Redis answers.
func (q *Queue) Ping(ctx context.Context) error {
	if err := q.rdb.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("queue: ping: %w", err)
	}
	return nil
}

// Close closes the connection and, when embedded, stops the in-process
// Redis, discarding its contents.
func (q *Queue) Close() error {
	err := q.rdb.Close()
	if q.mini != nil {
		q.mini.Close()
	}
	if err != nil {
		return fmt.Errorf("queue: close: %w", err)
	}
	return nil
}

// slogAdapter makes a slog.Logger satisfy asynq.Logger.
type slogAdapter struct{ l *slog.Logger }

func (a slogAdapter) Debug(args ...any) { a.l.Debug(fmt.Sprint(args...)) }
func (a slogAdapter) Info(args ...any)  { a.l.Info(fmt.Sprint(args...)) }
func (a slogAdapter) Warn(args ...any)  { a.l.Warn(fmt.Sprint(args...)) }
func (a slogAdapter) Error(args ...any) { a.l.Error(fmt.Sprint(args...)) }

// Fatal logs at error level and exits, as asynq.Logger requires.
func (a slogAdapter) Fatal(args ...any) {
	a.l.Error(fmt.Sprint(args...))
	os.Exit(1)
}
