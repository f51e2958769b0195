package media

import (
	"image"
	"image/color"
	"math"
	"runtime"
	"sync"

	"github.com/disintegration/imaging"
)

// colourPlan is what DeriveImage does about a picture's embedded colour
// profile. The profile itself (its text names people: "<entrant> studio
// calibration", "Copyright <cooperative>"; its header dates and device)
// never reaches a derivative: either the pixels are converted to sRGB and
// carry no profile, or a lossless judge copy carries Tessera's own profile
// of the same standard space.
type colourPlan struct {
	// profiled is set when the file embeds a profile at all (read or not).
	profiled bool
	// toSRGB converts pixels of the profile's space to sRGB; nil when the
	// pixels are shown as decoded: no profile, an sRGB one, or one that is
	// not an RGB or grey matrix/TRC profile (LUT-based, CMYK, broken).
	toSRGB *colourTransform
	// standard is Tessera's profile of the standard space (Display P3,
	// Adobe RGB) the file's profile describes, for a judge copy that keeps
	// its pixels, and that space's name; nil when the profile is not one
	// of them.
	standard     []byte
	standardName string
}

// colourModelKind sorts a decoded picture's colour model into the
// channels a profile may describe: "gray", "rgb" or "cmyk".
func colourModelKind(m color.Model) string {
	switch m {
	case color.GrayModel, color.Gray16Model:
		return "gray"
	case color.CMYKModel:
		return "cmyk"
	}
	return "rgb"
}

// planColour reads the profile embedded in data, a file of format whose
// pixels are of kind (see colourModelKind), and decides what to do.
// Reading it costs a few microseconds; a file without one costs nothing.
func planColour(data []byte, format, kind string) colourPlan {
	raw, found := embeddedICC(data, format)
	if !found {
		return colourPlan{}
	}
	plan := colourPlan{profiled: true}
	prof, err := parseICC(raw)
	if err != nil || kind == "cmyk" || prof.gray != (kind == "gray") || prof.matches(sRGBSpace()) {
		return plan
	}
	tf, ok := newColourTransform(prof)
	if !ok || tf.identity() {
		return plan
	}
	plan.toSRGB = tf
	for _, s := range standardSpaces() {
		if prof.matches(s) {
			plan.standard, plan.standardName = s.iccProfile(), s.name
			break
		}
	}
	return plan
}

// whiteAdapted returns the profile's colorants adapted so that device
// white lands exactly on the D50 white, which is what the ICC
// specification requires of them; profiles that break the rule (old v2
// profiles holding unadapted D65 colorants) are corrected the way a
// careful colour manager does. It reports false when the colorants do not
// describe a usable white.
func (p *iccProfile) whiteAdapted() (mat3, bool) {
	if p.gray {
		return mat3{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}, true
	}
	c := mat3(p.colorants)
	w := c.apply([3]float64{1, 1, 1})
	if !(w[1] > 0.1 && w[1] < 10) {
		return mat3{}, false
	}
	a, ok := adaptation(w, d50())
	if !ok {
		return mat3{}, false
	}
	return a.mul(c), true
}

// matches reports whether the profile describes space s: the same
// primaries (within 0.004 in XYZ) and a transfer curve that nowhere
// differs from the space's by more than one and a half 8-bit steps.
func (p *iccProfile) matches(s rgbSpace) bool {
	if p.gray {
		return false
	}
	c, ok := p.whiteAdapted()
	if !ok {
		return false
	}
	want := s.colorants()
	for i := range 3 {
		for j := range 3 {
			if math.Abs(c[i][j]-want[i][j]) > 0.004 {
				return false
			}
		}
	}
	for i := range 3 {
		if !curveMatches(&p.curves[i], s) {
			return false
		}
	}
	return true
}

func curveMatches(c *iccCurve, s rgbSpace) bool {
	for v := range 256 {
		x := float64(v) / 255
		if math.Abs(s.encode(c.eval(x))-x)*255 > 1.5 {
			return false
		}
	}
	return true
}

// encSteps is the resolution of the table that encodes linear light as
// 8-bit sRGB: a step is at most a fifth of an 8-bit step.
const encSteps = 1 << 14

// colourTransform converts pixels of a matrix/TRC profile's space to sRGB:
// each channel through its curve to linear light, the matrix through the
// D50 connection space to linear sRGB, clipped to the sRGB gamut, then the
// sRGB curve.
type colourTransform struct {
	m      [3][3]float32
	curves [3]iccCurve
	// direct is set when the matrix is the identity (grey profiles): each
	// channel then maps on its own through lut8.
	direct bool
	lin8   [3][256]float32
	lut8   [3][256]uint8
	enc8   []uint8

	once16 sync.Once
	lin16  [3][]float32
	enc16  []uint16
}

