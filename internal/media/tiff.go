package media

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"image"

	"golang.org/x/image/tiff"
)

// golang.org/x/image/tiff believes the first IFD of a file: a 15-byte
// file whose IFD offset or entry count is huge makes it allocate
// gigabytes before it finds out the bytes are not there. checkTIFF walks
// that IFD first, within the file's bytes, and the decoder is only ever
// handed a file it has passed.

const (
	// maxTIFFEntries caps the entries of the first IFD; real files have a
	// few dozen.
	maxTIFFEntries = 1000
	// maxTIFFValues caps the values, all together, of the tags the decoder
	// keeps in memory (a machine word each): a million strips or tiles is
	// far more than any picture under the pixel cap needs.
	maxTIFFValues = 1 << 22
)

// Reasons a TIFF is refused with before it is decoded: a structure that
// cannot be right gets the same sentence as any other damaged image.
const (
	reasonTIFFDamaged = "This TIFF image is damaged or incomplete and cannot be read. Please export it again and upload it again."
	reasonBigTIFF     = "This TIFF image is a BigTIFF, which Tessera cannot read. Please save it as a standard TIFF, PNG or JPEG and upload it again."
)

// isTIFF reports whether data starts like a TIFF, classic or BigTIFF.
func isTIFF(data []byte) bool {
	if len(data) < 4 {
		return false
	}
	switch string(data[:4]) {
	case "II*\x00", "MM\x00*", "II+\x00", "MM\x00+":
		return true
	}
	return false
}

// tiffTypeSize is the size in bytes of one value of a TIFF field type
// (TIFF 6, plus the IFD and BigTIFF types), 0 for an unknown type.
func tiffTypeSize(typ uint16) uint64 {
	switch typ {
	case 1, 2, 6, 7: // BYTE, ASCII, SBYTE, UNDEFINED
		return 1
	case 3, 8: // SHORT, SSHORT
		return 2
	case 4, 9, 11, 13: // LONG, SLONG, FLOAT, IFD
		return 4
	case 5, 10, 12, 16, 17, 18: // RATIONAL, SRATIONAL, DOUBLE, LONG8, SLONG8, IFD8
		return 8
	}
	return 0
}

// tiffDecoderReads reports whether golang.org/x/image/tiff reads a tag's
// values into memory.
func tiffDecoderReads(tag uint16) bool {
	switch tag {
	case 256, 257, 258, 259, 262, 266, 273, 278, 279, 292, 293, // size, samples, compression, photometric, fill order, strips, fax options
		317, 320, 322, 323, 324, 325, 338, 339: // predictor, colour map, tiles, extra samples, sample format
		return true
	}
	return false
}

// tiffField is one entry of an IFD whose values lie within the file.
type tiffField struct {
	bo     binary.ByteOrder
	typ    uint16
	count  uint64
	values []byte // count values of typ, inline or at the entry's offset
}

// value returns the i-th value of a BYTE, SHORT or LONG field; ok is
// false for other types.
func (f tiffField) value(i uint64) (v uint64, ok bool) {
	switch f.typ {
	case 1:
		return uint64(f.values[i]), true
	case 3:
		return uint64(f.bo.Uint16(f.values[2*i:])), true
	case 4:
		return uint64(f.bo.Uint32(f.values[4*i:])), true
	}
	return 0, false
}

// checkTIFF walks the first IFD of the TIFF in data, touching nothing
// outside data and allocating nothing: the IFD must lie in the file and
// hold 1 to maxTIFFEntries entries, every entry's values (count × the
// size of its type) must lie in the file, the tags the decoder reads must
// hold at most maxTIFFValues values and be of a known type, and each strip
// or tile must lie in the file. It returns nil or a *RejectError: a
// BigTIFF is refused as such, anything else as damaged, the technical
// cause kept for logs.
func checkTIFF(data []byte) error {
	damaged := func(format string, args ...any) error {
		return rejectCause(fmt.Errorf("tiff: "+format, args...), reasonTIFFDamaged)
	}
	size := uint64(len(data))
	if size < 8 {
		return damaged("the %d-byte file is shorter than a TIFF header", size)
	}
	var bo binary.ByteOrder
	switch string(data[:4]) {
	case "II*\x00":
		bo = binary.LittleEndian
	case "MM\x00*":
		bo = binary.BigEndian
	case "II+\x00", "MM\x00+":
		return rejectCause(errors.New("tiff: BigTIFF"), reasonBigTIFF)
	default:
		return damaged("no TIFF header")
	}
	off := uint64(bo.Uint32(data[4:]))
	if off < 8 || off+2 > size {
		return damaged("the first IFD's offset %d is outside the %d-byte file", off, size)
	}
	n := uint64(bo.Uint16(data[off:]))
	if n == 0 || n > maxTIFFEntries {
		return damaged("the first IFD has %d entries", n)
	}
	if off+2+12*n > size {
		return damaged("the first IFD's %d entries run past the end of the %d-byte file", n, size)
	}
	var values uint64
	var blocks [4]tiffField // strip offsets and byte counts, tile offsets and byte counts
	for i := range n {
		e := data[off+2+12*i : off+2+12*i+12]
		tag, typ, count := bo.Uint16(e), bo.Uint16(e[2:]), uint64(bo.Uint32(e[4:]))
		reads := tiffDecoderReads(tag)
		width := tiffTypeSize(typ)
		if width == 0 {
			if reads {
				return damaged("tag %d has the unknown type %d", tag, typ)
			}
			continue // readers skip fields of types they do not know
		}
		length := count * width // < 2^35: no overflow
		f := tiffField{bo: bo, typ: typ, count: count, values: e[8 : 8+min(length, 4)]}
		if length > 4 {
			at := uint64(bo.Uint32(e[8:]))
			if at+length > size {
				return damaged("tag %d's %d bytes at offset %d run past the end of the %d-byte file", tag, length, at, size)
			}
			f.values = data[at : at+length]
		}
		if reads {
			if values += count; values > maxTIFFValues {
				return damaged("the layout tags hold more than %d values", maxTIFFValues)
			}
			switch tag {
			case 273:
				blocks[0] = f
			case 279:
				blocks[1] = f
			case 324:
				blocks[2] = f
			case 325:
				blocks[3] = f
			}
		}
	}
	for k := 0; k < 4; k += 2 {
		offsets, counts := blocks[k], blocks[k+1]
		for i := range min(offsets.count, counts.count) {
			o, ok1 := offsets.value(i)
			c, ok2 := counts.value(i)
			if !ok1 || !ok2 {
				break // a type the decoder refuses itself
			}
			if o+c > size {
				return damaged("strip or tile %d (%d bytes at offset %d) runs past the end of the %d-byte file", i, c, o, size)
			}
		}
	}
	return nil
}

// decodeTIFFConfig reads a TIFF's size and colour model once checkTIFF
// has passed it.
func decodeTIFFConfig(data []byte) (image.Config, error) {
	if err := checkTIFF(data); err != nil {
		return image.Config{}, err
	}
	// A bytes.Reader is an io.ReaderAt, which the decoder reads in place;
	// through image.DecodeConfig it would copy the file into a buffer.
	return tiff.DecodeConfig(bytes.NewReader(data))
}

// decodeTIFF decodes a TIFF once checkTIFF has passed it.
func decodeTIFF(data []byte) (image.Image, error) {
	if err := checkTIFF(data); err != nil {
		return nil, err
	}
	return tiff.Decode(bytes.NewReader(data))
}
