package webui_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/jpeg"
	"net/http"
	"testing"
	"time"

	"github.com/tessera/tessera/internal/contest"
	"github.com/tessera/tessera/internal/db"
)

// mediaAsset makes an asset of entry that has been uploaded and has started
// processing (the workers are not running in this test).
func mediaAsset(t *testing.T, s *stack, entryID, name, ct string) string {
	t.Helper()
	ctx := context.Background()
	a := contest.Asset{EntryID: entryID, FileName: name, ContentType: ct, OriginalKey: "entries/" + entryID + "/" + name}
	if err := s.db.CreateAsset(ctx, &a); err != nil {
		t.Fatal(err)
	}
	if err := s.db.MarkUploaded(ctx, a.ID, 10, ct); err != nil {
		t.Fatal(err)
	}
	if ok, err := s.db.StartProcessing(ctx, a.ID); err != nil || !ok {
		t.Fatalf("start processing: %v %v", ok, err)
	}
	return a.ID
}

// TestMediaOnEntryPage shows a video's preview progress to its entrant
// while it is made, then a player; an essay gets a link to its reader page
// (TestEssayReader reads it); the judge's review page plays the video.
func TestMediaOnEntryPage(t *testing.T) {
	s := newStack(t, false)
	ctx := context.Background()
	org := s.organizer("olga@example.org")
	want(t, org.post("/new", competitionForm("Moving Hands")), http.StatusOK)
	comp, err := s.db.CompetitionBySlug(ctx, "moving-hands")
	if err != nil {
		t.Fatal(err)
	}
	cats, _ := s.db.Categories(ctx, comp.ID)
	byMedium := map[contest.Medium]string{}
	for _, c := range cats {
		byMedium[c.Medium] = c.ID
	}
	ent := s.browser()
	want(t, ent.signUp("Amina Wanjiru", "amina@example.org", "entrant-pass-1", "/"), http.StatusOK)
	u, err := s.db.UserByEmail(ctx, "amina@example.org")
	if err != nil {
		t.Fatal(err)
	}
	mk := func(m contest.Medium, title string) string {
		e := contest.Entry{CompetitionID: comp.ID, CategoryID: byMedium[m], EntrantID: u.ID, Title: title, Consent: true}
		if err := s.db.CreateEntry(ctx, &e, 0); err != nil {
			t.Fatal(err)
		}
		return e.ID
	}
	videoEntry, essayEntry := mk(contest.MediumVideo, "Dance of looms"), mk(contest.MediumEssay, "Threads")
	video := mediaAsset(t, s, videoEntry, "dance.mp4", "video/mp4")
	essay := mediaAsset(t, s, essayEntry, "threads.txt", "text/plain")

	// The poster is made; the preview is 42 % done.
	key := func(a, n string) string { return "entries/x/" + a + "/" + n }
	poster := []contest.Derivative{
		{Name: "thumb", Key: key(video, "thumb.jpg"), ContentType: "image/jpeg", Width: 320, Height: 180},
		{Name: "preview", Key: key(video, "preview.jpg"), ContentType: "image/jpeg", Width: 1280, Height: 720},
	}
	if err := s.db.SaveMediaFacts(ctx, video, db.MediaFacts{Width: 1280, Height: 720, DurationMS: 2000, PHash: "8f8f0f0f0f0f0f0f"}, poster); err != nil {
		t.Fatal(err)
	}
	if ok, err := s.db.SetProgress(ctx, video, 42); err != nil || !ok {
		t.Fatalf("set progress: %v %v", ok, err)
	}
	vpath := "/c/moving-hands/entries/" + videoEntry
	p := ent.get(vpath)
	want(t, p, http.StatusOK, "Preparing the video preview: 42 %", `<progress max="100" value="42">`)
	lacks(t, p, "<video")
	want(t, ent.get(vpath+"?lang=fr"), http.StatusOK, "Préparation de l&#39;aperçu vidéo : 42 %")
	want(t, ent.get(vpath+"?lang=en"), http.StatusOK, "Preparing the video preview: 42 %")
	want(t, org.get(vpath), http.StatusOK, "Preparing the video preview: 42 %")

	// Done: a player, no progress.
	if err := s.db.FinishMedia(ctx, video, nil, []contest.Derivative{{Name: "video", Key: key(video, "video.mp4"), ContentType: "video/mp4"}}); err != nil {
		t.Fatal(err)
	}
	p = ent.get(vpath)
	want(t, p, http.StatusOK, "<video controls", "video.mp4")
	lacks(t, p, "Preparing the video preview")

	if err := s.db.FinishMedia(ctx, essay, &db.MediaFacts{WordCount: 12}, []contest.Derivative{
		{Name: "text", Key: key(essay, "text.txt"), ContentType: "text/plain; charset=utf-8"},
		{Name: "thumb", Key: key(essay, "thumb.jpg"), ContentType: "image/jpeg", Width: 226, Height: 320},
	}); err != nil {
		t.Fatal(err)
	}
	epath := "/c/moving-hands/entries/" + essayEntry
	p = ent.get(epath)
	want(t, p, http.StatusOK, `href="/c/moving-hands/entries/`+essayEntry+`/essay">Read the essay</a> · 12 words`)
	lacks(t, p, "Preparing the video preview")

	// A judge reviews the video once submitted: the player.
	if err := s.db.SubmitEntry(ctx, videoEntry, u.ID); err != nil {
		t.Fatal(err)
	}
	judge := s.browser()
	want(t, judge.signUp("Jo Judge", "jo@example.org", "judge-pass-123", "/"), http.StatusOK)
	ju, err := s.db.UserByEmail(ctx, "jo@example.org")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.db.AddMember(ctx, comp.ID, ju.ID, contest.RoleJudge); err != nil {
		t.Fatal(err)
	}
	rounds := org.get("/c/moving-hands/rounds")
	roundID := find(t, rounds, `/c/moving-hands/rounds/([a-z0-9]+)/results`)
	base := "/c/moving-hands/rounds/" + roundID
	want(t, org.post(base+"/assign", nil), http.StatusOK, "Entries assigned.")
	rv := judge.get(base + "/review/" + videoEntry)
	want(t, rv, http.StatusOK, "<video controls", "video.mp4")
	lacks(t, rv, "Amina Wanjiru", "dance.mp4", "Preparing the video preview")
}

