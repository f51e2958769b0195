package blob

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
	"time"
)

func TestValidateKey(t *testing.T) {
	for _, k := range []string{
		"a",
		"entries/12/34/original",
		"entries/12/34/w640.webp",
		"with space/and é/and+plus/%41",
		"a.b/c.d.e",
		strings.Repeat("k", MaxKeyLength),
	} {
		if err := ValidateKey(k); err != nil {
			t.Errorf("ValidateKey(%q) = %v, want nil", k, err)
		}
	}
	for _, k := range append(invalidKeys(), "a..b", "a/b\u0085c") {
		err := ValidateKey(k)
		if !errors.Is(err, ErrInvalidKey) {
			t.Errorf("ValidateKey(%q) = %v, want ErrInvalidKey", k, err)
		}
	}
	if err := ValidateKey("a/../b"); err == nil || !strings.Contains(err.Error(), `".."`) {
		t.Errorf("the error should say what is wrong, got %v", err)
	}
}

func TestExactReader(t *testing.T) {
	data := []byte("0123456789")
	for _, tc := range []struct {
		name     string
		r        io.Reader
		size     int64
		mismatch bool
	}{
		{"exact", bytes.NewReader(data), 10, false},
		{"exact-one-byte-reads", iotest.OneByteReader(bytes.NewReader(data)), 10, false},
		{"exact-data-with-eof", iotest.DataErrReader(bytes.NewReader(data)), 10, false},
		{"exact-empty", bytes.NewReader(nil), 0, false},
		{"short", bytes.NewReader(data), 11, true},
		{"short-data-with-eof", iotest.DataErrReader(bytes.NewReader(data)), 11, true},
		{"long", bytes.NewReader(data), 9, true},
		{"long-one-byte-reads", iotest.OneByteReader(bytes.NewReader(data)), 9, true},
		{"long-empty-expected", bytes.NewReader(data), 0, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			er := newExactReader(context.Background(), tc.r, tc.size)
			got, err := io.ReadAll(er)
			if tc.mismatch {
				if !errors.Is(err, ErrSizeMismatch) || er.mismatch() == nil {
					t.Fatalf("ReadAll = %d bytes, %v; want ErrSizeMismatch", len(got), err)
				}
				if int64(len(got)) > tc.size {
					t.Errorf("handed over %d bytes, more than the %d declared", len(got), tc.size)
				}
				return
			}
			if err != nil || int64(len(got)) != tc.size || er.mismatch() != nil {
				t.Fatalf("ReadAll = %d bytes, %v; want %d bytes", len(got), err, tc.size)
			}
			if n, err := er.Read(make([]byte, 4)); n != 0 || err != io.EOF {
				t.Errorf("Read after the end = %d, %v; want 0, EOF", n, err)
			}
		})
	}
	t.Run("long-error-before-last-byte", func(t *testing.T) {
		// A consumer must not see a clean end of a stream that is too long.
		er := newExactReader(context.Background(), bytes.NewReader(data), 5)
		buf := make([]byte, 5)
		_, err := er.Read(buf)
		if !errors.Is(err, ErrSizeMismatch) {
			t.Errorf("Read of the last declared bytes = %v, want ErrSizeMismatch", err)
		}
	})
	t.Run("canceled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := io.ReadAll(newExactReader(ctx, bytes.NewReader(data), 10))
		if !errors.Is(err, context.Canceled) {
			t.Errorf("ReadAll = %v, want context.Canceled", err)
		}
	})
	t.Run("reader-error", func(t *testing.T) {
		boom := errors.New("boom")
		_, err := io.ReadAll(newExactReader(context.Background(), iotest.ErrReader(boom), 10))
		if !errors.Is(err, boom) {
			t.Errorf("ReadAll = %v, want boom", err)
		}
	})
}

