// Package blob is Tessera's object store: one interface with a local-directory
// implementation and an S3 implementation, held to the same conformance tests.
package blob

import (
	"context"
	"errors"
	"io"
	"time"
)

// ErrNotFound is returned when a key or an upload does not exist.
var ErrNotFound = errors.New("blob: not found")

// ErrInvalidKey is returned for a key that no store accepts (see ValidateKey).
var ErrInvalidKey = errors.New("blob: invalid key")

// ErrSizeMismatch is returned when a reader yields fewer or more bytes than
// the size declared for it. Nothing is stored when it is returned.
var ErrSizeMismatch = errors.New("blob: size mismatch")

// ErrInvalidPart is returned when completing a multipart upload names a part
// that was not received, names it with another ETag, names it twice, names no
// part at all, or when a part other than the last is smaller than MinPartSize.
var ErrInvalidPart = errors.New("blob: invalid part")

// ErrInvalidRange is returned by Open for a negative offset or an offset past
// the end of the object.
var ErrInvalidRange = errors.New("blob: invalid range")

// Limits every store applies, those of S3, so that code working on one store
// works on all.
const (
	// MinPartSize is the smallest size of any part but the last one of a
	// multipart upload.
	MinPartSize = 5 << 20
	// MaxPartSize is the largest size of one part.
	MaxPartSize = 5 << 30
	// MaxPartNumber is the highest part number; numbers start at 1.
	MaxPartNumber = 10000
	// MaxKeyLength is the longest key in bytes.
	MaxKeyLength = 1024
)

// DefaultContentType is recorded for objects stored without a content type.
const DefaultContentType = "application/octet-stream"

// Info describes a stored object.
type Info struct {
	Key         string
	Size        int64
	ContentType string
	ModTime     time.Time
	ETag        string
}

// Part is one uploaded part of a multipart upload.
type Part struct {
	Number int
	Size   int64
	ETag   string
}

// Store keeps objects under string keys ("entries/<entry>/<asset>/<name>").
// Every write passes the exact size of its bytes, never an unknown size.
//
// Every implementation accepts the same keys (ValidateKey), returns
// ErrNotFound for a missing object or upload, ErrSizeMismatch when a reader
// does not yield exactly the declared size, and enforces the S3 multipart
// limits (MinPartSize, MaxPartSize, MaxPartNumber), so that code working on
// the local store works unchanged on S3. Methods are safe for concurrent use.
type Store interface {
	// Put writes exactly size bytes from r under key, replacing any object
	// there. A failed Put leaves no partial object visible under key.
	Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error
	// Open reads the object from offset; length < 0 reads to the end. A
	// range running past the end is cut at the end; an offset equal to the
	// size reads nothing; a larger or negative one is ErrInvalidRange.
	Open(ctx context.Context, key string, offset, length int64) (io.ReadCloser, error)
	// Stat describes the object or returns ErrNotFound.
	Stat(ctx context.Context, key string) (Info, error)
	// Delete removes the object; deleting a missing key is not an error.
	Delete(ctx context.Context, key string) error

	// CreateMultipart starts a multipart upload to key and returns its id.
	CreateMultipart(ctx context.Context, key, contentType string) (uploadID string, err error)
	// PutPart writes part number n (1-based) of exactly size bytes; writing
	// the same part again replaces it.
	PutPart(ctx context.Context, key, uploadID string, n int, r io.Reader, size int64) (Part, error)
	// ListParts returns the parts received so far, by number.
	ListParts(ctx context.Context, key, uploadID string) ([]Part, error)
	// CompleteMultipart assembles parts (in number order) into the object,
	// which takes the content type given to CreateMultipart. A part's ETag,
	// when not empty, must be the one the store reported for it. Parts
	// received but not named are discarded. The upload is gone afterwards.
	CompleteMultipart(ctx context.Context, key, uploadID string, parts []Part) error
	// AbortMultipart discards an upload and its parts.
	AbortMultipart(ctx context.Context, key, uploadID string) error

	// Ping checks that the store is reachable and writable.
	Ping(ctx context.Context) error
}
