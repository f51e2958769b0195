package blob

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Local is a Store keeping each object as a file under one directory: the
// object "a/b/c" is the file <dir>/a/b/c. Content types and ETags are kept
// beside, under <dir>/.meta, and multipart uploads under
// <dir>/.uploads/<uploadID>/. Every write goes to a temporary file in the
// destination directory, is synced, and is renamed into place, so a reader
// sees the old object or the new one, never part of one.
//
// Because objects are files, one key cannot be both an object and the prefix
// of another ("a" and "a/b"): writing the second fails. Keys never collide
// with the store's own files, which all begin with a dot.
type Local struct {
	dir string
	// locks serialise, per stripe of keys, the two renames that commit an
	// object and its metadata, and the reads of both by Stat, so that
	// concurrent writers of one key leave a matching pair.
	locks [64]sync.Mutex
}

const (
	localMetaDir    = ".meta"
	localUploadsDir = ".uploads"
	localTempGlob   = ".tmp-*"
	localMetaSuffix = ".json"
	localUploadFile = "upload.json"
	localDirMode    = 0o750
	localFileMode   = 0o640
)

// localMeta is the sidecar of an object.
type localMeta struct {
	ContentType string `json:"content_type"`
	ETag        string `json:"etag"`
	Size        int64  `json:"size"`
}

// localUpload describes a multipart upload in progress.
type localUpload struct {
	Key         string    `json:"key"`
	ContentType string    `json:"content_type"`
	Created     time.Time `json:"created"`
}

// localPart is the record of a received part; writing it (temp + rename) is
// what makes the part visible, and File names its bytes in the upload's
// directory.
type localPart struct {
	Number int    `json:"number"`
	Size   int64  `json:"size"`
	ETag   string `json:"etag"`
	File   string `json:"file"`
}

// NewLocal returns a store keeping its objects under dir, creating it if
// needed.
func NewLocal(dir string) (*Local, error) {
	if dir == "" {
		return nil, errors.New("blob: local store: no directory given")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("blob: local store %q: %w", dir, err)
	}
	for _, d := range []string{abs, filepath.Join(abs, localMetaDir), filepath.Join(abs, localUploadsDir)} {
		if err := os.MkdirAll(d, localDirMode); err != nil {
			return nil, fmt.Errorf("blob: local store: %w", err)
		}
	}
	return &Local{dir: abs}, nil
}

// lock returns the mutex of the stripe of key.
func (l *Local) lock(key string) *sync.Mutex {
	h := fnv.New32a()
	_, _ = h.Write([]byte(key))
	return &l.locks[h.Sum32()%uint32(len(l.locks))]
}

func (l *Local) objectPath(key string) string {
	return filepath.Join(l.dir, filepath.FromSlash(key))
}

func (l *Local) metaPath(key string) string {
	return filepath.Join(l.dir, localMetaDir, filepath.FromSlash(key)+localMetaSuffix)
}

func (l *Local) uploadDir(uploadID string) string {
	return filepath.Join(l.dir, localUploadsDir, uploadID)
}

// Put implements Store.
func (l *Local) Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error {
	if err := ValidateKey(key); err != nil {
		return err
	}
	if size < 0 {
		return fmt.Errorf("blob: put %q: %w: negative size %d", key, ErrSizeMismatch, size)
	}
	if contentType == "" {
		contentType = DefaultContentType
	}
	src := newExactReader(ctx, r, size)
	tmp, etag, _, err := writeTemp(filepath.Dir(l.objectPath(key)), localTempGlob, func(w io.Writer) error {
		_, err := io.Copy(w, src)
		return err
	})
	if err != nil {
		return fmt.Errorf("blob: put %q: %w", key, err)
	}
	if err := l.commit(key, tmp, localMeta{ContentType: contentType, ETag: etag, Size: size}); err != nil {
		return fmt.Errorf("blob: put %q: %w", key, err)
	}
	return nil
}

// commit makes the written temporary file tmp the object under key, first
// recording its metadata. tmp is removed if it cannot be renamed.
func (l *Local) commit(key, tmp string, meta localMeta) error {
	data, err := json.Marshal(meta)
	if err != nil {
		_ = os.Remove(tmp)
		return err
	}
	mu := l.lock(key)
	mu.Lock()
	defer mu.Unlock()
	if err := writeFileAtomic(l.metaPath(key), data); err != nil {
		_ = os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, l.objectPath(key)); err != nil {
		_ = os.Remove(tmp)
		return err
	}
	return nil
}

