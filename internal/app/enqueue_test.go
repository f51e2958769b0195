package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"image"
	"image/jpeg"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/tessera/tessera/internal/app"
	"github.com/tessera/tessera/internal/blob"
	"github.com/tessera/tessera/internal/contest"
	"github.com/tessera/tessera/internal/db"
	"github.com/tessera/tessera/internal/db/dbtest"
)

// downQueue refuses every task, as a queue whose Redis is unreachable does.
type downQueue struct{ tried int }

func (q *downQueue) Enqueue(context.Context, *asynq.Task) error {
	q.tried++
	return errors.New("dial tcp 127.0.0.1:6379: connect: connection refused")
}

// TestUploadWhenQueueIsDown checks that an upload still succeeds when the
// queue refuses its processing task: the asset stays pending for the
// sweeper, and the failure is logged once as a warning naming the asset.
func TestUploadWhenQueueIsDown(t *testing.T) {
	ctx := context.Background()
	d := dbtest.SQLite(t)
	ent := contest.User{Email: "kofi@example.org", Name: "Kofi", PasswordHash: "x"}
	if err := d.CreateUser(ctx, &ent); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	n := db.NewCompetition{
		Competition: contest.Competition{Slug: "queue-down", Title: "Queue Down", TimeZone: "UTC", OpensAt: now.Add(-time.Hour), ClosesAt: now.Add(time.Hour)},
		Categories:  []contest.Category{{Medium: contest.MediumPhoto, Name: "Photos"}},
		Round:       contest.Round{Name: "R", OpensAt: now.Add(-time.Hour), ClosesAt: now.Add(2 * time.Hour)},
		Criteria:    []contest.Criterion{{Name: "C", Weight: 1, ScaleMin: 1, ScaleMax: 5}},
		OrganizerID: ent.ID,
	}
	if err := d.CreateCompetition(ctx, &n); err != nil {
		t.Fatal(err)
	}
	e := contest.Entry{CompetitionID: n.Competition.ID, CategoryID: n.Categories[0].ID, EntrantID: ent.ID, Title: "Indigo"}
	if err := d.CreateEntry(ctx, &e, 0); err != nil {
		t.Fatal(err)
	}
	store, err := blob.NewLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	q := &downQueue{}
	a := app.New(d, store, blob.NewSigner([]byte("enqueue-test-secret-0123456789abcdef"), "/files"), nil, q, nil, 8<<20,
		slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})))

	var pic bytes.Buffer
	if err := jpeg.Encode(&pic, image.NewRGBA(image.Rect(0, 0, 32, 32)), nil); err != nil {
		t.Fatal(err)
	}
	acc := app.Access{User: &ent, Competition: n.Competition, Roles: []contest.Role{contest.RoleEntrant}}
	asset, err := a.Upload(ctx, acc, app.UploadInput{EntryID: e.ID, FileName: "indigo.jpg", Size: int64(pic.Len()), Body: &pic})
	if err != nil {
		t.Fatalf("the upload must succeed while the queue is down: %v", err)
	}
	if q.tried != 1 {
		t.Errorf("enqueue tried %d times, want 1", q.tried)
	}
	as, err := d.Assets(ctx, e.ID)
	if err != nil || len(as) != 1 || as[0].ID != asset.ID || as[0].State != contest.AssetPending {
		t.Fatalf("the asset must be kept pending for the sweeper: %+v, %v", as, err)
	}

	if logs.Len() == 0 {
		t.Fatal("the refused task was not logged")
	}
	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	if len(lines) != 1 {
		t.Fatalf("want one log line, got %d:\n%s", len(lines), logs.String())
	}
	var rec map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &rec); err != nil {
		t.Fatal(err)
	}
	if rec["level"] != "WARN" || rec["asset"] != asset.ID || !strings.Contains(rec["msg"].(string), "sweeper") || !strings.Contains(rec["err"].(string), "connection refused") {
		t.Errorf("log record: %v", rec)
	}
}
