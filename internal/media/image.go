package media

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	_ "image/gif" // register GIF for image.DecodeConfig and image.Decode
	"image/jpeg"
	"image/png"
	"io"
	"math"
	"runtime"
	"slices"
	"strconv"

	"github.com/disintegration/imaging"
	_ "golang.org/x/image/bmp"  // register BMP
	_ "golang.org/x/image/webp" // register WebP
)

// DefaultMaxPixels is the pixel cap used when a caller passes maxPixels <= 0:
// 100 megapixels, about 400 MB once decoded.
const DefaultMaxPixels int64 = 100_000_000

// RejectError is a permanent failure: the file is corrupt, of a format
// Tessera cannot process, or breaks a category's rule. Reason is a sentence
// the entrant can read; retrying the same bytes will fail the same way.
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

// IsReject reports whether err is (or wraps) a *RejectError, and returns it.
func IsReject(err error) (*RejectError, bool) {
	var rej *RejectError
	ok := errors.As(err, &rej)
	return rej, ok
}

func reject(format string, args ...any) *RejectError {
	return &RejectError{Reason: fmt.Sprintf(format, args...)}
}

func rejectCause(cause error, format string, args ...any) *RejectError {
	return &RejectError{Reason: fmt.Sprintf(format, args...), Err: cause}
}

// Spec describes one derivative: its name, the longest side it may have
// (images are fitted inside MaxSide×MaxSide, never enlarged), its JPEG
// quality (1–100) and the larger derivative it is made from.
type Spec struct {
	Name    string
	MaxSide int
	Quality int
	// From names the larger spec this one is resized from; empty means the
	// next larger spec of the table (the decoded original for the largest).
	From string
}

// Derivative names shared by every medium that has a picture.
const (
	NameThumb   = "thumb"   // 320 px, for lists and galleries
	NameCard    = "card"    // 800 px, for cards and judging grids
	NamePreview = "preview" // 2048 px, for judging and the public gallery
	NameJudge   = "judge"   // full resolution, identifying metadata removed
	NameVideo   = "video"   // browser-playable H.264/AAC MP4
	NameText    = "text"    // an essay's normalised text
)

// PhotoSpecs returns the derivatives made for every picture (photos, mural
// designs, video posters, essay covers), largest first, each made from the
// one before it: "preview" (2048 px), "card" (800 px) and "thumb" (320 px).
// Each call returns a new slice.
func PhotoSpecs() []Spec {
	return []Spec{
		{Name: NamePreview, MaxSide: 2048, Quality: 85},
		{Name: NameCard, MaxSide: 800, Quality: 82, From: NamePreview},
		{Name: NameThumb, MaxSide: 320, Quality: 80, From: NameCard},
	}
}

// Rendition is one derivative made from an image: a JPEG with no metadata
// (or, for the judge copy, the original's encoding without identifying
// metadata).
type Rendition struct {
	Name        string
	Width       int
	Height      int
	Data        []byte // nil when the rendition was streamed to a writer
	ContentType string
	Size        int64
}

// Result is what DeriveImage reports: the original's display size (after EXIF
// orientation is applied), its decoded format, the renditions and the
// perceptual hash of the picture.
type Result struct {
	Width       int
	Height      int
	Format      string
	Orientation int
	// PHash is the 64-bit difference hash of the picture (see PHash).
	PHash      uint64
	Renditions []Rendition
}

// ImageOptions tune DeriveImage. The zero value makes PhotoSpecs with the
// default pixel cap, no judge copy and no memory budget.
type ImageOptions struct {
	// Specs are the derivatives to make; PhotoSpecs when nil.
	Specs []Spec
	// MaxPixels caps the image's size; DefaultMaxPixels when <= 0.
	MaxPixels int64
	// Budget, when set, bounds the decoded pixels held at once across every
	// caller sharing it.
	Budget *Budget
	// Judge also makes the full-resolution judge copy (see stripJPEG and
	// stripPNG; a picture whose profile is not sRGB, Display P3 or Adobe
	// RGB is converted to sRGB and re-encoded instead).
	Judge bool
	// Quality of JPEG renditions overrides the specs' when > 0 (benchmarks).
	Quality int
	// JudgeTo, when set, receives the judge copy of a JPEG or PNG as it is
	// made (its Rendition then has no Data), so that it is never held in
	// memory beside the decoded pixels.
	JudgeTo io.Writer
}