// Open implements Store.
func (l *Local) Open(ctx context.Context, key string, offset, length int64) (io.ReadCloser, error) {
	if err := ValidateKey(key); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if offset < 0 {
		return nil, fmt.Errorf("blob: open %q: %w: offset %d", key, ErrInvalidRange, offset)
	}
	f, err := os.Open(l.objectPath(key))
	if err != nil {
		if isNotExist(err) {
			return nil, fmt.Errorf("blob: open %q: %w", key, ErrNotFound)
		}
		return nil, fmt.Errorf("blob: open %q: %w", key, err)
	}
	fi, err := f.Stat()
	if err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("blob: open %q: %w", key, err)
	}
	if fi.IsDir() {
		_ = f.Close()
		return nil, fmt.Errorf("blob: open %q: %w", key, ErrNotFound)
	}
	if offset > fi.Size() {
		_ = f.Close()
		return nil, fmt.Errorf("blob: open %q: %w: offset %d past size %d", key, ErrInvalidRange, offset, fi.Size())
	}
	if _, err := f.Seek(offset, io.SeekStart); err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("blob: open %q: %w", key, err)
	}
	if length < 0 {
		return f, nil
	}
	return limitedReadCloser{Reader: io.LimitReader(f, length), Closer: f}, nil
}

type limitedReadCloser struct {
	io.Reader
	io.Closer
}

// Stat implements Store.
func (l *Local) Stat(ctx context.Context, key string) (Info, error) {
	if err := ValidateKey(key); err != nil {
		return Info{}, err
	}
	if err := ctx.Err(); err != nil {
		return Info{}, err
	}
	mu := l.lock(key)
	mu.Lock()
	defer mu.Unlock()
	fi, err := os.Stat(l.objectPath(key))
	if err != nil {
		if isNotExist(err) {
			return Info{}, fmt.Errorf("blob: stat %q: %w", key, ErrNotFound)
		}
		return Info{}, fmt.Errorf("blob: stat %q: %w", key, err)
	}
	if fi.IsDir() {
		return Info{}, fmt.Errorf("blob: stat %q: %w", key, ErrNotFound)
	}
	info := Info{Key: key, Size: fi.Size(), ContentType: DefaultContentType, ModTime: fi.ModTime().UTC()}
	if data, err := os.ReadFile(l.metaPath(key)); err == nil {
		var meta localMeta
		if json.Unmarshal(data, &meta) == nil {
			if meta.ContentType != "" {
				info.ContentType = meta.ContentType
			}
			if meta.Size == fi.Size() {
				info.ETag = meta.ETag
			}
		}
	}
	return info, nil
}

// Delete implements Store.
func (l *Local) Delete(ctx context.Context, key string) error {
	if err := ValidateKey(key); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	path := l.objectPath(key)
	mu := l.lock(key)
	mu.Lock()
	defer mu.Unlock()
	fi, err := os.Lstat(path)
	switch {
	case isNotExist(err):
		// Nothing to delete; a stray sidecar goes below.
	case err != nil:
		return fmt.Errorf("blob: delete %q: %w", key, err)
	case fi.IsDir():
		// A prefix of other objects, not an object.
		return nil
	default:
		if err := os.Remove(path); err != nil && !isNotExist(err) {
			return fmt.Errorf("blob: delete %q: %w", key, err)
		}
	}
	if err := os.Remove(l.metaPath(key)); err != nil && !isNotExist(err) {
		return fmt.Errorf("blob: delete %q: %w", key, err)
	}
	pruneEmptyDirs(l.dir, filepath.Dir(path))
	pruneEmptyDirs(filepath.Join(l.dir, localMetaDir), filepath.Dir(l.metaPath(key)))
	return nil
}

