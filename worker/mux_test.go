package worker

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/tessera/tessera/internal/blob"
	"github.com/tessera/tessera/internal/contest"
	"github.com/tessera/tessera/internal/db"
	"github.com/tessera/tessera/internal/media"
	"github.com/tessera/tessera/internal/queue"
	"github.com/tessera/tessera/worker/tasks"
)

type logLine map[string]any

// lockedBuffer is a bytes.Buffer safe for a logger used by a running
// queue server while the test reads it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func captureLogs() (*slog.Logger, func() []logLine) {
	var buf lockedBuffer
	logger := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	return logger, func() []logLine {
		var lines []logLine
		for _, l := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
			if l == "" {
				continue
			}
			var m logLine
			if err := json.Unmarshal([]byte(l), &m); err != nil {
				panic(err)
			}
			lines = append(lines, m)
		}
		return lines
	}
}

func TestRecoverPanics(t *testing.T) {
	errBoom := errors.New("boom")
	tests := []struct {
		name    string
		handler asynq.HandlerFunc
		wantErr string
		wantIs  error
		wantLog bool
	}{
		{"no panic", func(context.Context, *asynq.Task) error { return nil }, "", nil, false},
		{"error passes through", func(context.Context, *asynq.Task) error { return errBoom }, "boom", errBoom, false},
		{"panic with a string", func(context.Context, *asynq.Task) error { panic("nil map") }, "worker: panic in test:x: nil map", nil, true},
		{"panic with an error", func(context.Context, *asynq.Task) error { panic(fmt.Errorf("wrapped: %w", errBoom)) }, "worker: panic in test:x: wrapped: boom", errBoom, true},
		{"runtime panic", func(context.Context, *asynq.Task) error {
			var m map[string]int
			m["x"] = 1
			return nil
		}, "assignment to entry in nil map", nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			logger, lines := captureLogs()
			err := RecoverPanics(logger)(tt.handler).ProcessTask(t.Context(), asynq.NewTask("test:x", nil))
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("err = %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("err = %v, want %q", err, tt.wantErr)
			}
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("err %v does not wrap %v", err, tt.wantIs)
			}
			ls := lines()
			if got := len(ls) == 1; got != tt.wantLog {
				t.Fatalf("logs %v, want a panic line: %v", ls, tt.wantLog)
			}
			if tt.wantLog {
				if ls[0]["level"] != "ERROR" || ls[0]["type"] != "test:x" || !strings.Contains(fmt.Sprint(ls[0]["stack"]), "mux_test.go") {
					t.Errorf("panic log %v", ls[0])
				}
			}
		})
	}
}

func TestLogTasks(t *testing.T) {
	tests := []struct {
		name      string
		err       error
		wantLevel string
		wantMsg   string
	}{
		{"success", nil, "INFO", "task done"},
		{"retryable", errors.New("database is locked"), "WARN", "task failed; will retry"},
		// The entrant's file cannot be processed: their problem, not ours.
		{"refused file", fmt.Errorf("media: asset a1 rejected: %w: %w", &media.RejectError{Reason: "This file is empty (0 bytes)."}, asynq.SkipRetry), "WARN", "task refused the file"},
		// A fault that will never succeed (here a malformed task).
		{"permanent fault", fmt.Errorf("media: tasks: decode payload: %w", asynq.SkipRetry), "ERROR", "task failed for good"},
		// A refusal that could not be recorded is retried like any fault.
		{"refusal not recorded", fmt.Errorf("media: record failure of asset a1 (%v): %w", &media.RejectError{Reason: "Empty."}, errors.New("database is locked")), "WARN", "task failed; will retry"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			logger, lines := captureLogs()
			h := LogTasks(logger)(asynq.HandlerFunc(func(context.Context, *asynq.Task) error { return tt.err }))
			if err := h.ProcessTask(t.Context(), asynq.NewTask("test:y", nil)); !errors.Is(err, tt.err) {
				t.Fatalf("err = %v, want %v", err, tt.err)
			}
			ls := lines()
			if len(ls) != 1 {
				t.Fatalf("%d log lines", len(ls))
			}
			l := ls[0]
			if l["level"] != tt.wantLevel || l["msg"] != tt.wantMsg || l["type"] != "test:y" {
				t.Errorf("log %v", l)
			}
			if _, ok := l["duration"]; !ok {
				t.Errorf("no duration in %v", l)
			}
			if tt.err != nil && l["err"] != tt.err.Error() {
				t.Errorf("err field %v", l["err"])
			}
		})
	}
}

