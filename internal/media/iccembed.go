package media

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"hash/crc32"
	"io"
)

// iccSegmentPrefix starts the payload of a JPEG APP2 segment holding (part
// of) an ICC profile.
const iccSegmentPrefix = "ICC_PROFILE\x00"

// embeddedICC returns the ICC profile embedded in an image file of format
// (a JPEG's APP2 ICC_PROFILE segments joined in order, a PNG's iCCP
// inflated, a WebP's ICCP chunk, a TIFF's tag 34675) and whether the file
// embeds one at all. The profile is nil when the file has one that cannot
// be read (segments missing or repeated, bad compression, larger than
// maxICCSize). Its memory is bounded by maxICCSize whatever the file.
func embeddedICC(data []byte, format string) ([]byte, bool) {
	switch format {
	case "jpeg":
		return jpegICC(data)
	case "png":
		return pngICC(data)
	case "webp":
		return webpICC(data)
	case "tiff":
		return tiffICC(data)
	}
	return nil, false
}

func jpegICC(data []byte) ([]byte, bool) {
	var (
		chunks       [256][]byte
		count, total int
		found, bad   bool
	)
	walkJPEG(data, func(m byte, payload []byte) bool {
		if m != 0xE2 || !bytes.HasPrefix(payload, []byte(iccSegmentPrefix)) {
			return m != 0xDA
		}
		found = true
		if len(payload) < 14 {
			bad = true
			return true
		}
		seq, n := int(payload[12]), int(payload[13])
		if seq == 0 || seq > n || (count != 0 && n != count) || chunks[seq] != nil {
			bad = true
			return true
		}
		count = n
		chunks[seq] = payload[14:]
		total += len(payload) - 14
		return true
	})
	if !found {
		return nil, false
	}
	if bad || total > maxICCSize {
		return nil, true
	}
	p := make([]byte, 0, total)
	for _, c := range chunks[1 : count+1] {
		if c == nil {
			return nil, true
		}
		p = append(p, c...)
	}
	return p, true
}

// pngICC inflates the iCCP chunk (which must come before the image data).
func pngICC(data []byte) ([]byte, bool) {
	if !bytes.HasPrefix(data, pngSignature) {
		return nil, false
	}
	for i := len(pngSignature); i+8 <= len(data); {
		n := int(binary.BigEndian.Uint32(data[i:]))
		typ := string(data[i+4 : i+8])
		if n < 0 || n > len(data)-i-12 || typ == "IDAT" || typ == "IEND" {
			return nil, false
		}
		if typ == "iCCP" {
			body := data[i+8 : i+8+n]
			// Name (1–79 bytes), NUL, compression method 0, zlib stream.
			k := bytes.IndexByte(body, 0)
			if k < 1 || k > 79 || k+2 > len(body) || body[k+1] != 0 {
				return nil, true
			}
			zr, err := zlib.NewReader(bytes.NewReader(body[k+2:]))
			if err != nil {
				return nil, true
			}
			p, err := io.ReadAll(io.LimitReader(zr, maxICCSize+1))
			if err != nil || len(p) > maxICCSize {
				return nil, true
			}
			return p, true
		}
		i += 12 + n
	}
	return nil, false
}

// webpICC returns the ICCP chunk of an extended WebP.
func webpICC(data []byte) ([]byte, bool) {
	if len(data) < 12 || string(data[:4]) != "RIFF" || string(data[8:12]) != "WEBP" {
		return nil, false
	}
	for i := 12; i+8 <= len(data); {
		n := int(binary.LittleEndian.Uint32(data[i+4:]))
		if n < 0 || n > len(data)-i-8 {
			return nil, false
		}
		if string(data[i:i+4]) == "ICCP" {
			if n > maxICCSize {
				return nil, true
			}
			return data[i+8 : i+8+n], true
		}
		i += 8 + n + n&1
	}
	return nil, false
}

// tiffICC returns the ICC profile tag (34675) of a TIFF's first IFD.
func tiffICC(t []byte) ([]byte, bool) {
	if len(t) < 8 {
		return nil, false
	}
	var bo binary.ByteOrder
	switch string(t[:4]) {
	case "II*\x00":
		bo = binary.LittleEndian
	case "MM\x00*":
		bo = binary.BigEndian
	default:
		return nil, false
	}
	off := uint64(bo.Uint32(t[4:]))
	if off < 8 || off+2 > uint64(len(t)) {
		return nil, false
	}
	n := uint64(bo.Uint16(t[off:]))
	for i := range n {
		e := off + 2 + 12*i
		if e+12 > uint64(len(t)) {
			return nil, false
		}
		if bo.Uint16(t[e:]) != 34675 {
			continue
		}
		typ, count := bo.Uint16(t[e+2:]), uint64(bo.Uint32(t[e+4:]))
		if typ != 1 && typ != 7 { // BYTE or UNDEFINED
			return nil, true
		}
		if count <= 4 {
			return t[e+8 : e+8+count], true
		}
		at := uint64(bo.Uint32(t[e+8:]))
		if count > maxICCSize || at+count > uint64(len(t)) {
			return nil, true
		}
		return t[at : at+count], true
	}
	return nil, false
}

// pngChunkBytes is a complete PNG chunk: length, type, data and CRC.
func pngChunkBytes(typ string, data []byte) []byte {
	b := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	b = append(append(b, typ...), data...)
	return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(b[4:]))
}

// iccpChunk is a PNG iCCP chunk holding profile under name.
func iccpChunk(name string, profile []byte) []byte {
	var z bytes.Buffer
	z.WriteString(name)
	z.Write([]byte{0, 0})
	zw, _ := zlib.NewWriterLevel(&z, zlib.BestCompression)
	_, _ = zw.Write(profile)
	_ = zw.Close()
	return pngChunkBytes("iCCP", z.Bytes())
}

// jpegICCSegment is a JPEG APP2 segment holding profile, which must be
// smaller than a segment (Tessera's own profiles are under a kilobyte).
func jpegICCSegment(profile []byte) []byte {
	seg := []byte{0xFF, 0xE2, 0, 0}
	binary.BigEndian.PutUint16(seg[2:], uint16(2+len(iccSegmentPrefix)+2+len(profile)))
	seg = append(seg, iccSegmentPrefix...)
	seg = append(seg, 1, 1)
	return append(seg, profile...)
}
