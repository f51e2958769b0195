// Package worker holds the queue task handlers. Each handler is a struct
// whose dependencies are fields; handlers are idempotent (they check the
// row's state first and write their result conditionally), so a task run
// twice, or re-enqueued by the Sweeper, does no harm.
package worker

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/hibiken/asynq"

	"github.com/tessera/tessera/internal/blob"
	"github.com/tessera/tessera/internal/contest"
	"github.com/tessera/tessera/internal/media"
	"github.com/tessera/tessera/worker/tasks"
)

// AssetStore is what the media handler needs from the database (implemented by internal/db).
type AssetStore interface {
	// Asset returns the asset, or contest.ErrNotFound.
	Asset(ctx context.Context, id string) (contest.Asset, error)
	// StartProcessing moves a pending or processing asset to processing and
	// counts the attempt; it reports false for any other state (ready,
	// failed, uploading, missing), and the task then does nothing.
	StartProcessing(ctx context.Context, id string) (bool, error)
	// FinishProcessing records the derivatives and marks the asset ready in
	// one transaction, only while it is processing (else contest.ErrConflict).
	FinishProcessing(ctx context.Context, id string, width, height int, ds []contest.Derivative) error
	// FailProcessing marks a pending or processing asset failed with a
	// reason its entrant can read.
	FailProcessing(ctx context.Context, id, reason string) error
	// StaleAssets returns up to limit ids of assets that are pending, or
	// processing and last updated before before, oldest first.
	StaleAssets(ctx context.Context, before time.Time, limit int) ([]string, error)
}

// Reasons recorded on an asset when processing fails for reasons other than
// the file itself; the media package words the file's own problems.
const (
	reasonMissingOriginal = "The uploaded file could not be found in storage. Please upload it again."
	reasonGaveUp          = "We could not process this file after several attempts. Please try uploading it again, or contact the organisers if it keeps failing."
)

// failTimeout bounds recording a failure after the task's own context has
// ended (timeout or last retry).
const failTimeout = 15 * time.Second

// MediaHandler processes tasks.TypeMediaProcess: it makes an asset's
// derivatives from its original, stores them under deterministic keys and
// marks the asset ready, or marks it failed with a reason its entrant can
// read.
type MediaHandler struct {
	Assets AssetStore
	Blobs  blob.Store
	// Logger receives one line per outcome; nil discards.
	Logger *slog.Logger
	// MaxPixels caps the size of images decoded; <= 0 means
	// media.DefaultMaxPixels.
	MaxPixels int64
}

// DerivativeKey is the object key of an asset's derivative. It is
// deterministic, so a retried task overwrites instead of duplicating, and
// names no entrant.
func DerivativeKey(entryID, assetID, name string) string {
	return "entries/" + entryID + "/" + assetID + "/" + name + ".jpg"
}

