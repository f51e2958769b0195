package contest

import (
	"slices"
	"strings"
)

// Format is one kind of file a medium accepts.
type Format struct {
	Type  string   // content type the bytes must sniff as
	Exts  []string // file name extensions, lower case, without the dot
	Label string   // short name shown to entrants ("JPEG")
}

// formats lists what each medium accepts, by the type sniffed from the
// bytes. Video types are confirmed again by ffprobe in the media pipeline.
var formats = map[Medium][]Format{
	MediumPhoto: {
		{"image/jpeg", []string{"jpg", "jpeg"}, "JPEG"},
		{"image/png", []string{"png"}, "PNG"},
		{"image/webp", []string{"webp"}, "WebP"},
	},
	MediumMural: {
		{"image/jpeg", []string{"jpg", "jpeg"}, "JPEG"},
		{"image/png", []string{"png"}, "PNG"},
		{"image/tiff", []string{"tif", "tiff"}, "TIFF"},
		{"application/pdf", []string{"pdf"}, "PDF"},
	},
	MediumVideo: {
		{"video/mp4", []string{"mp4", "m4v"}, "MP4"},
		{"video/quicktime", []string{"mov"}, "MOV"},
		{"video/webm", []string{"webm"}, "WebM"},
	},
	MediumEssay: {
		{"text/plain", []string{"txt", "text"}, "TXT"},
		{"text/plain", []string{"md", "markdown"}, "Markdown"},
		{"application/vnd.openxmlformats-officedocument.wordprocessingml.document", []string{"docx"}, "DOCX"},
		{"application/pdf", []string{"pdf"}, "PDF"},
	},
}

// Default file size limits, used when a category sets none.
const (
	DefaultMaxVideoBytes = 2 << 30
)

// AcceptedTypes lists the distinct content types a medium accepts.
func AcceptedTypes(m Medium) []string {
	var out []string
	for _, f := range formats[m] {
		if !slices.Contains(out, f.Type) {
			out = append(out, f.Type)
		}
	}
	return out
}

// AcceptAttr is the value of an HTML file input's accept attribute for a
// medium: extensions and types, so that phones convert HEIC photos to JPEG
// on their own.
func AcceptAttr(m Medium) string {
	var parts []string
	for _, f := range formats[m] {
		for _, e := range f.Exts {
			parts = append(parts, "."+e)
		}
		if !slices.Contains(parts, f.Type) {
			parts = append(parts, f.Type)
		}
	}
	return strings.Join(parts, ",")
}

// FormatLabels lists the short names of the formats a medium accepts.
func FormatLabels(m Medium) []string {
	var out []string
	for _, f := range formats[m] {
		out = append(out, f.Label)
	}
	return out
}

// baseType drops parameters: "text/plain; charset=utf-8" → "text/plain".
func baseType(t string) string {
	t, _, _ = strings.Cut(t, ";")
	return strings.ToLower(strings.TrimSpace(t))
}

// IsHEIC reports whether a type, sniffed or declared, or a file name is a
// HEIC/HEIF photo.
func IsHEIC(contentType, name string) bool {
	t := baseType(contentType)
	ext := Extension(name)
	return t == "image/heic" || t == "image/heif" || ext == "heic" || ext == "heif"
}

// CheckDeclared checks what a client says about a file before any byte
// arrives: its extension and declared type must be ones the medium accepts.
// It returns a message-catalog key, or "" when acceptable. An empty
// declared type or application/octet-stream is judged by the name alone.
func CheckDeclared(m Medium, name, declaredType string) string {
	if IsHEIC(declaredType, name) {
		return "upload.heic"
	}
	ext := Extension(name)
	dt := baseType(declaredType)
	extOK, typeOK := false, dt == "" || dt == "application/octet-stream"
	for _, f := range formats[m] {
		if slices.Contains(f.Exts, ext) {
			extOK = true
		}
		if f.Type == dt {
			typeOK = true
		}
	}
	if !extOK || !typeOK {
		return "upload.type_not_accepted"
	}
	return ""
}

// CheckSniffed checks the type sniffed from a file's first bytes against the
// medium and against the file's name: a PNG named .jpg is refused as a
// mismatch, so that names never lie to judges or tools. It returns a
// message-catalog key, or "" when acceptable.
func CheckSniffed(m Medium, name, sniffed string) string {
	st := baseType(sniffed)
	if IsHEIC(st, "") {
		return "upload.heic"
	}
	accepted := false
	for _, f := range formats[m] {
		if f.Type == st {
			accepted = true
		}
	}
	if !accepted {
		if CheckDeclared(m, name, "") == "" {
			return "upload.type_mismatch"
		}
		return "upload.type_not_accepted"
	}
	ext := Extension(name)
	if ext == "" {
		return ""
	}
	for _, f := range formats[m] {
		if f.Type == st && slices.Contains(f.Exts, ext) {
			return ""
		}
	}
	return "upload.type_mismatch"
}

// MaxFileBytesOr is the largest file a category accepts: its own limit, else
// 2 GiB for video, else fallback.
func (c Category) MaxFileBytesOr(fallback int64) int64 {
	switch {
	case c.MaxFileBytes > 0:
		return c.MaxFileBytes
	case c.Medium == MediumVideo:
		return DefaultMaxVideoBytes
	}
	return fallback
}
