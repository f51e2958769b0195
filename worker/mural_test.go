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
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tessera/tessera/internal/blob"
	"github.com/tessera/tessera/internal/contest"
	"github.com/tessera/tessera/internal/db"
	"github.com/tessera/tessera/internal/db/dbtest"
	"github.com/tessera/tessera/internal/testenv"
)

// needPDFTools skips without poppler and exiftool, or fails under make
// test, which installs them.
func needPDFTools(t *testing.T) {
	t.Helper()
	for _, tool := range []string{"pdfinfo", "pdftoppm", "exiftool"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("TESSERA_TEST_REQUIRE_SERVICES") == "1" {
				t.Fatalf("%s is not installed; scripts/services.sh installs it", tool)
			}
			t.Skipf("%s is not installed", tool)
		}
	}
}

// failOnceStore fails the first Put of one key, as a store that drops a
// connection mid-task, and records every key put.
type failOnceStore struct {
	blob.Store
	failKey string
	mu      sync.Mutex
	failed  bool
	puts    []string
}

func (s *failOnceStore) Put(ctx context.Context, key string, r io.Reader, size int64, ct string) error {
	s.mu.Lock()
	s.puts = append(s.puts, key)
	fail := !s.failed && strings.HasSuffix(key, s.failKey)
	s.failed = s.failed || fail
	s.mu.Unlock()
	if fail {
		return errors.New("connection reset")
	}
	return s.Store.Put(ctx, key, r, size, ct)
}

// seedMural makes a competition with a mural category and one entry.
func seedMural(t *testing.T, d *db.DB) contest.Entry {
	t.Helper()
	ctx := context.Background()
	u := contest.User{Email: "painter@example.org", Name: "Jane Entrant", PasswordHash: "x"}
	if err := d.CreateUser(ctx, &u); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	n := db.NewCompetition{
		Competition: contest.Competition{Slug: "walls", Title: "Walls", TimeZone: "UTC", OpensAt: now, ClosesAt: now.Add(time.Hour)},
		Categories:  []contest.Category{{Medium: contest.MediumMural, Name: "Mural"}},
		Round:       contest.Round{Name: "R", OpensAt: now, ClosesAt: now.Add(time.Hour)},
		Criteria:    []contest.Criterion{{Name: "c", Weight: 1, ScaleMin: 1, ScaleMax: 10}},
		OrganizerID: u.ID,
	}
	if err := d.CreateCompetition(ctx, &n); err != nil {
		t.Fatal(err)
	}
	e := contest.Entry{CompetitionID: n.Competition.ID, CategoryID: n.Categories[0].ID, EntrantID: u.ID, Title: "Birds"}
	if err := d.CreateEntry(ctx, &e, 0); err != nil {
		t.Fatal(err)
	}
	return e
}

