package app

import (
	"encoding/base64"
	"strings"
	"time"

	"github.com/tessera/tessera/internal/contest"
	"github.com/tessera/tessera/internal/db"
)

// EncodeCursor makes an opaque keyset cursor after an entry.
func EncodeCursor(e contest.Entry) string {
	return base64.RawURLEncoding.EncodeToString([]byte(e.CreatedAt.UTC().Format(time.RFC3339Nano) + "|" + e.ID))
}

// DecodeCursor reads a cursor; "" means the first page.
func DecodeCursor(s string) (*db.QueueCursor, error) {
	if s == "" {
		return nil, nil
	}
	bad := &contest.FieldError{Fields: map[string]string{"cursor": "cursor.invalid"}}
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, bad
	}
	ts, id, ok := strings.Cut(string(raw), "|")
	if !ok || id == "" || len(id) > 64 {
		return nil, bad
	}
	t, err := time.Parse(time.RFC3339Nano, ts)
	if err != nil {
		return nil, bad
	}
	return &db.QueueCursor{CreatedAt: t, ID: id}, nil
}
