package app

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"time"

	"github.com/tessera/tessera/internal/contest"
	"github.com/tessera/tessera/internal/db"
)

// cursorKeyInfo names what the key derived from the server secret is for,
// so that it never equals a key used for anything else.
const cursorKeyInfo = "tessera keyset cursor v1"

// Cursors seals and opens keyset cursors (the judge queue, the gallery).
// A cursor is encrypted and authenticated with a key derived from the
// server secret: nobody can read from it when an entry was created or which
// entry it follows (in a blind round that would tell a judge when the
// entrant worked), two cursors for the same position differ, and a cursor
// changed, made with another secret or for another list is refused.
// Servers sharing the secret (replicas) open each other's cursors.
type Cursors struct {
	aead cipher.AEAD
}

// NewCursors derives the cursor key from the server secret (TESSERA_SECRET,
// or the one generated into the data directory).
func NewCursors(secret []byte) (*Cursors, error) {
	if len(secret) == 0 {
		return nil, fmt.Errorf("cursors: empty secret")
	}
	key, err := hkdf.Key(sha256.New, secret, nil, cursorKeyInfo, 32)
	if err != nil {
		return nil, fmt.Errorf("cursors: derive key: %w", err)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("cursors: %w", err)
	}
	aead, err := cipher.NewGCMWithRandomNonce(block)
	if err != nil {
		return nil, fmt.Errorf("cursors: %w", err)
	}
	return &Cursors{aead: aead}, nil
}

// processCursors seals with a random key of this process only.
func processCursors() *Cursors {
	c, err := NewCursors([]byte(rand.Text() + rand.Text()))
	if err != nil {
		panic(err) // a fixed-size key and AES: never happens
	}
	return c
}

// Seal returns the cursor of the position after e in the list named by
// scope (see queueScope, galleryScope); only Open with the same scope
// accepts it.
func (c *Cursors) Seal(scope string, e contest.Entry) string {
	plain := binary.BigEndian.AppendUint64(make([]byte, 0, 8+len(e.ID)), uint64(e.CreatedAt.UnixNano()))
	plain = append(plain, e.ID...)
	return base64.RawURLEncoding.EncodeToString(c.aead.Seal(nil, nil, plain, []byte(scope)))
}

// Open reads a cursor made by Seal for scope; "" means the first page (nil).
// Anything else is the field error cursor.invalid.
func (c *Cursors) Open(scope, s string) (*db.QueueCursor, error) {
	if s == "" {
		return nil, nil
	}
	bad := &contest.FieldError{Fields: map[string]string{"cursor": "cursor.invalid"}}
	if len(s) > 512 {
		return nil, bad
	}
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, bad
	}
	plain, err := c.aead.Open(nil, nil, raw, []byte(scope))
	if err != nil || len(plain) <= 8 || len(plain) > 8+64 {
		return nil, bad
	}
	at := time.Unix(0, int64(binary.BigEndian.Uint64(plain[:8]))).UTC()
	return &db.QueueCursor{CreatedAt: at, ID: string(plain[8:])}, nil
}

// queueScope names one judge's queue in one round: a cursor of another
// judge's queue, another round or the gallery is refused there.
func queueScope(roundID, judgeID string) string {
	return "queue\x00" + roundID + "\x00" + judgeID
}

// galleryScope names a competition's public gallery.
func galleryScope(competitionID string) string {
	return "gallery\x00" + competitionID
}
