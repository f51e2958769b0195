package contest

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Resumable upload limits. Every part but the last has exactly the upload's
// part size; the part size is at least MinUploadPartSize (S3 needs 5 MiB
// for every part but the last) and grows for very large files so that no
// upload needs more than MaxUploadParts parts.
const (
	MinUploadPartSize = 8 << 20
	MaxUploadParts    = 10000
)

// ErrBadPart is wrapped by every error of the part parsers.
var ErrBadPart = errors.New("bad part")

// PartSizeFor returns the fixed part size of an upload of size bytes: 8 MiB,
// or the smallest whole number of MiB that keeps the part count within
// MaxUploadParts.
func PartSizeFor(size int64) int64 {
	ps := int64(MinUploadPartSize)
	if size <= 0 {
		return ps
	}
	if need := (size + MaxUploadParts - 1) / MaxUploadParts; need > ps {
		const mib = 1 << 20
		ps = (need + mib - 1) / mib * mib
	}
	return ps
}

// PartCount is how many parts an upload of size bytes in parts of partSize
// has (at least one).
func PartCount(size, partSize int64) int {
	if size <= 0 || partSize <= 0 {
		return 1
	}
	return int((size + partSize - 1) / partSize)
}

// PartLength is the exact length of part n (1-based) of an upload.
func PartLength(size, partSize int64, n int) int64 {
	count := PartCount(size, partSize)
	if n < 1 || n > count {
		return 0
	}
	if n < count {
		return partSize
	}
	return size - int64(count-1)*partSize
}

// ParsePartNumber reads a part number from a URL path segment: a decimal
// integer from 1 to count, with no sign, spaces or leading zeros.
func ParsePartNumber(s string, count int) (int, error) {
	if s == "" || len(s) > 5 {
		return 0, fmt.Errorf("part number %q: %w", trimForError(s), ErrBadPart)
	}
	if s[0] == '0' {
		return 0, fmt.Errorf("part number %q: %w", s, ErrBadPart)
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, fmt.Errorf("part number %q: %w", trimForError(s), ErrBadPart)
		}
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > count || n > MaxUploadParts {
		return 0, fmt.Errorf("part number %q out of 1..%d: %w", s, count, ErrBadPart)
	}
	return n, nil
}

// ByteRange is a Content-Range "bytes first-last/total".
type ByteRange struct {
	First, Last, Total int64
}

// ParseContentRange reads a Content-Range header of the form
// "bytes first-last/total" with first ≤ last < total. Unsatisfied ("*")
// and unknown ("/*") forms are refused: a part always knows both.
func ParseContentRange(s string) (ByteRange, error) {
	var r ByteRange
	rest, ok := strings.CutPrefix(s, "bytes ")
	if !ok {
		return r, fmt.Errorf("content range %q: %w", trimForError(s), ErrBadPart)
	}
	span, total, ok := strings.Cut(rest, "/")
	if !ok {
		return r, fmt.Errorf("content range %q: %w", trimForError(s), ErrBadPart)
	}
	first, last, ok := strings.Cut(span, "-")
	if !ok {
		return r, fmt.Errorf("content range %q: %w", trimForError(s), ErrBadPart)
	}
	var err error
	if r.First, err = parseOffset(first); err != nil {
		return r, err
	}
	if r.Last, err = parseOffset(last); err != nil {
		return r, err
	}
	if r.Total, err = parseOffset(total); err != nil {
		return r, err
	}
	if r.First > r.Last || r.Last >= r.Total {
		return r, fmt.Errorf("content range %q: %w", s, ErrBadPart)
	}
	return r, nil
}

// parseOffset reads a non-negative decimal of at most 18 digits.
func parseOffset(s string) (int64, error) {
	if s == "" || len(s) > 18 {
		return 0, fmt.Errorf("offset %q: %w", trimForError(s), ErrBadPart)
	}
	var n int64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("offset %q: %w", trimForError(s), ErrBadPart)
		}
		n = n*10 + int64(c-'0')
	}
	return n, nil
}

// CheckPartRange checks that a part's Content-Range is exactly where part n
// of the upload lies.
func CheckPartRange(r ByteRange, size, partSize int64, n int) error {
	first := int64(n-1) * partSize
	if r.Total != size || r.First != first || r.Last != first+PartLength(size, partSize, n)-1 {
		return fmt.Errorf("content range %d-%d/%d is not part %d: %w", r.First, r.Last, r.Total, n, ErrBadPart)
	}
	return nil
}

func trimForError(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

// CheckUploadWrite returns ErrClosed (wrapped with the reason) unless an
// upload begun at startedAt may still receive parts or be completed at now:
// while submissions are open, or in the grace period for an upload begun
// before the deadline.
func CheckUploadWrite(c Competition, startedAt, now time.Time) error {
	switch SubmissionWindow(c, now) {
	case WindowOpen:
		return nil
	case WindowGrace:
		if startedAt.Before(c.ClosesAt) {
			return nil
		}
		return ErrDeadlinePassed
	case WindowNotYetOpen:
		return ErrNotYetOpen
	default:
		return ErrDeadlinePassed
	}
}
