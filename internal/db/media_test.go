package db_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/tessera/tessera/internal/contest"
	"github.com/tessera/tessera/internal/db"
	"github.com/tessera/tessera/internal/db/dbtest"
)

// mediaAsset makes a processing asset in a new entry of category cat.
func mediaAsset(t *testing.T, d *db.DB, compID, catID, entrantID, title string) contest.Asset {
	t.Helper()
	ctx := context.Background()
	e := contest.Entry{CompetitionID: compID, CategoryID: catID, EntrantID: entrantID, Title: title}
	if err := d.CreateEntry(ctx, &e, 0); err != nil {
		t.Fatal(err)
	}
	a := contest.Asset{EntryID: e.ID, FileName: "f", ContentType: "image/jpeg", Size: 1, OriginalKey: "entries/" + e.ID + "/x/original"}
	if err := d.CreateAsset(ctx, &a); err != nil {
		t.Fatal(err)
	}
	if err := d.MarkUploaded(ctx, a.ID, 1, "image/jpeg"); err != nil {
		t.Fatal(err)
	}
	if ok, err := d.StartProcessing(ctx, a.ID); !ok || err != nil {
		t.Fatalf("start: %v %v", ok, err)
	}
	return a
}

func TestMediaStore(t *testing.T) {
	dbtest.Backends(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		org, n := seed(t, d)
		photos, essays := n.Categories[0], n.Categories[1]

		// Category limits.
		if err := d.SetCategoryMediaLimits(ctx, essays.ID, db.MediaLimits{MinWords: 100, MaxWords: 2000}); err != nil {
			t.Fatal(err)
		}
		var fe *contest.FieldError
		if err := d.SetCategoryMediaLimits(ctx, essays.ID, db.MediaLimits{MinWords: 300, MaxWords: 200}); !errors.As(err, &fe) {
			t.Errorf("min above max: %v", err)
		}
		if err := d.SetCategoryMediaLimits(ctx, "nope", db.MediaLimits{}); !errors.Is(err, contest.ErrNotFound) {
			t.Errorf("unknown category: %v", err)
		}
		if l, err := d.CategoryMediaLimits(ctx, essays.ID); err != nil || l != (db.MediaLimits{MinWords: 100, MaxWords: 2000}) {
			t.Errorf("limits %+v %v", l, err)
		}

		essay := mediaAsset(t, d, n.Competition.ID, essays.ID, org.ID, "On light")
		r, err := d.MediaRules(ctx, essay.ID)
		if err != nil || r.Medium != contest.MediumEssay || r.Title != "On light" || r.MinWords != 100 || r.MaxWords != 2000 || r.CompetitionID != n.Competition.ID || r.EntryID != essay.EntryID {
			t.Fatalf("rules %+v %v", r, err)
		}
		if _, err := d.MediaRules(ctx, "nope"); !errors.Is(err, contest.ErrNotFound) {
			t.Errorf("rules of unknown asset: %v", err)
		}

		// A video-like life: facts first, progress, then ready.
		video := mediaAsset(t, d, n.Competition.ID, photos.ID, org.ID, "Clip")
		facts := db.MediaFacts{Width: 1080, Height: 1920, DurationMS: 61_500, PHash: "0f0f0f0f0f0f0f0f", VideoCodec: "hevc", AudioCodec: "aac", Rotation: 90}
		poster := []contest.Derivative{{Name: "thumb", Key: "k/thumb.jpg", ContentType: "image/jpeg", Width: 180, Height: 320, Size: 10}}
		if err := d.SaveMediaFacts(ctx, video.ID, facts, poster); err != nil {
			t.Fatal(err)
		}
		if ok, err := d.SetProgress(ctx, video.ID, 42); !ok || err != nil {
			t.Fatalf("progress: %v %v", ok, err)
		}
		ms, err := d.AssetMedia(ctx, video.ID, "nope", essay.ID)
		if err != nil || len(ms) != 2 || ms[0].AssetID != video.ID || ms[0].Progress != 42 || ms[0].MediaFacts != facts {
			t.Fatalf("asset media %+v %v", ms, err)
		}
		mp4 := []contest.Derivative{{Name: "video", Key: "k/video.mp4", ContentType: "video/mp4", Width: 1080, Height: 1920, Size: 99}}
		if err := d.FinishMedia(ctx, video.ID, nil, mp4); err != nil {
			t.Fatal(err)
		}
		a, _ := d.Asset(ctx, video.ID)
		ds, _ := d.Derivatives(ctx, video.ID)
		ms, _ = d.AssetMedia(ctx, video.ID)
		if a.State != contest.AssetReady || a.Width != 1080 || len(ds) != 2 || ms[0].Progress != 100 || ms[0].DurationMS != 61_500 {
			t.Fatalf("after finish: %+v %+v %+v", a, ds, ms)
		}
		// Once ready, nothing more is written.
		if ok, _ := d.SetProgress(ctx, video.ID, 5); ok {
			t.Error("progress written on a ready asset")
		}
		if err := d.FinishMedia(ctx, video.ID, nil, nil); !errors.Is(err, contest.ErrConflict) {
			t.Errorf("second finish: %v", err)
		}
		if err := d.SaveMediaFacts(ctx, video.ID, facts, nil); !errors.Is(err, contest.ErrConflict) {
			t.Errorf("facts after ready: %v", err)
		}

		// An essay finishes in one step with its word count.
		if err := d.FinishMedia(ctx, essay.ID, &db.MediaFacts{WordCount: 1234}, []contest.Derivative{{Name: "text", Key: "k/text.txt", ContentType: "text/plain; charset=utf-8", Size: 7000}}); err != nil {
			t.Fatal(err)
		}
		if ms, _ := d.AssetMedia(ctx, essay.ID); ms[0].WordCount != 1234 {
			t.Errorf("word count %+v", ms)
		}
	})
}