// decodeConfig is image.DecodeConfig on data guarded against decoder
// panics on hostile headers, a TIFF's first IFD checked before the
// decoder reads it (checkTIFF; its refusal is a *RejectError already).
func decodeConfig(data []byte) (cfg image.Config, format string, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("image header decoder panicked: %v", p)
		}
	}()
	if isTIFF(data) {
		cfg, err = decodeTIFFConfig(data)
		return cfg, "tiff", err
	}
	return image.DecodeConfig(bytes.NewReader(data))
}

func validateSpecs(specs []Spec) error {
	for _, s := range specs {
		if s.Name == "" || s.MaxSide <= 0 || s.Quality < 1 || s.Quality > 100 {
			return fmt.Errorf("media: invalid derivative spec %+v", s)
		}
	}
	return nil
}

// orderSpecs sorts specs largest first and checks every From names a
// larger spec.
func orderSpecs(specs []Spec) ([]Spec, error) {
	if specs == nil {
		specs = PhotoSpecs()
	}
	if err := validateSpecs(specs); err != nil {
		return nil, err
	}
	specs = slices.Clone(specs)
	slices.SortStableFunc(specs, func(a, b Spec) int { return b.MaxSide - a.MaxSide })
	for i, s := range specs {
		if s.From == "" {
			continue
		}
		j := slices.IndexFunc(specs[:i], func(o Spec) bool { return o.Name == s.From })
		if j < 0 {
			return nil, fmt.Errorf("media: spec %s is made from %q, which is not a larger spec", s.Name, s.From)
		}
	}
	return specs, nil
}

// DeriveImage makes the derivatives of the image held in data. It checks
// the header against the pixel cap before decoding, reserves the decoded
// pixels from the budget, decodes once (a JPEG much larger than the largest
// spec at a reduced DCT scale when the build has libjpeg-turbo), applies
// the EXIF orientation wherever the EXIF segment sits, flattens
// transparency onto white, and makes each spec from the larger one it
// names. Re-encoded renditions carry no metadata and no colour profile:
// a picture with an RGB or grey matrix/TRC profile other than sRGB
// (Display P3, Adobe RGB, a calibration) has its colours converted to
// sRGB, on the largest derivative after resizing; other profiles
// (LUT-based, CMYK, broken) are dropped and the pixels kept as decoded.
// With opt.Judge it also makes the full-resolution judge copy, which
// carries no profile from the file either (see judgeCopy).
//
// Corrupt, unsupported and oversized images give a *RejectError.
func DeriveImage(ctx context.Context, data []byte, opt ImageOptions) (Result, error) {
	specs, err := orderSpecs(opt.Specs)
	if err != nil {
		return Result{}, err
	}
	cfg, format, err := decodeConfig(data)
	if rej, ok := IsReject(err); ok {
		return Result{}, rej
	}
	if err != nil {
		return Result{}, unreadable(data, err)
	}
	if err := checkSize(cfg.Width, cfg.Height, opt.MaxPixels); err != nil {
		return Result{}, err
	}
	orientation := 1
	switch format {
	case "jpeg":
		orientation = JPEGOrientation(data)
	case "tiff":
		orientation = tiffOrientation(data)
	}

	// The embedded colour profile: its text names people, so no
	// derivative carries it (see colourPlan).
	plan := planColour(data, format, colourModelKind(cfg.ColorModel))
	// A JPEG or PNG judge copy keeps the file's encoding unless its
	// profile is one only a conversion of the pixels can replace.
	losslessJudge := (format == "jpeg" || format == "png") && (plan.toSRGB == nil || plan.standard != nil)

	largest := 0
	if len(specs) > 0 {
		largest = specs[0].MaxSide
	}
	if opt.Judge && !losslessJudge {
		largest = 0 // the judge copy is re-encoded at full resolution
	}
	denom := 1
	if format == "jpeg" && largest > 0 {
		denom = jpegScaleDenom(cfg.Width, cfg.Height, largest)
	}
	release, err := opt.Budget.Acquire(ctx, int64(cfg.Width)*int64(cfg.Height)/int64(denom*denom))
	if err != nil {
		return Result{}, err
	}
	defer release()

	res := Result{Width: cfg.Width, Height: cfg.Height, Format: format, Orientation: orientation}
	if orientation >= 5 {
		res.Width, res.Height = cfg.Height, cfg.Width
	}
	if opt.Judge && losslessJudge {
		// Before decoding, so the file's bytes are not needed after it.
		j, err := judgeCopy(data, format, orientation, nil, opt.JudgeTo, plan)
		if err != nil {
			return Result{}, err
		}
		res.Renditions = append(res.Renditions, j)
	}
	img, err := decodeImage(data, format, denom)
	if err != nil {
		return Result{}, rejectCause(err, "This %s image is damaged or incomplete and cannot be read. Please export it again and upload it again.", formatName(format))
	}
	fileSize := len(data)
	data = nil // let the file's bytes go while the derivatives are made
	dropped(fileSize)
	img = orient(img, orientation)
	// toSRGB is the conversion still to do: on the judge copy when it is
	// re-encoded without a profile, else on the largest derivative once
	// it is made (small, so the conversion costs little), which the
	// smaller ones are made from.
	toSRGB := plan.toSRGB
	if opt.Judge && !losslessJudge {
		if plan.standard == nil && toSRGB != nil {
			img = toSRGB.apply(img)
			toSRGB = nil
		}
		j, err := judgeCopy(nil, format, orientation, img, nil, plan)
		if err != nil {
			return Result{}, err
		}
		res.Renditions = append(res.Renditions, j)
	}

	made := map[string]image.Image{}
	var prev image.Image
	first := flatten(img)
	img = nil
	for _, s := range specs {
		src := first
		first = nil // only the largest is made from the decoded picture
		switch {
		case s.From != "":
			src = made[s.From]
		case prev != nil:
			src = prev
		}
		out := fit(src, s.MaxSide, res.Width, res.Height)
		if toSRGB != nil {
			out = toSRGB.apply(out)
			toSRGB = nil
		}
		q := s.Quality
		if opt.Quality > 0 {
			q = opt.Quality
		}
		buf, err := jpegBytes(out, q)
		if err != nil {
			return Result{}, fmt.Errorf("media: encoding %s: %w", s.Name, err)
		}
		src = nil
		res.Renditions = append(res.Renditions, Rendition{
			Name: s.Name, Width: out.Bounds().Dx(), Height: out.Bounds().Dy(),
			Data: buf, ContentType: "image/jpeg", Size: int64(len(buf)),
		})
		made[s.Name] = out
		prev = out
	}
	if prev == nil {
		prev = first
	}
	res.PHash = PHash(prev)
	return res, nil
}

