package worker

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"image"
	"image/jpeg"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/tessera/tessera/internal/blob"
	"github.com/tessera/tessera/internal/contest"
	"github.com/tessera/tessera/internal/media"
	"github.com/tessera/tessera/internal/queue"
	"github.com/tessera/tessera/worker/tasks"
)

func gradientJPEG(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		row := img.Pix[y*img.Stride:]
		for x := range w {
			row[4*x], row[4*x+1], row[4*x+2], row[4*x+3] = uint8(x*255/w), uint8(y*255/h), 90, 255
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 85}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// countingStore is a blob.Store that counts Puts.
type countingStore struct {
	blob.Store
	mu   sync.Mutex
	puts []string
}

func (c *countingStore) Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error {
	c.mu.Lock()
	c.puts = append(c.puts, key)
	c.mu.Unlock()
	return c.Store.Put(ctx, key, r, size, contentType)
}

func (c *countingStore) putCount() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.puts)
}

type mediaFixture struct {
	assets  *fakeAssets
	blobs   *countingStore
	handler *MediaHandler
}

// newMediaFixture stores original (when not nil) as the original of a
// pending asset "a1" of entry "e1" with content type ct.
func newMediaFixture(t *testing.T, ct string, original []byte) *mediaFixture {
	t.Helper()
	local, err := blob.NewLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	blobs := &countingStore{Store: local}
	a := contest.Asset{ID: "a1", EntryID: "e1", ContentType: ct, OriginalKey: "entries/e1/a1/original", State: contest.AssetPending}
	if original != nil {
		if err := local.Put(t.Context(), a.OriginalKey, bytes.NewReader(original), int64(len(original)), ct); err != nil {
			t.Fatal(err)
		}
		a.Size = int64(len(original))
	}
	assets := newFakeAssets(a)
	return &mediaFixture{
		assets: assets,
		blobs:  blobs,
		handler: &MediaHandler{
			Assets:    assets,
			Blobs:     blobs,
			Logger:    slog.New(slog.NewTextHandler(io.Discard, nil)),
			MaxPixels: 50_000_000,
		},
	}
}

func mediaTask(t *testing.T, assetID string) *asynq.Task {
	t.Helper()
	task, err := tasks.NewMediaProcessTask(assetID)
	if err != nil {
		t.Fatal(err)
	}
	return task
}

