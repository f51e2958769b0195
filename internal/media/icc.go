package media

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// maxICCSize bounds the ICC profiles Tessera reads. A matrix/TRC profile
// is a few kilobytes; anything larger is a LUT-based profile, which is
// dropped without being read.
const maxICCSize = 4 << 20

var (
	errICCMalformed   = errors.New("icc: malformed profile")
	errICCUnsupported = errors.New("icc: not an RGB or grey matrix/TRC profile")
)

// iccProfile is the colorimetry of a matrix/TRC ICC profile: what turns a
// device value into PCS XYZ (D50). Nothing else of the profile (its text,
// dates, creator, device or ID) is read.
type iccProfile struct {
	// gray is a grey profile: curves[0] is its kTRC.
	gray bool
	// colorants holds the XYZ (D50) of the red, green and blue primaries
	// at full intensity, as columns (rXYZ, gXYZ, bXYZ).
	colorants [3][3]float64
	// curves are rTRC, gTRC and bTRC: device value to linear light.
	curves [3]iccCurve
}

// Curve kinds of an iccCurve.
const (
	curveIdentity = iota
	curveGamma
	curveTable
	curveParametric
)

// iccCurve is a tone reproduction curve: a 'curv' (identity, a gamma or a
// sampled table) or a 'para' (one of the five ICC parametric functions).
type iccCurve struct {
	kind  int
	gamma float64
	table []uint16
	// fn is the parametric function type (0–4) and p its parameters
	// g, a, b, c, d, e, f (unused ones zero).
	fn int
	p  [7]float64
}

// eval maps a device value in [0, 1] to linear light in [0, 1]. Whatever
// the curve's numbers, it returns a finite value in [0, 1].
func (c *iccCurve) eval(x float64) float64 {
	x = clamp01(x)
	var y float64
	switch c.kind {
	case curveIdentity:
		y = x
	case curveGamma:
		y = math.Pow(x, c.gamma)
	case curveTable:
		n := len(c.table)
		pos := x * float64(n-1)
		i := int(pos)
		if i >= n-1 {
			y = float64(c.table[n-1]) / 65535
		} else {
			f := pos - float64(i)
			y = (float64(c.table[i])*(1-f) + float64(c.table[i+1])*f) / 65535
		}
	case curveParametric:
		y = c.parametric(x)
	}
	return clamp01(y)
}

// parametric evaluates the ICC parametricCurveType functions 0–4.
func (c *iccCurve) parametric(x float64) float64 {
	g, a, b, cc, d, e, f := c.p[0], c.p[1], c.p[2], c.p[3], c.p[4], c.p[5], c.p[6]
	pow := func(base float64) float64 {
		if base <= 0 {
			return 0
		}
		return math.Pow(base, g)
	}
	switch c.fn {
	case 0:
		return pow(x)
	case 1:
		if a*x+b >= 0 {
			return pow(a*x + b)
		}
		return 0
	case 2:
		if a*x+b >= 0 {
			return pow(a*x+b) + cc
		}
		return cc
	case 3:
		if x >= d {
			return pow(a*x + b)
		}
		return cc * x
	case 4:
		if x >= d {
			return pow(a*x+b) + e
		}
		return cc*x + f
	}
	return x
}

func clamp01(v float64) float64 {
	switch {
	case v > 0 && v < 1:
		return v
	case v >= 1:
		return 1
	}
	return 0 // also NaN
}

