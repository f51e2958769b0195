package app

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/tessera/tessera/internal/blob"
	"github.com/tessera/tessera/internal/contest"
	"github.com/tessera/tessera/internal/db"
	"github.com/tessera/tessera/internal/media"
)

// NewUploadInput starts a resumable upload of one file to an entry.
type NewUploadInput struct {
	EntryID string `json:"-"`
	Name    string `json:"name"`
	Size    int64  `json:"size"`
	Type    string `json:"type"`
	SHA256  string `json:"sha256"`
}

// PartStatus is one received part.
type PartStatus struct {
	Number int   `json:"number"`
	Size   int64 `json:"size"`
}

// UploadStatus is a resumable upload as its entrant sees it.
type UploadStatus struct {
	ID        string       `json:"id"`
	EntryID   string       `json:"entry_id"`
	AssetID   string       `json:"asset_id"`
	FileName  string       `json:"file_name"`
	Size      int64        `json:"size"`
	PartSize  int64        `json:"part_size"`
	PartCount int          `json:"part_count"`
	Received  []PartStatus `json:"received"`
	Complete  bool         `json:"complete"`
	CreatedAt time.Time    `json:"created_at"`
	ExpiresAt time.Time    `json:"expires_at"`
}

// ErrUploadLimit bounds the incomplete uploads one entry may hold at once.
const maxOpenUploadsPerEntry = 20

func uploadField(field, key string) error {
	return &contest.FieldError{Fields: map[string]string{field: key}}
}

// entryCategory returns the category of an entry.
func (a *App) entryCategory(ctx context.Context, e contest.Entry) (contest.Category, error) {
	cats, err := a.DB.Categories(ctx, e.CompetitionID)
	if err != nil {
		return contest.Category{}, err
	}
	for _, c := range cats {
		if c.ID == e.CategoryID {
			return c, nil
		}
	}
	return contest.Category{}, fmt.Errorf("category of entry %s: %w", e.ID, contest.ErrNotFound)
}

// UploadLimit is the largest file an entry of cat may upload.
func (a *App) UploadLimit(cat contest.Category) int64 {
	return cat.MaxFileBytesOr(a.MaxUploadBytes)
}

// StartUpload begins a resumable upload for the caller's entry. Nothing is
// kept when the declared name, size, type or checksum is refused. The
// upload gets a fixed part size; every part but the last has exactly that
// many bytes.
func (a *App) StartUpload(ctx context.Context, acc Access, in NewUploadInput) (UploadStatus, error) {
	e, err := a.OwnEntry(ctx, acc, in.EntryID)
	if err != nil {
		return UploadStatus{}, err
	}
	if err := contest.CheckEntrantWrite(acc.Competition, a.Now()); err != nil {
		return UploadStatus{}, err
	}
	if e.Status == contest.EntryWithdrawn {
		return UploadStatus{}, fmt.Errorf("entry is withdrawn: %w", contest.ErrConflict)
	}
	cat, err := a.entryCategory(ctx, e)
	if err != nil {
		return UploadStatus{}, err
	}
	var fe contest.FieldError
	name, nerr := contest.ParseFileName(in.Name)
	if nerr != nil {
		fe.Add("name", nerr.Error())
	}
	switch {
	case in.Size == 0:
		fe.Add("size", "upload.empty")
	case in.Size < 0:
		fe.Add("size", "upload.size_invalid")
	case in.Size > a.UploadLimit(cat):
		fe.Add("size", "upload.too_large")
	}
	if nerr == nil {
		if key := contest.CheckDeclared(cat.Medium, name, in.Type); key != "" {
			fe.Add("type", key)
		}
	}
	sum := strings.ToLower(strings.TrimSpace(in.SHA256))
	if sum != "" {
		if b, err := hex.DecodeString(sum); err != nil || len(b) != sha256.Size {
			fe.Add("sha256", "upload.sha256_invalid")
		}
	}
	if len(in.Type) > 200 {
		fe.Add("type", "upload.type_not_accepted")
	}
	if err := fe.Err(); err != nil {
		return UploadStatus{}, err
	}
	if n, err := a.DB.CountOpenUploads(ctx, e.ID); err != nil {
		return UploadStatus{}, err
	} else if n >= maxOpenUploadsPerEntry {
		return UploadStatus{}, uploadField("name", "upload.too_many_open")
	}
	asset := contest.Asset{ID: db.NewID(), EntryID: e.ID, FileName: name, ContentType: blob.DefaultContentType, Size: in.Size}
	asset.OriginalKey = OriginalKey(e.ID, asset.ID)
	storeID, err := a.Blobs.CreateMultipart(ctx, asset.OriginalKey, blob.DefaultContentType)
	if err != nil {
		return UploadStatus{}, err
	}
	up := db.Upload{ObjectKey: asset.OriginalKey, StoreUpload: storeID, Size: in.Size, PartSize: contest.PartSizeFor(in.Size),
		SHA256: sum, DeclaredType: in.Type, UserID: acc.User.ID}
	if err := a.DB.CreateUpload(ctx, &asset, &up); err != nil {
		if aerr := a.Blobs.AbortMultipart(context.WithoutCancel(ctx), asset.OriginalKey, storeID); aerr != nil {
			a.Logger.WarnContext(ctx, "upload: aborting a multipart upload left unrecorded", "key", asset.OriginalKey, "err", aerr)
		}
		return UploadStatus{}, err
	}
	return a.uploadStatus(up, nil), nil
}