func TestSigner(t *testing.T) {
	secret := []byte("0123456789abcdef0123456789abcdef")
	s := NewSigner(secret, "files/")
	if s.Prefix() != "/files" {
		t.Errorf("Prefix = %q, want /files", s.Prefix())
	}
	now := time.Unix(1_900_000_000, 0)
	key := "entries/1/2/a b?c#d%e.jpg"
	u := s.URL(key, time.Hour, now)
	wantPrefix := "/files/entries/1/2/a%20b%3Fc%23d%25e.jpg?e=1900003600&s="
	if !strings.HasPrefix(u, wantPrefix) {
		t.Fatalf("URL = %q, want prefix %q", u, wantPrefix)
	}
	sig := strings.TrimPrefix(u, wantPrefix)
	if strings.ContainsAny(sig, "+/=") || len(sig) != 43 {
		t.Errorf("signature %q is not unpadded base64url of 32 bytes", sig)
	}
	e := "1900003600"
	if err := s.Verify(key, e, sig, now); err != nil {
		t.Errorf("Verify of a fresh URL: %v", err)
	}
	if err := s.Verify(key, e, sig, now.Add(time.Hour-time.Second)); err != nil {
		t.Errorf("Verify one second before expiry: %v", err)
	}
	for name, at := range map[string]time.Time{"at expiry": now.Add(time.Hour), "after": now.Add(2 * time.Hour)} {
		if err := s.Verify(key, e, sig, at); !errors.Is(err, ErrExpired) {
			t.Errorf("Verify %s = %v, want ErrExpired", name, err)
		}
	}
	for name, args := range map[string][3]string{
		"other key":       {"entries/1/2/other.jpg", e, sig},
		"other expiry":    {key, "1900007200", sig},
		"padded expiry":   {key, "01900003600", sig},
		"bad expiry":      {key, "soon", sig},
		"empty signature": {key, e, ""},
		"bad base64":      {key, e, "***"},
		"truncated":       {key, e, sig[:20]},
	} {
		if err := s.Verify(args[0], args[1], args[2], now); !errors.Is(err, ErrBadSignature) {
			t.Errorf("Verify with %s = %v, want ErrBadSignature", name, err)
		}
	}
	other := NewSigner([]byte("a different secret"), "/files")
	if err := other.Verify(key, e, sig, now); !errors.Is(err, ErrBadSignature) {
		t.Errorf("Verify with another secret = %v, want ErrBadSignature", err)
	}
	// The signer keeps its own copy of the secret.
	secret[0] ^= 0xff
	if err := s.Verify(key, e, sig, now); err != nil {
		t.Errorf("changing the caller's slice changed the signer: %v", err)
	}
	defer func() {
		if recover() == nil {
			t.Errorf("NewSigner with no secret did not panic")
		}
	}()
	NewSigner(nil, "/files")
}

// recordingStore counts Opens and the offsets they start at.
type recordingStore struct {
	Store
	opens []int64
}

func (r *recordingStore) Open(ctx context.Context, key string, offset, length int64) (io.ReadCloser, error) {
	r.opens = append(r.opens, offset)
	return r.Store.Open(ctx, key, offset, length)
}