func TestDuplicateCandidates(t *testing.T) {
	dbtest.Backends(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		org, n := seed(t, d)
		cat := n.Categories[1].ID // no entry limit
		mk := func(hash string) contest.Asset {
			a := mediaAsset(t, d, n.Competition.ID, cat, org.ID, "T")
			if err := d.FinishMedia(ctx, a.ID, &db.MediaFacts{PHash: hash}, nil); err != nil {
				t.Fatal(err)
			}
			return a
		}
		a := mk("f0f0f0f0f0f0f0f0")
		b := mk("f0f0f0f0f0f0f0f1") // 1 bit from a
		c := mk("f0f0f0f0f0f0f0ff") // 4 bits from a, 3 from b
		mk("0f0f0f0f0f0f0f0f")      // far from all
		mk("0000000000000000")      // featureless: ignored
		mk("0000000000000000")
		mk("") // no hash

		// Another competition's identical picture is not a candidate.
		now := time.Now()
		other := db.NewCompetition{
			Competition: contest.Competition{Slug: "c2", Title: "C2", TimeZone: "UTC", OpensAt: now, ClosesAt: now.Add(time.Hour)},
			Categories:  []contest.Category{{Medium: contest.MediumPhoto, Name: "P"}},
			Round:       contest.Round{Name: "R", OpensAt: now, ClosesAt: now.Add(time.Hour)},
			Criteria:    []contest.Criterion{{Name: "c", Weight: 1, ScaleMin: 1, ScaleMax: 10}},
			OrganizerID: org.ID,
		}
		if err := d.CreateCompetition(ctx, &other); err != nil {
			t.Fatal(err)
		}
		x := mediaAsset(t, d, other.Competition.ID, other.Categories[0].ID, org.ID, "X")
		if err := d.FinishMedia(ctx, x.ID, &db.MediaFacts{PHash: "f0f0f0f0f0f0f0f0"}, nil); err != nil {
			t.Fatal(err)
		}

		got, err := d.DuplicateCandidates(ctx, n.Competition.ID, 10)
		if err != nil {
			t.Fatal(err)
		}
		type pair struct {
			x, y string
			d    int
		}
		norm := func(p db.DuplicatePair) pair {
			if p.AssetA > p.AssetB {
				p.AssetA, p.AssetB = p.AssetB, p.AssetA
			}
			return pair{p.AssetA, p.AssetB, p.Distance}
		}
		want := []pair{norm(db.DuplicatePair{AssetA: a.ID, AssetB: b.ID, Distance: 1})}
		want = append(want, norm(db.DuplicatePair{AssetA: b.ID, AssetB: c.ID, Distance: 3}), norm(db.DuplicatePair{AssetA: a.ID, AssetB: c.ID, Distance: 4}))
		if len(got) != len(want) {
			t.Fatalf("pairs %+v, want %+v", got, want)
		}
		for i := range got {
			if norm(got[i]) != want[i] || got[i].EntryA == got[i].EntryB {
				t.Errorf("pair %d = %+v, want %+v", i, got[i], want[i])
			}
		}
		if got, _ := d.DuplicateCandidates(ctx, n.Competition.ID, 2); len(got) != 1 {
			t.Errorf("distance 2: %+v", got)
		}
	})
}
