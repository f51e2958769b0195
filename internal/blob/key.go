package blob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ValidateKey reports, wrapping ErrInvalidKey, why key cannot name an object.
// A key is 1 to MaxKeyLength bytes of UTF-8 made of non-empty segments
// separated by "/"; it contains no "..", backslash, NUL or other control
// character, and no segment begins with "." (such names are kept for the
// stores' own bookkeeping). Every store applies the same rules.
func ValidateKey(key string) error {
	reason := keyProblem(key)
	if reason == "" {
		return nil
	}
	return fmt.Errorf("%w %q: %s", ErrInvalidKey, key, reason)
}

func keyProblem(key string) string {
	switch {
	case key == "":
		return "empty"
	case len(key) > MaxKeyLength:
		return fmt.Sprintf("longer than %d bytes", MaxKeyLength)
	case !utf8.ValidString(key):
		return "not valid UTF-8"
	case strings.HasPrefix(key, "/"):
		return "absolute (starts with /)"
	case strings.Contains(key, ".."):
		return `contains ".."`
	case strings.Contains(key, `\`):
		return "contains a backslash"
	}
	for _, r := range key {
		if r == 0 {
			return "contains NUL"
		}
		if unicode.IsControl(r) {
			return "contains a control character"
		}
	}
	for seg := range strings.SplitSeq(key, "/") {
		if seg == "" {
			return "has an empty segment (leading, trailing or double /)"
		}
		if strings.HasPrefix(seg, ".") {
			return `has a segment beginning with "."`
		}
	}
	return ""
}

// exactReader yields the bytes of r only if r holds exactly size bytes: a
// stream ending early or holding more is an error wrapping ErrSizeMismatch,
// reported before the last byte is handed over, so that a consumer writing
// the bytes somewhere never sees a clean end of a wrong stream. It also stops
// with the context's error once ctx is done.
type exactReader struct {
	ctx       context.Context
	r         io.Reader
	size      int64
	remaining int64
	err       error // sticky error
}

func newExactReader(ctx context.Context, r io.Reader, size int64) *exactReader {
	return &exactReader{ctx: ctx, r: r, size: size, remaining: size}
}

// Read implements io.Reader.
func (e *exactReader) Read(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	if err := e.ctx.Err(); err != nil {
		e.err = err
		return 0, err
	}
	if e.remaining == 0 {
		if err := e.checkDrained(); err != nil {
			e.err = err
			return 0, err
		}
		return 0, io.EOF
	}
	if int64(len(p)) > e.remaining {
		p = p[:e.remaining]
	}
	n, err := e.r.Read(p)
	e.remaining -= int64(n)
	switch {
	case e.remaining == 0:
		if derr := e.checkDrained(); derr != nil {
			e.err = derr
			return n, derr
		}
		// Remember that the end was verified so later reads return EOF.
		e.r = eofReader{}
		return n, io.EOF
	case err == io.EOF:
		e.err = fmt.Errorf("%w: stream ended after %d of %d bytes", ErrSizeMismatch, e.size-e.remaining, e.size)
		return n, e.err
	case err != nil:
		e.err = err
		return n, err
	}
	return n, nil
}

// checkDrained verifies the underlying reader has nothing past size.
func (e *exactReader) checkDrained() error {
	var b [1]byte
	for range 100 {
		n, err := e.r.Read(b[:])
		if n > 0 {
			return fmt.Errorf("%w: stream holds more than %d bytes", ErrSizeMismatch, e.size)
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
	return io.ErrNoProgress
}

// mismatch returns the size error this reader reported, if any.
func (e *exactReader) mismatch() error {
	if errors.Is(e.err, ErrSizeMismatch) {
		return e.err
	}
	return nil
}

type eofReader struct{}

func (eofReader) Read([]byte) (int, error) { return 0, io.EOF }