// TestDuplicatesPage: the same photo in two entries shows up as a pair on
// the organizer's look-alike page, linked from the competition page.
func TestDuplicatesPage(t *testing.T) {
	s := newStack(t, true)
	ctx := context.Background()
	org := s.organizer("olga@example.org")
	want(t, org.post("/new", competitionForm("Twin Looms")), http.StatusOK)
	comp, err := s.db.CompetitionBySlug(ctx, "twin-looms")
	if err != nil {
		t.Fatal(err)
	}
	want(t, org.get("/c/twin-looms"), http.StatusOK, `href="/c/twin-looms/duplicates"`)
	want(t, org.get("/c/twin-looms/duplicates"), http.StatusOK, "No two entries look alike.")

	cats, _ := s.db.Categories(ctx, comp.ID)
	var photo string
	for _, c := range cats {
		if c.Medium == contest.MediumPhoto {
			photo = c.ID
		}
	}
	ent := s.browser()
	want(t, ent.signUp("Amina Wanjiru", "amina@example.org", "entrant-pass-1", "/"), http.StatusOK)
	u, err := s.db.UserByEmail(ctx, "amina@example.org")
	if err != nil {
		t.Fatal(err)
	}
	jpg := texturedJPEG(t, 400, 300)
	var entries []string
	for _, title := range []string{"First weave", "Second weave"} {
		e := contest.Entry{CompetitionID: comp.ID, CategoryID: photo, EntrantID: u.ID, Title: title, Consent: true}
		if err := s.db.CreateEntry(ctx, &e, 0); err != nil {
			t.Fatal(err)
		}
		want(t, ent.upload("/c/twin-looms/entries/"+e.ID+"/upload", "weave.jpg", jpg), http.StatusOK)
		entries = append(entries, e.ID)
	}
	deadline := time.Now().Add(15 * time.Second)
	for _, id := range entries {
		for {
			as, err := s.db.Assets(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if len(as) == 1 && as[0].State == contest.AssetReady {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("entry %s not processed: %+v", id, as)
			}
			time.Sleep(25 * time.Millisecond)
		}
	}
	p := org.get("/c/twin-looms/duplicates")
	want(t, p, http.StatusOK, "Look-alike entries", "First weave", "Second weave", "Identical pictures", "Amina Wanjiru",
		`href="/c/twin-looms/entries/`+entries[0]+`"`, `href="/c/twin-looms/entries/`+entries[1]+`"`, "thumb.jpg")
	want(t, org.get("/c/twin-looms/duplicates?lang=fr"), http.StatusOK, "Images identiques")
	if p := ent.get("/c/twin-looms/duplicates"); p.Status != http.StatusForbidden {
		t.Fatalf("entrant opens the duplicates page: %d", p.Status)
	}
}

// texturedJPEG is a picture with blocks and texture, whose perceptual hash
// is not blank (a smooth gradient's is, and blank hashes are never paired).
func texturedJPEG(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{R: uint8((x/57 + y/43) % 2 * 200), G: uint8(x * 255 / w), B: uint8((x ^ y) & 0xff), A: 255})
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 85}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
