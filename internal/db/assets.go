package db

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/tessera/tessera/internal/contest"
)

const assetColumns = `id, entry_id, file_name, content_type, size, original_key, state, fail_reason, width, height, attempts, created_at, updated_at`

// CreateAsset stores a new asset in the uploading state.
func (db *DB) CreateAsset(ctx context.Context, a *contest.Asset) error {
	if a.ID == "" {
		a.ID = NewID()
	}
	a.State = contest.AssetUploading
	a.CreatedAt = db.now()
	a.UpdatedAt = a.CreatedAt
	_, err := db.x.ExecContext(ctx, db.q(`INSERT INTO assets (`+assetColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
		a.ID, a.EntryID, a.FileName, a.ContentType, a.Size, a.OriginalKey, string(a.State), a.FailReason, a.Width, a.Height, a.Attempts, a.CreatedAt, a.UpdatedAt)
	if err != nil {
		return fmt.Errorf("create asset: %w", err)
	}
	return nil
}

// MarkUploaded records the received size and sniffed type of an uploading
// asset and makes it pending for the workers.
func (db *DB) MarkUploaded(ctx context.Context, id string, size int64, contentType string) error {
	res, err := db.x.ExecContext(ctx, db.q(`UPDATE assets SET state = 'pending', size = ?, content_type = ?, updated_at = ? WHERE id = ? AND state = 'uploading'`),
		size, contentType, db.now(), id)
	if err != nil {
		return fmt.Errorf("mark uploaded: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return fmt.Errorf("mark uploaded: asset is not uploading: %w", contest.ErrConflict)
	}
	return nil
}

// DeleteAsset removes an asset row (used when an upload is abandoned).
func (db *DB) DeleteAsset(ctx context.Context, id string) error {
	if _, err := db.x.ExecContext(ctx, db.q(`DELETE FROM assets WHERE id = ?`), id); err != nil {
		return fmt.Errorf("delete asset: %w", err)
	}
	return nil
}

// Asset finds an asset.
func (db *DB) Asset(ctx context.Context, id string) (contest.Asset, error) {
	var a contest.Asset
	err := db.x.GetContext(ctx, &a, db.q(`SELECT `+assetColumns+` FROM assets WHERE id = ?`), id)
	if err != nil {
		return a, notFound(err, "asset")
	}
	return a, nil
}

// Assets lists the assets of the given entries, oldest first.
func (db *DB) Assets(ctx context.Context, entryIDs ...string) ([]contest.Asset, error) {
	if len(entryIDs) == 0 {
		return nil, nil
	}
	var as []contest.Asset
	q := `SELECT ` + assetColumns + ` FROM assets WHERE entry_id IN (?` + strings.Repeat(", ?", len(entryIDs)-1) + `) ORDER BY created_at, id`
	if err := db.x.SelectContext(ctx, &as, db.q(q), anys(entryIDs)...); err != nil {
		return nil, fmt.Errorf("assets: %w", err)
	}
	return as, nil
}

// Derivatives lists the derivatives of the given assets.
func (db *DB) Derivatives(ctx context.Context, assetIDs ...string) ([]contest.Derivative, error) {
	if len(assetIDs) == 0 {
		return nil, nil
	}
	var ds []contest.Derivative
	q := `SELECT asset_id, name, object_key AS key, content_type, width, height, size FROM derivatives WHERE asset_id IN (?` + strings.Repeat(", ?", len(assetIDs)-1) + `) ORDER BY asset_id, width DESC`
	if err := db.x.SelectContext(ctx, &ds, db.q(q), anys(assetIDs)...); err != nil {
		return nil, fmt.Errorf("derivatives: %w", err)
	}
	return ds, nil
}

// StartProcessing moves a pending (or stale processing) asset to processing
// and counts the attempt. It reports false when the asset is in any other
// state, so a repeated task does nothing.
func (db *DB) StartProcessing(ctx context.Context, id string) (bool, error) {
	res, err := db.x.ExecContext(ctx, db.q(`UPDATE assets SET state = 'processing', attempts = attempts + 1, updated_at = ? WHERE id = ? AND state IN ('pending', 'processing')`),
		db.now(), id)
	if err != nil {
		return false, fmt.Errorf("start processing: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("start processing: %w", err)
	}
	return n == 1, nil
}

// FinishProcessing records the derivatives and marks the asset ready, in one
// transaction, only while it is processing.
func (db *DB) FinishProcessing(ctx context.Context, id string, width, height int, ds []contest.Derivative) error {
	return db.tx(ctx, func(tx *sqlxTx) error {
		for _, d := range ds {
			if _, err := tx.ExecContext(ctx, db.q(`INSERT INTO derivatives (asset_id, name, object_key, content_type, width, height, size) VALUES (?, ?, ?, ?, ?, ?, ?)
				ON CONFLICT (asset_id, name) DO UPDATE SET object_key = excluded.object_key, content_type = excluded.content_type,
				width = excluded.width, height = excluded.height, size = excluded.size`),
				id, d.Name, d.Key, d.ContentType, d.Width, d.Height, d.Size); err != nil {
				return fmt.Errorf("record derivative %s: %w", d.Name, err)
			}
		}
		res, err := tx.ExecContext(ctx, db.q(`UPDATE assets SET state = 'ready', width = ?, height = ?, fail_reason = '', updated_at = ? WHERE id = ? AND state = 'processing'`),
			width, height, db.now(), id)
		if err != nil {
			return fmt.Errorf("mark ready: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return fmt.Errorf("mark ready: asset is no longer processing: %w", contest.ErrConflict)
		}
		return nil
	})
}

// FailProcessing marks an asset failed with a reason its entrant can read.
func (db *DB) FailProcessing(ctx context.Context, id, reason string) error {
	if _, err := db.x.ExecContext(ctx, db.q(`UPDATE assets SET state = 'failed', fail_reason = ?, updated_at = ? WHERE id = ? AND state IN ('pending', 'processing')`),
		reason, db.now(), id); err != nil {
		return fmt.Errorf("fail processing: %w", err)
	}
	return nil
}

// StaleAssets returns assets waiting for a worker: every pending one, and
// processing ones not touched since before (their worker died).
func (db *DB) StaleAssets(ctx context.Context, before time.Time, limit int) ([]string, error) {
	var ids []string
	err := db.x.SelectContext(ctx, &ids, db.q(`SELECT id FROM assets WHERE state = 'pending' OR (state = 'processing' AND updated_at < ?) ORDER BY updated_at LIMIT ?`),
		before.UTC(), limit)
	if err != nil {
		return nil, fmt.Errorf("stale assets: %w", err)
	}
	return ids, nil
}

func anys(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}
