package worker

import (
	"bytes"
	"context"
	"errors"
	"image/jpeg"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/tessera/tessera/internal/blob"
	"github.com/tessera/tessera/internal/contest"
	"github.com/tessera/tessera/internal/db"
	"github.com/tessera/tessera/internal/db/dbtest"
	"github.com/tessera/tessera/internal/testenv"
	"github.com/tessera/tessera/worker/tasks"
)

// TestMediaOnRealBackends runs the media task against the real database and
// object store of each deployment shape: SQLite with the local store, and
// PostgreSQL with S3 (MinIO under make test).
func TestMediaOnRealBackends(t *testing.T) {
	shapes := []struct {
		name  string
		db    func(t *testing.T) *db.DB
		blobs func(t *testing.T) blob.Store
	}{
		{"embedded", func(t *testing.T) *db.DB { return dbtest.SQLite(t) }, func(t *testing.T) blob.Store {
			s, err := blob.NewLocal(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			return s
		}},
		{"real", func(t *testing.T) *db.DB { return dbtest.Postgres(t) }, func(t *testing.T) blob.Store {
			c := testenv.S3Config(t)
			s, err := blob.NewS3(t.Context(), blob.S3Config{Endpoint: c.Endpoint, AccessKey: c.AccessKey, SecretKey: c.SecretKey, Bucket: c.Bucket})
			if err != nil {
				t.Fatal(err)
			}
			return s
		}},
	}
	for _, sh := range shapes {
		t.Run(sh.name, func(t *testing.T) {
			ctx := context.Background()
			d, blobs := sh.db(t), sh.blobs(t)
			entry := seedEntry(t, d)
			h := &MediaHandler{Assets: d, Blobs: blobs, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}

			photo := gradientJPEG(t, 1200, 800)
			a := uploaded(t, d, blobs, entry, photo, "image/jpeg")
			if err := h.ProcessTask(ctx, mediaTask(t, a.ID)); err != nil {
				t.Fatalf("process: %v", err)
			}
			got, err := d.Asset(ctx, a.ID)
			if err != nil || got.State != contest.AssetReady || got.Width != 1200 || got.Height != 800 {
				t.Fatalf("asset after processing = %+v, %v", got, err)
			}
			ds, err := d.Derivatives(ctx, a.ID)
			if err != nil || len(ds) != 4 {
				t.Fatalf("derivatives = %+v, %v", ds, err)
			}
			widths := map[string]int{}
			for _, dv := range ds {
				rc, err := blobs.Open(ctx, dv.Key, 0, -1)
				if err != nil {
					t.Fatalf("open %s: %v", dv.Key, err)
				}
				cfg, err := jpeg.DecodeConfig(rc)
				rc.Close()
				if err != nil {
					t.Fatalf("derivative %s is not a JPEG: %v", dv.Name, err)
				}
				if cfg.Width != dv.Width {
					t.Errorf("%s: stored width %d, recorded %d", dv.Name, cfg.Width, dv.Width)
				}
				if strings.Contains(dv.Key, entry.EntrantID) {
					t.Errorf("derivative key %q names the entrant", dv.Key)
				}
				widths[dv.Name] = cfg.Width
			}
			if widths["thumb"] != 320 || widths["card"] != 800 || widths["preview"] != 1200 || widths["judge"] != 1200 {
				t.Fatalf("derivative widths = %v, want thumb 320, card 800, preview 1200 (never enlarged), judge 1200", widths)
			}

			// A second delivery of the same task changes nothing.
			if err := h.ProcessTask(ctx, mediaTask(t, a.ID)); err != nil {
				t.Fatalf("second run: %v", err)
			}
			again, _ := d.Asset(ctx, a.ID)
			if again.Attempts != got.Attempts || again.State != contest.AssetReady {
				t.Fatalf("second run touched the asset: %+v", again)
			}

			// A corrupt file fails at once with a reason, without retry.
			bad := uploaded(t, d, blobs, entry, photo[:len(photo)/3], "image/jpeg")
			err = h.ProcessTask(ctx, mediaTask(t, bad.ID))
			if err == nil {
				t.Fatal("a truncated JPEG must fail")
			}
			failed, _ := d.Asset(ctx, bad.ID)
			if failed.State != contest.AssetFailed || failed.FailReason == "" {
				t.Fatalf("truncated JPEG: %+v", failed)
			}

			// A worker that dies mid-task leaves the asset processing; the
			// sweeper picks it up again once it is stale, and it then completes.
			lost := uploaded(t, d, blobs, entry, photo, "image/jpeg")
			if ok, err := d.StartProcessing(ctx, lost.ID); !ok || err != nil {
				t.Fatalf("start: %v %v", ok, err)
			}
			var requeued []string
			sw := &Sweeper{Assets: d, StaleAfter: time.Minute, Now: func() time.Time { return time.Now().Add(2 * time.Minute) },
				Enqueue: func(ctx context.Context, task *asynq.Task) error {
					p, err := tasks.ParseMediaProcess(task)
					requeued = append(requeued, p.AssetID)
					return err
				}}
			if _, err := sw.SweepOnce(ctx); err != nil {
				t.Fatal(err)
			}
			if len(requeued) != 1 || requeued[0] != lost.ID {
				t.Fatalf("sweeper re-enqueued %v, want [%s]", requeued, lost.ID)
			}
			if err := h.ProcessTask(ctx, mediaTask(t, lost.ID)); err != nil {
				t.Fatal(err)
			}
			if done, _ := d.Asset(ctx, lost.ID); done.State != contest.AssetReady {
				t.Fatalf("re-processed asset = %+v", done)
			}
		})
	}
}

func seedEntry(t *testing.T, d *db.DB) contest.Entry {
	t.Helper()
	ctx := context.Background()
	u := contest.User{Email: "maker@example.org", Name: "Maker", PasswordHash: "x"}
	if err := d.CreateUser(ctx, &u); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	n := db.NewCompetition{
		Competition: contest.Competition{Slug: "c", Title: "C", TimeZone: "UTC", OpensAt: now, ClosesAt: now.Add(time.Hour)},
		Categories:  []contest.Category{{Medium: contest.MediumPhoto, Name: "Photo"}},
		Round:       contest.Round{Name: "R", OpensAt: now, ClosesAt: now.Add(time.Hour)},
		Criteria:    []contest.Criterion{{Name: "c", Weight: 1, ScaleMin: 1, ScaleMax: 10}},
		OrganizerID: u.ID,
	}
	if err := d.CreateCompetition(ctx, &n); err != nil {
		t.Fatal(err)
	}
	e := contest.Entry{CompetitionID: n.Competition.ID, CategoryID: n.Categories[0].ID, EntrantID: u.ID, Title: "T"}
	if err := d.CreateEntry(ctx, &e, 0); err != nil {
		t.Fatal(err)
	}
	return e
}

func uploaded(t *testing.T, d *db.DB, blobs blob.Store, e contest.Entry, data []byte, ct string) contest.Asset {
	t.Helper()
	ctx := context.Background()
	a := contest.Asset{ID: db.NewID(), EntryID: e.ID, FileName: "f.jpg", ContentType: ct, Size: int64(len(data))}
	a.OriginalKey = "entries/" + e.ID + "/" + a.ID + "/original"
	if err := d.CreateAsset(ctx, &a); err != nil {
		t.Fatal(err)
	}
	if err := blobs.Put(ctx, a.OriginalKey, bytes.NewReader(data), int64(len(data)), ct); err != nil {
		t.Fatal(err)
	}
	if err := d.MarkUploaded(ctx, a.ID, int64(len(data)), ct); err != nil {
		t.Fatal(err)
	}
	return a
}

// TestVideoAndEssayOnRealBackends runs a video (probe and poster, then the
// transcode task) and an essay through the handler on both deployment
// shapes, with the category limits read from the database.
func TestVideoAndEssayOnRealBackends(t *testing.T) {
	clip := testVideo(t, "1.5")
	shapes := map[string]struct {
		db    func(t *testing.T) *db.DB
		blobs func(t *testing.T) blob.Store
	}{
		"embedded": {func(t *testing.T) *db.DB { return dbtest.SQLite(t) }, func(t *testing.T) blob.Store {
			s, err := blob.NewLocal(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			return s
		}},
		"real": {func(t *testing.T) *db.DB { return dbtest.Postgres(t) }, func(t *testing.T) blob.Store {
			c := testenv.S3Config(t)
			s, err := blob.NewS3(t.Context(), blob.S3Config{Endpoint: c.Endpoint, AccessKey: c.AccessKey, SecretKey: c.SecretKey, Bucket: c.Bucket})
			if err != nil {
				t.Fatal(err)
			}
			return s
		}},
	}
	for name, sh := range shapes {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			d, blobs := sh.db(t), sh.blobs(t)
			u := contest.User{Email: "v@example.org", Name: "V", PasswordHash: "x"}
			if err := d.CreateUser(ctx, &u); err != nil {
				t.Fatal(err)
			}
			now := time.Now()
			n := db.NewCompetition{
				Competition: contest.Competition{Slug: "v", Title: "V", TimeZone: "UTC", OpensAt: now, ClosesAt: now.Add(time.Hour)},
				Categories:  []contest.Category{{Medium: contest.MediumVideo, Name: "Film"}, {Medium: contest.MediumEssay, Name: "Essay"}},
				Round:       contest.Round{Name: "R", OpensAt: now, ClosesAt: now.Add(time.Hour)},
				Criteria:    []contest.Criterion{{Name: "c", Weight: 1, ScaleMin: 1, ScaleMax: 10}},
				OrganizerID: u.ID,
			}
			if err := d.CreateCompetition(ctx, &n); err != nil {
				t.Fatal(err)
			}
			if err := d.SetCategoryMediaLimits(ctx, n.Categories[0].ID, db.MediaLimits{MaxDurationSeconds: 60}); err != nil {
				t.Fatal(err)
			}
			if err := d.SetCategoryMediaLimits(ctx, n.Categories[1].ID, db.MediaLimits{MinWords: 3, MaxWords: 50}); err != nil {
				t.Fatal(err)
			}
			entry := func(cat int) contest.Entry {
				e := contest.Entry{CompetitionID: n.Competition.ID, CategoryID: n.Categories[cat].ID, EntrantID: u.ID, Title: "Work"}
				if err := d.CreateEntry(ctx, &e, 0); err != nil {
					t.Fatal(err)
				}
				return e
			}
			var queued []*asynq.Task
			h := &MediaHandler{Assets: d, Blobs: blobs, Enqueue: func(_ context.Context, task *asynq.Task) error {
				queued = append(queued, task)
				return nil
			}}

			video := uploaded(t, d, blobs, entry(0), clip, "video/mp4")
			if err := h.ProcessTask(ctx, mediaTask(t, video.ID)); err != nil {
				t.Fatal(err)
			}
			if a, _ := d.Asset(ctx, video.ID); a.State != contest.AssetProcessing || len(queued) != 1 {
				t.Fatalf("after probe: %+v, queued %d", a, len(queued))
			}
			if err := h.ProcessTranscode(ctx, queued[0]); err != nil {
				t.Fatal(err)
			}
			a, _ := d.Asset(ctx, video.ID)
			ms, _ := d.AssetMedia(ctx, video.ID)
			ds, _ := d.Derivatives(ctx, video.ID)
			names := map[string]contest.Derivative{}
			for _, dv := range ds {
				names[dv.Name] = dv
			}
			if a.State != contest.AssetReady || ms[0].Progress != 100 || ms[0].DurationMS < 1400 || ms[0].VideoCodec != "h264" || len(ds) != 4 {
				t.Fatalf("video: %+v %+v %+v", a, ms, ds)
			}
			info, err := blobs.Stat(ctx, names["video"].Key)
			if err != nil || info.ContentType != "video/mp4" || info.Size != names["video"].Size {
				t.Fatalf("video preview stored as %+v, %v", info, err)
			}

			essay := uploaded(t, d, blobs, entry(1), []byte("Four words of essay."), "text/plain; charset=utf-8")
			if err := h.ProcessTask(ctx, mediaTask(t, essay.ID)); err != nil {
				t.Fatal(err)
			}
			ms, _ = d.AssetMedia(ctx, essay.ID)
			if a, _ := d.Asset(ctx, essay.ID); a.State != contest.AssetReady || ms[0].WordCount != 4 {
				t.Fatalf("essay: %+v %+v", a, ms)
			}
			short := uploaded(t, d, blobs, entry(1), []byte("Two words"), "text/plain; charset=utf-8")
			if err := h.ProcessTask(ctx, mediaTask(t, short.ID)); !errors.Is(err, asynq.SkipRetry) {
				t.Fatalf("short essay: %v", err)
			}
			if a, _ := d.Asset(ctx, short.ID); a.State != contest.AssetFailed || a.FailReason != "This essay has 2 words; this category asks for at least 3." {
				t.Fatalf("short essay: %+v", a)
			}
		})
	}
}
