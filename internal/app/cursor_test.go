package app

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/tessera/tessera/internal/contest"
)

// TestCursors checks that a keyset cursor tells its holder nothing (in a
// blind round a readable cursor would give a judge the time the entrant
// created the entry) and that only the server that made it, for the list it
// was made for, accepts it.
func TestCursors(t *testing.T) {
	secret := []byte("cursor-test-secret-0123456789abcdef")
	c, err := NewCursors(secret)
	if err != nil {
		t.Fatal(err)
	}
	e := contest.Entry{ID: "k7wq2xn9cd4hmtpa", CreatedAt: time.Date(2026, 3, 14, 9, 26, 53, 589793238, time.UTC)}
	scope := queueScope("round1", "judge1")
	cur := c.Seal(scope, e)

	t.Run("opens to the same position", func(t *testing.T) {
		got, err := c.Open(scope, cur)
		if err != nil {
			t.Fatal(err)
		}
		if got.ID != e.ID || !got.CreatedAt.Equal(e.CreatedAt) {
			t.Errorf("Open = %s %s, want %s %s", got.ID, got.CreatedAt, e.ID, e.CreatedAt)
		}
		if first, err := c.Open(scope, ""); first != nil || err != nil {
			t.Errorf(`Open("") = %v, %v; want the first page`, first, err)
		}
	})

	t.Run("reveals nothing", func(t *testing.T) {
		raw, err := base64.RawURLEncoding.DecodeString(cur)
		if err != nil {
			t.Fatalf("a cursor is still URL-safe base64: %v", err)
		}
		nano := binary.BigEndian.AppendUint64(nil, uint64(e.CreatedAt.UnixNano()))
		for what, leak := range map[string][]byte{
			"entry id":       []byte(e.ID),
			"RFC 3339 time":  []byte(e.CreatedAt.Format(time.RFC3339Nano)),
			"date":           []byte("2026-03-14"),
			"unix seconds":   []byte(strconv.FormatInt(e.CreatedAt.Unix(), 10)),
			"unix nanos":     []byte(strconv.FormatInt(e.CreatedAt.UnixNano(), 10)),
			"binary nanos":   nano,
			"binary seconds": nano[:4],
		} {
			if bytes.Contains(raw, leak) || bytes.Contains([]byte(cur), leak) {
				t.Errorf("the cursor shows the %s: %q", what, raw)
			}
		}
		if again := c.Seal(scope, e); again == cur {
			t.Errorf("two cursors for the same position are equal: %s", cur)
		}
	})

	other, err := NewCursors([]byte("another-secret-entirely-0123456789ab"))
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := base64.RawURLEncoding.DecodeString(cur)
	refused := map[string]struct{ scope, cursor string }{
		"old readable format":  {scope, base64.RawURLEncoding.EncodeToString([]byte(e.CreatedAt.Format(time.RFC3339Nano) + "|" + e.ID))},
		"not base64":           {scope, "%%%"},
		"truncated":            {scope, cur[:len(cur)-4]},
		"empty after decoding": {scope, "AA"},
		"another secret":       {scope, other.Seal(scope, e)},
		"another judge":        {queueScope("round1", "judge2"), cur},
		"another round":        {queueScope("round2", "judge1"), cur},
		"the gallery":          {galleryScope("comp1"), cur},
		"oversized":            {scope, cur + string(bytes.Repeat([]byte("A"), 600))},
	}
	for i := range raw {
		flipped := bytes.Clone(raw)
		flipped[i] ^= 0x01
		refused["byte "+strconv.Itoa(i)+" flipped"] = struct{ scope, cursor string }{scope, base64.RawURLEncoding.EncodeToString(flipped)}
	}
	for name, tc := range refused {
		t.Run("refuses "+name, func(t *testing.T) {
			got, err := c.Open(tc.scope, tc.cursor)
			var fe *contest.FieldError
			if !errors.As(err, &fe) || fe.Fields["cursor"] != "cursor.invalid" {
				t.Fatalf("Open = %+v, %v; want the field error cursor.invalid", got, err)
			}
		})
	}
}
