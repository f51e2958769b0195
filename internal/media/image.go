package media

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	_ "image/gif"  // register GIF for image.DecodeConfig and imaging.Decode
	_ "image/jpeg" // register JPEG
	_ "image/png"  // register PNG
	"io"
	"math"
	"slices"
	"strconv"

	"github.com/disintegration/imaging"
	_ "golang.org/x/image/webp" // register WebP (imaging already brings TIFF and BMP)
)

// DefaultMaxPixels is the pixel cap used when a caller passes maxPixels <= 0:
// 100 megapixels, about 400 MB once decoded.
const DefaultMaxPixels int64 = 100_000_000

// RejectError is a permanent failure: the file is corrupt, of a format
// Tessera cannot process, or too large. Reason is a sentence the entrant can
// read; retrying the same bytes will fail the same way.
type RejectError struct {
	Reason string
	// Err is the technical cause, if any, for logs; it is not shown to
	// entrants.
	Err error
}

// Error returns the reason, followed by the technical cause when there is
// one.
func (e *RejectError) Error() string {
	if e.Err != nil {
		return e.Reason + " (" + e.Err.Error() + ")"
	}
	return e.Reason
}

// Unwrap returns the technical cause.
func (e *RejectError) Unwrap() error { return e.Err }

func reject(format string, args ...any) *RejectError {
	return &RejectError{Reason: fmt.Sprintf(format, args...)}
}

func rejectCause(cause error, format string, args ...any) *RejectError {
	return &RejectError{Reason: fmt.Sprintf(format, args...), Err: cause}
}

// Spec describes one derivative: its name, the longest side it may have
// (images are fitted inside MaxSide×MaxSide, never enlarged) and its JPEG
// quality (1–100).
type Spec struct {
	Name    string
	MaxSide int
	Quality int
}

// PhotoSpecs returns the derivatives made for every image, largest first:
// "preview" (1600 px) for judging and the public gallery, and "thumb"
// (320 px) for lists. Each call returns a new slice.
func PhotoSpecs() []Spec {
	return []Spec{
		{Name: "preview", MaxSide: 1600, Quality: 85},
		{Name: "thumb", MaxSide: 320, Quality: 80},
	}
}

// Rendition is one derivative made by MakeDerivatives: a JPEG with no
// metadata.
type Rendition struct {
	Name        string
	Width       int
	Height      int
	Data        []byte
	ContentType string
}

// Result is what Derive reports: the original's display size (after EXIF
// orientation is applied), its decoded format, and the renditions.
type Result struct {
	Width      int
	Height     int
	Format     string
	Renditions []Rendition
}

// CheckImageHeader reads only the image header from r and returns the
// dimensions and format ("jpeg", "png", "gif", "webp", "tiff", "bmp")
// without decoding pixels. It returns a *RejectError when the data is not
// a readable image or has more than maxPixels pixels (DefaultMaxPixels when
// maxPixels <= 0); a failure of r itself is returned as is.
func CheckImageHeader(r io.Reader, maxPixels int64) (w, h int, format string, err error) {
	rec := &recordingReader{r: r}
	head := &prefixBuffer{limit: SniffLen}
	cfg, format, err := image.DecodeConfig(io.TeeReader(rec, head))
	if err != nil {
		if rec.err != nil {
			return 0, 0, "", fmt.Errorf("media: reading image header: %w", rec.err)
		}
		return 0, 0, "", unreadable(head.Bytes(), err)
	}
	if err := checkSize(cfg.Width, cfg.Height, maxPixels); err != nil {
		return 0, 0, "", err
	}
	return cfg.Width, cfg.Height, format, nil
}

// MakeDerivatives is Derive without the original's size: it returns the
// renditions for specs, largest first.
func MakeDerivatives(r io.Reader, specs []Spec, maxPixels int64) ([]Rendition, error) {
	res, err := Derive(r, specs, maxPixels)
	if err != nil {
		return nil, err
	}
	return res.Renditions, nil
}

