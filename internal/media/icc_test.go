package media

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"testing"
)

// What the test profiles plant in their text tags and header: an
// entrant's name, her cooperative, a date and her devices. None of it may
// reach a derivative.
const (
	plantedDesc      = "Amina Haddad studio calibration"
	plantedCopyright = "Copyright Cooperative Tissage Atlas"
	plantedMfgDesc   = "Amina Haddad's monitor"
	plantedModelDesc = "Tissage Atlas proofing display"
	plantedID        = "AMINA-HADDAD-ID!" // 16 bytes, the header's profile ID
)

// planted are the strings no derivative may carry, in its bytes or in
// what exiftool reads from it.
var planted = []string{"Amina", "Haddad", "Tissage", "Atlas", "AMINA", "2019", "ATLS", "CAL1", "AMNA"}

// xy is a CIE xy chromaticity in the tests' own colour maths, written
// apart from the package's so that a mistake in one is not copied into
// the reference the other is checked against.
type xy [2]float64

var (
	d65xy      = xy{0.3127, 0.3290}
	sRGBxy     = [3]xy{{0.64, 0.33}, {0.30, 0.60}, {0.15, 0.06}}
	p3xy       = [3]xy{{0.680, 0.320}, {0.265, 0.690}, {0.150, 0.060}}
	adobeRGBxy = [3]xy{{0.64, 0.33}, {0.21, 0.71}, {0.15, 0.06}}
	// calibratedxy is a made-up wide-gamut monitor, near P3 but none of
	// the standard spaces.
	calibratedxy = [3]xy{{0.660, 0.325}, {0.250, 0.680}, {0.145, 0.065}}
)

type m3 [3][3]float64

func (a m3) times(b m3) (c m3) {
	for i := range 3 {
		for j := range 3 {
			for k := range 3 {
				c[i][j] += a[i][k] * b[k][j]
			}
		}
	}
	return c
}

func (a m3) vec(v [3]float64) (r [3]float64) {
	for i := range 3 {
		for k := range 3 {
			r[i] += a[i][k] * v[k]
		}
	}
	return r
}

// inv inverts a by Gauss–Jordan elimination.
func (a m3) inv() m3 {
	var aug [3][6]float64
	for i := range 3 {
		copy(aug[i][:3], a[i][:])
		aug[i][3+i] = 1
	}
	for c := range 3 {
		p := c
		for r := c + 1; r < 3; r++ {
			if math.Abs(aug[r][c]) > math.Abs(aug[p][c]) {
				p = r
			}
		}
		aug[c], aug[p] = aug[p], aug[c]
		pv := aug[c][c]
		for k := range 6 {
			aug[c][k] /= pv
		}
		for r := range 3 {
			if r != c {
				f := aug[r][c]
				for k := range 6 {
					aug[r][k] -= f * aug[c][k]
				}
			}
		}
	}
	var r m3
	for i := range 3 {
		copy(r[i][:], aug[i][3:])
	}
	return r
}

func xyzOf(c xy) [3]float64 { return [3]float64{c[0] / c[1], 1, (1 - c[0] - c[1]) / c[1]} }

// rgbToXYZ is the matrix from linear RGB of primaries p and white w to XYZ
// under w.
func rgbToXYZ(p [3]xy, w xy) m3 {
	var m m3
	for j, c := range p {
		v := xyzOf(c)
		for i := range 3 {
			m[i][j] = v[i]
		}
	}
	s := m.inv().vec(xyzOf(w))
	for i := range 3 {
		for j := range 3 {
			m[i][j] *= s[j]
		}
	}
	return m
}

// toD50 adapts XYZ under D65 to the ICC connection space's D50 (Bradford),
// as profiles store their colorants.
func toD50() m3 {
	b := m3{{0.8951, 0.2664, -0.1614}, {-0.7502, 1.7135, 0.0367}, {0.0389, -0.0685, 1.0296}}
	src, dst := b.vec(xyzOf(d65xy)), b.vec([3]float64{0.9642, 1, 0.8249})
	return b.inv().times(m3{{dst[0] / src[0], 0, 0}, {0, dst[1] / src[1], 0}, {0, 0, dst[2] / src[2]}}).times(b)
}

