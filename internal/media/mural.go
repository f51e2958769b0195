package media

import (
	"context"
	"image"
	"math"
	"strconv"
	"strings"
	"time"
)

// pdfJudgeQuality is the JPEG quality of a rendered PDF page's judge copy.
const pdfJudgeQuality = 92

// PDFPageSpecs returns the derivatives made for each page of a mural PDF
// after the first (the first page is the design's picture: "judge" and
// PhotoSpecs, as for a photo). MaxSide 0 is the rendered size, the page's
// judge copy. Each is stored as PageDerivative(page, spec.Name).
func PDFPageSpecs() []Spec {
	return []Spec{
		{Name: NameJudge, Quality: pdfJudgeQuality},
		{Name: NamePreview, MaxSide: 2048, Quality: 85},
		{Name: NameThumb, MaxSide: 320, Quality: 80, From: NamePreview},
	}
}

// PageDerivative names the derivative spec (NameJudge, NamePreview,
// NameThumb) of page page (from 2) of a mural PDF: "page-2" for the judge
// copy, "page-2-preview", "page-2-thumb". Page 1 has the plain names.
func PageDerivative(page int, spec string) string {
	name := "page-" + strconv.Itoa(page)
	if spec != NameJudge {
		name += "-" + spec
	}
	return name
}

// ParsePageDerivative reverses PageDerivative: the page (2 or more) and
// the spec a derivative name stands for, ok false for any other name.
func ParsePageDerivative(name string) (page int, spec string, ok bool) {
	rest, found := strings.CutPrefix(name, "page-")
	if !found {
		return 0, "", false
	}
	num, spec, _ := strings.Cut(rest, "-")
	switch spec {
	case "":
		spec = NameJudge
	case NamePreview, NameThumb:
	default:
		return 0, "", false
	}
	n, err := strconv.Atoi(num)
	if err != nil || n < 2 || strconv.Itoa(n) != num {
		return 0, "", false
	}
	return n, spec, true
}

// muralPDFSide is the longest side a mural PDF's pages are rendered at:
// the option (PDFRenderSide by default), lowered so that no page can hold
// more than the pixel cap.
func muralPDFSide(opt Options) int {
	side := orDefault(opt.PDFRenderSide, PDFRenderSide)
	maxPixels := opt.MaxPixels
	if maxPixels <= 0 {
		maxPixels = DefaultMaxPixels
	}
	// A page rendered with its longest side s holds at most s² pixels.
	return max(1, min(side, int(math.Sqrt(float64(maxPixels)))))
}

// processMuralPDF renders the first pages of a mural design PDF (at most
// opt.MaxMuralPages, DefaultMuralPages by default), one at a time, each
// within opt.PDFTimeout and all of them within opt.MuralRenderTime. The
// first page makes the design's "judge" copy and PhotoSpecs, its size and
// perceptual hash; each later page its PDFPageSpecs. A PDF with more pages
// is accepted: rep.Pages says how many it has, rep.RenderedPages how many
// were drawn.
func processMuralPDF(ctx context.Context, in Input, outDir string, opt Options, rep *Report) error {
	total, err := PDFPages(ctx, in.Path, 0, opt.PDFTimeout)
	if err != nil {
		return err
	}
	rep.Pages = total
	n := min(total, orDefault(opt.MaxMuralPages, DefaultMuralPages))
	side := muralPDFSide(opt)
	perPage := orDefault(opt.PDFTimeout, DefaultPDFTimeout)
	allPages := orDefault(opt.MuralRenderTime, DefaultMuralRenderTime)
	var spent time.Duration
	for page := 1; page <= n; page++ {
		left := allPages - spent
		if left <= 0 {
			return reject("Drawing the pages of this PDF took too long (%d of %d were drawn). Please simplify or flatten it, export it again and upload it again.", page-1, n)
		}
		took, err := renderMuralPage(ctx, in.Path, page, side, min(perPage, left), opt, outDir, rep)
		if err != nil {
			return err
		}
		spent += took
		rep.RenderedPages = page
	}
	return nil
}

// renderMuralPage draws one page of a mural PDF and writes its
// derivatives, holding its pixels in opt.Budget meanwhile. It returns the
// time spent drawing and encoding (not waiting for the budget).
func renderMuralPage(ctx context.Context, path string, page, side int, timeout time.Duration, opt Options, outDir string, rep *Report) (time.Duration, error) {
	release, err := opt.Budget.Acquire(ctx, int64(side)*int64(side))
	if err != nil {
		return 0, err
	}
	defer release()
	start := time.Now()
	img, err := renderPDFPage(ctx, path, page, side, timeout)
	if err != nil {
		return 0, err
	}
	if page == 1 {
		res, err := deriveDecoded(img, "pdf", true)
		if err != nil {
			return 0, err
		}
		rep.Format, rep.Width, rep.Height, rep.Orientation = res.Format, res.Width, res.Height, res.Orientation
		rep.PHash = FormatHash(res.PHash)
		return time.Since(start), writeRenditions(outDir, res.Renditions, rep)
	}
	rs, err := derivePage(img, page)
	if err != nil {
		return 0, err
	}
	return time.Since(start), writeRenditions(outDir, rs, rep)
}

// derivePage makes the PDFPageSpecs of a rendered page, each smaller one
// from the one it names (or the one before).
func derivePage(img image.Image, page int) ([]Rendition, error) {
	flat := flatten(img)
	w, h := img.Bounds().Dx(), img.Bounds().Dy()
	var rs []Rendition
	made := map[string]image.Image{}
	prev := flat
	for _, s := range PDFPageSpecs() {
		src := prev
		if s.From != "" {
			src = made[s.From]
		}
		out := src
		if s.MaxSide > 0 {
			out = fit(src, s.MaxSide, w, h)
		}
		buf, err := jpegBytes(out, s.Quality)
		if err != nil {
			return nil, err
		}
		rs = append(rs, Rendition{Name: PageDerivative(page, s.Name), Width: out.Bounds().Dx(), Height: out.Bounds().Dy(), Data: buf, ContentType: "image/jpeg"})
		made[s.Name], prev = out, out
	}
	return rs, nil
}