func TestMediaHandler(t *testing.T) {
	photo := gradientJPEG(t, 1000, 500)

	tests := []struct {
		name        string
		contentType string
		original    []byte // nil: no original stored
		setup       func(f *mediaFixture)
		task        func(t *testing.T) *asynq.Task
		wantErr     bool
		wantSkip    bool // the error wraps asynq.SkipRetry
		wantState   contest.AssetState
		wantReason  string // substring
		wantPuts    int
		check       func(t *testing.T, f *mediaFixture)
	}{
		{
			name: "photo becomes ready with its derivatives", contentType: "image/jpeg", original: photo,
			wantState: contest.AssetReady, wantPuts: 4,
			check: func(t *testing.T, f *mediaFixture) {
				a := f.assets.get("a1")
				if a.Width != 1000 || a.Height != 500 {
					t.Errorf("asset size %d×%d, want 1000×500", a.Width, a.Height)
				}
				want := []struct {
					name, key string
					w, h      int
				}{
					{"judge", "entries/e1/a1/judge.jpg", 1000, 500},
					{"preview", "entries/e1/a1/preview.jpg", 1000, 500},
					{"card", "entries/e1/a1/card.jpg", 800, 400},
					{"thumb", "entries/e1/a1/thumb.jpg", 320, 160},
				}
				ds := f.assets.derivatives("a1")
				if len(ds) != len(want) {
					t.Fatalf("%d derivatives, want %d", len(ds), len(want))
				}
				for i, d := range ds {
					w := want[i]
					if d.AssetID != "a1" || d.Name != w.name || d.Key != w.key || d.Width != w.w || d.Height != w.h || d.ContentType != "image/jpeg" {
						t.Errorf("derivative %d = %+v, want %s at %s, %d×%d", i, d, w.name, w.key, w.w, w.h)
					}
					info, err := f.blobs.Stat(t.Context(), d.Key)
					if err != nil {
						t.Fatal(err)
					}
					if info.Size != d.Size || info.ContentType != "image/jpeg" {
						t.Errorf("%s stored as %d bytes of %s, recorded %d", d.Key, info.Size, info.ContentType, d.Size)
					}
					rc, err := f.blobs.Open(t.Context(), d.Key, 0, -1)
					if err != nil {
						t.Fatal(err)
					}
					cfg, err := jpeg.DecodeConfig(rc)
					_ = rc.Close()
					if err != nil || cfg.Width != w.w || cfg.Height != w.h {
						t.Errorf("%s decodes as %d×%d (%v)", d.Key, cfg.Width, cfg.Height, err)
					}
				}
				// The original is kept untouched.
				if info, err := f.blobs.Stat(t.Context(), "entries/e1/a1/original"); err != nil || info.Size != int64(len(photo)) {
					t.Errorf("original changed: %+v, %v", info, err)
				}
			},
		},
		{
			name: "a second run after ready does nothing", contentType: "image/jpeg", original: photo,
			wantState: contest.AssetReady, wantPuts: 4,
			setup: func(f *mediaFixture) {
				if err := f.handler.ProcessTask(context.Background(), mediaTask(t, "a1")); err != nil {
					t.Fatal(err)
				}
			},
			check: func(t *testing.T, f *mediaFixture) {
				calls := f.assets.callLog()
				want := []string{"start a1", "finish a1", "start a1"}
				if strings.Join(calls, ",") != strings.Join(want, ",") {
					t.Errorf("calls %v, want %v", calls, want)
				}
				if a := f.assets.get("a1"); a.Attempts != 1 {
					t.Errorf("attempts %d, want 1", a.Attempts)
				}
			},
		},
		{
			name: "failed asset is left alone", contentType: "image/jpeg", original: photo,
			setup: func(f *mediaFixture) {
				a := f.assets.get("a1")
				a.State, a.FailReason = contest.AssetFailed, "earlier"
				f.assets.assets["a1"] = a
			},
			wantState: contest.AssetFailed, wantReason: "earlier",
		},
		{
			name: "asset still uploading is left alone", contentType: "image/jpeg", original: photo,
			setup: func(f *mediaFixture) {
				a := f.assets.get("a1")
				a.State = contest.AssetUploading
				f.assets.assets["a1"] = a
			},
			wantState: contest.AssetUploading,
		},
		{
			name: "unknown asset does nothing", contentType: "image/jpeg", original: photo,
			task:      func(t *testing.T) *asynq.Task { return mediaTask(t, "nope") },
			wantState: contest.AssetPending,
		},
		{
			name: "corrupt image fails for good", contentType: "image/jpeg", original: photo[:len(photo)/3],
			wantErr: true, wantSkip: true, wantState: contest.AssetFailed, wantReason: "damaged or incomplete",
		},
		{
			name: "not an image at all", contentType: "image/png", original: []byte("MZ\x90\x00 definitely not a picture"),
			wantErr: true, wantSkip: true, wantState: contest.AssetFailed, wantReason: "not an image Tessera can read",
		},
		{
			name: "too many pixels", contentType: "image/jpeg", original: photo,
			setup:   func(f *mediaFixture) { f.handler.MaxPixels = 400_000 },
			wantErr: true, wantSkip: true, wantState: contest.AssetFailed,
			wantReason: "This image is 1000×500 pixels (0.5 megapixels); the limit is 0.4 megapixels.",
		},
		{
			name: "missing original", contentType: "image/jpeg", original: nil,
			wantErr: true, wantSkip: true, wantState: contest.AssetFailed, wantReason: "could not be found in storage",
		},
		{
			name: "malformed payload", contentType: "image/jpeg", original: photo,
			task:    func(*testing.T) *asynq.Task { return asynq.NewTask(tasks.TypeMediaProcess, []byte("{")) },
			wantErr: true, wantSkip: true, wantState: contest.AssetPending,
			check: func(t *testing.T, f *mediaFixture) {
				if calls := f.assets.callLog(); len(calls) != 0 {
					t.Errorf("store called: %v", calls)
				}
			},
		},
		{
			name: "a video in a photo category is refused", contentType: "video/mp4", original: []byte("\x00\x00\x00\x18ftypisom"),
			wantErr: true, wantSkip: true, wantState: contest.AssetFailed, wantReason: "not an image Tessera can read (it looks like video/mp4)",
		},
		{
			name: "database error is retried, then succeeds", contentType: "image/jpeg", original: photo,
			setup: func(f *mediaFixture) {
				f.assets.finishErrs = []error{errors.New("database is locked")}
			},
			wantErr: true, wantState: contest.AssetProcessing, wantPuts: 4,
			check: func(t *testing.T, f *mediaFixture) {
				if err := f.handler.ProcessTask(t.Context(), mediaTask(t, "a1")); err != nil {
					t.Fatalf("retry: %v", err)
				}
				a := f.assets.get("a1")
				if a.State != contest.AssetReady || a.Attempts != 2 {
					t.Errorf("after retry: state %s, attempts %d", a.State, a.Attempts)
				}
				if n := f.blobs.putCount(); n != 8 {
					t.Errorf("%d puts, want 8 (same four keys overwritten)", n)
				}
			},
		},
		{
			name: "a failure that cannot be recorded is retried", contentType: "image/jpeg", original: []byte("garbage"),
			setup:   func(f *mediaFixture) { f.assets.failErr = errors.New("database gone") },
			wantErr: true, wantSkip: false, wantState: contest.AssetProcessing,
		},
		{
			name: "another run finished first", contentType: "image/jpeg", original: photo,
			setup: func(f *mediaFixture) {
				f.assets.finishErrs = []error{contest.ErrConflict}
			},
			wantState: contest.AssetProcessing, wantPuts: 4,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newMediaFixture(t, tt.contentType, tt.original)
			if tt.setup != nil {
				tt.setup(f)
			}
			task := mediaTask(t, "a1")
			if tt.task != nil {
				task = tt.task(t)
			}
			err := f.handler.ProcessTask(t.Context(), task)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if got := errors.Is(err, asynq.SkipRetry); got != tt.wantSkip {
				t.Errorf("SkipRetry = %v, want %v (err %v)", got, tt.wantSkip, err)
			}
			a := f.assets.get("a1")
			if a.State != tt.wantState {
				t.Errorf("state %s, want %s", a.State, tt.wantState)
			}
			if !strings.Contains(a.FailReason, tt.wantReason) {
				t.Errorf("reason %q, want it to contain %q", a.FailReason, tt.wantReason)
			}
			for _, detail := range []string{"EOF", "jpeg:", "png:", "blob:", "media:"} {
				if strings.Contains(a.FailReason, detail) {
					t.Errorf("reason %q shows technical detail to the entrant", a.FailReason)
				}
			}
			if n := f.blobs.putCount(); n != tt.wantPuts {
				t.Errorf("%d puts, want %d", n, tt.wantPuts)
			}
			if tt.check != nil {
				tt.check(t, f)
			}
		})
	}
}