func srgbEOTF(v float64) float64 {
	if v <= 0.04045 {
		return v / 12.92
	}
	return math.Pow((v+0.055)/1.055, 2.4)
}

func srgbOETF(l float64) float64 {
	l = math.Max(0, math.Min(1, l))
	if l <= 0.0031308 {
		return 12.92 * l
	}
	return 1.055*math.Pow(l, 1/2.4) - 0.055
}

// expectSRGB is the sRGB colour (8-bit) of device colour c in the RGB
// space of primaries p (white D65) and transfer curve gamma (0: sRGB's):
// linear light, straight to XYZ and back into linear sRGB (both under
// D65, so no adaptation is involved), clipped, encoded.
func expectSRGB(c [3]uint8, p [3]xy, gamma float64) [3]uint8 {
	var lin [3]float64
	for i, v := range c {
		x := float64(v) / 255
		if gamma > 0 {
			lin[i] = math.Pow(x, gamma)
		} else {
			lin[i] = srgbEOTF(x)
		}
	}
	out := rgbToXYZ(sRGBxy, d65xy).inv().times(rgbToXYZ(p, d65xy)).vec(lin)
	var r [3]uint8
	for i, l := range out {
		r[i] = uint8(math.Round(srgbOETF(l) * 255))
	}
	return r
}

// testProfile describes an ICC profile the tests build byte by byte (an
// ICC v2.4 display profile, as calibration software writes them).
type testProfile struct {
	gray      bool
	primaries [3]xy
	// gamma of the curves; 0 is the sRGB curve as a 1024-entry table.
	gamma float64
	// para writes the curves as 'para' tags instead of 'curv'.
	para bool
	// planted fills the text tags and header with the entrant's details;
	// otherwise they name nobody.
	planted bool
	// extra tags appended to the tag table, as is.
	extra map[string][]byte
}

func (tp testProfile) bytes() []byte {
	be := binary.BigEndian
	desc := func(s string) []byte {
		b := append([]byte("desc"), 0, 0, 0, 0)
		b = be.AppendUint32(b, uint32(len(s)+1))
		b = append(append(b, s...), 0)
		b = append(b, make([]byte, 4+4+2+1+67)...) // no Unicode, no ScriptCode
		return b
	}
	text := func(s string) []byte { return append(append([]byte("text\x00\x00\x00\x00"), s...), 0) }
	xyzTag := func(v [3]float64) []byte {
		b := []byte("XYZ \x00\x00\x00\x00")
		for _, c := range v {
			b = be.AppendUint32(b, uint32(int32(math.Round(c*65536))))
		}
		return b
	}
	var trc []byte
	switch {
	case tp.para && tp.gamma > 0:
		trc = be.AppendUint32([]byte("para\x00\x00\x00\x00\x00\x00\x00\x00"), uint32(math.Round(tp.gamma*65536)))
	case tp.para:
		trc = []byte("para\x00\x00\x00\x00\x00\x03\x00\x00")
		for _, v := range []float64{2.4, 1 / 1.055, 0.055 / 1.055, 1 / 12.92, 0.04045} {
			trc = be.AppendUint32(trc, uint32(int32(math.Round(v*65536))))
		}
	case tp.gamma > 0:
		trc = be.AppendUint16(be.AppendUint32([]byte("curv\x00\x00\x00\x00"), 1), uint16(math.Round(tp.gamma*256)))
	default:
		trc = be.AppendUint32([]byte("curv\x00\x00\x00\x00"), 1024)
		for i := range 1024 {
			trc = be.AppendUint16(trc, uint16(math.Round(srgbEOTF(float64(i)/1023)*65535)))
		}
	}
	names := [4]string{"Tessera test profile", "No copyright", "Test maker", "Test display"}
	if tp.planted {
		names = [4]string{plantedDesc, plantedCopyright, plantedMfgDesc, plantedModelDesc}
	}
	type tag struct {
		sig  string
		data []byte
	}
	tags := []tag{
		{"desc", desc(names[0])}, {"cprt", text(names[1])}, {"dmnd", desc(names[2])}, {"dmdd", desc(names[3])},
		{"wtpt", xyzTag([3]float64{0.9642, 1, 0.8249})},
	}
	if tp.gray {
		tags = append(tags, tag{"kTRC", trc})
	} else {
		col := toD50().times(rgbToXYZ(tp.primaries, d65xy))
		for j, sig := range []string{"rXYZ", "gXYZ", "bXYZ"} {
			tags = append(tags, tag{sig, xyzTag([3]float64{col[0][j], col[1][j], col[2][j]})})
		}
		tags = append(tags, tag{"rTRC", trc}, tag{"gTRC", trc}, tag{"bTRC", trc})
	}
	for sig, data := range tp.extra {
		tags = append(tags, tag{sig, data})
	}
	var body []byte
	table := be.AppendUint32(nil, uint32(len(tags)))
	start := 132 + 12*len(tags)
	for _, t := range tags {
		table = append(table, t.sig...)
		table = be.AppendUint32(table, uint32(start+len(body)))
		table = be.AppendUint32(table, uint32(len(t.data)))
		body = append(body, t.data...)
		for len(body)%4 != 0 {
			body = append(body, 0)
		}
	}
	h := make([]byte, 128)
	be.PutUint32(h, uint32(128+len(table)+len(body)))
	be.PutUint32(h[8:], 0x02400000)
	space := "RGB "
	if tp.gray {
		space = "GRAY"
	}
	copy(h[12:], "mntr"+space+"XYZ ")
	copy(h[36:], "acsp")
	be.PutUint32(h[68:], 0xF6D6)
	be.PutUint32(h[72:], 0x10000)
	be.PutUint32(h[76:], 0xD32D)
	if tp.planted {
		for i, v := range []uint16{2019, 3, 4, 10, 20, 30} {
			be.PutUint16(h[24+2*i:], v)
		}
		copy(h[4:], "AMNA")
		copy(h[48:], "ATLSCAL1")
		copy(h[80:], "AMNA")
		copy(h[84:], plantedID)
	}
	return append(append(h, table...), body...)
}