// judgeCopy keeps the pixels of the original and drops its identifying
// metadata: losslessly for JPEG and PNG (marker segments and chunks are
// filtered, the profile dropped or replaced by Tessera's profile of the
// same standard space, see plan), by re-encoding the decoded image
// otherwise: a JPEG whose pixels were converted to sRGB as a JPEG of
// quality 92, other formats as PNG (carrying Tessera's profile when the
// file's was a standard space's).
func judgeCopy(data []byte, format string, orientation int, img image.Image, to io.Writer, plan colourPlan) (Rendition, error) {
	var (
		b   bytes.Buffer
		w   io.Writer = &b
		err error
		ct  string
	)
	if to != nil && img == nil {
		w = to
	}
	cw := &countingWriter{w: w}
	width, height := 0, 0
	switch {
	case img == nil && format == "jpeg":
		err = stripJPEG(cw, data, orientation, plan.standard)
		ct = "image/jpeg"
	case img == nil && format == "png":
		err = stripPNG(cw, data, pngColourOf(plan))
		ct = "image/png"
	case img == nil:
		return Rendition{}, fmt.Errorf("media: judge copy of %s needs the decoded image", format)
	case format == "jpeg":
		var buf []byte
		if buf, err = jpegBytes(img, 92); err == nil {
			_, err = cw.Write(buf)
		}
		ct = "image/jpeg"
		width, height = img.Bounds().Dx(), img.Bounds().Dy()
	default:
		var pw io.Writer = cw
		if plan.standard != nil {
			// Tessera's profile goes right after the signature and IHDR.
			pw = &insertWriter{w: cw, at: 8 + 25, insert: iccpChunk(plan.standardName, plan.standard)}
		}
		enc := png.Encoder{CompressionLevel: png.BestSpeed}
		err = enc.Encode(pw, img)
		ct = "image/png"
		width, height = img.Bounds().Dx(), img.Bounds().Dy()
	}
	if err != nil {
		return Rendition{}, rejectCause(err, "This %s image is damaged or incomplete and cannot be read. Please export it again and upload it again.", formatName(format))
	}
	if width == 0 {
		cfg, _, err := decodeConfig(data)
		if err != nil {
			return Rendition{}, fmt.Errorf("media: judge copy: %w", err)
		}
		width, height = cfg.Width, cfg.Height
		if orientation >= 5 {
			width, height = height, width
		}
	}
	r := Rendition{Name: NameJudge, Width: width, Height: height, ContentType: ct, Size: cw.n}
	if w == &b {
		r.Data = b.Bytes()
	}
	return r, nil
}