func TestReadSeeker(t *testing.T) {
	ctx := t.Context()
	local := newTestLocal(t)
	data := randBytes(1000, 40)
	mustPut(t, local, "obj", data, "")
	rec := &recordingStore{Store: local}
	rs := NewReadSeeker(ctx, rec, "obj", int64(len(data)))
	defer func() { _ = rs.Close() }()

	if end, err := rs.Seek(0, io.SeekEnd); err != nil || end != 1000 {
		t.Fatalf("Seek(0, end) = %d, %v", end, err)
	}
	if _, err := rs.Seek(0, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	if len(rec.opens) != 0 {
		t.Errorf("seeking opened the object: %v", rec.opens)
	}
	buf := make([]byte, 10)
	if _, err := io.ReadFull(rs, buf); err != nil || !bytes.Equal(buf, data[:10]) {
		t.Fatalf("first read = %v", err)
	}
	if _, err := io.ReadFull(rs, buf); err != nil || !bytes.Equal(buf, data[10:20]) {
		t.Fatalf("second read = %v", err)
	}
	if _, err := rs.Seek(500, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	if _, err := rs.Seek(-10, io.SeekCurrent); err != nil {
		t.Fatal(err)
	}
	rest, err := io.ReadAll(rs)
	if err != nil || !bytes.Equal(rest, data[490:]) {
		t.Fatalf("read from 490 = %d bytes, %v", len(rest), err)
	}
	if !slices.Equal(rec.opens, []int64{0, 490}) {
		t.Errorf("opens at %v, want [0 490]", rec.opens)
	}
	if _, err := rs.Seek(2000, io.SeekStart); err != nil {
		t.Errorf("seek past the end: %v", err)
	}
	if n, err := rs.Read(buf); n != 0 || err != io.EOF {
		t.Errorf("read past the end = %d, %v; want EOF", n, err)
	}
	if _, err := rs.Seek(-1, io.SeekStart); err == nil {
		t.Errorf("seek to a negative position succeeded")
	}

	// An object shorter than announced is an unexpected EOF, not a clean end.
	short := NewReadSeeker(ctx, local, "obj", 2000)
	defer func() { _ = short.Close() }()
	if _, err := io.ReadAll(short); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("reading a shorter object = %v, want ErrUnexpectedEOF", err)
	}
	missing := NewReadSeeker(ctx, local, "missing", 10)
	if _, err := missing.Read(buf); !errors.Is(err, ErrNotFound) {
		t.Errorf("reading a missing object = %v, want ErrNotFound", err)
	}
}

// TestLocalLayout checks what the local store leaves on disk.
func TestLocalLayout(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	s, err := NewLocal(dir)
	if err != nil {
		t.Fatal(err)
	}
	mustPut(t, s, "entries/1/2/original", []byte("hello"), "text/plain")
	if b, err := os.ReadFile(filepath.Join(dir, "entries", "1", "2", "original")); err != nil || string(b) != "hello" {
		t.Errorf("object file = %q, %v; want hello", b, err)
	}

	// Failed writes leave no temporary file behind.
	if err := s.Put(ctx, "entries/1/2/short", strings.NewReader("abc"), 4, ""); !errors.Is(err, ErrSizeMismatch) {
		t.Fatalf("short Put = %v", err)
	}
	if err := s.Put(ctx, "entries/1/2/long", strings.NewReader("abcde"), 4, ""); !errors.Is(err, ErrSizeMismatch) {
		t.Fatalf("long Put = %v", err)
	}
	id, err := s.CreateMultipart(ctx, "entries/1/2/video", "video/mp4")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.PutPart(ctx, "entries/1/2/video", id, 1, strings.NewReader("ab"), 3); !errors.Is(err, ErrSizeMismatch) {
		t.Fatalf("short PutPart = %v", err)
	}
	if err := s.AbortMultipart(ctx, "entries/1/2/video", id); err != nil {
		t.Fatal(err)
	}
	if err := s.Ping(ctx); err != nil {
		t.Fatal(err)
	}
	var files []string
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		files = append(files, filepath.ToSlash(rel))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{".meta/entries/1/2/original.json", "entries/1/2/original"}; !slices.Equal(files, want) {
		t.Errorf("files on disk = %q, want %q", files, want)
	}

	// Deleting the last object of a directory removes the emptied directories.
	if err := s.Delete(ctx, "entries/1/2/original"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "entries")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("emptied directory left behind: %v", err)
	}
	if _, err := os.Stat(dir); err != nil {
		t.Errorf("the store's own directory was removed: %v", err)
	}

	// A key that is a prefix of another cannot be an object too, and says so.
	mustPut(t, s, "a/b", []byte("x"), "")
	if err := s.Put(ctx, "a", strings.NewReader("y"), 1, ""); err == nil {
		t.Errorf("Put of a key that is a directory succeeded")
	}
	if _, err := s.Stat(ctx, "a"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Stat of a directory = %v, want ErrNotFound", err)
	}
	if err := s.Delete(ctx, "a"); err != nil {
		t.Errorf("Delete of a directory = %v, want nil", err)
	}
	if _, err := s.Stat(ctx, "a/b"); err != nil {
		t.Errorf("Delete of the prefix removed the object under it: %v", err)
	}
	if _, err := s.Stat(ctx, "a/b/c"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Stat through a file = %v, want ErrNotFound", err)
	}

	// Malformed upload ids cannot reach outside the uploads directory.
	for _, id := range []string{"../../etc", "", "ABCDEF0123456789ABCDEF0123456789", strings.Repeat("0", 31)} {
		if _, err := s.ListParts(ctx, "k", id); !errors.Is(err, ErrNotFound) {
			t.Errorf("ListParts(%q) = %v, want ErrNotFound", id, err)
		}
	}
}