// Derive checks the header of the image in r against maxPixels before any
// decoding, decodes it once (applying its EXIF orientation), and makes one
// JPEG rendition per spec: the largest from the original, each smaller one
// from the previous rendition. Images are never enlarged. Re-encoding drops
// all metadata (EXIF, GPS, XMP, ICC). Renditions come back largest first.
//
// Corrupt, unsupported and oversized images give a *RejectError; an error
// reading r is returned wrapped so callers may retry.
func Derive(r io.Reader, specs []Spec, maxPixels int64) (Result, error) {
	specs = slices.Clone(specs)
	slices.SortStableFunc(specs, func(a, b Spec) int { return b.MaxSide - a.MaxSide })
	for _, s := range specs {
		if s.Name == "" || s.MaxSide <= 0 || s.Quality < 1 || s.Quality > 100 {
			return Result{}, fmt.Errorf("media: invalid derivative spec %+v", s)
		}
	}

	// Read the header through a buffer so that the same bytes can be fed
	// to the full decoder afterwards without reading r twice.
	rec := &recordingReader{r: r}
	var header bytes.Buffer
	cfg, format, err := image.DecodeConfig(io.TeeReader(rec, &header))
	if err != nil {
		if rec.err != nil {
			return Result{}, fmt.Errorf("media: reading image header: %w", rec.err)
		}
		return Result{}, unreadable(header.Bytes(), err)
	}
	if err := checkSize(cfg.Width, cfg.Height, maxPixels); err != nil {
		return Result{}, err
	}

	img, err := imaging.Decode(io.MultiReader(&header, rec), imaging.AutoOrientation(true))
	if err != nil {
		if rec.err != nil {
			return Result{}, fmt.Errorf("media: reading image: %w", rec.err)
		}
		return Result{}, rejectCause(err, "This %s image is damaged or incomplete and cannot be read. Please export it again and upload it again.", formatName(format))
	}
	img = flatten(img)

	res := Result{Width: img.Bounds().Dx(), Height: img.Bounds().Dy(), Format: format}
	src := img
	for _, s := range specs {
		out := fit(src, s.MaxSide)
		var buf bytes.Buffer
		if err := imaging.Encode(&buf, out, imaging.JPEG, imaging.JPEGQuality(s.Quality)); err != nil {
			return Result{}, fmt.Errorf("media: encoding %s: %w", s.Name, err)
		}
		res.Renditions = append(res.Renditions, Rendition{
			Name:        s.Name,
			Width:       out.Bounds().Dx(),
			Height:      out.Bounds().Dy(),
			Data:        buf.Bytes(),
			ContentType: "image/jpeg",
		})
		src = out
	}
	return res, nil
}

// fit scales img to fit inside maxSide×maxSide, keeping its aspect ratio and
// at least one pixel per side; an image already inside is returned as is.
func fit(img image.Image, maxSide int) image.Image {
	w, h := img.Bounds().Dx(), img.Bounds().Dy()
	if w <= maxSide && h <= maxSide {
		return img
	}
	nw, nh := maxSide, maxSide
	if w >= h {
		nh = max(1, int(int64(h)*int64(maxSide)/int64(w)))
	} else {
		nw = max(1, int(int64(w)*int64(maxSide)/int64(h)))
	}
	return imaging.Resize(img, nw, nh, imaging.Lanczos)
}

// flatten composites an image with transparency onto white, since JPEG has
// no alpha and would otherwise show transparent areas as black.
func flatten(img image.Image) image.Image {
	if o, ok := img.(interface{ Opaque() bool }); ok && o.Opaque() {
		return img
	}
	b := img.Bounds()
	dst := image.NewNRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(dst, dst.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	draw.Draw(dst, dst.Bounds(), img, b.Min, draw.Over)
	return dst
}

func checkSize(w, h int, maxPixels int64) error {
	if maxPixels <= 0 {
		maxPixels = DefaultMaxPixels
	}
	if w <= 0 || h <= 0 {
		return reject("This image says it is %d×%d pixels, which is not a valid size. Please export it again and upload it again.", w, h)
	}
	if px := int64(w) * int64(h); px > maxPixels {
		return reject("This image is %d×%d pixels (%s); the limit is %s.", w, h, megapixels(px), megapixels(maxPixels))
	}
	return nil
}

// unreadable explains why image.DecodeConfig failed, naming the real format
// when it is one Tessera recognises but cannot decode.
func unreadable(head []byte, err error) *RejectError {
	if errors.Is(err, image.ErrFormat) {
		switch ct := Sniff(head); ct {
		case "image/heic", "image/heif":
			return rejectCause(err, "HEIC/HEIF photos cannot be processed yet. Please export the photo as JPEG and upload it again.")
		case "image/avif":
			return rejectCause(err, "AVIF images cannot be processed yet. Please export the image as JPEG and upload it again.")
		default:
			return rejectCause(err, "This file is not an image Tessera can read (it looks like %s). Please upload a JPEG, PNG, GIF, WebP or TIFF image.", ct)
		}
	}
	return rejectCause(err, "This image is damaged or incomplete and cannot be read. Please export it again and upload it again.")
}

// megapixels words a pixel count in megapixels to one decimal place.
func megapixels(px int64) string {
	mp := math.Round(float64(px)/1e5) / 10
	if mp == 1 {
		return "1 megapixel"
	}
	return strconv.FormatFloat(mp, 'f', -1, 64) + " megapixels"
}

func formatName(format string) string {
	switch format {
	case "jpeg":
		return "JPEG"
	case "png", "gif", "bmp":
		return string(bytes.ToUpper([]byte(format)))
	case "webp":
		return "WebP"
	case "tiff":
		return "TIFF"
	}
	return format
}

// recordingReader remembers the first error of its reader other than
// io.EOF, so that a failing source (a dropped S3 connection) is not
// mistaken for a corrupt image.
type recordingReader struct {
	r   io.Reader
	err error
}

func (rr *recordingReader) Read(p []byte) (int, error) {
	n, err := rr.r.Read(p)
	if err != nil && err != io.EOF && rr.err == nil {
		rr.err = err
	}
	return n, err
}

// prefixBuffer keeps the first limit bytes written to it and discards the
// rest.
type prefixBuffer struct {
	limit int
	buf   []byte
}

func (p *prefixBuffer) Write(b []byte) (int, error) {
	if room := p.limit - len(p.buf); room > 0 {
		p.buf = append(p.buf, b[:min(room, len(b))]...)
	}
	return len(b), nil
}

func (p *prefixBuffer) Bytes() []byte { return p.buf }
