// Package media is Tessera's pure file processing: recognising a file's type
// from its bytes, checking image dimensions before decoding, and making the
// resized, metadata-free derivatives that judges and the public see. It knows
// nothing of the database, the object store or the queue.
package media

import (
	"bytes"
	"net/http"
)

// ContentTypeHLS is the type Sniff gives HLS playlists, which are never
// accepted as videos.
const ContentTypeHLS = "application/vnd.apple.mpegurl"

// SniffLen is how many leading bytes Sniff looks at; passing more is harmless.
const SniffLen = 512

// Sniff returns the MIME type of a file judged from its first bytes (at most
// SniffLen are considered), never from its name or a client's claim. It
// recognises the formats Tessera handles (JPEG, PNG, GIF, WebP, TIFF,
// HEIC/HEIF, AVIF, MP4, QuickTime, WebM, PDF, DOCX, HLS playlists) and otherwise returns what
// net/http.DetectContentType returns, "application/octet-stream" when
// nothing matches. A BigTIFF is "image/tiff" too, so that the pipeline
// refuses it by name.
func Sniff(head []byte) (contentType string) {
	if len(head) > SniffLen {
		head = head[:SniffLen]
	}
	switch {
	case isTIFF(head): // BigTIFF too, so that it is refused with its own reason
		return "image/tiff"
	case len(head) >= 12 && bytes.Equal(head[0:4], []byte("RIFF")) && bytes.Equal(head[8:12], []byte("WEBP")):
		return "image/webp"
	case bytes.HasPrefix(head, []byte("%PDF-")):
		return "application/pdf"
	case bytes.HasPrefix(head, []byte{0x1A, 0x45, 0xDF, 0xA3}):
		return "video/webm"
	case bytes.HasPrefix(head, []byte("PK\x03\x04")) && (bytes.Contains(head, []byte("word/")) || bytes.Contains(head, []byte("[Content_Types].xml"))):
		return ContentTypeDOCX
	case bytes.HasPrefix(bytes.TrimLeft(head, "\xef\xbb\xbf \t\r\n"), []byte("#EXTM3U")):
		return ContentTypeHLS
	}
	if ct, ok := sniffISOBMFF(head); ok {
		return ct
	}
	return http.DetectContentType(head)
}

// sniffISOBMFF classifies files that start with an ISO base media "ftyp"
// box (MP4, QuickTime, HEIF and friends) by their major and compatible
// brands. It is checked before DetectContentType, which would call many HEIC
// files video/mp4.
func sniffISOBMFF(head []byte) (string, bool) {
	if len(head) < 12 || !bytes.Equal(head[4:8], []byte("ftyp")) {
		return "", false
	}
	size := int(head[0])<<24 | int(head[1])<<16 | int(head[2])<<8 | int(head[3])
	if size < 16 || size > len(head) {
		size = len(head)
	}
	major := string(head[8:12])
	var compatible []string
	for i := 16; i+4 <= size; i += 4 {
		compatible = append(compatible, string(head[i:i+4]))
	}
	has := func(brands ...string) bool {
		for _, b := range brands {
			if major == b {
				return true
			}
			for _, c := range compatible {
				if c == b {
					return true
				}
			}
		}
		return false
	}
	switch {
	case major == "qt  ":
		return "video/quicktime", true
	case major == "avif" || major == "avis":
		return "image/avif", true
	case has("heic", "heix", "heim", "heis", "hevc", "hevx"):
		return "image/heic", true
	case has("mif1", "msf1", "heif"):
		if has("avif") {
			return "image/avif", true
		}
		return "image/heif", true
	case major == "M4A " || major == "M4B ":
		return "audio/mp4", true
	case len(major) == 4 && major[:3] == "3gp":
		return "video/3gpp", true
	}
	return "video/mp4", true
}