func (a *App) uploadStatus(up db.Upload, parts []blob.Part) UploadStatus {
	st := UploadStatus{ID: up.ID, EntryID: up.EntryID, AssetID: up.AssetID, FileName: up.FileName, Size: up.Size, PartSize: up.PartSize,
		PartCount: contest.PartCount(up.Size, up.PartSize), Received: []PartStatus{}, Complete: up.CompletedAt != nil,
		CreatedAt: up.CreatedAt, ExpiresAt: up.CreatedAt.Add(a.UploadMaxAge)}
	for _, p := range parts {
		// Only parts of exactly the right length count as received.
		if p.Size == contest.PartLength(up.Size, up.PartSize, p.Number) {
			st.Received = append(st.Received, PartStatus{Number: p.Number, Size: p.Size})
		}
	}
	return st
}

// ownUpload loads an upload of one of the caller's entries; someone else's
// is ErrNotFound, like a made-up id (see OwnEntry).
func (a *App) ownUpload(ctx context.Context, acc Access, id string) (db.Upload, contest.Entry, error) {
	if acc.User == nil {
		return db.Upload{}, contest.Entry{}, contest.ErrUnauthorized
	}
	up, err := a.DB.Upload(ctx, id)
	if err != nil {
		return up, contest.Entry{}, err
	}
	e, err := a.OwnEntry(ctx, acc, up.EntryID)
	return up, e, err
}

// checkUploadOpen refuses writes to a completed upload, to a withdrawn
// entry, and after the deadline (an upload begun before the deadline may
// finish within the grace period).
func (a *App) checkUploadOpen(acc Access, up db.Upload, e contest.Entry) error {
	if up.CompletedAt != nil {
		return fmt.Errorf("upload is complete: %w", contest.ErrConflict)
	}
	if e.Status == contest.EntryWithdrawn {
		return fmt.Errorf("entry is withdrawn: %w", contest.ErrConflict)
	}
	return contest.CheckUploadWrite(acc.Competition, up.CreatedAt, a.Now())
}

// Upload returns the state of one of the caller's uploads, with the parts
// received so far.
func (a *App) UploadState(ctx context.Context, acc Access, id string) (UploadStatus, error) {
	up, _, err := a.ownUpload(ctx, acc, id)
	if err != nil {
		return UploadStatus{}, err
	}
	if up.CompletedAt != nil {
		return a.uploadStatus(up, nil), nil
	}
	parts, err := a.Blobs.ListParts(ctx, up.ObjectKey, up.StoreUpload)
	if err != nil {
		return UploadStatus{}, err
	}
	return a.uploadStatus(up, parts), nil
}

// PartInput is one part of a resumable upload as it arrives.
type PartInput struct {
	UploadID string
	Part     string // the part number as written in the URL
	// Length is the request's Content-Length; -1 when unknown.
	Length int64
	// Range is the optional Content-Range header.
	Range string
	Body  io.Reader
}