// CreateMultipart implements Store.
func (l *Local) CreateMultipart(ctx context.Context, key, contentType string) (string, error) {
	if err := ValidateKey(key); err != nil {
		return "", err
	}
	if err := ctx.Err(); err != nil {
		return "", err
	}
	if contentType == "" {
		contentType = DefaultContentType
	}
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("blob: create multipart %q: %w", key, err)
	}
	id := hex.EncodeToString(b[:])
	dir := l.uploadDir(id)
	if err := os.MkdirAll(filepath.Dir(dir), localDirMode); err != nil {
		return "", fmt.Errorf("blob: create multipart %q: %w", key, err)
	}
	if err := os.Mkdir(dir, localDirMode); err != nil {
		return "", fmt.Errorf("blob: create multipart %q: %w", key, err)
	}
	data, err := json.Marshal(localUpload{Key: key, ContentType: contentType, Created: time.Now().UTC()})
	if err == nil {
		err = writeFileAtomic(filepath.Join(dir, localUploadFile), data)
	}
	if err != nil {
		_ = os.RemoveAll(dir)
		return "", fmt.Errorf("blob: create multipart %q: %w", key, err)
	}
	return id, nil
}

// loadUpload returns the directory and description of upload uploadID to key,
// or ErrNotFound when there is no such upload to that key.
func (l *Local) loadUpload(key, uploadID string) (string, localUpload, error) {
	var up localUpload
	if err := ValidateKey(key); err != nil {
		return "", up, err
	}
	if !validLocalUploadID(uploadID) {
		return "", up, fmt.Errorf("blob: upload %q to %q: %w", uploadID, key, ErrNotFound)
	}
	dir := l.uploadDir(uploadID)
	data, err := os.ReadFile(filepath.Join(dir, localUploadFile))
	if err != nil {
		if isNotExist(err) {
			return "", up, fmt.Errorf("blob: upload %q to %q: %w", uploadID, key, ErrNotFound)
		}
		return "", up, fmt.Errorf("blob: upload %q to %q: %w", uploadID, key, err)
	}
	if err := json.Unmarshal(data, &up); err != nil {
		return "", up, fmt.Errorf("blob: upload %q to %q: %w", uploadID, key, err)
	}
	if up.Key != key {
		return "", up, fmt.Errorf("blob: upload %q to %q: %w", uploadID, key, ErrNotFound)
	}
	return dir, up, nil
}

func validLocalUploadID(id string) bool {
	if len(id) != 32 {
		return false
	}
	for _, c := range id {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

func partRecordName(n int) string { return fmt.Sprintf("%05d%s", n, localMetaSuffix) }

// readPart returns the record of part n, or an error wrapping fs.ErrNotExist.
func readPart(dir string, n int) (localPart, error) {
	var p localPart
	data, err := os.ReadFile(filepath.Join(dir, partRecordName(n)))
	if err != nil {
		return p, err
	}
	if err := json.Unmarshal(data, &p); err != nil {
		return p, fmt.Errorf("part %d record: %w", n, err)
	}
	return p, nil
}

// PutPart implements Store.
func (l *Local) PutPart(ctx context.Context, key, uploadID string, n int, r io.Reader, size int64) (Part, error) {
	if err := checkPart(n, size); err != nil {
		return Part{}, fmt.Errorf("blob: put part of %q: %w", key, err)
	}
	dir, _, err := l.loadUpload(key, uploadID)
	if err != nil {
		return Part{}, err
	}
	src := newExactReader(ctx, r, size)
	file, etag, _, err := writeTemp(dir, fmt.Sprintf("%05d-*.part", n), func(w io.Writer) error {
		_, err := io.Copy(w, src)
		return err
	})
	if err != nil {
		return Part{}, fmt.Errorf("blob: put part %d of %q: %w", n, key, err)
	}
	old, _ := readPart(dir, n)
	rec := localPart{Number: n, Size: size, ETag: etag, File: filepath.Base(file)}
	data, err := json.Marshal(rec)
	if err == nil {
		err = writeFileAtomic(filepath.Join(dir, partRecordName(n)), data)
	}
	if err != nil {
		_ = os.Remove(file)
		if isNotExist(err) {
			// Aborted or completed meanwhile.
			return Part{}, fmt.Errorf("blob: put part %d of %q: %w", n, key, ErrNotFound)
		}
		return Part{}, fmt.Errorf("blob: put part %d of %q: %w", n, key, err)
	}
	if old.File != "" && old.File != rec.File && filepath.Base(old.File) == old.File {
		_ = os.Remove(filepath.Join(dir, old.File))
	}
	return Part{Number: n, Size: size, ETag: etag}, nil
}

// checkPart applies the S3 limits on part numbers and sizes.
func checkPart(n int, size int64) error {
	if n < 1 || n > MaxPartNumber {
		return fmt.Errorf("%w: part number %d not in 1..%d", ErrInvalidPart, n, MaxPartNumber)
	}
	if size < 0 {
		return fmt.Errorf("%w: negative size %d", ErrSizeMismatch, size)
	}
	if size > MaxPartSize {
		return fmt.Errorf("%w: part %d of %d bytes is larger than %d", ErrInvalidPart, n, size, int64(MaxPartSize))
	}
	return nil
}

// ListParts implements Store.
func (l *Local) ListParts(ctx context.Context, key, uploadID string) ([]Part, error) {
	dir, _, err := l.loadUpload(key, uploadID)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		if isNotExist(err) {
			return nil, fmt.Errorf("blob: list parts of %q: %w", key, ErrNotFound)
		}
		return nil, fmt.Errorf("blob: list parts of %q: %w", key, err)
	}
	parts := []Part{}
	for _, e := range entries {
		num, ok := strings.CutSuffix(e.Name(), localMetaSuffix)
		if !ok || len(num) != 5 {
			continue
		}
		n, err := strconv.Atoi(num)
		if err != nil || n < 1 {
			continue
		}
		p, err := readPart(dir, n)
		if isNotExist(err) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("blob: list parts of %q: %w", key, err)
		}
		parts = append(parts, Part{Number: p.Number, Size: p.Size, ETag: p.ETag})
	}
	slices.SortFunc(parts, func(a, b Part) int { return a.Number - b.Number })
	return parts, nil
}

