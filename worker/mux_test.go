package worker

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/hibiken/asynq"
)

type logLine map[string]any

func captureLogs() (*slog.Logger, func() []logLine) {
	var buf bytes.Buffer
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
		{"permanent", fmt.Errorf("bad file: %w", asynq.SkipRetry), "ERROR", "task failed for good"},
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
