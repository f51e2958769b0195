package tasks

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/tessera/tessera/internal/queue"
)

func TestNewMediaProcessTask(t *testing.T) {
	task, err := NewMediaProcessTask("a-123")
	if err != nil {
		t.Fatal(err)
	}
	if task.Type() != TypeMediaProcess {
		t.Errorf("type %q", task.Type())
	}
	var p map[string]any
	if err := json.Unmarshal(task.Payload(), &p); err != nil {
		t.Fatal(err)
	}
	if len(p) != 1 || p["asset_id"] != "a-123" {
		t.Errorf("payload %s, want exactly {\"asset_id\":\"a-123\"}", task.Payload())
	}

	// asynq keeps a task's options private; enqueue it on an embedded queue
	// and read them back as asynq stored them.
	q, err := queue.Open(context.Background(), "", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = q.Close() })
	if err := q.Enqueue(t.Context(), task); err != nil {
		t.Fatal(err)
	}
	info, err := q.Inspector().GetTaskInfo(QueueMedia, "media:process:a-123")
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"queue", info.Queue, "media"},
		{"id", info.ID, "media:process:a-123"},
		{"type", info.Type, "media:process"},
		{"max retry", info.MaxRetry, 5},
		{"timeout", info.Timeout, 10 * time.Minute},
		{"payload", string(info.Payload), string(task.Payload())},
		{"state", info.State, asynq.TaskStatePending},
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			if c.got != c.want {
				t.Errorf("got %v, want %v", c.got, c.want)
			}
		})
	}
}

func TestNewMediaProcessTaskNeedsID(t *testing.T) {
	if _, err := NewMediaProcessTask(""); err == nil {
		t.Error("empty asset id accepted")
	}
}

func TestParseMediaProcess(t *testing.T) {
	good, err := NewMediaProcessTask("a-1")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		task    *asynq.Task
		want    string
		wantErr bool
	}{
		{"round trip", good, "a-1", false},
		{"extra fields ignored", asynq.NewTask(TypeMediaProcess, []byte(`{"asset_id":"a-2","later":1}`)), "a-2", false},
		{"wrong type", asynq.NewTask("mail:send", []byte(`{"asset_id":"a-1"}`)), "", true},
		{"not json", asynq.NewTask(TypeMediaProcess, []byte(`asset a-1`)), "", true},
		{"no asset id", asynq.NewTask(TypeMediaProcess, []byte(`{}`)), "", true},
		{"empty payload", asynq.NewTask(TypeMediaProcess, nil), "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := ParseMediaProcess(tt.task)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if p.AssetID != tt.want {
				t.Errorf("asset id %q, want %q", p.AssetID, tt.want)
			}
		})
	}
}

func TestMediaTranscodeTask(t *testing.T) {
	if _, err := NewMediaTranscodeTask("", 0); err == nil {
		t.Error("a task without an asset id")
	}
	task, err := NewMediaTranscodeTask("a-9", 0)
	if err != nil {
		t.Fatal(err)
	}
	p, err := ParseMediaTranscode(task)
	if err != nil || p.AssetID != "a-9" {
		t.Fatalf("parse: %+v %v", p, err)
	}
	q, err := queue.Open(context.Background(), "", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = q.Close() })
	if err := q.Enqueue(t.Context(), task); err != nil {
		t.Fatal(err)
	}
	// Enqueueing the same asset's transcode again is harmless.
	again, _ := NewMediaTranscodeTask("a-9", 0)
	if err := q.Enqueue(t.Context(), again); err != nil {
		t.Fatal(err)
	}
	info, err := q.Inspector().GetTaskInfo(QueueTranscode, "media:transcode:a-9")
	if err != nil {
		t.Fatal(err)
	}
	if info.Queue != "transcode" || info.Type != TypeMediaTranscode || info.MaxRetry != TranscodeMaxRetry || info.Timeout != 90*time.Minute {
		t.Errorf("stored task %+v", info)
	}
	// A longer ffmpeg limit gives the task as much more time.
	long, err := NewMediaTranscodeTask("a-10", 3*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if err := q.Enqueue(t.Context(), long); err != nil {
		t.Fatal(err)
	}
	if info, err := q.Inspector().GetTaskInfo(QueueTranscode, "media:transcode:a-10"); err != nil || info.Timeout != 3*time.Hour+45*time.Minute {
		t.Errorf("task for a 3 h transcode: %+v %v; want a 3h45m limit", info, err)
	}
	for _, bad := range []*asynq.Task{
		asynq.NewTask(TypeMediaProcess, []byte(`{"asset_id":"a"}`)),
		asynq.NewTask(TypeMediaTranscode, []byte(`{`)),
		asynq.NewTask(TypeMediaTranscode, []byte(`{}`)),
	} {
		if _, err := ParseMediaTranscode(bad); err == nil {
			t.Errorf("parsed %s %s", bad.Type(), bad.Payload())
		}
	}
}
