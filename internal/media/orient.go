package media

import (
	"bytes"
	"encoding/binary"
	"image"

	"github.com/disintegration/imaging"
)

// JPEGOrientation returns the EXIF orientation (1–8) of the JPEG in data,
// looking at every APP1 segment before the image data, not only the first:
// files whose first APP1 is XMP still carry their EXIF in a later one. It
// returns 1 when there is none or it is unreadable.
func JPEGOrientation(data []byte) int {
	o := 1
	_ = walkJPEG(data, func(marker byte, payload []byte) bool {
		if marker == 0xE1 && bytes.HasPrefix(payload, []byte("Exif\x00\x00")) {
			if v := tiffOrientation(payload[6:]); v != 1 {
				o = v
				return false
			}
		}
		return marker != 0xDA
	})
	return o
}

// walkJPEG calls fn for each marker segment of data up to and including
// the first SOS (start of scan), with the segment's payload (without the
// length bytes). fn returns false to stop. It reports whether the walk
// reached SOS without a structural error.
func walkJPEG(data []byte, fn func(marker byte, payload []byte) bool) bool {
	if len(data) < 4 || data[0] != 0xFF || data[1] != 0xD8 {
		return false
	}
	i := 2
	for i+4 <= len(data) {
		if data[i] != 0xFF {
			return false
		}
		m := data[i+1]
		if m == 0xFF { // fill byte
			i++
			continue
		}
		if m == 0xD8 || m == 0x01 || (m >= 0xD0 && m <= 0xD7) {
			i += 2
			continue
		}
		if m == 0xD9 {
			return false
		}
		n := int(binary.BigEndian.Uint16(data[i+2:]))
		if n < 2 || i+2+n > len(data) {
			return false
		}
		if !fn(m, data[i+4:i+2+n]) {
			return m == 0xDA
		}
		if m == 0xDA {
			return true
		}
		i += 2 + n
	}
	return false
}

// tiffOrientation reads tag 0x0112 (Orientation) from IFD0 of a TIFF
// structure (an EXIF block, or a TIFF file); 1 when absent or invalid.
func tiffOrientation(t []byte) int {
	if len(t) < 8 {
		return 1
	}
	var bo binary.ByteOrder
	switch string(t[:4]) {
	case "II*\x00":
		bo = binary.LittleEndian
	case "MM\x00*":
		bo = binary.BigEndian
	default:
		return 1
	}
	off := int(bo.Uint32(t[4:]))
	if off < 8 || off+2 > len(t) {
		return 1
	}
	n := int(bo.Uint16(t[off:]))
	for i := range n {
		e := off + 2 + 12*i
		if e+12 > len(t) {
			return 1
		}
		if bo.Uint16(t[e:]) != 0x0112 {
			continue
		}
		typ := bo.Uint16(t[e+2:])
		var v int
		switch typ {
		case 3: // SHORT
			v = int(bo.Uint16(t[e+8:]))
		case 4: // LONG
			v = int(bo.Uint32(t[e+8:]))
		default:
			return 1
		}
		if v >= 1 && v <= 8 {
			return v
		}
		return 1
	}
	return 1
}

// orient returns img turned upright according to an EXIF orientation.
func orient(img image.Image, o int) image.Image {
	switch o {
	case 2:
		return imaging.FlipH(img)
	case 3:
		return imaging.Rotate180(img)
	case 4:
		return imaging.FlipV(img)
	case 5:
		return imaging.Transpose(img)
	case 6:
		return imaging.Rotate270(img)
	case 7:
		return imaging.Transverse(img)
	case 8:
		return imaging.Rotate90(img)
	}
	return img
}
