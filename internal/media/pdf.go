package media

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"os/exec"
	"regexp"
	"strconv"
	"time"
)

// PDF defaults, used when the matching option is zero.
const (
	// DefaultPDFTimeout bounds each poppler run on one PDF.
	DefaultPDFTimeout = 60 * time.Second
	// DefaultMuralPages is how many pages of a mural design PDF are
	// rendered: the first ones. A PDF with more pages is accepted; the
	// report (and the pages shown to judges) says how many it has.
	DefaultMuralPages = 20
	// DefaultMuralRenderTime bounds the drawing of every rendered page of
	// one mural PDF together (each page also within DefaultPDFTimeout), so
	// the media task (10 min) has time left to store what was made.
	DefaultMuralRenderTime = 5 * time.Minute
	// DefaultEssayPages is how many pages an essay PDF may have.
	DefaultEssayPages = 200
	// PDFRenderSide is the longest side, in pixels, a PDF page is rendered
	// at: the judge copy's size; the other derivatives are made from it.
	PDFRenderSide = 4096
	// maxPDFText caps the text pdftotext may return (bytes).
	maxPDFText = MaxEssayTextBytes
)

// PDFInfoCommand runs poppler's pdfinfo on path.
func PDFInfoCommand(ctx context.Context, path string) *exec.Cmd {
	return exec.CommandContext(ctx, "pdfinfo", "--", path)
}

// PDFRenderCommand renders only the first page of the PDF at path, its
// longest side maxSide pixels, as PPM (uncompressed, so nothing is spent
// compressing what is decoded at once) on standard output.
func PDFRenderCommand(ctx context.Context, path string, maxSide int) *exec.Cmd {
	return PDFPageCommand(ctx, path, 1, maxSide)
}

// PDFPageCommand renders only page page (from 1) of the PDF at path, its
// longest side maxSide pixels, as PPM on standard output.
func PDFPageCommand(ctx context.Context, path string, page, maxSide int) *exec.Cmd {
	n := strconv.Itoa(page)
	return exec.CommandContext(ctx, "pdftoppm", "-f", n, "-l", n, "-singlefile",
		"-scale-to", strconv.Itoa(maxSide), "--", path)
}

// PDFTextCommand extracts the text of the first maxPages pages of the PDF
// at path as UTF-8 on standard output, without page breaks.
func PDFTextCommand(ctx context.Context, path string, maxPages int) *exec.Cmd {
	return exec.CommandContext(ctx, "pdftotext", "-q", "-f", "1", "-l", strconv.Itoa(maxPages),
		"-enc", "UTF-8", "-nopgbrk", "--", path, "-")
}

var pdfPagesLine = regexp.MustCompile(`(?m)^Pages:\s+(\d+)\s*$`)

// PDFPages returns how many pages the PDF at path has, refusing (with a
// *RejectError) a file poppler cannot read or one with more than maxPages
// pages (no limit when maxPages <= 0).
func PDFPages(ctx context.Context, path string, maxPages int, timeout time.Duration) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, orDefault(timeout, DefaultPDFTimeout))
	defer cancel()
	out, err := runTool(ctx, PDFInfoCommand(ctx, path), 1<<20, nil)
	if err != nil {
		return 0, pdfError(ctx, err)
	}
	m := pdfPagesLine.FindSubmatch(out)
	if m == nil {
		return 0, reject("This PDF has no pages Tessera can read. Please export it again and upload it again.")
	}
	n, _ := strconv.Atoi(string(m[1]))
	if n < 1 {
		return 0, reject("This PDF has no pages.")
	}
	if maxPages > 0 && n > maxPages {
		return n, reject("This PDF has %d pages; at most %d are accepted here.", n, maxPages)
	}
	return n, nil
}

// RenderPDFPage renders the first page of the PDF at path with its longest
// side maxSide pixels (PDFRenderSide when <= 0), within timeout.
func RenderPDFPage(ctx context.Context, path string, maxSide int, timeout time.Duration) (image.Image, error) {
	return renderPDFPage(ctx, path, 1, maxSide, timeout)
}