func TestParseICC(t *testing.T) {
	for _, tt := range []struct {
		name string
		tp   testProfile
		gray bool
		// at are device values and the linear light their curve gives.
		at [][2]float64
	}{
		{"sRGB curve table", testProfile{primaries: sRGBxy}, false, [][2]float64{{0, 0}, {0.5, srgbEOTF(0.5)}, {1, 1}}},
		{"sRGB para", testProfile{primaries: p3xy, para: true}, false, [][2]float64{{0.02, 0.02 / 12.92}, {0.5, srgbEOTF(0.5)}}},
		{"gamma curv", testProfile{primaries: calibratedxy, gamma: 1.75}, false, [][2]float64{{0.5, math.Pow(0.5, 1.75)}}},
		{"gamma para", testProfile{primaries: adobeRGBxy, gamma: 563.0 / 256, para: true}, false, [][2]float64{{0.25, math.Pow(0.25, 563.0/256)}}},
		{"grey", testProfile{gray: true, gamma: 1}, true, [][2]float64{{0.3, 0.3}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p, err := parseICC(tt.tp.bytes())
			if err != nil {
				t.Fatal(err)
			}
			if p.gray != tt.gray {
				t.Fatalf("gray = %v", p.gray)
			}
			for _, a := range tt.at {
				for c := range 3 {
					if got := p.curves[c].eval(a[0]); math.Abs(got-a[1]) > 2e-4 {
						t.Errorf("curve %d at %v = %v, want %v", c, a[0], got, a[1])
					}
				}
			}
			if !tt.gray {
				want := toD50().times(rgbToXYZ(tt.tp.primaries, d65xy))
				for i := range 3 {
					for j := range 3 {
						if math.Abs(p.colorants[i][j]-want[i][j]) > 1e-4 {
							t.Fatalf("colorants %v, want %v", p.colorants, want)
						}
					}
				}
			}
		})
	}
}

