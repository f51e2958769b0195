package media

import (
	"encoding/json"
	"fmt"
	"image/color"
	"os"
	"strings"
	"testing"

	"github.com/tessera/tessera/internal/testenv"
)

// centreColour is the colour in the middle of a rendered page.
func centreColour(t *testing.T, path string) color.RGBA {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	img := decodeRendition(t, data)
	b := img.Bounds()
	r, g, bl, _ := img.At(b.Dx()/2, b.Dy()/2).RGBA()
	return color.RGBA{R: uint8(r >> 8), G: uint8(g >> 8), B: uint8(bl >> 8), A: 255}
}

func near(a, b color.RGBA) bool {
	d := func(x, y uint8) int { return max(int(x), int(y)) - min(int(x), int(y)) }
	return d(a.R, b.R) < 24 && d(a.G, b.G) < 24 && d(a.B, b.B) < 24
}

// TestPDFMuralEveryPage: a three-page mural design becomes a picture of
// every page, in the PDF's order, each with a judge copy, a preview and a
// thumbnail, none carrying the document's author, title or creator.
func TestPDFMuralEveryPage(t *testing.T) {
	needTools(t, "pdftoppm", "pdfinfo", "exiftool")
	pdf := writeFile(t, "mural.pdf", testenv.MuralPDF(3))
	rep, _, err := processFile(t, pdf, KindMural, Options{PDFRenderSide: 600})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Pages != 3 || rep.RenderedPages != 3 || rep.Format != "pdf" {
		t.Errorf("pages %d, rendered %d, format %q; want 3, 3, pdf", rep.Pages, rep.RenderedPages, rep.Format)
	}
	var names []string
	for _, o := range rep.Outputs {
		names = append(names, o.Name)
	}
	if got, want := strings.Join(names, " "), "judge preview card thumb page-2 page-2-preview page-2-thumb page-3 page-3-preview page-3-thumb"; got != want {
		t.Fatalf("outputs %s\nwant %s", got, want)
	}
	for page, name := range map[int][]string{1: {"judge", "preview", "thumb"}, 2: {"page-2", "page-2-preview", "page-2-thumb"}, 3: {"page-3", "page-3-preview", "page-3-thumb"}} {
		for _, n := range name {
			o, _ := rep.Output(n)
			if c := centreColour(t, o.Path); !near(c, testenv.PageColour(page)) {
				t.Errorf("%s shows %v, want page %d's colour %v", n, c, page, testenv.PageColour(page))
			}
		}
	}
	for name, side := range map[string]int{"page-2": 600, "page-2-preview": 600, "page-2-thumb": 320} {
		o, _ := rep.Output(name)
		if max(o.Width, o.Height) != side || o.File != name+".jpg" || o.ContentType != "image/jpeg" {
			t.Errorf("%s: %s %d×%d %s, want longest side %d, JPEG", name, o.File, o.Width, o.Height, o.ContentType, side)
		}
	}

	args := []string{"-j", "-a", "-u", "-G1", "--System:all"}
	for _, o := range rep.Outputs {
		args = append(args, o.Path)
	}
	var tags []map[string]any
	if err := json.Unmarshal(run(t, "exiftool", args...), &tags); err != nil || len(tags) != len(rep.Outputs) {
		t.Fatalf("exiftool: %v, %d results", err, len(tags))
	}
	for i, o := range rep.Outputs {
		data, _ := os.ReadFile(o.Path)
		js, _ := json.Marshal(tags[i])
		if strings.Contains(string(js), "Secret") || strings.Contains(string(data), "Secret") {
			t.Errorf("%s carries the document's metadata: %s", o.Name, js)
		}
		for k := range tags[i] {
			_, name, _ := strings.Cut(k, ":")
			if name == "Author" || name == "Title" || name == "Creator" || name == "Producer" || strings.HasPrefix(k, "XMP") {
				t.Errorf("%s keeps %s", o.Name, k)
			}
		}
	}
}

