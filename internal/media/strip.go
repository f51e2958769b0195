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

// keptJPEGSegment returns what stripJPEG writes for the marker segment
// seg (marker, length and payload), nil to drop it: everything needed to
// decode the pixels (tables, frame and scan headers, restart interval) as
// is, the JFIF header without its thumbnail and Adobe's colour transform
// flag without anything after it, and nothing else: no EXIF or XMP
// (APP1), no ICC profile, MPF or FlashPix (APP2), no IPTC/Photoshop
// (APP13), no comments, no maker segments, no JFXX thumbnail.
func keptJPEGSegment(m byte, seg []byte) []byte {
	payload := seg[4:]
	switch {
	case m >= 0xC0 && m <= 0xCF: // SOFn, DHT (C4), DAC (CC)
		return seg
	case m == 0xDB, m == 0xDD, m == 0xDA, m == 0xDC: // DQT, DRI, SOS, DNL
		return seg
	case m == 0xE0 && bytes.HasPrefix(payload, []byte("JFIF\x00")) && len(payload) >= 14:
		// Version, density unit and densities; no thumbnail.
		return append(append([]byte{0xFF, 0xE0, 0, 16}, payload[:12]...), 0, 0)
	case m == 0xEE && bytes.HasPrefix(payload, []byte("Adobe")) && len(payload) >= 12:
		return append([]byte{0xFF, 0xEE, 0, 14}, payload[:12]...)
	}
	return nil
}

// stripJPEG writes the JPEG in data to w without its identifying
// metadata, losslessly: the compressed image data is copied as is, marker
// segments other than those needed to show the pixels are dropped (see
// keptJPEGSegment), and anything after the end-of-image marker (appended
// second images, trailers) is cut off. When orientation is 2–8 a minimal
// EXIF segment holding only that orientation is written, so viewers still
// show the picture upright. profile, when not nil, is the only ICC
// profile written: Tessera's own profile of the file's standard space
// (Display P3, Adobe RGB), the same bytes for every file; the file's own
// profile is always dropped. On error w holds a partial copy.
func stripJPEG(w io.Writer, data []byte, orientation int, profile []byte) error {
	if len(data) < 4 || data[0] != 0xFF || data[1] != 0xD8 {
		return errNotJPEG
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	out := &jpegOut{w: bw}
	out.append(0xFF, 0xD8)
	// What Tessera adds goes after the JFIF header, before anything else.
	var added []byte
	if orientation >= 2 && orientation <= 8 {
		added = append(added, orientationEXIF(orientation)...)
	}
	if profile != nil {
		added = append(added, jpegICCSegment(profile)...)
	}
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
		if added != nil && m != 0xE0 {
			out.append(added...)
			added = nil
		}
		if seg := keptJPEGSegment(m, data[i:i+2+n]); seg != nil {
			out.append(seg...)
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

// keepPNGChunks are the chunks stripPNG keeps: those that define the
// pixels and how to show them. Text (tEXt, zTXt, iTXt), EXIF (eXIf), time
// stamps, the ICC profile (iCCP) and every unknown or private chunk are
// dropped.
var keepPNGChunks = map[string]bool{
	"IHDR": true, "PLTE": true, "IDAT": true, "IEND": true, "tRNS": true,
	"cHRM": true, "gAMA": true, "sBIT": true, "sRGB": true,
	"bKGD": true, "pHYs": true, "cICP": true,
}

// isPNGColourChunk reports whether a chunk says how a PNG's colours are
// meant; when the file has a profile it is the one that counts, so these
// go with it.
func isPNGColourChunk(typ string) bool {
	switch typ {
	case "iCCP", "cHRM", "gAMA", "sRGB", "cICP":
		return true
	}
	return false
}

var pngSignature = []byte("\x89PNG\r\n\x1a\n")

// pngColour is what a stripped PNG says about colour.
type pngColour struct {
	// replace drops every colour chunk of the file (it has a profile).
	replace bool
	// iccp is the chunk written after IHDR instead, if any.
	iccp []byte
}

func pngColourOf(plan colourPlan) pngColour {
	c := pngColour{replace: plan.profiled}
	if plan.standard != nil {
		c.iccp = iccpChunk(plan.standardName, plan.standard)
	}
	return c
}

// stripPNG writes the PNG in data to w keeping only the chunks that
// define its pixels and colour (keepPNGChunks), each copied byte for byte;
// the image data is untouched. When the file has an ICC profile it is
// dropped with the other colour chunks, and colour.iccp (Tessera's own
// profile of the same standard space, if any) is written after IHDR.
func stripPNG(w io.Writer, data []byte, colour pngColour) error {
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
		if keepPNGChunks[typ] && !(colour.replace && isPNGColourChunk(typ)) {
			out.append(data[i:end]...)
		}
		if typ == "IHDR" && colour.iccp != nil {
			out.append(colour.iccp...)
			colour.iccp = nil
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