// insertWriter writes insert into w once at bytes have gone through.
type insertWriter struct {
	w      io.Writer
	at, n  int
	insert []byte
}

func (iw *insertWriter) Write(p []byte) (int, error) {
	if iw.insert == nil || iw.n+len(p) < iw.at {
		n, err := iw.w.Write(p)
		iw.n += n
		return n, err
	}
	k := iw.at - iw.n
	if n, err := iw.w.Write(p[:k]); err != nil {
		return n, err
	}
	if _, err := iw.w.Write(iw.insert); err != nil {
		return k, err
	}
	iw.insert = nil
	n, err := iw.w.Write(p[k:])
	iw.n += k + n
	return k + n, err
}

// countingWriter counts the bytes written through it.
type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

func jpegBytes(img image.Image, quality int) ([]byte, error) {
	if b, ok, err := encodeJPEGFast(img, quality); ok {
		return b, err
	}
	var buf bytes.Buffer
	buf.Grow(img.Bounds().Dx() * img.Bounds().Dy() / 4)
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: quality}); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// jpegScaleDenom returns the largest DCT scale denominator (1, 2, 4 or 8)
// that leaves the image's longest side at least target, as libvips'
// shrink-on-load does; 1 when the build cannot scale.
func jpegScaleDenom(w, h, target int) int {
	if !dctScaling {
		return 1
	}
	long := max(w, h)
	d := 1
	for d < 8 && long/(d*2) >= target {
		d *= 2
	}
	return d
}

// fit scales img to fit inside maxSide×maxSide, keeping the aspect ratio of
// the original (origW×origH, which img may approximate after DCT scaling)
// and at least one pixel per side. An image already inside is returned as
// is (never enlarged).
func fit(img image.Image, maxSide, origW, origH int) image.Image {
	w, h := img.Bounds().Dx(), img.Bounds().Dy()
	if w <= maxSide && h <= maxSide {
		return img
	}
	if origW <= 0 || origH <= 0 {
		origW, origH = w, h
	}
	nw, nh := maxSide, maxSide
	if origW >= origH {
		nh = max(1, int(math.Round(float64(origH)*float64(maxSide)/float64(origW))))
	} else {
		nw = max(1, int(math.Round(float64(origW)*float64(maxSide)/float64(origH))))
	}
	if nw > w || nh > h {
		nw, nh = min(nw, w), min(nh, h)
	}
	// A cheap box shrink by the whole part of the reduction first (as
	// libvips' shrink then reduce): Lanczos then works on less than twice
	// the target's pixels per side.
	if k := min(w/nw, h/nh); k >= 2 {
		n := pixelBytes(img)
		img = boxShrink(img, k)
		dropped(n)
	}
	// Lanczos along each axis in turn (what imaging.Resize does in one
	// call), letting the source go between the two passes: the larger
	// picture and the final one are never both held with the
	// intermediate.
	if img.Bounds().Dx() != nw && img.Bounds().Dy() != nh {
		n := pixelBytes(img)
		img = imaging.Resize(img, nw, img.Bounds().Dy(), imaging.Lanczos)
		dropped(n)
	}
	return imaging.Resize(img, nw, nh, imaging.Lanczos)
}

// bigBuffer is the size from which a buffer that has just become garbage
// is worth collecting at once (see dropped).
const bigBuffer = 16 << 20

// dropped is told that a buffer of n bytes has just become garbage. From
// bigBuffer up it runs the collector now, so that the next large
// allocation reuses that memory: Go's collector would otherwise let the
// heap grow to twice the live data first, and a pipeline that holds tens
// of megabytes of pixels would peak near twice its need. The collection is
// cheap here: pixel buffers hold no pointers to scan.
func dropped(n int) {
	if n >= bigBuffer {
		runtime.GC()
	}
}

// pixelBytes is the memory held by an image's pixels.
func pixelBytes(img image.Image) int {
	switch m := img.(type) {
	case *image.NRGBA:
		return len(m.Pix)
	case *image.RGBA:
		return len(m.Pix)
	case *image.YCbCr:
		return len(m.Y) + len(m.Cb) + len(m.Cr)
	case *image.Gray:
		return len(m.Pix)
	}
	b := img.Bounds()
	return b.Dx() * b.Dy() * 4
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