// TestICCStandardSpaces: the profile Tessera embeds for a standard space
// reads back as that space, and is recognised as it; a calibration near
// it is not.
func TestICCStandardSpaces(t *testing.T) {
	for _, s := range standardSpaces() {
		own := s.iccProfile()
		p, err := parseICC(own)
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if !p.matches(s) {
			t.Errorf("Tessera's %s profile does not match %s", s.name, s.name)
		}
		if bytes.Contains(own, []byte("Amina")) || len(own) > 1024 {
			t.Errorf("%s profile: %d bytes", s.name, len(own))
		}
	}
	spaces := standardSpaces()
	for _, tt := range []struct {
		name string
		tp   testProfile
		want string
	}{
		{"Display P3 as a table", testProfile{primaries: p3xy, planted: true}, "Display P3"},
		{"Display P3 as para", testProfile{primaries: p3xy, para: true}, "Display P3"},
		{"Adobe RGB", testProfile{primaries: adobeRGBxy, gamma: 563.0 / 256}, spaces[1].name},
		{"Adobe primaries, gamma 1.8", testProfile{primaries: adobeRGBxy, gamma: 1.8}, ""},
		{"calibrated monitor", testProfile{primaries: calibratedxy, gamma: 2.2}, ""},
		{"P3 primaries, gamma 2.2", testProfile{primaries: p3xy, gamma: 2.2}, ""},
	} {
		p, err := parseICC(tt.tp.bytes())
		if err != nil {
			t.Fatal(err)
		}
		got := ""
		for _, s := range spaces {
			if p.matches(s) {
				got = s.name
			}
		}
		if got != tt.want {
			t.Errorf("%s recognised as %q, want %q", tt.name, got, tt.want)
		}
	}
}

// TestICCSRGBIsLeftAlone: an sRGB profile (however its curve is written)
// needs no conversion, so such a picture takes the fast path.
func TestICCSRGBIsLeftAlone(t *testing.T) {
	for _, tp := range []testProfile{{primaries: sRGBxy}, {primaries: sRGBxy, para: true}, {gray: true}} {
		p, err := parseICC(tp.bytes())
		if err != nil {
			t.Fatal(err)
		}
		tf, ok := newColourTransform(p)
		if !ok || !tf.identity() {
			t.Errorf("%+v: transform %v, identity %v", tp, ok, ok && tf.identity())
		}
	}
	p, _ := parseICC(testProfile{primaries: p3xy}.bytes())
	if tf, ok := newColourTransform(p); !ok || tf.identity() {
		t.Error("Display P3 is taken for sRGB")
	}
}