// TestPDFMuralOverTheCap: a design longer than the cap is accepted; its
// first DefaultMuralPages pages are drawn and the report says how many
// it has.
func TestPDFMuralOverTheCap(t *testing.T) {
	needTools(t, "pdftoppm", "pdfinfo")
	pdf := writeFile(t, "long.pdf", testenv.MuralPDF(DefaultMuralPages+5))
	rep, _, err := processFile(t, pdf, KindMural, Options{PDFRenderSide: 80})
	if err != nil {
		t.Fatalf("a %d-page design: %v", DefaultMuralPages+5, err)
	}
	if rep.Pages != 25 || rep.RenderedPages != 20 {
		t.Errorf("pages %d, rendered %d; want 25, 20", rep.Pages, rep.RenderedPages)
	}
	last, ok := rep.Output(PageDerivative(20, NameJudge))
	if !ok || !near(centreColour(t, last.Path), testenv.PageColour(20)) {
		t.Errorf("page 20: %+v", last)
	}
	for _, o := range rep.Outputs {
		if p, _, ok := ParsePageDerivative(o.Name); ok && p > 20 {
			t.Errorf("page %d was drawn", p)
		}
	}
	rep, _, err = processFile(t, pdf, KindMural, Options{PDFRenderSide: 80, MaxMuralPages: 2})
	if err != nil || rep.RenderedPages != 2 || len(rep.Outputs) != 4+3 {
		t.Errorf("MaxMuralPages 2: rendered %d, %d outputs, %v", rep.RenderedPages, len(rep.Outputs), err)
	}
}

// TestPDFMuralLimits: each page is drawn within the pixel cap, and a
// design whose pages take too long to draw is refused with a reason.
func TestPDFMuralLimits(t *testing.T) {
	needTools(t, "pdftoppm", "pdfinfo")
	pdf := writeFile(t, "mural.pdf", testenv.MuralPDF(2))
	rep, _, err := processFile(t, pdf, KindMural, Options{MaxPixels: 90_000})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range rep.Outputs {
		if px := o.Width * o.Height; px > 90_000 || max(o.Width, o.Height) > 300 {
			t.Errorf("%s is %d×%d, over the 90,000-pixel cap", o.Name, o.Width, o.Height)
		}
	}
	if j, _ := rep.Output("page-2"); max(j.Width, j.Height) != 300 {
		t.Errorf("page 2's judge copy %d×%d, want longest side 300 (√90,000)", j.Width, j.Height)
	}

	_, _, err = processFile(t, pdf, KindMural, Options{PDFRenderSide: 80, MuralRenderTime: 1})
	if rej, ok := IsReject(err); !ok || !strings.Contains(rej.Reason, "too long") {
		t.Errorf("no time to draw: %v", err)
	}
}

func TestPDFPageCommand(t *testing.T) {
	cmd := PDFPageCommand(t.Context(), "/in/a.pdf", 7, 4096)
	if got := strings.Join(cmd.Args, " "); got != "pdftoppm -f 7 -l 7 -singlefile -scale-to 4096 -- /in/a.pdf" {
		t.Errorf("page 7: %s", got)
	}
}

func TestPDFPageDerivativeNames(t *testing.T) {
	for page := 2; page <= 20; page++ {
		for _, s := range PDFPageSpecs() {
			name := PageDerivative(page, s.Name)
			p, spec, ok := ParsePageDerivative(name)
			if !ok || p != page || spec != s.Name {
				t.Errorf("%s → %d %q %v", name, p, spec, ok)
			}
		}
	}
	if PageDerivative(2, NameJudge) != "page-2" || PageDerivative(12, NamePreview) != "page-12-preview" {
		t.Error("names changed: stored object keys depend on them")
	}
	for _, name := range []string{"judge", "thumb", "page-", "page-1", "page-0", "page-02", "page-x", "page-2-card", "page-2-preview-x", "page--2", fmt.Sprint("page-", 1<<62, "0")} {
		if p, spec, ok := ParsePageDerivative(name); ok {
			t.Errorf("%s parsed as page %d %q", name, p, spec)
		}
	}
}
