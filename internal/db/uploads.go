package db

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/tessera/tessera/internal/contest"
)

// Upload is a resumable upload of one asset's original: a multipart upload
// in the object store, received part by part.
type Upload struct {
	ID           string
	AssetID      string
	EntryID      string // the asset's entry
	UserID       string // who started it
	FileName     string // the asset's file name
	ObjectKey    string
	StoreUpload  string // the object store's multipart upload id
	Size         int64  // declared total size
	PartSize     int64
	SHA256       string // hex, as the client declared it; "" when not given
	DeclaredType string
	CreatedAt    time.Time
	CompletedAt  *time.Time
}

const uploadSelect = `SELECT u.id, u.asset_id, a.entry_id, u.user_id, a.file_name, u.object_key, u.store_upload, u.size, u.part_size, u.sha256, u.declared_type, u.created_at, u.completed_at
	FROM uploads u JOIN assets a ON a.id = u.asset_id`

type uploadRow struct {
	ID           string
	AssetID      string
	EntryID      string
	UserID       string
	FileName     string
	ObjectKey    string
	StoreUpload  string
	Size         int64
	PartSize     int64
	SHA256       string `db:"sha256"`
	DeclaredType string
	CreatedAt    time.Time
	CompletedAt  sql.NullTime
}

func (r uploadRow) upload() Upload {
	return Upload{ID: r.ID, AssetID: r.AssetID, EntryID: r.EntryID, UserID: r.UserID, FileName: r.FileName, ObjectKey: r.ObjectKey, StoreUpload: r.StoreUpload,
		Size: r.Size, PartSize: r.PartSize, SHA256: r.SHA256, DeclaredType: r.DeclaredType, CreatedAt: r.CreatedAt.UTC(), CompletedAt: timePtr(r.CompletedAt)}
}

// CreateUpload stores a new asset in the uploading state and its upload, in
// one transaction. a.ID and u.ID are filled in when empty; u.AssetID is
// set to the asset.
func (db *DB) CreateUpload(ctx context.Context, a *contest.Asset, u *Upload) error {
	if a.ID == "" {
		a.ID = NewID()
	}
	if u.ID == "" {
		u.ID = NewID()
	}
	a.State = contest.AssetUploading
	a.CreatedAt = db.now()
	a.UpdatedAt = a.CreatedAt
	u.AssetID, u.EntryID, u.FileName, u.CreatedAt = a.ID, a.EntryID, a.FileName, a.CreatedAt
	return db.tx(ctx, func(tx *sqlxTx) error {
		if _, err := tx.ExecContext(ctx, db.q(`INSERT INTO assets (`+assetColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
			a.ID, a.EntryID, a.FileName, a.ContentType, a.Size, a.OriginalKey, string(a.State), a.FailReason, a.Width, a.Height, a.Attempts, a.CreatedAt, a.UpdatedAt); err != nil {
			return fmt.Errorf("create upload asset: %w", err)
		}
		if _, err := tx.ExecContext(ctx, db.q(`INSERT INTO uploads (id, asset_id, object_key, store_upload, size, part_size, sha256, declared_type, user_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
			u.ID, u.AssetID, u.ObjectKey, u.StoreUpload, u.Size, u.PartSize, u.SHA256, u.DeclaredType, u.UserID, u.CreatedAt); err != nil {
			return fmt.Errorf("create upload: %w", err)
		}
		return nil
	})
}

// Upload finds an upload by id.
func (db *DB) Upload(ctx context.Context, id string) (Upload, error) {
	var r uploadRow
	if err := db.x.GetContext(ctx, &r, db.q(uploadSelect+` WHERE u.id = ?`), id); err != nil {
		return Upload{}, notFound(err, "upload")
	}
	return r.upload(), nil
}

// CountOpenUploads counts the incomplete uploads of an entry.
func (db *DB) CountOpenUploads(ctx context.Context, entryID string) (int, error) {
	var n int
	err := db.x.GetContext(ctx, &n, db.q(`SELECT COUNT(*) FROM uploads u JOIN assets a ON a.id = u.asset_id WHERE a.entry_id = ? AND u.completed_at IS NULL`), entryID)
	if err != nil {
		return 0, fmt.Errorf("count uploads: %w", err)
	}
	return n, nil
}

// CompleteUpload marks an upload complete and its asset pending with the
// received size, sniffed type and SHA-256, in one transaction. It returns
// ErrConflict when the upload was already completed (a concurrent
// completion won).
func (db *DB) CompleteUpload(ctx context.Context, id string, size int64, contentType, sha256 string) error {
	now := db.now()
	return db.tx(ctx, func(tx *sqlxTx) error {
		res, err := tx.ExecContext(ctx, db.q(`UPDATE uploads SET completed_at = ? WHERE id = ? AND completed_at IS NULL`), now, id)
		if err != nil {
			return fmt.Errorf("complete upload: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return fmt.Errorf("complete upload: already complete: %w", contest.ErrConflict)
		}
		res, err = tx.ExecContext(ctx, db.q(`UPDATE assets SET state = 'pending', size = ?, content_type = ?, sha256 = ?, updated_at = ?
			WHERE id = (SELECT asset_id FROM uploads WHERE id = ?) AND state = 'uploading'`), size, contentType, sha256, now, id)
		if err != nil {
			return fmt.Errorf("complete upload: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return fmt.Errorf("complete upload: asset is not uploading: %w", contest.ErrConflict)
		}
		return nil
	})
}

// DeleteUpload removes an incomplete upload and its uploading asset.
func (db *DB) DeleteUpload(ctx context.Context, id string) error {
	return db.tx(ctx, func(tx *sqlxTx) error {
		var assetID string
		if err := tx.GetContext(ctx, &assetID, db.q(`SELECT asset_id FROM uploads WHERE id = ? AND completed_at IS NULL`), id); err != nil {
			return notFound(err, "upload")
		}
		if _, err := tx.ExecContext(ctx, db.q(`DELETE FROM uploads WHERE id = ?`), id); err != nil {
			return fmt.Errorf("delete upload: %w", err)
		}
		if _, err := tx.ExecContext(ctx, db.q(`DELETE FROM assets WHERE id = ? AND state = 'uploading'`), assetID); err != nil {
			return fmt.Errorf("delete upload asset: %w", err)
		}
		return nil
	})
}

// StaleUploads lists incomplete uploads started before the given time,
// oldest first.
func (db *DB) StaleUploads(ctx context.Context, before time.Time, limit int) ([]Upload, error) {
	var rs []uploadRow
	if err := db.x.SelectContext(ctx, &rs, db.q(uploadSelect+` WHERE u.completed_at IS NULL AND u.created_at < ? ORDER BY u.created_at LIMIT ?`), before.UTC(), limit); err != nil {
		return nil, fmt.Errorf("stale uploads: %w", err)
	}
	out := make([]Upload, len(rs))
	for i, r := range rs {
		out[i] = r.upload()
	}
	return out, nil
}