// newColourTransform builds the conversion from the profile's space to
// sRGB; false when its colorants are unusable.
func newColourTransform(p *iccProfile) (*colourTransform, bool) {
	c, ok := p.whiteAdapted()
	if !ok {
		return nil, false
	}
	inv, ok := sRGBSpace().colorants().inverse()
	if !ok {
		return nil, false
	}
	m := inv.mul(c)
	t := &colourTransform{curves: p.curves, enc8: make([]uint8, encSteps+1)}
	for i := range 3 {
		for j := range 3 {
			if math.IsNaN(m[i][j]) || math.Abs(m[i][j]) > 100 {
				return nil, false
			}
			t.m[i][j] = float32(m[i][j])
		}
	}
	if p.gray {
		t.m = [3][3]float32{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}
		t.direct = true
	}
	// enc8[i] is the 8-bit sRGB value nearest linear light i/encSteps:
	// filled between the 255 points where the nearest value changes, so
	// that building it costs 255 powers, not encSteps.
	lo := 0
	for v := range 255 {
		hi := min(encSteps+1, int(math.Ceil(sRGBDecode((float64(v)+0.5)/255)*encSteps)))
		for i := lo; i < hi; i++ {
			t.enc8[i] = uint8(v)
		}
		lo = max(lo, hi)
	}
	for i := lo; i <= encSteps; i++ {
		t.enc8[i] = 255
	}
	for c := range 3 {
		for v := range 256 {
			l := t.curves[c].eval(float64(v) / 255)
			t.lin8[c][v] = float32(l)
			t.lut8[c][v] = t.enc8[int(l*encSteps+0.5)]
		}
	}
	return t, true
}

// identity reports whether the transform leaves every 8-bit colour within
// one step of where it was: the profile is sRGB in all but name.
func (t *colourTransform) identity() bool {
	for r := 0; r < 256; r += 15 {
		for g := 0; g < 256; g += 15 {
			for b := 0; b < 256; b += 15 {
				o := t.pixel8(uint8(r), uint8(g), uint8(b))
				if absDiff(o[0], uint8(r)) > 1 || absDiff(o[1], uint8(g)) > 1 || absDiff(o[2], uint8(b)) > 1 {
					return false
				}
			}
		}
	}
	return true
}

func absDiff(a, b uint8) int {
	if a > b {
		return int(a - b)
	}
	return int(b - a)
}

func (t *colourTransform) pixel8(r, g, b uint8) [3]uint8 {
	if t.direct {
		return [3]uint8{t.lut8[0][r], t.lut8[1][g], t.lut8[2][b]}
	}
	lr, lg, lb := t.lin8[0][r], t.lin8[1][g], t.lin8[2][b]
	m := &t.m
	return [3]uint8{
		t.encode8(m[0][0]*lr + m[0][1]*lg + m[0][2]*lb),
		t.encode8(m[1][0]*lr + m[1][1]*lg + m[1][2]*lb),
		t.encode8(m[2][0]*lr + m[2][1]*lg + m[2][2]*lb),
	}
}

func (t *colourTransform) encode8(v float32) uint8 { return t.enc8[encIndex(v)] }

// encIndex is the index in enc8 of linear light v, clipped to [0, 1].
func encIndex(v float32) int {
	if !(v > 0) {
		return 0
	}
	if v >= 1 {
		return encSteps
	}
	return int(v*encSteps + 0.5)
}

// apply converts img to sRGB and returns the result: img itself, changed
// in place, when it is NRGBA, opaque RGBA, grey (for a grey profile) or
// their 16-bit forms; otherwise an NRGBA copy. Alpha is kept.
func (t *colourTransform) apply(img image.Image) image.Image {
	switch m := img.(type) {
	case *image.NRGBA:
		t.apply8(m.Pix, m.Stride, m.Rect.Dx(), m.Rect.Dy(), 4)
		return m
	case *image.RGBA:
		if m.Opaque() {
			t.apply8(m.Pix, m.Stride, m.Rect.Dx(), m.Rect.Dy(), 4)
			return m
		}
	case *image.Gray:
		if t.direct {
			t.apply8(m.Pix, m.Stride, m.Rect.Dx(), m.Rect.Dy(), 1)
			return m
		}
	case *image.NRGBA64:
		t.apply16(m.Pix, m.Stride, m.Rect.Dx(), m.Rect.Dy(), 4)
		return m
	case *image.RGBA64:
		if m.Opaque() {
			t.apply16(m.Pix, m.Stride, m.Rect.Dx(), m.Rect.Dy(), 4)
			return m
		}
	case *image.Gray16:
		if t.direct {
			t.apply16(m.Pix, m.Stride, m.Rect.Dx(), m.Rect.Dy(), 1)
			return m
		}
	}
	n := imaging.Clone(img)
	t.apply8(n.Pix, n.Stride, n.Rect.Dx(), n.Rect.Dy(), 4)
	return n
}