func TestNewMux(t *testing.T) {
	t.Run("panicking store becomes an error", func(t *testing.T) {
		logger, lines := captureLogs()
		assets := newFakeAssets()
		assets.startPanic = "store exploded"
		mux := NewMux(&MediaHandler{Assets: assets}, logger)
		err := mux.ProcessTask(t.Context(), mediaTask(t, "a1"))
		if err == nil || !strings.Contains(err.Error(), "store exploded") {
			t.Fatalf("err = %v", err)
		}
		var msgs []string
		for _, l := range lines() {
			msgs = append(msgs, fmt.Sprint(l["msg"]))
		}
		if strings.Join(msgs, "|") != "task panicked|task failed; will retry" {
			t.Errorf("log messages %q", msgs)
		}
	})
	t.Run("unknown task type", func(t *testing.T) {
		mux := NewMux(&MediaHandler{Assets: newFakeAssets()}, nil)
		if err := mux.ProcessTask(t.Context(), asynq.NewTask("mystery:task", nil)); !errors.Is(err, asynq.ErrHandlerNotFound) {
			t.Errorf("err = %v, want ErrHandlerNotFound", err)
		}
	})
}

// downStore is a blob.Store whose reads fail as when storage is down.
type downStore struct{ blob.Store }

func (downStore) Open(context.Context, string, int64, int64) (io.ReadCloser, error) {
	return nil, errors.New("dial tcp 127.0.0.1:9000: connect: connection refused")
}

// TestRefusalIsAWarningAndAFaultAnError runs the worker's mux on the
// embedded queue: a hostile image (the entrant's file) is refused with a
// warning and no error line, while storage being down is logged as an
// error once the task has no retry left.
func TestRefusalIsAWarningAndAFaultAnError(t *testing.T) {
	ihdr := []byte("IHDR\x00\x01\x86\xa0\x00\x01\x86\xa0\x08\x02\x00\x00\x00")
	pngBomb := append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\x0d"), ihdr...)
	pngBomb = binary.BigEndian.AppendUint32(pngBomb, crc32.ChecksumIEEE(ihdr))

	run := func(t *testing.T, blobs blob.Store, task *asynq.Task) ([]logLine, contest.Asset) {
		t.Helper()
		local, err := blob.NewLocal(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		a := contest.Asset{ID: "a1", EntryID: "e1", ContentType: "image/png", OriginalKey: "entries/e1/a1/original", State: contest.AssetPending}
		if err := local.Put(t.Context(), a.OriginalKey, bytes.NewReader(pngBomb), int64(len(pngBomb)), a.ContentType); err != nil {
			t.Fatal(err)
		}
		if blobs == nil {
			blobs = local
		}
		assets := newFakeAssets(a)
		assets.rules = db.MediaRules{Medium: contest.MediumPhoto}
		logger, lines := captureLogs()
		q, err := queue.Open(t.Context(), "", nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = q.Close() })
		srv := q.NewServer(asynq.Config{Concurrency: 1, Queues: map[string]int{tasks.QueueMedia: 1}, TaskCheckInterval: 20 * time.Millisecond, LogLevel: asynq.FatalLevel})
		if err := srv.Start(NewMux(&MediaHandler{Assets: assets, Blobs: blobs, Logger: logger}, logger)); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(srv.Shutdown)
		if err := q.Enqueue(t.Context(), task); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(30 * time.Second)
		for {
			for _, l := range lines() {
				if strings.HasPrefix(fmt.Sprint(l["msg"]), "task ") {
					return lines(), assets.get("a1")
				}
			}
			if time.Now().After(deadline) {
				t.Fatalf("no task line after 30s: %v", lines())
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	levels := func(ls []logLine) map[string]string {
		m := map[string]string{}
		for _, l := range ls {
			m[fmt.Sprint(l["msg"])] = fmt.Sprint(l["level"])
		}
		return m
	}

	t.Run("hostile image", func(t *testing.T) {
		ls, a := run(t, nil, mediaTask(t, "a1"))
		if a.State != contest.AssetFailed || !strings.Contains(a.FailReason, "100000×100000 pixels") {
			t.Fatalf("asset %+v", a)
		}
		got := levels(ls)
		if got["task refused the file"] != "WARN" {
			t.Errorf("log levels %v; want the task refused at WARN", got)
		}
		for _, l := range ls {
			if l["level"] == "ERROR" {
				t.Errorf("an error line for the entrant's file: %v", l)
			}
		}
	})
	t.Run("storage down on the last attempt", func(t *testing.T) {
		payload, _ := json.Marshal(tasks.MediaProcess{AssetID: "a1"})
		last := asynq.NewTask(tasks.TypeMediaProcess, payload, asynq.Queue(tasks.QueueMedia), asynq.MaxRetry(0))
		ls, a := run(t, downStore{}, last)
		if a.State != contest.AssetFailed || a.FailReason != reasonGaveUp {
			t.Fatalf("asset %+v", a)
		}
		if got := levels(ls); got["task failed for good"] != "ERROR" {
			t.Errorf("log levels %v; want the task failed for good at ERROR", got)
		}
	})
}