// PutPart streams one part straight to the object store. Sending a part
// again replaces it. The part must be numbered 1..part_count and have
// exactly its length; part 1's first bytes must be of a type the category
// accepts and match the file's name.
func (a *App) PutPart(ctx context.Context, acc Access, in PartInput) (PartStatus, error) {
	up, e, err := a.ownUpload(ctx, acc, in.UploadID)
	if err != nil {
		return PartStatus{}, err
	}
	if err := a.checkUploadOpen(acc, up, e); err != nil {
		return PartStatus{}, err
	}
	count := contest.PartCount(up.Size, up.PartSize)
	n, err := contest.ParsePartNumber(in.Part, count)
	if err != nil {
		return PartStatus{}, uploadField("part", "upload.part_out_of_range")
	}
	want := contest.PartLength(up.Size, up.PartSize, n)
	if in.Length >= 0 && in.Length != want {
		return PartStatus{}, uploadField("part", "upload.part_size")
	}
	if in.Range != "" {
		r, err := contest.ParseContentRange(in.Range)
		if err != nil || contest.CheckPartRange(r, up.Size, up.PartSize, n) != nil {
			return PartStatus{}, uploadField("part", "upload.part_range")
		}
	}
	body := in.Body
	if n == 1 {
		cat, err := a.entryCategory(ctx, e)
		if err != nil {
			return PartStatus{}, err
		}
		br := bufio.NewReaderSize(in.Body, media.SniffLen)
		head, _ := br.Peek(int(min(int64(media.SniffLen), want)))
		if key := contest.CheckSniffed(cat.Medium, up.FileName, media.Sniff(head)); key != "" {
			return PartStatus{}, uploadField("file", key)
		}
		body = br
	}
	p, err := a.Blobs.PutPart(ctx, up.ObjectKey, up.StoreUpload, n, body, want)
	if err != nil {
		if errors.Is(err, blob.ErrSizeMismatch) {
			return PartStatus{}, uploadField("part", "upload.part_size")
		}
		if ctx.Err() != nil || errors.Is(err, io.ErrUnexpectedEOF) {
			// The client went away mid-part; it will send the part again.
			return PartStatus{}, uploadField("part", "upload.incomplete")
		}
		if errors.Is(err, blob.ErrNotFound) {
			return PartStatus{}, fmt.Errorf("upload %s: %w", up.ID, contest.ErrNotFound)
		}
		return PartStatus{}, err
	}
	return PartStatus{Number: p.Number, Size: p.Size}, nil
}

// CompleteUpload assembles the parts into the asset's original and queues
// its processing. It checks that every part arrived with its exact length,
// the total size, the SHA-256 when one was declared, and the type sniffed
// from the bytes. A file that fails the checksum or type check is
// discarded with its upload. Completing again after a lost answer is
// harmless: it reports the upload's asset. Completions of one upload may
// overlap (a client retrying while the first is still checking a large
// file): one records the asset and queues it once; the others answer the
// same asset, or, when the file was refused, the same refusal or
// ErrNotFound once it has been discarded.
func (a *App) CompleteUpload(ctx context.Context, acc Access, id string) (contest.Asset, error) {
	up, e, err := a.ownUpload(ctx, acc, id)
	if err != nil {
		return contest.Asset{}, err
	}
	if up.CompletedAt != nil {
		return a.DB.Asset(ctx, up.AssetID)
	}
	if err := a.checkUploadOpen(acc, up, e); err != nil {
		return contest.Asset{}, err
	}
	cat, err := a.entryCategory(ctx, e)
	if err != nil {
		return contest.Asset{}, err
	}
	if err := a.assemble(ctx, up); err != nil {
		return a.settle(ctx, up, err)
	}
	discard := func(key string) error {
		c := context.WithoutCancel(ctx)
		// The row goes first: a concurrent completion that then misses the
		// object finds the upload gone (settle).
		if err := a.DB.DeleteUpload(c, up.ID); err != nil && !errors.Is(err, contest.ErrNotFound) {
			return err
		}
		if derr := a.Blobs.Delete(c, up.ObjectKey); derr != nil && !errors.Is(derr, blob.ErrNotFound) {
			a.Logger.WarnContext(ctx, "upload: deleting a refused file", "key", up.ObjectKey, "err", derr)
		}
		return uploadField("file", key)
	}
	info, err := a.Blobs.Stat(ctx, up.ObjectKey)
	if err != nil {
		return a.settle(ctx, up, err)
	}
	if info.Size != up.Size {
		return contest.Asset{}, discard("upload.size_mismatch")
	}
	head, err := a.readHead(ctx, up.ObjectKey)
	if err != nil {
		return a.settle(ctx, up, err)
	}
	ct := media.Sniff(head)
	if key := contest.CheckSniffed(cat.Medium, up.FileName, ct); key != "" {
		return contest.Asset{}, discard(key)
	}
	sum := up.SHA256
	if sum != "" {
		got, err := a.objectSHA256(ctx, up.ObjectKey)
		if err != nil {
			return a.settle(ctx, up, err)
		}
		if got != sum {
			return contest.Asset{}, discard("upload.checksum_mismatch")
		}
	}
	if err := a.DB.CompleteUpload(ctx, up.ID, up.Size, ct, sum); err != nil {
		if errors.Is(err, contest.ErrConflict) {
			return a.DB.Asset(ctx, up.AssetID)
		}
		return contest.Asset{}, err
	}
	a.enqueueMedia(ctx, up.AssetID)
	return a.DB.Asset(ctx, up.AssetID)
}