// rows runs fn over the rows 0..h-1 in a few goroutines.
func rows(h int, fn func(y0, y1 int)) {
	n := min(runtime.GOMAXPROCS(0), max(1, h/64))
	var wg sync.WaitGroup
	for i := range n {
		y0, y1 := h*i/n, h*(i+1)/n
		wg.Go(func() { fn(y0, y1) })
	}
	wg.Wait()
}

// apply8 converts 8-bit pixels of bpp bytes (1: grey, 4: RGBA) in place.
func (t *colourTransform) apply8(pix []byte, stride, w, h, bpp int) {
	rows(h, func(y0, y1 int) {
		for y := y0; y < y1; y++ {
			row := pix[y*stride : y*stride+w*bpp]
			if bpp == 1 {
				for i, v := range row {
					row[i] = t.lut8[0][v]
				}
				continue
			}
			if t.direct {
				for i := 0; i+3 < len(row); i += 4 {
					row[i], row[i+1], row[i+2] = t.lut8[0][row[i]], t.lut8[1][row[i+1]], t.lut8[2][row[i+2]]
				}
				continue
			}
			// pixel8, written out: this loop is the whole cost.
			m, enc := &t.m, t.enc8[:encSteps+1]
			l0, l1, l2 := &t.lin8[0], &t.lin8[1], &t.lin8[2]
			for i := 0; i+3 < len(row); i += 4 {
				p := row[i : i+3 : i+3]
				lr, lg, lb := l0[p[0]], l1[p[1]], l2[p[2]]
				p[0] = enc[encIndex(m[0][0]*lr+m[0][1]*lg+m[0][2]*lb)]
				p[1] = enc[encIndex(m[1][0]*lr+m[1][1]*lg+m[1][2]*lb)]
				p[2] = enc[encIndex(m[2][0]*lr+m[2][1]*lg+m[2][2]*lb)]
			}
		}
	})
}

// tables16 builds the 16-bit tables on first use (16-bit pictures only).
func (t *colourTransform) tables16() {
	t.once16.Do(func() {
		for c := range 3 {
			if c > 0 && t.direct { // a grey profile's three curves are one
				t.lin16[c] = t.lin16[0]
				continue
			}
			t.lin16[c] = make([]float32, 65536)
			for v := range 65536 {
				t.lin16[c][v] = float32(t.curves[c].eval(float64(v) / 65535))
			}
		}
		t.enc16 = make([]uint16, 65537)
		for i := range t.enc16 {
			t.enc16[i] = uint16(math.Round(sRGBEncode(float64(i)/65536) * 65535))
		}
	})
}

func (t *colourTransform) encode16(v float32) uint16 {
	if !(v > 0) {
		return t.enc16[0]
	}
	if v >= 1 {
		return t.enc16[65536]
	}
	return t.enc16[int(v*65536+0.5)]
}

// apply16 converts 16-bit big-endian pixels of bpp samples (1 or 4) in
// place.
func (t *colourTransform) apply16(pix []byte, stride, w, h, bpp int) {
	t.tables16()
	get := func(b []byte) uint16 { return uint16(b[0])<<8 | uint16(b[1]) }
	put := func(b []byte, v uint16) { b[0], b[1] = byte(v>>8), byte(v) }
	rows(h, func(y0, y1 int) {
		for y := y0; y < y1; y++ {
			row := pix[y*stride : y*stride+w*bpp*2]
			if bpp == 1 {
				for i := 0; i+1 < len(row); i += 2 {
					put(row[i:], t.encode16(t.lin16[0][get(row[i:])]))
				}
				continue
			}
			m := &t.m
			for i := 0; i+7 < len(row); i += 8 {
				lr, lg, lb := t.lin16[0][get(row[i:])], t.lin16[1][get(row[i+2:])], t.lin16[2][get(row[i+4:])]
				put(row[i:], t.encode16(m[0][0]*lr+m[0][1]*lg+m[0][2]*lb))
				put(row[i+2:], t.encode16(m[1][0]*lr+m[1][1]*lg+m[1][2]*lb))
				put(row[i+4:], t.encode16(m[2][0]*lr+m[2][1]*lg+m[2][2]*lb))
			}
		}
	})
}
