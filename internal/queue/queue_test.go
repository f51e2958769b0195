package queue

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/tessera/tessera/internal/testenv"
)

// backends lists the Redis the queue is tested against: the embedded one
// always, a real one when make test provides it.
var backends = []struct {
	name string
	url  func(t *testing.T) string
}{
	{"embedded", func(*testing.T) string { return "" }},
	{"redis", func(t *testing.T) string { return testenv.RedisURL(t) }},
}

func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(tWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

type tWriter struct{ t *testing.T }

func (w tWriter) Write(p []byte) (int, error) {
	w.t.Helper()
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// uniqueQueue returns a queue name no other test run uses, since a real
// Redis may be shared by test packages running in parallel.
func uniqueQueue(t *testing.T) string {
	t.Helper()
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return "test-queue-" + hex.EncodeToString(b)
}

func openQueue(t *testing.T, url string) *Queue {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	q, err := Open(ctx, url, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := q.Close(); err != nil {
			t.Error(err)
		}
	})
	return q
}

// startServer runs an asynq server on queue name with handler until the
// test ends, then deletes the queue's keys.
func startServer(t *testing.T, q *Queue, name string, handler asynq.Handler) {
	t.Helper()
	srv := q.NewServer(asynq.Config{
		Concurrency:       2,
		Queues:            map[string]int{name: 1},
		TaskCheckInterval: 20 * time.Millisecond,
		ShutdownTimeout:   2 * time.Second,
		LogLevel:          asynq.WarnLevel,
	})
	if err := srv.Start(handler); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		srv.Shutdown()
		dropQueue(t, q, name)
	})
}

// dropQueue deletes every key of queue name, and only those: a real Redis
// may be shared with other tests, so nothing is flushed.
func dropQueue(t *testing.T, q *Queue, name string) {
	t.Helper()
	ctx := context.WithoutCancel(t.Context())
	iter := q.rdb.Scan(ctx, 0, "asynq:{"+name+"}:*", 100).Iterator()
	for iter.Next(ctx) {
		if err := q.rdb.Del(ctx, iter.Val()).Err(); err != nil {
			t.Errorf("delete %s: %v", iter.Val(), err)
		}
	}
	if err := iter.Err(); err != nil {
		t.Errorf("scan queue %s: %v", name, err)
	}
	if err := q.rdb.SRem(ctx, "asynq:queues", name).Err(); err != nil {
		t.Errorf("forget queue %s: %v", name, err)
	}
}

type recorder struct {
	mu      sync.Mutex
	seen    []string
	arrived chan string
}

func newRecorder() *recorder { return &recorder{arrived: make(chan string, 16)} }

func (r *recorder) ProcessTask(_ context.Context, t *asynq.Task) error {
	r.mu.Lock()
	r.seen = append(r.seen, string(t.Payload()))
	r.mu.Unlock()
	r.arrived <- string(t.Payload())
	return nil
}

func (r *recorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.seen)
}