// ProcessTask implements asynq.Handler. A malformed payload or a file that
// can never be processed returns an error wrapping asynq.SkipRetry (the
// asset is then marked failed); any other error is returned for asynq to
// retry, and on the last retry the asset is marked failed too.
func (h *MediaHandler) ProcessTask(ctx context.Context, t *asynq.Task) error {
	p, err := tasks.ParseMediaProcess(t)
	if err != nil {
		return fmt.Errorf("media: %w: %w", err, asynq.SkipRetry)
	}
	id := p.AssetID
	log := h.logger().With("asset", id)

	started, err := h.Assets.StartProcessing(ctx, id)
	if err != nil {
		return h.retryable(ctx, log, id, fmt.Errorf("media: start processing asset %s: %w", id, err))
	}
	if !started {
		log.DebugContext(ctx, "media: asset is not waiting for processing; nothing to do")
		return nil
	}
	asset, err := h.Assets.Asset(ctx, id)
	if errors.Is(err, contest.ErrNotFound) {
		log.InfoContext(ctx, "media: asset deleted while processing; nothing to do")
		return nil
	}
	if err != nil {
		return h.retryable(ctx, log, id, fmt.Errorf("media: load asset %s: %w", id, err))
	}
	log = log.With("entry", asset.EntryID, "content_type", asset.ContentType)

	var ds []contest.Derivative
	width, height := asset.Width, asset.Height
	if strings.HasPrefix(asset.ContentType, "image/") {
		res, err := h.deriveImage(ctx, asset)
		var rej *media.RejectError
		if errors.As(err, &rej) {
			return h.reject(ctx, log, id, rej.Reason, err)
		}
		if err != nil {
			return h.retryable(ctx, log, id, err)
		}
		width, height = res.Width, res.Height
		for _, r := range res.Renditions {
			key := DerivativeKey(asset.EntryID, asset.ID, r.Name)
			size := int64(len(r.Data))
			if err := h.Blobs.Put(ctx, key, bytes.NewReader(r.Data), size, r.ContentType); err != nil {
				return h.retryable(ctx, log, id, fmt.Errorf("media: store %s of asset %s: %w", r.Name, id, err))
			}
			ds = append(ds, contest.Derivative{
				AssetID: id, Name: r.Name, Key: key, ContentType: r.ContentType,
				Width: r.Width, Height: r.Height, Size: size,
			})
		}
	} else {
		// Video posters and essay previews belong to later processors; until
		// they exist such assets are ready with no derivatives.
		log.InfoContext(ctx, "media: no derivatives are made for this type yet")
	}

	err = h.Assets.FinishProcessing(ctx, id, width, height, ds)
	if errors.Is(err, contest.ErrConflict) || errors.Is(err, contest.ErrNotFound) {
		// Another run finished first, or the asset was withdrawn: the
		// conditional write did nothing, which is the point.
		log.InfoContext(ctx, "media: asset changed state while processing; result discarded", "err", err)
		return nil
	}
	if err != nil {
		return h.retryable(ctx, log, id, fmt.Errorf("media: finish asset %s: %w", id, err))
	}
	log.InfoContext(ctx, "media: asset ready", "width", width, "height", height, "derivatives", len(ds))
	return nil
}

// deriveImage reads the original once and makes the photo derivatives.
func (h *MediaHandler) deriveImage(ctx context.Context, asset contest.Asset) (media.Result, error) {
	rc, err := h.Blobs.Open(ctx, asset.OriginalKey, 0, -1)
	if errors.Is(err, blob.ErrNotFound) {
		return media.Result{}, &media.RejectError{Reason: reasonMissingOriginal, Err: err}
	}
	if err != nil {
		return media.Result{}, fmt.Errorf("media: open original of asset %s: %w", asset.ID, err)
	}
	defer rc.Close()
	res, err := media.Derive(rc, media.PhotoSpecs(), h.MaxPixels)
	if err != nil {
		return media.Result{}, fmt.Errorf("media: asset %s: %w", asset.ID, err)
	}
	return res, nil
}

// reject marks the asset failed for good and tells asynq not to retry. If
// the failure cannot be recorded the task is retried, so it is not lost.
func (h *MediaHandler) reject(ctx context.Context, log *slog.Logger, id, reason string, cause error) error {
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), failTimeout)
	defer cancel()
	if err := h.Assets.FailProcessing(fctx, id, reason); err != nil {
		return fmt.Errorf("media: record failure of asset %s (%v): %w", id, cause, err)
	}
	log.WarnContext(ctx, "media: asset rejected", "reason", reason, "err", cause)
	return fmt.Errorf("media: asset %s rejected: %w: %w", id, cause, asynq.SkipRetry)
}

// retryable returns err for asynq to retry; when this was the task's last
// attempt it first marks the asset failed, so that no asset is left
// processing for ever. A cancelled context (server shutting down) is not
// a last attempt: asynq puts the task back.
func (h *MediaHandler) retryable(ctx context.Context, log *slog.Logger, id string, err error) error {
	n, ok1 := asynq.GetRetryCount(ctx)
	limit, ok2 := asynq.GetMaxRetry(ctx)
	if !ok1 || !ok2 || n < limit || errors.Is(ctx.Err(), context.Canceled) {
		return err
	}
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), failTimeout)
	defer cancel()
	if ferr := h.Assets.FailProcessing(fctx, id, reasonGaveUp); ferr != nil {
		return fmt.Errorf("%w; and recording the failure: %w", err, ferr)
	}
	log.ErrorContext(ctx, "media: giving up on asset", "attempts", n+1, "err", err)
	return err
}

func (h *MediaHandler) logger() *slog.Logger {
	if h.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return h.Logger
}