// sortedParts returns parts by number, refusing an empty list and repeats.
func sortedParts(parts []Part) ([]Part, error) {
	if len(parts) == 0 {
		return nil, fmt.Errorf("%w: no parts named", ErrInvalidPart)
	}
	sorted := slices.Clone(parts)
	slices.SortFunc(sorted, func(a, b Part) int { return a.Number - b.Number })
	for i, p := range sorted {
		if p.Number < 1 || p.Number > MaxPartNumber {
			return nil, fmt.Errorf("%w: part number %d not in 1..%d", ErrInvalidPart, p.Number, MaxPartNumber)
		}
		if i > 0 && sorted[i-1].Number == p.Number {
			return nil, fmt.Errorf("%w: part %d named twice", ErrInvalidPart, p.Number)
		}
	}
	return sorted, nil
}

// CompleteMultipart implements Store.
func (l *Local) CompleteMultipart(ctx context.Context, key, uploadID string, parts []Part) error {
	dir, up, err := l.loadUpload(key, uploadID)
	if err != nil {
		return err
	}
	sorted, err := sortedParts(parts)
	if err != nil {
		return fmt.Errorf("blob: complete %q: %w", key, err)
	}
	recs := make([]localPart, len(sorted))
	for i, p := range sorted {
		rec, err := readPart(dir, p.Number)
		if isNotExist(err) {
			return fmt.Errorf("blob: complete %q: %w: part %d was not received", key, ErrInvalidPart, p.Number)
		}
		if err != nil {
			return fmt.Errorf("blob: complete %q: %w", key, err)
		}
		if etag := strings.Trim(p.ETag, `"`); etag != "" && etag != rec.ETag {
			return fmt.Errorf("blob: complete %q: %w: part %d has ETag %q, not %q", key, ErrInvalidPart, p.Number, rec.ETag, etag)
		}
		if i < len(sorted)-1 && rec.Size < MinPartSize {
			return fmt.Errorf("blob: complete %q: %w: part %d has %d bytes, fewer than %d", key, ErrInvalidPart, p.Number, rec.Size, MinPartSize)
		}
		recs[i] = rec
	}
	tmp, etag, total, err := writeTemp(filepath.Dir(l.objectPath(key)), localTempGlob, func(w io.Writer) error {
		for _, rec := range recs {
			if err := copyPart(ctx, w, dir, rec); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("blob: complete %q: %w", key, err)
	}
	if err := l.commit(key, tmp, localMeta{ContentType: up.ContentType, ETag: etag, Size: total}); err != nil {
		return fmt.Errorf("blob: complete %q: %w", key, err)
	}
	if err := os.RemoveAll(dir); err != nil {
		return fmt.Errorf("blob: complete %q: object stored but upload not removed: %w", key, err)
	}
	return nil
}

// copyPart appends the bytes of part rec to w, checking their count.
func copyPart(ctx context.Context, w io.Writer, dir string, rec localPart) error {
	if filepath.Base(rec.File) != rec.File {
		return fmt.Errorf("part %d: bad file name %q", rec.Number, rec.File)
	}
	f, err := os.Open(filepath.Join(dir, rec.File))
	if err != nil {
		return fmt.Errorf("part %d: %w", rec.Number, err)
	}
	defer func() { _ = f.Close() }()
	n, err := io.Copy(w, ctxReader{ctx: ctx, r: f})
	if err != nil {
		return fmt.Errorf("part %d: %w", rec.Number, err)
	}
	if n != rec.Size {
		return fmt.Errorf("part %d: %d bytes on disk, %d recorded", rec.Number, n, rec.Size)
	}
	return nil
}

// AbortMultipart implements Store.
func (l *Local) AbortMultipart(ctx context.Context, key, uploadID string) error {
	dir, _, err := l.loadUpload(key, uploadID)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := os.RemoveAll(dir); err != nil {
		return fmt.Errorf("blob: abort upload to %q: %w", key, err)
	}
	return nil
}

// Ping implements Store by writing and removing a small file.
func (l *Local) Ping(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	f, err := os.CreateTemp(l.dir, ".ping-*")
	if err != nil {
		return fmt.Errorf("blob: ping %s: %w", l.dir, err)
	}
	name := f.Name()
	_, werr := f.WriteString("ping\n")
	cerr := f.Close()
	rerr := os.Remove(name)
	if err := errors.Join(werr, cerr, rerr); err != nil {
		return fmt.Errorf("blob: ping %s: %w", l.dir, err)
	}
	return nil
}

// writeTemp creates a temporary file in dir (creating dir if needed) from the
// pattern, lets fill write its bytes, syncs and closes it, and returns its
// path, the hex SHA-256 of its bytes and their count. On error the file is
// gone.
func writeTemp(dir, pattern string, fill func(io.Writer) error) (path, etag string, n int64, err error) {
	f, err := createTemp(dir, pattern)
	if err != nil {
		return "", "", 0, err
	}
	name := f.Name()
	defer func() {
		if err != nil {
			_ = f.Close()
			_ = os.Remove(name)
		}
	}()
	if err := f.Chmod(localFileMode); err != nil {
		return "", "", 0, err
	}
	h := sha256.New()
	cw := &countingWriter{w: io.MultiWriter(f, h)}
	if err := fill(cw); err != nil {
		return "", "", 0, err
	}
	if err := f.Sync(); err != nil {
		return "", "", 0, err
	}
	if err := f.Close(); err != nil {
		return "", "", 0, err
	}
	return name, hex.EncodeToString(h.Sum(nil)), cw.n, nil
}

// createTemp creates a temporary file in dir, making dir first; it retries
// when a concurrent Delete removes the emptied directory in between.
func createTemp(dir, pattern string) (*os.File, error) {
	var err error
	for range 5 {
		if err = os.MkdirAll(dir, localDirMode); err != nil {
			return nil, err
		}
		var f *os.File
		f, err = os.CreateTemp(dir, pattern)
		if err == nil {
			return f, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
	}
	return nil, err
}

// writeFileAtomic replaces the file at path with data through a synced
// temporary file and a rename.
func writeFileAtomic(path string, data []byte) error {
	tmp, _, _, err := writeTemp(filepath.Dir(path), localTempGlob, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
	if err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		_ = os.Remove(tmp)
		return err
	}
	return nil
}

// pruneEmptyDirs removes dir and its parents while they are empty, stopping
// before root.
func pruneEmptyDirs(root, dir string) {
	for dir != root && strings.HasPrefix(dir, root+string(filepath.Separator)) {
		if os.Remove(dir) != nil {
			return
		}
		dir = filepath.Dir(dir)
	}
}

// isNotExist reports a missing file, including a path through a file.
func isNotExist(err error) bool {
	return errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR)
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// ctxReader stops reading once ctx is done.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