// renderPDFPage renders page page (from 1) of the PDF at path with its
// longest side maxSide pixels (PDFRenderSide when <= 0), within timeout.
func renderPDFPage(ctx context.Context, path string, page, maxSide int, timeout time.Duration) (*image.RGBA, error) {
	if maxSide <= 0 {
		maxSide = PDFRenderSide
	}
	ctx, cancel := context.WithTimeout(ctx, orDefault(timeout, DefaultPDFTimeout))
	defer cancel()
	// PPM: a short header and 3 bytes a pixel, at most maxSide² pixels.
	limit := 3*int64(maxSide)*int64(maxSide) + 64
	out, err := runTool(ctx, PDFPageCommand(ctx, path, page, maxSide), limit, nil)
	if err != nil {
		return nil, pdfError(ctx, err)
	}
	img, err := decodePPM(out)
	if err != nil {
		if page == 1 {
			return nil, rejectCause(err, "The first page of this PDF could not be drawn. Please export it again and upload it again.")
		}
		return nil, rejectCause(err, "Page %d of this PDF could not be drawn. Please export it again and upload it again.", page)
	}
	return img, nil
}

// PDFText returns the text of the first maxPages pages of the PDF at path.
func PDFText(ctx context.Context, path string, maxPages int, timeout time.Duration) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, orDefault(timeout, DefaultPDFTimeout))
	defer cancel()
	out, err := runTool(ctx, PDFTextCommand(ctx, path, maxPages), maxPDFText, nil)
	if err != nil {
		return "", pdfError(ctx, err)
	}
	return string(out), nil
}

// pdfError words a poppler failure: an ended parent context or a missing
// tool stays retryable, anything else is the file's fault.
func pdfError(ctx context.Context, err error) error {
	if toolMissing(err) || errors.Is(context.Cause(ctx), context.Canceled) {
		return err
	}
	var te *ToolError
	if errors.As(err, &te) && te.TimedOut {
		return rejectCause(err, "This PDF took too long to read. Please simplify or flatten it, export it again and upload it again.")
	}
	if errors.As(err, &te) && te.Err != nil && te.Stderr == "" {
		return rejectCause(err, "This PDF could not be read. Please export it again and upload it again.")
	}
	return rejectCause(err, "This PDF could not be read (%s). Please export it again and upload it again.", describeToolError(err))
}

func describeToolError(err error) string {
	var te *ToolError
	if errors.As(err, &te) {
		if l := te.LastLine(); l != "" {
			return l
		}
		return te.Err.Error()
	}
	return fmt.Sprint(err)
}

func orDefault[T comparable](v, d T) T {
	var zero T
	if v == zero {
		return d
	}
	return v
}

// decodePPM decodes a binary PPM (P6, 8-bit), as pdftoppm writes, into an
// opaque RGBA image.
func decodePPM(b []byte) (*image.RGBA, error) {
	var fields [3]int
	i := 2
	if !bytes.HasPrefix(b, []byte("P6")) {
		return nil, errors.New("not a binary PPM")
	}
	for f := 0; f < 3; f++ {
		for i < len(b) && (b[i] == ' ' || b[i] == '\n' || b[i] == '\r' || b[i] == '\t') {
			i++
		}
		start := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' && i-start < 6 {
			i++
		}
		n, err := strconv.Atoi(string(b[start:i]))
		if err != nil {
			return nil, errors.New("bad PPM header")
		}
		fields[f] = n
	}
	i++ // the single whitespace after maxval
	w, h := fields[0], fields[1]
	if fields[2] != 255 || w <= 0 || h <= 0 || len(b)-i < 3*w*h {
		return nil, errors.New("unsupported or truncated PPM")
	}
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	src := b[i:]
	for p, d := 0, 0; p < 3*w*h; p, d = p+3, d+4 {
		img.Pix[d], img.Pix[d+1], img.Pix[d+2], img.Pix[d+3] = src[p], src[p+1], src[p+2], 0xff
	}
	return img, nil
}
