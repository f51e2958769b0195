package media

import (
	"bytes"
	"crypto/md5"
	"encoding/binary"
	"math"
	"unicode/utf16"
)

// mat3 is a 3×3 matrix acting on column vectors.
type mat3 [3][3]float64

func (a mat3) mul(b mat3) mat3 {
	var c mat3
	for i := range 3 {
		for j := range 3 {
			for k := range 3 {
				c[i][j] += a[i][k] * b[k][j]
			}
		}
	}
	return c
}

func (a mat3) apply(v [3]float64) [3]float64 {
	var r [3]float64
	for i := range 3 {
		r[i] = a[i][0]*v[0] + a[i][1]*v[1] + a[i][2]*v[2]
	}
	return r
}

// inverse returns a's inverse, or false when a is singular or not finite.
func (a mat3) inverse() (mat3, bool) {
	det := a[0][0]*(a[1][1]*a[2][2]-a[1][2]*a[2][1]) -
		a[0][1]*(a[1][0]*a[2][2]-a[1][2]*a[2][0]) +
		a[0][2]*(a[1][0]*a[2][1]-a[1][1]*a[2][0])
	if det == 0 || math.IsNaN(det) || math.IsInf(det, 0) {
		return mat3{}, false
	}
	var r mat3
	for i := range 3 {
		for j := range 3 {
			// Cofactor of a[j][i], cyclically.
			r[i][j] = (a[(j+1)%3][(i+1)%3]*a[(j+2)%3][(i+2)%3] - a[(j+1)%3][(i+2)%3]*a[(j+2)%3][(i+1)%3]) / det
		}
	}
	return r, true
}

func diag(v [3]float64) mat3 { return mat3{{v[0], 0, 0}, {0, v[1], 0}, {0, 0, v[2]}} }

// d50 is the ICC connection space's white, as profiles encode it
// (s15Fixed16 0xF6D6, 0x10000, 0xD32D).
func d50() [3]float64 { return [3]float64{63190.0 / 65536, 1, 54061.0 / 65536} }

// bradford is the cone response matrix of the Bradford chromatic
// adaptation, which the ICC specification recommends.
func bradford() mat3 {
	return mat3{{0.8951, 0.2664, -0.1614}, {-0.7502, 1.7135, 0.0367}, {0.0389, -0.0685, 1.0296}}
}

// adaptation returns the Bradford matrix that takes colours seen under
// white from to the same colours seen under white to, or false when a
// white is not a colour.
func adaptation(from, to [3]float64) (mat3, bool) {
	b := bradford()
	bi, _ := b.inverse()
	f, t := b.apply(from), b.apply(to)
	var s [3]float64
	for i := range 3 {
		if !(f[i] > 0) || !(t[i] > 0) || math.IsInf(f[i], 0) || math.IsInf(t[i], 0) {
			return mat3{}, false
		}
		s[i] = t[i] / f[i]
	}
	return bi.mul(diag(s)).mul(b), true
}

// chroma is a CIE 1931 xy chromaticity.
type chroma struct{ x, y float64 }

// xyz is the colour of chromaticity c at luminance 1.
func (c chroma) xyz() [3]float64 { return [3]float64{c.x / c.y, 1, (1 - c.x - c.y) / c.y} }

// rgbSpace is a standard RGB colour space: primaries, white and transfer
// curve (the sRGB curve, or a pure power).
type rgbSpace struct {
	name       string
	r, g, b, w chroma
	// gamma is the power of the transfer curve; 0 means the sRGB curve.
	gamma float64
}

func sRGBSpace() rgbSpace {
	return rgbSpace{name: "sRGB", r: chroma{0.64, 0.33}, g: chroma{0.30, 0.60}, b: chroma{0.15, 0.06}, w: chroma{0.3127, 0.3290}}
}

// standardSpaces are the wide-gamut spaces whose judge copies keep their
// pixels and carry Tessera's own profile of the space instead of the
// file's: the two that cameras, phones and editors commonly embed.
func standardSpaces() []rgbSpace {
	d65 := chroma{0.3127, 0.3290}
	return []rgbSpace{
		{name: "Display P3", r: chroma{0.680, 0.320}, g: chroma{0.265, 0.690}, b: chroma{0.150, 0.060}, w: d65},
		{name: "Adobe RGB (1998) compatible", r: chroma{0.64, 0.33}, g: chroma{0.21, 0.71}, b: chroma{0.15, 0.06}, w: d65, gamma: 563.0 / 256},
	}
}

// colorants returns the space's primaries as ICC profiles carry them: XYZ
// columns adapted to the D50 connection space.
func (s rgbSpace) colorants() mat3 {
	r, g, b := s.r.xyz(), s.g.xyz(), s.b.xyz()
	p := mat3{{r[0], g[0], b[0]}, {r[1], g[1], b[1]}, {r[2], g[2], b[2]}}
	pi, _ := p.inverse()
	npm := p.mul(diag(pi.apply(s.w.xyz())))
	a, _ := adaptation(s.w.xyz(), d50())
	return a.mul(npm)
}