// TestMuralPDFPagesOnRealBackends runs a three-page mural design through
// the media task on both deployment shapes: every page is stored as a
// picture under its own key, in order, with nothing from the document's
// information or XMP; a store failing mid-task is retried onto the same
// keys; a design longer than the cap is accepted with its page count.
func TestMuralPDFPagesOnRealBackends(t *testing.T) {
	needPDFTools(t)
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
			d := sh.db(t)
			blobs := &failOnceStore{Store: sh.blobs(t), failKey: "/page-3-preview.jpg"}
			entry := seedMural(t, d)
			// Pages drawn 600 px long keep the test quick; production
			// draws them at media.PDFRenderSide (the webui test does).
			h := &MediaHandler{Assets: d, Blobs: blobs, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), PDFRenderSide: 600}
			a := uploaded(t, d, blobs, entry, testenv.MuralPDF(3), "application/pdf")

			// The store fails on page 3: the task is retried and the asset
			// stays processing; the retry writes the same keys again.
			if err := h.ProcessTask(ctx, mediaTask(t, a.ID)); err == nil || !strings.Contains(err.Error(), "connection reset") {
				t.Fatalf("first run: %v, want the store's failure", err)
			}
			if got, _ := d.Asset(ctx, a.ID); got.State != contest.AssetProcessing {
				t.Fatalf("after a failed store: %s", got.State)
			}
			if err := h.ProcessTask(ctx, mediaTask(t, a.ID)); err != nil {
				t.Fatalf("retry: %v", err)
			}
			got, err := d.Asset(ctx, a.ID)
			if err != nil || got.State != contest.AssetReady {
				t.Fatalf("after the retry: %+v %v", got, err)
			}
			prefix := "entries/" + entry.ID + "/" + a.ID + "/"
			wantKeys := []string{"judge.jpg", "preview.jpg", "card.jpg", "thumb.jpg",
				"page-2.jpg", "page-2-preview.jpg", "page-2-thumb.jpg", "page-3.jpg", "page-3-preview.jpg", "page-3-thumb.jpg"}
			var keys []string
			for _, k := range blobs.puts {
				if k != a.OriginalKey {
					keys = append(keys, strings.TrimPrefix(k, prefix))
				}
			}
			slices.Sort(keys)
			keys = slices.Compact(keys)
			slices.Sort(wantKeys)
			if !slices.Equal(keys, wantKeys) {
				t.Fatalf("keys written %v\nwant %v", keys, wantKeys)
			}
			ds, err := d.Derivatives(ctx, a.ID)
			if err != nil || len(ds) != len(wantKeys) {
				t.Fatalf("%d derivatives recorded (%v), want %d", len(ds), err, len(wantKeys))
			}
			ms, err := d.AssetMedia(ctx, a.ID)
			if err != nil || ms[0].Pages != 3 {
				t.Fatalf("facts %+v %v", ms, err)
			}

			// Each page's judge copy shows that page, and nothing of the
			// document's metadata.
			dir := t.TempDir()
			var files []string
			for _, dv := range ds {
				if dv.Key != prefix+dv.Name+".jpg" {
					t.Errorf("derivative %s stored at %s", dv.Name, dv.Key)
				}
				rc, err := blobs.Open(ctx, dv.Key, 0, -1)
				if err != nil {
					t.Fatal(err)
				}
				data, err := io.ReadAll(rc)
				rc.Close()
				if err != nil {
					t.Fatal(err)
				}
				p := filepath.Join(dir, dv.Name+".jpg")
				if err := os.WriteFile(p, data, 0o600); err != nil {
					t.Fatal(err)
				}
				files = append(files, p)
				img, err := jpeg.Decode(bytes.NewReader(data))
				if err != nil {
					t.Fatalf("%s: %v", dv.Name, err)
				}
				page := 1
				switch {
				case strings.HasPrefix(dv.Name, "page-2"):
					page = 2
				case strings.HasPrefix(dv.Name, "page-3"):
					page = 3
				}
				if c := centre(img); !closeTo(c, testenv.PageColour(page)) {
					t.Errorf("%s shows %v, want page %d's colour", dv.Name, c, page)
				}
				if b := img.Bounds(); b.Dx() != dv.Width || b.Dy() != dv.Height {
					t.Errorf("%s is %d×%d, recorded %d×%d", dv.Name, b.Dx(), b.Dy(), dv.Width, dv.Height)
				}
			}
			out, err := exec.Command("exiftool", append([]string{"-j", "-a", "-G1", "--System:all"}, files...)...).Output()
			if err != nil {
				t.Fatal(err)
			}
			var tags []map[string]any
			if err := json.Unmarshal(out, &tags); err != nil {
				t.Fatal(err)
			}
			for i, tg := range tags {
				for k, v := range tg {
					_, tag, _ := strings.Cut(k, ":")
					if tag == "Author" || tag == "Title" || tag == "Creator" || tag == "Producer" || strings.Contains(k, "XMP") || strings.Contains(k, "PDF") {
						t.Errorf("%s keeps %s = %v", filepath.Base(files[i]), k, v)
					}
				}
				if js, _ := json.Marshal(tg); strings.Contains(string(js), "Secret") || strings.Contains(string(js), "Jane") {
					t.Errorf("%s carries the document's metadata: %s", filepath.Base(files[i]), js)
				}
			}

			// Longer than the cap: accepted, the first pages drawn, the
			// page count recorded.
			h.MuralPages = 2
			long := uploaded(t, d, blobs, entry, testenv.MuralPDF(5), "application/pdf")
			if err := h.ProcessTask(ctx, mediaTask(t, long.ID)); err != nil {
				t.Fatalf("a 5-page design over a cap of 2: %v", err)
			}
			ds, _ = d.Derivatives(ctx, long.ID)
			ms, _ = d.AssetMedia(ctx, long.ID)
			if got, _ := d.Asset(ctx, long.ID); got.State != contest.AssetReady || len(ds) != 4+3 || ms[0].Pages != 5 {
				t.Fatalf("over the cap: %s, %d derivatives, %d pages", got.State, len(ds), ms[0].Pages)
			}
		})
	}
}

func centre(img image.Image) [3]uint8 {
	b := img.Bounds()
	r, g, bl, _ := img.At(b.Min.X+b.Dx()/2, b.Min.Y+b.Dy()/2).RGBA()
	return [3]uint8{uint8(r >> 8), uint8(g >> 8), uint8(bl >> 8)}
}

func closeTo(c [3]uint8, want interface{ RGBA() (r, g, b, a uint32) }) bool {
	r, g, b, _ := want.RGBA()
	w := [3]uint8{uint8(r >> 8), uint8(g >> 8), uint8(b >> 8)}
	for i := range c {
		if diff := int(c[i]) - int(w[i]); diff > 24 || diff < -24 {
			return false
		}
	}
	return true
}