func (r *recorder) wait(t *testing.T, want string) {
	t.Helper()
	select {
	case got := <-r.arrived:
		if got != want {
			t.Fatalf("processed %q, want %q", got, want)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("task %q was not processed within 10s", want)
	}
}

func TestQueue(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			q := openQueue(t, b.url(t))
			if got, want := q.Embedded(), b.name == "embedded"; got != want {
				t.Errorf("Embedded() = %v, want %v", got, want)
			}

			t.Run("ping", func(t *testing.T) {
				if err := q.Ping(t.Context()); err != nil {
					t.Fatal(err)
				}
			})

			t.Run("enqueue and process", func(t *testing.T) {
				name := uniqueQueue(t)
				rec := newRecorder()
				startServer(t, q, name, rec)
				for _, p := range []string{"one", "two"} {
					if err := q.Enqueue(t.Context(), asynq.NewTask("test:echo", []byte(p), asynq.Queue(name))); err != nil {
						t.Fatal(err)
					}
				}
				got := map[string]bool{}
				for range 2 {
					select {
					case p := <-rec.arrived:
						got[p] = true
					case <-time.After(10 * time.Second):
						t.Fatal("tasks were not processed within 10s")
					}
				}
				if !got["one"] || !got["two"] {
					t.Errorf("processed %v", got)
				}
			})

			t.Run("duplicate task id is harmless", func(t *testing.T) {
				name := uniqueQueue(t)
				task := asynq.NewTask("test:echo", []byte("once"), asynq.Queue(name), asynq.TaskID("dup-1"))
				for i := range 3 {
					if err := q.Enqueue(t.Context(), task); err != nil {
						t.Fatalf("enqueue #%d: %v", i+1, err)
					}
				}
				info, err := q.Inspector().GetQueueInfo(name)
				if err != nil {
					t.Fatal(err)
				}
				if info.Size != 1 {
					t.Errorf("queue holds %d tasks, want 1", info.Size)
				}

				rec := newRecorder()
				startServer(t, q, name, rec)
				rec.wait(t, "once")
				time.Sleep(200 * time.Millisecond)
				if n := rec.count(); n != 1 {
					t.Errorf("processed %d times, want 1", n)
				}

				// Once done, the id is free again: a later enqueue runs anew.
				if err := q.Enqueue(t.Context(), task); err != nil {
					t.Fatal(err)
				}
				rec.wait(t, "once")
			})

			t.Run("unique task is harmless", func(t *testing.T) {
				name := uniqueQueue(t)
				task := asynq.NewTask("test:echo", []byte("u"), asynq.Queue(name), asynq.Unique(time.Minute))
				for range 2 {
					if err := q.Enqueue(t.Context(), task); err != nil {
						t.Fatal(err)
					}
				}
				t.Cleanup(func() { dropQueue(t, q, name) })
			})

			t.Run("invalid task is an error", func(t *testing.T) {
				if err := q.Enqueue(t.Context(), asynq.NewTask("", nil)); err == nil {
					t.Error("enqueueing a task without a type succeeded")
				}
			})
		})
	}
}

func TestOpenErrors(t *testing.T) {
	tests := []struct {
		name   string
		url    string
		secret string
	}{
		{"not a redis url", "http://example.com/", ""},
		{"bad port keeps the password secret", "redis://user:hunter2@127.0.0.1:notaport/0", "hunter2"},
		{"nothing listening", "redis://:hunter2@127.0.0.1:1/0", "hunter2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
			defer cancel()
			q, err := Open(ctx, tt.url, nil)
			if err == nil {
				_ = q.Close()
				t.Fatal("Open succeeded")
			}
			if tt.secret != "" && strings.Contains(err.Error(), tt.secret) {
				t.Errorf("error %q shows the password", err)
			}
		})
	}
}

func TestClosedEmbeddedQueue(t *testing.T) {
	q, err := Open(t.Context(), "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := q.Close(); err != nil {
		t.Fatal(err)
	}
	if err := q.Ping(t.Context()); err == nil {
		t.Error("Ping after Close succeeded")
	}
	if err := q.Enqueue(t.Context(), asynq.NewTask("test:echo", nil)); err == nil || errors.Is(err, asynq.ErrTaskIDConflict) {
		t.Errorf("Enqueue after Close = %v, want an error", err)
	}
}

func TestEmbeddedQueuesAreSeparate(t *testing.T) {
	a := openQueue(t, "")
	b := openQueue(t, "")
	task := asynq.NewTask("test:echo", nil, asynq.Queue("shared"), asynq.TaskID("same"))
	for _, q := range []*Queue{a, b} {
		if err := q.Enqueue(t.Context(), task); err != nil {
			t.Fatal(err)
		}
		info, err := q.Inspector().GetQueueInfo("shared")
		if err != nil {
			t.Fatal(err)
		}
		if info.Size != 1 {
			t.Errorf("queue size %d, want 1", info.Size)
		}
	}
}
