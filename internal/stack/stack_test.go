package stack

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tessera/tessera/internal/config"
	"github.com/tessera/tessera/internal/contest"
	"github.com/tessera/tessera/internal/db"
	"github.com/tessera/tessera/internal/db/dbtest"
	"github.com/tessera/tessera/internal/media"
	"github.com/tessera/tessera/internal/testenv"
)

// TestReady opens the stack in each deployment shape and checks that
// /healthz and /readyz answer 200 with every backend reachable.
func TestReady(t *testing.T) {
	shapes := map[string]func(t *testing.T, c *config.Config){
		"embedded": func(t *testing.T, c *config.Config) {},
		"real": func(t *testing.T, c *config.Config) {
			s3 := testenv.S3Config(t)
			c.DatabaseURL = dbtest.PostgresURL(t)
			c.RedisURL = testenv.RedisURL(t)
			c.S3 = config.S3{Endpoint: s3.Endpoint, AccessKey: s3.AccessKey, SecretKey: s3.SecretKey, Bucket: s3.Bucket}
		},
	}
	for _, name := range []string{"embedded", "real"} {
		t.Run(name, func(t *testing.T) {
			c := config.Default()
			c.DataDir = t.TempDir()
			shapes[name](t, &c)
			if err := c.Validate(); err != nil {
				t.Fatal(err)
			}
			log := slog.New(slog.NewTextHandler(io.Discard, nil))
			ctx := context.Background()
			if _, err := Open(ctx, c, log, Options{}); err == nil || !strings.Contains(err.Error(), "tessera migrate") {
				t.Fatalf("opening an unmigrated database must fail with a hint, got %v", err)
			}
			s, err := Open(ctx, c, log, Options{Migrate: true})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			h, err := s.Handler()
			if err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewServer(h)
			defer srv.Close()
			for _, path := range []string{"/healthz", "/readyz"} {
				res, err := http.Get(srv.URL + path)
				if err != nil {
					t.Fatal(err)
				}
				body, _ := io.ReadAll(res.Body)
				res.Body.Close()
				if res.StatusCode != 200 {
					t.Fatalf("%s = %d %s", path, res.StatusCode, body)
				}
				if path == "/readyz" {
					for _, part := range []string{"database", "queue", "storage"} {
						if !strings.Contains(string(body), `"`+part+`":"ok"`) {
							t.Errorf("/readyz does not report %s ok: %s", part, body)
						}
					}
				}
			}
			wantDialect := db.SQLite
			if name == "real" {
				wantDialect = db.Postgres
			}
			if s.DB.Dialect() != wantDialect {
				t.Fatalf("dialect = %s, want %s", s.DB.Dialect(), wantDialect)
			}
		})
	}
}

func TestSecretIsKeptAndValidated(t *testing.T) {
	c := config.Default()
	c.DataDir = t.TempDir()
	a, err := loadSecret(c)
	if err != nil || len(a) < 32 {
		t.Fatalf("generated secret: %q %v", a, err)
	}
	b, err := loadSecret(c)
	if err != nil || string(a) != string(b) {
		t.Fatalf("the generated secret must be kept across restarts")
	}
	if _, err := loadSecret(config.Config{DataDir: filepath.Join(t.TempDir(), "x"), Secret: "short"}); err == nil {
		t.Fatal("a short TESSERA_SECRET must be refused")
	}
}

// TestCursorsFollowTheSecret opens stacks as replicas do and checks that
// a keyset cursor one of them made opens in another sharing TESSERA_SECRET,
// and in the same one after a restart with the secret it generated, but
// not in a stack with another secret.
func TestCursorsFollowTheSecret(t *testing.T) {
	open := func(dir, secret string) *Stack {
		t.Helper()
		c := config.Default()
		c.DataDir, c.Secret = dir, secret
		s, err := Open(context.Background(), c, slog.New(slog.DiscardHandler), Options{Migrate: true})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(s.Close)
		return s
	}
	shared := "replicas-share-this-secret-0123456789"
	a, b := open(t.TempDir(), shared), open(t.TempDir(), shared)
	e := contest.Entry{ID: "k7wq2xn9cd4hmtpa", CreatedAt: time.Now().UTC()}
	cur := a.App.Cursors.Seal("queue", e)
	if got, err := b.App.Cursors.Open("queue", cur); err != nil || got.ID != e.ID || !got.CreatedAt.Equal(e.CreatedAt) {
		t.Fatalf("a replica with the same secret opens %+v, %v; want %s", got, err, e.ID)
	}
	dir := t.TempDir()
	generated := open(dir, "")
	cur = generated.App.Cursors.Seal("queue", e)
	generated.Close()
	if got, err := open(dir, "").App.Cursors.Open("queue", cur); err != nil || got.ID != e.ID {
		t.Fatalf("after a restart the cursor opens as %+v, %v", got, err)
	}
	if got, err := a.App.Cursors.Open("queue", cur); err == nil {
		t.Fatalf("a stack with another secret opened %+v", got)
	}
}