func TestNewLocalErrors(t *testing.T) {
	if _, err := NewLocal(""); err == nil {
		t.Errorf("NewLocal(\"\") succeeded")
	}
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := NewLocal(file); err == nil {
		t.Errorf("NewLocal on a file succeeded")
	}
}

func TestNewS3Errors(t *testing.T) {
	ctx := t.Context()
	for name, cfg := range map[string]S3Config{
		"no endpoint":   {Bucket: "b"},
		"no bucket":     {Endpoint: "127.0.0.1:1"},
		"endpoint path": {Endpoint: "http://127.0.0.1:1/path", Bucket: "b"},
		"bad scheme":    {Endpoint: "ftp://127.0.0.1:1", Bucket: "b"},
	} {
		if _, err := NewS3(ctx, cfg); err == nil {
			t.Errorf("%s: NewS3 succeeded", name)
		}
	}
}

// hugeStore holds one object of the given size, of zero bytes, made up as it
// is read.
type hugeStore struct {
	Store
	size int64
}

func (h hugeStore) Stat(_ context.Context, key string) (Info, error) {
	return Info{Key: key, Size: h.size, ContentType: "video/mp4", ModTime: time.Unix(0, 0)}, nil
}

func (h hugeStore) Open(_ context.Context, _ string, offset, length int64) (io.ReadCloser, error) {
	n := h.size - offset
	if length >= 0 {
		n = min(n, length)
	}
	return io.NopCloser(io.LimitReader(zeros{}, n)), nil
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// countingResponse is an http.ResponseWriter that keeps only a byte count.
type countingResponse struct {
	header http.Header
	status int
	n      int64
}

func (c *countingResponse) Header() http.Header { return c.header }
func (c *countingResponse) WriteHeader(status int) {
	if c.status == 0 {
		c.status = status
	}
}

func (c *countingResponse) Write(p []byte) (int, error) {
	c.WriteHeader(http.StatusOK)
	c.n += int64(len(p))
	return len(p), nil
}

// TestHandlerMemory serves a 1 GiB object and checks that the handler
// allocates a small, fixed amount, not memory in proportion to the object.
func TestHandlerMemory(t *testing.T) {
	const size = 1 << 30
	signer := NewSigner([]byte("0123456789abcdef0123456789abcdef"), "/files")
	now := time.Now()
	h := Handler(hugeStore{size: size}, signer, func() time.Time { return now })
	u := signer.URL("big/video", time.Minute, now)
	for _, rng := range []string{"", "bytes=1000-", "bytes=0-99,500000000-"} {
		req := httptest.NewRequestWithContext(t.Context(), http.MethodGet, u, nil)
		if rng != "" {
			req.Header.Set("Range", rng)
		}
		w := &countingResponse{header: http.Header{}}
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		h.ServeHTTP(w, req)
		runtime.ReadMemStats(&after)
		if w.status != http.StatusOK && w.status != http.StatusPartialContent {
			t.Fatalf("Range %q: status %d", rng, w.status)
		}
		if w.n < size/2 {
			t.Errorf("Range %q: served %d bytes, want most of %d", rng, w.n, size)
		}
		if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 8<<20 {
			t.Errorf("Range %q: serving %d bytes allocated %d bytes", rng, w.n, alloc)
		}
	}
}