// parseICC reads the colorimetry of an RGB or grey matrix/TRC profile:
// RGB needs rXYZ, gXYZ, bXYZ, rTRC, gTRC and bTRC (a profile that also
// has LUTs is read through these), grey needs kTRC, and both need the XYZ
// connection space. Other profiles (LUT-only, CMYK, Lab, device links)
// give errICCUnsupported, broken ones errICCMalformed. It never panics,
// and allocates at most a copy of one curve table of p.
func parseICC(p []byte) (*iccProfile, error) {
	if len(p) < 132 || len(p) > maxICCSize {
		return nil, fmt.Errorf("%w: %d bytes", errICCMalformed, len(p))
	}
	be := binary.BigEndian
	size := be.Uint32(p)
	if size < 132 || uint64(size) > uint64(len(p)) {
		return nil, fmt.Errorf("%w: declared size %d of %d bytes", errICCMalformed, size, len(p))
	}
	p = p[:size]
	if string(p[36:40]) != "acsp" {
		return nil, fmt.Errorf("%w: no acsp signature", errICCMalformed)
	}
	switch string(p[12:16]) {
	case "mntr", "scnr", "prtr", "spac":
	default:
		return nil, fmt.Errorf("%w: class %q", errICCUnsupported, p[12:16])
	}
	prof := &iccProfile{}
	switch string(p[16:20]) {
	case "RGB ":
	case "GRAY":
		prof.gray = true
	default:
		return nil, fmt.Errorf("%w: colour space %q", errICCUnsupported, p[16:20])
	}
	if string(p[20:24]) != "XYZ " {
		return nil, fmt.Errorf("%w: connection space %q", errICCUnsupported, p[20:24])
	}
	count := be.Uint32(p[128:])
	if uint64(count) > uint64(size-132)/12 {
		return nil, fmt.Errorf("%w: %d tags in %d bytes", errICCMalformed, count, size)
	}
	// The tags read, in this order; the first of each signature counts.
	want := [7]string{"kTRC", "rXYZ", "gXYZ", "bXYZ", "rTRC", "gTRC", "bTRC"}
	var tags [7][]byte
	for i := range int(count) {
		e := p[132+12*i:]
		k := -1
		for j, w := range want {
			if string(e[:4]) == w {
				k = j
			}
		}
		if k < 0 || tags[k] != nil {
			continue
		}
		off, n := be.Uint32(e[4:]), be.Uint32(e[8:])
		if uint64(off)+uint64(n) > uint64(size) {
			return nil, fmt.Errorf("%w: tag %q runs past the end", errICCMalformed, e[:4])
		}
		tags[k] = p[off : off+n : off+n]
	}
	if prof.gray {
		c, err := parseCurve(tags[0])
		if err != nil {
			return nil, fmt.Errorf("kTRC: %w", err)
		}
		prof.curves = [3]iccCurve{c, c, c}
		return prof, nil
	}
	for i, name := range [3]string{"r", "g", "b"} {
		xyz, err := parseXYZ(tags[1+i])
		if err != nil {
			return nil, fmt.Errorf("%sXYZ: %w", name, err)
		}
		for row := range 3 {
			prof.colorants[row][i] = xyz[row]
		}
		if prof.curves[i], err = parseCurve(tags[4+i]); err != nil {
			return nil, fmt.Errorf("%sTRC: %w", name, err)
		}
	}
	return prof, nil
}

// parseXYZ reads an XYZType tag's first value.
func parseXYZ(t []byte) ([3]float64, error) {
	if t == nil {
		return [3]float64{}, errICCUnsupported
	}
	if len(t) < 20 || string(t[:4]) != "XYZ " {
		return [3]float64{}, errICCMalformed
	}
	return [3]float64{s15f16(t[8:]), s15f16(t[12:]), s15f16(t[16:])}, nil
}

func s15f16(b []byte) float64 { return float64(int32(binary.BigEndian.Uint32(b))) / 65536 }

// parseCurve reads a curveType or parametricCurveType tag.
func parseCurve(t []byte) (iccCurve, error) {
	if t == nil {
		return iccCurve{}, errICCUnsupported
	}
	if len(t) < 12 {
		return iccCurve{}, errICCMalformed
	}
	be := binary.BigEndian
	switch string(t[:4]) {
	case "curv":
		n := be.Uint32(t[8:])
		if uint64(n) > uint64(len(t)-12)/2 {
			return iccCurve{}, errICCMalformed
		}
		switch n {
		case 0:
			return iccCurve{kind: curveIdentity}, nil
		case 1:
			return iccCurve{kind: curveGamma, gamma: float64(be.Uint16(t[12:])) / 256}, nil
		}
		table := make([]uint16, n)
		for i := range table {
			table[i] = be.Uint16(t[12+2*i:])
		}
		return iccCurve{kind: curveTable, table: table}, nil
	case "para":
		fn := int(be.Uint16(t[8:]))
		if fn > 4 {
			return iccCurve{}, errICCMalformed
		}
		n := [5]int{1, 3, 4, 5, 7}[fn]
		if len(t) < 12+4*n {
			return iccCurve{}, errICCMalformed
		}
		c := iccCurve{kind: curveParametric, fn: fn}
		for i := range n {
			c.p[i] = s15f16(t[12+4*i:])
		}
		return c, nil
	}
	return iccCurve{}, errICCMalformed
}