// TestWorkersDeleteExpiredSessions runs the workers as every deployment
// does and finds an expired session's row deleted by their sweeper, while
// a live session still signs in.
func TestWorkersDeleteExpiredSessions(t *testing.T) {
	c := config.Default()
	c.DataDir = t.TempDir()
	s, err := Open(context.Background(), c, slog.New(slog.DiscardHandler), Options{Migrate: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	u := contest.User{Email: "sleeper@example.org", Name: "Sleeper", PasswordHash: "x"}
	if err := s.DB.CreateUser(ctx, &u); err != nil {
		t.Fatal(err)
	}
	expiredAt := time.Now().Add(-time.Hour)
	if err := s.DB.CreateSession(ctx, "expired-token-hash", u.ID, expiredAt); err != nil {
		t.Fatal(err)
	}
	if err := s.DB.CreateSession(ctx, "live-token-hash", u.ID, time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	// A second handle on the database whose clock reads before the
	// expiry: through it, a kept row would still sign in.
	old, err := db.Open(ctx, "", c.Path("tessera.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	old.SetClock(func() time.Time { return expiredAt.Add(-time.Minute) })
	if _, err := old.SessionUser(ctx, "expired-token-hash"); err != nil {
		t.Fatalf("the expired session's row is not there to begin with: %v", err)
	}
	wctx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- s.RunWorkers(wctx) }()
	defer func() {
		stop()
		if err := <-done; err != nil {
			t.Error(err)
		}
	}()
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if _, err := old.SessionUser(ctx, "expired-token-hash"); errors.Is(err, contest.ErrNotFound) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the workers' sweeper did not delete the expired session")
		}
	}
	if got, err := s.DB.SessionUser(ctx, "live-token-hash"); err != nil || got.ID != u.ID {
		t.Fatalf("the live session: %+v, %v", got, err)
	}
}

// TestMediaSettingsReachFFmpeg sets the media settings through the
// environment, as an operator does, and finds them in the commands the
// workers run: the preview size and threads in ffmpeg's arguments, the
// time limit and the pixel cap in the media handler.
func TestMediaSettingsReachFFmpeg(t *testing.T) {
	c := config.Default()
	err := c.FromEnv(func(k string) string {
		return map[string]string{
			"TESSERA_DATA_DIR":             t.TempDir(),
			"TESSERA_VIDEO_PREVIEW_HEIGHT": "720",
			"TESSERA_FFMPEG_THREADS":       "3",
			"TESSERA_TRANSCODE_TIMEOUT":    "2h",
			"TESSERA_MAX_IMAGE_PIXELS":     "40000000",
		}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	s, err := Open(t.Context(), c, slog.New(slog.DiscardHandler), Options{Migrate: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	h := s.mediaHandler()
	if h.MaxPixels != 40_000_000 || h.Video.TranscodeTimeout != 2*time.Hour {
		t.Errorf("handler pixel cap %d, transcode limit %s", h.MaxPixels, h.Video.TranscodeTimeout)
	}
	// A 4K landscape video becomes a 720p preview made with 3 threads.
	info := media.VideoInfo{Duration: time.Minute, Width: 3840, Height: 2160}
	args := strings.Join(media.TranscodeCommand(t.Context(), "in.mp4", "mov", info, "out.mp4", h.Video).Args, " ")
	for _, want := range []string{" -threads 3 ", "scale=1280:720:"} {
		if !strings.Contains(args, want) {
			t.Errorf("transcode command %q lacks %q", args, want)
		}
	}
	poster := strings.Join(media.PosterCommand(t.Context(), "in.mp4", "mov", time.Second, "out.ppm", h.Video).Args, " ")
	if !strings.Contains(poster, " -threads 3 ") {
		t.Errorf("poster command %q lacks -threads 3", poster)
	}
}