// assemble joins the received parts of an upload into its object. When the
// store cannot (the parts are gone or half gone) but the object is there
// whole, a concurrent completion of the same upload assembled it, and that
// object is used.
func (a *App) assemble(ctx context.Context, up db.Upload) error {
	count := contest.PartCount(up.Size, up.PartSize)
	parts, err := a.Blobs.ListParts(ctx, up.ObjectKey, up.StoreUpload)
	if err != nil {
		if a.assembled(ctx, up) {
			return nil
		}
		if errors.Is(err, blob.ErrNotFound) {
			return fmt.Errorf("upload %s: %w", up.ID, contest.ErrNotFound)
		}
		return err
	}
	got := map[int]blob.Part{}
	for _, p := range parts {
		if p.Size == contest.PartLength(up.Size, up.PartSize, p.Number) {
			got[p.Number] = p
		}
	}
	named := make([]blob.Part, 0, count)
	for n := 1; n <= count; n++ {
		p, ok := got[n]
		if !ok {
			if a.assembled(ctx, up) {
				return nil
			}
			return uploadField("parts", "upload.parts_missing")
		}
		named = append(named, p)
	}
	if err := a.Blobs.CompleteMultipart(ctx, up.ObjectKey, up.StoreUpload, named); err != nil {
		if a.assembled(ctx, up) {
			return nil
		}
		if errors.Is(err, blob.ErrInvalidPart) {
			return uploadField("parts", "upload.parts_missing")
		}
		if errors.Is(err, blob.ErrNotFound) {
			return fmt.Errorf("upload %s: %w", up.ID, contest.ErrNotFound)
		}
		return err
	}
	return nil
}

// assembled reports whether the upload's object exists with its full size.
// Only a completion of this upload writes that key.
func (a *App) assembled(ctx context.Context, up db.Upload) bool {
	info, err := a.Blobs.Stat(ctx, up.ObjectKey)
	return err == nil && info.Size == up.Size
}

// settle answers a completion that failed because a concurrent completion
// of the same upload finished first: with the asset that one recorded, or
// ErrNotFound when it discarded the file. Any other failure is this call's
// own, and err is returned.
func (a *App) settle(ctx context.Context, up db.Upload, err error) (contest.Asset, error) {
	var fe *contest.FieldError
	if errors.As(err, &fe) {
		return contest.Asset{}, err
	}
	now, derr := a.DB.Upload(ctx, up.ID)
	switch {
	case errors.Is(derr, contest.ErrNotFound):
		return contest.Asset{}, fmt.Errorf("upload %s was discarded: %w", up.ID, contest.ErrNotFound)
	case derr == nil && now.CompletedAt != nil:
		return a.DB.Asset(ctx, up.AssetID)
	}
	return contest.Asset{}, err
}

func (a *App) readHead(ctx context.Context, key string) ([]byte, error) {
	rc, err := a.Blobs.Open(ctx, key, 0, media.SniffLen)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(io.LimitReader(rc, media.SniffLen))
}

// objectSHA256 streams an object once through SHA-256.
func (a *App) objectSHA256(ctx context.Context, key string) (string, error) {
	rc, err := a.Blobs.Open(ctx, key, 0, -1)
	if err != nil {
		return "", err
	}
	defer rc.Close()
	h := sha256.New()
	buf := make([]byte, 256<<10)
	if _, err := io.CopyBuffer(h, rc, buf); err != nil {
		return "", fmt.Errorf("checksum %s: %w", key, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// AbortUpload discards an incomplete upload, its parts and its asset.
func (a *App) AbortUpload(ctx context.Context, acc Access, id string) error {
	up, _, err := a.ownUpload(ctx, acc, id)
	if err != nil {
		return err
	}
	if up.CompletedAt != nil {
		return fmt.Errorf("upload is complete: %w", contest.ErrConflict)
	}
	return a.dropUpload(ctx, up)
}

func (a *App) dropUpload(ctx context.Context, up db.Upload) error {
	if err := a.Blobs.AbortMultipart(ctx, up.ObjectKey, up.StoreUpload); err != nil && !errors.Is(err, blob.ErrNotFound) {
		return err
	}
	if err := a.DB.DeleteUpload(ctx, up.ID); err != nil && !errors.Is(err, contest.ErrNotFound) {
		return err
	}
	return nil
}

// SweepUploads aborts uploads left incomplete for longer than maxAge (at
// most limit of them) and returns how many it aborted.
func (a *App) SweepUploads(ctx context.Context, maxAge time.Duration, limit int) (int, error) {
	stale, err := a.DB.StaleUploads(ctx, a.Now().Add(-maxAge), limit)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, up := range stale {
		if err := a.dropUpload(ctx, up); err != nil {
			return n, fmt.Errorf("abort upload %s: %w", up.ID, err)
		}
		n++
	}
	return n, nil
}

// RunUploadSweeper sweeps stale uploads now and then every interval until
// ctx is done; failures are left to the next sweep.
func (a *App) RunUploadSweeper(ctx context.Context, maxAge, every time.Duration, report func(n int, err error)) {
	if every <= 0 {
		every = time.Minute
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		n, err := a.SweepUploads(ctx, maxAge, 200)
		if report != nil && (n > 0 || err != nil) && ctx.Err() == nil {
			report(n, err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