// TestParseICCHostile: broken and hostile profiles are refused without a
// panic and without allocating more than the profile's own size.
func TestParseICCHostile(t *testing.T) {
	good := testProfile{primaries: p3xy, planted: true}.bytes()
	be := binary.BigEndian
	mut := func(f func(p []byte) []byte) []byte { return f(bytes.Clone(good)) }
	// tagEntry returns the offset of the n-th tag table entry.
	tagEntry := func(n int) int { return 132 + 12*n }
	rTRC := 0
	for i := range int(be.Uint32(good[128:])) {
		if string(good[tagEntry(i):tagEntry(i)+4]) == "rTRC" {
			rTRC = tagEntry(i)
		}
	}
	lutOnly := testProfile{gray: false, primaries: p3xy}.bytes()
	for i := range int(be.Uint32(lutOnly[128:])) {
		if e := tagEntry(i); string(lutOnly[e:e+4]) == "rXYZ" {
			copy(lutOnly[e:], "A2B0")
		}
	}
	for _, tt := range []struct {
		name string
		data []byte
		want error
	}{
		{"empty", nil, errICCMalformed},
		{"header only", good[:128], errICCMalformed},
		{"truncated", good[:len(good)/2], errICCMalformed},
		{"size zero", mut(func(p []byte) []byte { be.PutUint32(p, 0); return p }), errICCMalformed},
		{"size past the end", mut(func(p []byte) []byte { be.PutUint32(p, 0xFFFFFFFF); return p }), errICCMalformed},
		{"no acsp", mut(func(p []byte) []byte { copy(p[36:], "xxxx"); return p }), errICCMalformed},
		{"huge tag count", mut(func(p []byte) []byte { be.PutUint32(p[128:], 0xFFFFFFFF); return p }), errICCMalformed},
		{"tag count just over", mut(func(p []byte) []byte { be.PutUint32(p[128:], uint32((len(p)-132)/12+1)); return p }), errICCMalformed},
		{"no tags", mut(func(p []byte) []byte { be.PutUint32(p[128:], 0); return p }), errICCUnsupported},
		{"offset out of range", mut(func(p []byte) []byte { be.PutUint32(p[rTRC+4:], 0xFFFFFFF0); return p }), errICCMalformed},
		{"offset plus size overflows", mut(func(p []byte) []byte {
			be.PutUint32(p[rTRC+4:], 0x80000000)
			be.PutUint32(p[rTRC+8:], 0x80000010)
			return p
		}), errICCMalformed},
		{"zero-size curve", mut(func(p []byte) []byte { be.PutUint32(p[rTRC+8:], 0); return p }), errICCMalformed},
		{"curve count past its tag", mut(func(p []byte) []byte {
			be.PutUint32(p[be.Uint32(p[rTRC+4:])+8:], 0xFFFFFFFF)
			return p
		}), errICCMalformed},
		{"unknown curve type", mut(func(p []byte) []byte { copy(p[be.Uint32(p[rTRC+4:]):], "junk"); return p }), errICCMalformed},
		{"CMYK", mut(func(p []byte) []byte { copy(p[16:], "CMYK"); return p }), errICCUnsupported},
		{"Lab connection space", mut(func(p []byte) []byte { copy(p[20:], "Lab "); return p }), errICCUnsupported},
		{"device link", mut(func(p []byte) []byte { copy(p[12:], "link"); return p }), errICCUnsupported},
		{"LUT-based only", lutOnly, errICCUnsupported},
		{"bigger than the cap", append(mut(func(p []byte) []byte { be.PutUint32(p, maxICCSize+1); return p }), make([]byte, maxICCSize)...), errICCMalformed},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			alloc := allocatedDuring(func() { _, err = parseICC(tt.data) })
			if !errors.Is(err, tt.want) {
				t.Errorf("err = %v, want %v", err, tt.want)
			}
			if alloc > 64<<10 {
				t.Errorf("allocated %d bytes", alloc)
			}
		})
	}
	t.Run("para out of range", func(t *testing.T) {
		for fn := range uint16(8) {
			p := mut(func(p []byte) []byte { return p })
			off := be.Uint32(p[rTRC+4:])
			tag := []byte("para\x00\x00\x00\x00")
			tag = be.AppendUint16(tag, fn)
			tag = append(tag, 0, 0)
			for _, v := range []int32{-0x7FFFFFFF, 0, 0x7FFFFFFF, -1, 0x10000, 0, -0x10000} {
				tag = be.AppendUint32(tag, uint32(v))
			}
			copy(p[off:], tag[:min(len(tag), int(be.Uint32(p[rTRC+8:])))])
			prof, err := parseICC(p)
			if err != nil {
				continue
			}
			for x := 0.0; x <= 1; x += 0.125 {
				if y := prof.curves[0].eval(x); !(y >= 0 && y <= 1) {
					t.Errorf("para %d at %v = %v", fn, x, y)
				}
			}
		}
	})
}

// FuzzParseICC: the profile parser never panics, and whatever it accepts
// gives a conversion that maps every colour into the sRGB cube.
func FuzzParseICC(f *testing.F) {
	for _, tp := range []testProfile{
		{primaries: p3xy, planted: true}, {primaries: adobeRGBxy, gamma: 2.2, para: true}, {gray: true, gamma: 1.8},
		{primaries: calibratedxy, gamma: 1.75},
	} {
		f.Add(tp.bytes())
	}
	f.Add(standardSpaces()[0].iccProfile())
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := parseICC(data)
		if err != nil {
			return
		}
		for _, s := range standardSpaces() {
			_ = p.matches(s)
		}
		tf, ok := newColourTransform(p)
		if !ok {
			return
		}
		_ = tf.identity()
		for _, c := range [][3]uint8{{0, 0, 0}, {255, 255, 255}, {255, 0, 0}, {12, 200, 77}} {
			_ = tf.pixel8(c[0], c[1], c[2]) // in range by type; must not panic
		}
	})
}
