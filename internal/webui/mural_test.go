package webui_test

import (
	"bytes"
	"context"
	"fmt"
	"html"
	"image/jpeg"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tessera/tessera/internal/contest"
	"github.com/tessera/tessera/internal/db"
	"github.com/tessera/tessera/internal/testenv"
)

// TestMuralPDFPages uploads a three-page mural design, lets the real media
// worker draw it, and opens it as each person: the judge's review page
// shows every page in the PDF's order, each zoomable into its own judge
// copy, with nothing naming the entrant; the entrant's entry page lists
// the pages. A design longer than the pages drawn says so.
func TestMuralPDFPages(t *testing.T) {
	for _, tool := range []string{"pdfinfo", "pdftoppm"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("TESSERA_TEST_REQUIRE_SERVICES") == "1" {
				t.Fatalf("%s is not installed; scripts/services.sh installs it", tool)
			}
			t.Skipf("%s is not installed", tool)
		}
	}
	s := newStack(t, true)
	ctx := context.Background()
	org := s.organizer("olga@example.org")
	want(t, org.post("/new", competitionForm("Painted Walls")), http.StatusOK)
	comp, err := s.db.CompetitionBySlug(ctx, "painted-walls")
	if err != nil {
		t.Fatal(err)
	}
	cats, err := s.db.Categories(ctx, comp.ID)
	if err != nil {
		t.Fatal(err)
	}
	var mural string
	for _, c := range cats {
		if c.Medium == contest.MediumMural {
			mural = c.ID
		}
	}
	ent := s.browser()
	want(t, ent.signUp("Jane Entrant", "jane@example.org", "entrant-pass-1", "/"), http.StatusOK)
	u, err := s.db.UserByEmail(ctx, "jane@example.org")
	if err != nil {
		t.Fatal(err)
	}
	mk := func(title string) string {
		e := contest.Entry{CompetitionID: comp.ID, CategoryID: mural, EntrantID: u.ID, Title: title, Consent: true, ConsentRules: true}
		if err := s.db.CreateEntry(ctx, &e, 0); err != nil {
			t.Fatal(err)
		}
		return e.ID
	}
	base := "/c/painted-walls/entries/"
	birds := mk("Wall of birds")
	want(t, ent.upload(base+birds+"/upload", "jane-entrant-birds.pdf", testenv.MuralPDF(3)), http.StatusOK)
	waitReady(t, s, birds)

	// A longer design whose first pages were drawn (as the worker does
	// past media.DefaultMuralPages, tested there with pdftoppm).
	long := mk("Long wall")
	longAsset := mediaAsset(t, s, long, "long.pdf", "application/pdf")
	var ds []contest.Derivative
	key := func(n string) string { return "entries/" + long + "/" + longAsset + "/" + n + ".jpg" }
	for _, n := range []string{"judge", "preview", "card", "thumb"} {
		ds = append(ds, contest.Derivative{Name: n, Key: key(n), ContentType: "image/jpeg", Width: 100, Height: 130})
	}
	for p := 2; p <= 20; p++ {
		for _, n := range []string{"", "-preview", "-thumb"} {
			name := fmt.Sprintf("page-%d%s", p, n)
			ds = append(ds, contest.Derivative{Name: name, Key: key(name), ContentType: "image/jpeg", Width: 100, Height: 130})
		}
	}
	if err := s.db.FinishMedia(ctx, longAsset, &db.MediaFacts{Width: 100, Height: 130, Pages: 57}, ds); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{birds, long} {
		if err := s.db.SubmitEntry(ctx, id, u.ID); err != nil {
			t.Fatal(err)
		}
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
	r, _, err := s.db.ActiveRound(ctx, comp.ID, time.Now())
	if err != nil || !r.Blind {
		t.Fatalf("round %+v %v: want a blind one", r, err)
	}
	round := "/c/painted-walls/rounds/" + r.ID
	want(t, org.post(round+"/assign", nil), http.StatusOK, "Entries assigned.")

	blind := []string{"Jane Entrant", "jane-entrant-birds", "Secret", "jane@example.org"}
	t.Run("the judge sees every page in order, each zoomable", func(t *testing.T) {
		p := judge.get(round + "/review/" + birds)
		want(t, p, http.StatusOK, "3 pages", "Page 1 of 3", "Page 2 of 3", "Page 3 of 3", `aria-label="Go to a page"`,
			"Wall of birds, page 2 of 3")
		lacks(t, p, blind...)
		lacks(t, p, "Showing the first")
		fulls := regexp.MustCompile(`class="zoom" data-full="([^"]+)"`).FindAllStringSubmatch(p.Body, -1)
		if len(fulls) != 3 {
			t.Fatalf("%d zoomable pictures, want 3", len(fulls))
		}
		for i, m := range fulls {
			url := html.UnescapeString(m[1])
			name := []string{"/judge.jpg", "/page-2.jpg", "/page-3.jpg"}[i]
			if !strings.Contains(url, name) {
				t.Errorf("picture %d zooms into %s, want %s", i+1, url, name)
			}
			img := judge.get(url)
			if img.Status != http.StatusOK {
				t.Fatalf("judge copy of page %d: %d", i+1, img.Status)
			}
			if strings.Contains(img.Body, "Secret") || strings.Contains(img.Body, "Jane") {
				t.Errorf("page %d's judge copy carries the document's metadata", i+1)
			}
			pic, err := jpeg.Decode(bytes.NewReader([]byte(img.Body)))
			if err != nil {
				t.Fatalf("page %d: %v", i+1, err)
			}
			b := pic.Bounds()
			if max(b.Dx(), b.Dy()) != 4096 {
				t.Errorf("page %d drawn %d×%d, want 4096 px long", i+1, b.Dx(), b.Dy())
			}
			cr, cg, cb, _ := pic.At(b.Dx()/2, b.Dy()/2).RGBA()
			wr, wg, wb, _ := testenv.PageColour(i + 1).RGBA()
			if d := max(absDiff(cr, wr), absDiff(cg, wg), absDiff(cb, wb)); d > 24 {
				t.Errorf("page %d shows %d,%d,%d, want %d,%d,%d", i+1, cr>>8, cg>>8, cb>>8, wr>>8, wg>>8, wb>>8)
			}
		}
		// Without script each picture links to its full-size copy, and the
		// strip leads to each page.
		for n := 1; n <= 3; n++ {
			link := regexp.MustCompile(fmt.Sprintf(`<a href="#page-([a-z0-9]+)-%d">`, n)).FindStringSubmatch(p.Body)
			if link == nil || !strings.Contains(p.Body, fmt.Sprintf(`<figure class="picture page" id="page-%s-%d">`, link[1], n)) {
				t.Errorf("no page %d figure to jump to", n)
			}
		}
		want(t, judge.get(round+"/review/"+birds+"?lang=fr"), http.StatusOK, "Page 2 sur 3")
		judge.get(round + "/review/" + birds + "?lang=en")
	})
	t.Run("a longer design says how much is shown", func(t *testing.T) {
		p := judge.get(round + "/review/" + long)
		want(t, p, http.StatusOK, "Showing the first 20 of 57 pages.", "Page 20 of 57", "/page-20.jpg")
		lacks(t, p, "Page 21 of 57", "/page-21")
		if n := strings.Count(p.Body, `class="zoom"`); n != 20 {
			t.Errorf("%d zoomable pages, want 20", n)
		}
		want(t, judge.get(round+"/review/"+long+"?lang=fr"), http.StatusOK, "Seules les 20 premières pages sur 57 sont affichées.")
		judge.get(round + "/review/" + long + "?lang=en")
	})
	t.Run("the entrant's entry page lists the pages", func(t *testing.T) {
		p := ent.get(base + birds)
		want(t, p, http.StatusOK, "3 pages", `<ol class="page-strip">`, "/page-2-thumb.jpg", "/page-3-thumb.jpg", `alt="Page 3"`)
		want(t, ent.get(base+long), http.StatusOK, "Showing the first 20 of 57 pages.")
	})
	t.Run("the judge's entry page shows the pages", func(t *testing.T) {
		p := judge.get(base + birds)
		want(t, p, http.StatusOK, "Page 3 of 3", "/page-3-preview.jpg")
		lacks(t, p, blind...)
	})
	t.Run("nobody else gets a page", func(t *testing.T) {
		other := s.browser()
		want(t, other.signUp("Bo Mensah", "bo@example.org", "entrant-pass-2", "/"), http.StatusOK)
		// Not theirs: the entry is not found; the review page is for judges.
		for path, status := range map[string]int{base + birds: http.StatusNotFound, round + "/review/" + birds: http.StatusForbidden} {
			if p := other.get(path); p.Status != status || strings.Contains(p.Body, "page-2") || strings.Contains(p.Body, "Page 2") {
				t.Errorf("%s for another entrant: %d, want %d without pages", path, p.Status, status)
			}
		}
	})
}

func absDiff(a, b uint32) uint32 {
	if a > b {
		return (a - b) >> 8
	}
	return (b - a) >> 8
}