// TestMediaThroughQueue runs the handler behind NewMux on an embedded
// queue, as `tessera serve --worker` does.
func TestMediaThroughQueue(t *testing.T) {
	tests := []struct {
		name       string
		original   []byte
		task       func(t *testing.T) *asynq.Task
		finishErrs []error
		wantState  contest.AssetState
		wantReason string
	}{
		{
			name: "ready", original: gradientJPEG(t, 640, 480),
			task:      func(t *testing.T) *asynq.Task { return mediaTask(t, "a1") },
			wantState: contest.AssetReady,
		},
		{
			name: "corrupt", original: []byte("\xff\xd8\xff\xe0 broken"),
			task:       func(t *testing.T) *asynq.Task { return mediaTask(t, "a1") },
			wantState:  contest.AssetFailed,
			wantReason: "damaged",
		},
		{
			// With no retries left, a transient error marks the asset
			// failed rather than leaving it processing.
			name: "last retry gives up", original: gradientJPEG(t, 64, 64),
			task: func(t *testing.T) *asynq.Task {
				payload, _ := json.Marshal(tasks.MediaProcess{AssetID: "a1"})
				return asynq.NewTask(tasks.TypeMediaProcess, payload, asynq.Queue(tasks.QueueMedia), asynq.MaxRetry(0))
			},
			finishErrs: []error{errors.New("disk full")},
			wantState:  contest.AssetFailed,
			wantReason: "after several attempts",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newMediaFixture(t, "image/jpeg", tt.original)
			f.assets.finishErrs = tt.finishErrs
			q, err := queue.Open(t.Context(), "", nil)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = q.Close() })
			srv := q.NewServer(asynq.Config{
				Concurrency:       1,
				Queues:            map[string]int{tasks.QueueMedia: 1},
				TaskCheckInterval: 20 * time.Millisecond,
				LogLevel:          asynq.ErrorLevel,
			})
			if err := srv.Start(NewMux(f.handler, nil)); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(srv.Shutdown)
			if err := q.Enqueue(t.Context(), tt.task(t)); err != nil {
				t.Fatal(err)
			}
			deadline := time.Now().Add(10 * time.Second)
			for {
				a := f.assets.get("a1")
				if a.State == tt.wantState {
					if !strings.Contains(a.FailReason, tt.wantReason) {
						t.Errorf("reason %q, want %q", a.FailReason, tt.wantReason)
					}
					return
				}
				if time.Now().After(deadline) {
					t.Fatalf("state %s after 10s, want %s (calls %v)", a.State, tt.wantState, f.assets.callLog())
				}
				time.Sleep(10 * time.Millisecond)
			}
		})
	}
}

func TestDerivativeKey(t *testing.T) {
	key := DerivativeObjectKey("e1", "a1", "thumb", "image/jpeg")
	if key != "entries/e1/a1/thumb.jpg" {
		t.Errorf("key %q", key)
	}
	if err := blob.ValidateKey(key); err != nil {
		t.Error(err)
	}
	for _, s := range media.PhotoSpecs() {
		if err := blob.ValidateKey(DerivativeObjectKey("e", "a", s.Name, "image/jpeg")); err != nil {
			t.Errorf("%s: %v", s.Name, err)
		}
	}
}
