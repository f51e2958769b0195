package media

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"io"
)

var errNotJPEG = errors.New("not a well-formed JPEG")

// keepJPEGSegment reports whether a marker segment survives StripJPEG:
// everything needed to decode and show the pixels (tables, frame and scan
// headers, restart interval, the JFIF header, the ICC colour profile and
// Adobe's colour transform flag), and nothing else: no EXIF or XMP (APP1),
// no MPF or FlashPix (APP2 other than ICC), no IPTC/Photoshop (APP13), no
// comments, no maker segments, no JFXX thumbnail.
func keepJPEGSegment(m byte, payload []byte) bool {
	switch {
	case m >= 0xC0 && m <= 0xCF: // SOFn, DHT (C4), DAC (CC)
		return true
	case m == 0xDB, m == 0xDD, m == 0xDA, m == 0xDC: // DQT, DRI, SOS, DNL
		return true
	case m == 0xE0:
		return bytes.HasPrefix(payload, []byte("JFIF\x00"))
	case m == 0xE2:
		return bytes.HasPrefix(payload, []byte("ICC_PROFILE\x00"))
	case m == 0xEE:
		return bytes.HasPrefix(payload, []byte("Adobe"))
	}
	return false
}

// StripJPEG rewrites a JPEG without its identifying metadata, losslessly:
// the compressed image data is copied as is, marker segments other than
// those needed to show the pixels are dropped (EXIF with GPS, camera serial
// numbers and the embedded thumbnail, XMP, IPTC, comments, maker data), and
// anything after the end-of-image marker (appended second images, trailers)
// is cut off. When orientation is 2–8 a minimal EXIF segment holding only
// that orientation is written, so viewers still show the picture upright.
func StripJPEG(data []byte, orientation int) ([]byte, error) {
	var b bytes.Buffer
	b.Grow(len(data))
	if err := stripJPEG(&b, data, orientation); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// stripJPEG is StripJPEG writing to w; on error w holds a partial copy.
func stripJPEG(w io.Writer, data []byte, orientation int) error {
	if len(data) < 4 || data[0] != 0xFF || data[1] != 0xD8 {
		return errNotJPEG
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	out := &jpegOut{w: bw}
	out.append(0xFF, 0xD8)
	wroteOrientation := orientation < 2 || orientation > 8
	i := 2
	inScan := false
	for i < len(data) {
		if inScan {
			// Entropy-coded data: copy up to the next real marker.
			j := i
			for {
				k := bytes.IndexByte(data[j:], 0xFF)
				if k < 0 {
					return errNotJPEG // no EOI
				}
				j += k
				if j+1 >= len(data) {
					return errNotJPEG
				}
				n := data[j+1]
				if n == 0x00 || (n >= 0xD0 && n <= 0xD7) {
					j += 2
					continue
				}
				if n == 0xFF {
					j++
					continue
				}
				break
			}
			out.append(data[i:j]...)
			i = j
			inScan = false
			continue
		}
		if data[i] != 0xFF || i+1 >= len(data) {
			return errNotJPEG
		}
		m := data[i+1]
		switch {
		case m == 0xFF:
			i++
			continue
		case m == 0xD9:
			out.append(0xFF, 0xD9)
			if out.err != nil {
				return out.err
			}
			return bw.Flush()
		case m == 0xD8 || m == 0x01 || (m >= 0xD0 && m <= 0xD7):
			out.append(0xFF, m)
			i += 2
			continue
		}
		if i+4 > len(data) {
			return errNotJPEG
		}
		n := int(binary.BigEndian.Uint16(data[i+2:]))
		if n < 2 || i+2+n > len(data) {
			return errNotJPEG
		}
		payload := data[i+4 : i+2+n]
		if !wroteOrientation && m != 0xE0 {
			out.append(orientationEXIF(orientation)...)
			wroteOrientation = true
		}
		if keepJPEGSegment(m, payload) {
			out.append(data[i : i+2+n]...)
		}
		i += 2 + n
		inScan = m == 0xDA
	}
	return errNotJPEG
}

// jpegOut is a writer that remembers its first error.
type jpegOut struct {
	w   io.Writer
	err error
}

func (o *jpegOut) append(b ...byte) {
	if o.err == nil {
		_, o.err = o.w.Write(b)
	}
}

// orientationEXIF is an APP1 EXIF segment holding only an orientation tag.
func orientationEXIF(o int) []byte {
	tiff := []byte{
		'M', 'M', 0, 42, 0, 0, 0, 8, // header, IFD0 at 8
		0, 1, // one entry
		0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, byte(o), 0, 0, // Orientation SHORT 1
		0, 0, 0, 0, // no next IFD
	}
	payload := append([]byte("Exif\x00\x00"), tiff...)
	seg := []byte{0xFF, 0xE1, 0, 0}
	binary.BigEndian.PutUint16(seg[2:], uint16(len(payload)+2))
	return append(seg, payload...)
}

// keepPNGChunks are the chunks StripPNG keeps: those that define the
// pixels and how to show them. Text (tEXt, zTXt, iTXt), EXIF (eXIf), time
// stamps and every unknown or private chunk are dropped.
var keepPNGChunks = map[string]bool{
	"IHDR": true, "PLTE": true, "IDAT": true, "IEND": true, "tRNS": true,
	"cHRM": true, "gAMA": true, "iCCP": true, "sBIT": true, "sRGB": true,
	"bKGD": true, "pHYs": true, "cICP": true,
}

var pngSignature = []byte("\x89PNG\r\n\x1a\n")

// StripPNG rewrites a PNG keeping only the chunks that define its pixels
// and colour, each copied byte for byte; the image data is untouched.
func StripPNG(data []byte) ([]byte, error) {
	var b bytes.Buffer
	b.Grow(len(data))
	if err := stripPNG(&b, data); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// stripPNG is StripPNG writing to w.
func stripPNG(w io.Writer, data []byte) error {
	if !bytes.HasPrefix(data, pngSignature) {
		return errors.New("not a PNG")
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	out := &jpegOut{w: bw}
	out.append(pngSignature...)
	i := len(pngSignature)
	for i+12 <= len(data) {
		n := int(binary.BigEndian.Uint32(data[i:]))
		if n < 0 || n > len(data)-i-12 {
			return errors.New("PNG chunk runs past the end of the file")
		}
		typ := string(data[i+4 : i+8])
		end := i + 12 + n
		if crc32.ChecksumIEEE(data[i+4:i+8+n]) != binary.BigEndian.Uint32(data[i+8+n:]) {
			return errors.New("PNG chunk " + typ + " has a bad checksum")
		}
		if keepPNGChunks[typ] {
			out.append(data[i:end]...)
		}
		i = end
		if typ == "IEND" {
			if out.err != nil {
				return out.err
			}
			return bw.Flush()
		}
	}
	return errors.New("PNG has no end chunk")
}