// encode maps linear light in [0, 1] to the space's encoded value.
func (s rgbSpace) encode(l float64) float64 {
	if s.gamma > 0 {
		return math.Pow(l, 1/s.gamma)
	}
	return sRGBEncode(l)
}

// sRGBDecode is the sRGB transfer function (IEC 61966-2-1), encoded to
// linear.
func sRGBDecode(v float64) float64 {
	if v <= 0.04045 {
		return v / 12.92
	}
	return math.Pow((v+0.055)/1.055, 2.4)
}

// sRGBEncode is the inverse of sRGBDecode.
func sRGBEncode(l float64) float64 {
	if l <= 0.0031308 {
		return 12.92 * l
	}
	return 1.055*math.Pow(l, 1/2.4) - 0.055
}

// iccProfile builds Tessera's ICC v4 display profile of the space. It is
// made only from the space's definition, so it is the same bytes for every
// file: no text, date, device or creator of any upload is in it.
func (s rgbSpace) iccProfile() []byte {
	be := binary.BigEndian
	type tag struct {
		sig  string
		data []byte
	}
	xyzTag := func(v [3]float64) []byte {
		b := append([]byte("XYZ "), 0, 0, 0, 0)
		for _, c := range v {
			b = be.AppendUint32(b, uint32(s15Fixed16(c)))
		}
		return b
	}
	mluc := func(text string) []byte {
		u := utf16.Encode([]rune(text))
		b := append([]byte("mluc"), 0, 0, 0, 0)
		b = be.AppendUint32(b, 1)  // one record
		b = be.AppendUint32(b, 12) // of 12 bytes
		b = append(b, "enUS"...)
		b = be.AppendUint32(b, uint32(2*len(u)))
		b = be.AppendUint32(b, 28)
		for _, c := range u {
			b = be.AppendUint16(b, c)
		}
		return b
	}
	var trc []byte
	if s.gamma > 0 {
		trc = append([]byte("para"), 0, 0, 0, 0, 0, 0, 0, 0)
		trc = be.AppendUint32(trc, uint32(s15Fixed16(s.gamma)))
	} else {
		trc = append([]byte("para"), 0, 0, 0, 0, 0, 3, 0, 0)
		for _, v := range []float64{2.4, 1 / 1.055, 0.055 / 1.055, 1 / 12.92, 0.04045} {
			trc = be.AppendUint32(trc, uint32(s15Fixed16(v)))
		}
	}
	col := s.colorants()
	chad, _ := adaptation(s.w.xyz(), d50())
	var sf32 []byte
	sf32 = append([]byte("sf32"), 0, 0, 0, 0)
	for i := range 3 {
		for j := range 3 {
			sf32 = be.AppendUint32(sf32, uint32(s15Fixed16(chad[i][j])))
		}
	}
	tags := []tag{
		{"desc", mluc(s.name)},
		{"cprt", mluc("No copyright, use freely")},
		{"wtpt", xyzTag(d50())},
		{"chad", sf32},
		{"rXYZ", xyzTag([3]float64{col[0][0], col[1][0], col[2][0]})},
		{"gXYZ", xyzTag([3]float64{col[0][1], col[1][1], col[2][1]})},
		{"bXYZ", xyzTag([3]float64{col[0][2], col[1][2], col[2][2]})},
		{"rTRC", trc}, {"gTRC", trc}, {"bTRC", trc},
	}
	var body bytes.Buffer
	table := be.AppendUint32(nil, uint32(len(tags)))
	offsets := map[string]int{}
	start := 128 + 4 + 12*len(tags)
	for _, t := range tags {
		off, shared := offsets[string(t.data)]
		if !shared {
			off = start + body.Len()
			offsets[string(t.data)] = off
			body.Write(t.data)
			for body.Len()%4 != 0 {
				body.WriteByte(0)
			}
		}
		table = append(table, t.sig...)
		table = be.AppendUint32(table, uint32(off))
		table = be.AppendUint32(table, uint32(len(t.data)))
	}
	h := make([]byte, 128)
	be.PutUint32(h[0:], uint32(128+len(table)+body.Len()))
	be.PutUint32(h[8:], 0x04300000) // version 4.3
	copy(h[12:], "mntrRGB XYZ ")
	// Creation date: fixed, so that the profile is the same for every file.
	for i, v := range []uint16{2024, 1, 1, 0, 0, 0} {
		be.PutUint16(h[24+2*i:], v)
	}
	copy(h[36:], "acsp")
	for i, v := range d50() {
		be.PutUint32(h[68+4*i:], uint32(s15Fixed16(v)))
	}
	p := append(append(h, table...), body.Bytes()...)
	// Profile ID: MD5 of the profile with flags, intent and ID zeroed
	// (they are zero already).
	sum := md5.Sum(p)
	copy(p[84:], sum[:])
	return p
}

// s15Fixed16 encodes v as s15Fixed16Number.
func s15Fixed16(v float64) int32 { return int32(math.Round(v * 65536)) }
