// Package worker holds the queue task handlers. Each handler is a struct
// whose dependencies are fields; handlers are idempotent (they check the
// row's state first and write their result conditionally), so a task run
// twice, or re-enqueued by the Sweeper, does no harm.
package worker

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/hibiken/asynq"

	"github.com/tessera/tessera/internal/blob"
	"github.com/tessera/tessera/internal/contest"
	"github.com/tessera/tessera/internal/db"
	"github.com/tessera/tessera/internal/media"
	"github.com/tessera/tessera/worker/tasks"
)

// AssetStore is what the media handler needs from the database (implemented by internal/db).
type AssetStore interface {
	// Asset returns the asset, or contest.ErrNotFound.
	Asset(ctx context.Context, id string) (contest.Asset, error)
	// MediaRules returns the category rules and entry title that apply to
	// an asset, or contest.ErrNotFound.
	MediaRules(ctx context.Context, id string) (db.MediaRules, error)
	// StartProcessing moves a pending or processing asset to processing and
	// counts the attempt; it reports false for any other state (ready,
	// failed, uploading, missing), and the task then does nothing.
	StartProcessing(ctx context.Context, id string) (bool, error)
	// SaveMediaFacts records facts and derivatives of an asset that stays
	// processing (a video waiting for its preview), only while it is
	// processing (else contest.ErrConflict).
	SaveMediaFacts(ctx context.Context, id string, f db.MediaFacts, ds []contest.Derivative) error
	// FinishMedia records the derivatives (and facts, when not nil) and
	// marks the asset ready in one transaction, only while it is processing
	// (else contest.ErrConflict).
	FinishMedia(ctx context.Context, id string, f *db.MediaFacts, ds []contest.Derivative) error
	// AssetMedia returns the recorded facts of assets.
	AssetMedia(ctx context.Context, ids ...string) ([]db.AssetMedia, error)
	// SetProgress records a processing asset's percent done.
	SetProgress(ctx context.Context, id string, percent int) (bool, error)
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

// progressEvery is the least time between two progress writes.
const progressEvery = time.Second

// MediaHandler processes tasks.TypeMediaProcess and
// tasks.TypeMediaTranscode: it makes an asset's derivatives from its
// original with media.Process, stores them under deterministic keys and
// marks the asset ready, or marks it failed with a reason its entrant can
// read. A video stays processing after its poster is made until
// ProcessTranscode has made its browser preview.
type MediaHandler struct {
	Assets AssetStore
	Blobs  blob.Store
	// Logger receives one line per outcome; nil discards.
	Logger *slog.Logger
	// MaxPixels caps the size of images decoded; <= 0 means
	// media.DefaultMaxPixels.
	MaxPixels int64
	// Budget bounds the decoded pixels of every image task of this
	// process at once; nil does not limit.
	Budget *media.Budget
	// Video tunes ffmpeg (preview size, threads, time limits).
	Video media.VideoOptions
	// MuralPages is how many pages of a mural PDF are drawn, the first
	// ones (media.DefaultMuralPages when 0); a longer PDF is accepted and
	// its page count recorded, so pages can say how many were left out.
	MuralPages int
	// PDFRenderSide is the longest side, in pixels, of a drawn PDF page:
	// its judge copy (media.PDFRenderSide when 0; never more than the
	// pixel cap allows).
	PDFRenderSide int
	// Enqueue queues the transcode task of a probed video; when nil the
	// preview is made at once in the media task.
	Enqueue func(context.Context, *asynq.Task) error
	// TempDir holds each task's working files; os.TempDir() when empty.
	TempDir string
}

// DerivativeObjectKey is the object key of an asset's derivative of the
// given content type ("…/thumb.jpg", "…/judge.png", "…/video.mp4",
// "…/text.txt", a mural PDF's later pages "…/page-2.jpg",
// "…/page-2-preview.jpg", "…/page-2-thumb.jpg"). It is deterministic, so
// a retried task overwrites instead of duplicating, and names no entrant.
func DerivativeObjectKey(entryID, assetID, name, contentType string) string {
	return "entries/" + entryID + "/" + assetID + "/" + name + media.Extension(contentType)
}

// kindOf maps a category's medium to the media pipeline's kind.
func kindOf(m contest.Medium) media.Kind {
	switch m {
	case contest.MediumPhoto:
		return media.KindPhoto
	case contest.MediumMural:
		return media.KindMural
	case contest.MediumVideo:
		return media.KindVideo
	case contest.MediumEssay:
		return media.KindEssay
	}
	return ""
}

// ProcessTask implements asynq.Handler for tasks.TypeMediaProcess. A
// malformed payload or a file that can never be processed returns an error
// wrapping asynq.SkipRetry (the asset is then marked failed); any other
// error is returned for asynq to retry, and on the last retry the asset is
// marked failed too.
func (h *MediaHandler) ProcessTask(ctx context.Context, t *asynq.Task) error {
	p, err := tasks.ParseMediaProcess(t)
	if err != nil {
		return fmt.Errorf("media: %w: %w", err, asynq.SkipRetry)
	}
	id := p.AssetID
	log := h.logger().With("asset", id)

	started, err := h.Assets.StartProcessing(ctx, id)
	if err != nil {
		return h.retryable(ctx, id, fmt.Errorf("media: start processing asset %s: %w", id, err))
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
		return h.retryable(ctx, id, fmt.Errorf("media: load asset %s: %w", id, err))
	}
	rules, err := h.Assets.MediaRules(ctx, id)
	if errors.Is(err, contest.ErrNotFound) {
		return nil
	}
	if err != nil {
		return h.retryable(ctx, id, fmt.Errorf("media: load rules of asset %s: %w", id, err))
	}
	kind := kindOf(rules.Medium)
	log = log.With("entry", asset.EntryID, "content_type", asset.ContentType, "kind", kind)

	work, err := os.MkdirTemp(h.TempDir, "tessera-media-*")
	if err != nil {
		return h.retryable(ctx, id, fmt.Errorf("media: work directory: %w", err))
	}
	defer os.RemoveAll(work)
	in, err := h.fetchOriginal(ctx, asset, work)
	if err != nil {
		return h.fail(ctx, id, err)
	}
	in.Kind, in.Title = kind, rules.Title
	opt := media.Options{
		MaxPixels: h.MaxPixels, Budget: h.Budget, Video: h.Video,
		MaxDuration: time.Duration(rules.MaxDurationSeconds) * time.Second,
		MinWords:    rules.MinWords, MaxWords: rules.MaxWords,
		MaxMuralPages: h.MuralPages, PDFRenderSide: h.PDFRenderSide,
		Transcode: false,
	}
	outDir := work + "/out"
	if err := os.Mkdir(outDir, 0o700); err != nil {
		return h.retryable(ctx, id, fmt.Errorf("media: work directory: %w", err))
	}
	rep, err := media.Process(ctx, in, outDir, opt)
	if err != nil {
		return h.fail(ctx, id, fmt.Errorf("media: asset %s: %w", id, err))
	}
	ds, err := h.store(ctx, asset, rep.Outputs)
	if err != nil {
		return h.retryable(ctx, id, err)
	}
	facts := factsOf(rep)

	if rep.NeedsTranscode {
		if err := h.Assets.SaveMediaFacts(ctx, id, facts, ds); err != nil {
			return h.finishErr(ctx, log, id, err)
		}
		if h.Enqueue == nil {
			return h.transcode(ctx, log, asset, in.Path, work)
		}
		task, err := tasks.NewMediaTranscodeTask(id, h.Video.TranscodeTimeout)
		if err != nil {
			return fmt.Errorf("media: %w: %w", err, asynq.SkipRetry)
		}
		if err := h.Enqueue(ctx, task); err != nil {
			return h.retryable(ctx, id, fmt.Errorf("media: enqueue transcode of asset %s: %w", id, err))
		}
		log.InfoContext(ctx, "media: video probed; preview queued", "duration_ms", facts.DurationMS, "derivatives", len(ds))
		return nil
	}
	if err := h.Assets.FinishMedia(ctx, id, &facts, ds); err != nil {
		return h.finishErr(ctx, log, id, err)
	}
	log.InfoContext(ctx, "media: asset ready", "width", facts.Width, "height", facts.Height, "words", facts.WordCount,
		"pages", facts.Pages, "pages_drawn", rep.RenderedPages, "derivatives", len(ds))
	return nil
}

// ProcessTranscode handles tasks.TypeMediaTranscode: it makes the browser
// preview of a video asset that is still processing, writing its progress
// to the asset as it goes, stores it as the "video" derivative and marks
// the asset ready.
func (h *MediaHandler) ProcessTranscode(ctx context.Context, t *asynq.Task) error {
	p, err := tasks.ParseMediaTranscode(t)
	if err != nil {
		return fmt.Errorf("media: %w: %w", err, asynq.SkipRetry)
	}
	id := p.AssetID
	log := h.logger().With("asset", id, "step", "transcode")
	asset, err := h.Assets.Asset(ctx, id)
	if errors.Is(err, contest.ErrNotFound) {
		return nil
	}
	if err != nil {
		return h.retryable(ctx, id, fmt.Errorf("media: load asset %s: %w", id, err))
	}
	if asset.State != contest.AssetProcessing {
		log.DebugContext(ctx, "media: asset is not processing; nothing to transcode", "state", asset.State)
		return nil
	}
	work, err := os.MkdirTemp(h.TempDir, "tessera-transcode-*")
	if err != nil {
		return h.retryable(ctx, id, fmt.Errorf("media: work directory: %w", err))
	}
	defer os.RemoveAll(work)
	in, err := h.fetchOriginal(ctx, asset, work)
	if err != nil {
		return h.fail(ctx, id, err)
	}
	return h.transcode(ctx, log, asset, in.Path, work)
}

// transcode makes, stores and records the "video" derivative of a probed
// video whose original is at path.
func (h *MediaHandler) transcode(ctx context.Context, log *slog.Logger, asset contest.Asset, path, work string) error {
	id := asset.ID
	ms, err := h.Assets.AssetMedia(ctx, id)
	if err != nil {
		return h.retryable(ctx, id, fmt.Errorf("media: load facts of asset %s: %w", id, err))
	}
	if len(ms) != 1 || ms[0].DurationMS <= 0 || ms[0].Width <= 0 {
		// Not probed yet (the media task will enqueue this again).
		return fmt.Errorf("media: asset %s has not been probed: %w", id, asynq.SkipRetry)
	}
	m := ms[0]
	info := media.VideoInfo{Duration: time.Duration(m.DurationMS) * time.Millisecond, Width: m.Width, Height: m.Height, Rotation: m.Rotation}
	var (
		mu       sync.Mutex
		lastSave time.Time
	)
	progress := func(pct int) {
		mu.Lock()
		defer mu.Unlock()
		if pct < 100 && time.Since(lastSave) < progressEvery {
			return
		}
		lastSave = time.Now()
		if _, err := h.Assets.SetProgress(ctx, id, min(pct, 99)); err != nil {
			log.WarnContext(ctx, "media: recording progress", "err", err)
		}
	}
	outDir := work + "/video"
	if err := os.MkdirAll(outDir, 0o700); err != nil {
		return h.retryable(ctx, id, fmt.Errorf("media: work directory: %w", err))
	}
	start := time.Now()
	o, err := media.TranscodePreview(ctx, media.Input{Path: path, ContentType: asset.ContentType, Kind: media.KindVideo}, info, outDir,
		media.Options{Video: h.Video, Progress: progress})
	if err != nil {
		return h.fail(ctx, id, fmt.Errorf("media: transcode asset %s: %w", id, err))
	}
	ds, err := h.store(ctx, asset, []media.Output{o})
	if err != nil {
		return h.retryable(ctx, id, err)
	}
	if err := h.Assets.FinishMedia(ctx, id, nil, ds); err != nil {
		return h.finishErr(ctx, log, id, err)
	}
	log.InfoContext(ctx, "media: video preview ready", "took", time.Since(start).Round(time.Millisecond), "size", o.Size)
	return nil
}

// fetchOriginal copies the asset's original into dir.
func (h *MediaHandler) fetchOriginal(ctx context.Context, asset contest.Asset, dir string) (media.Input, error) {
	rc, err := h.Blobs.Open(ctx, asset.OriginalKey, 0, -1)
	if errors.Is(err, blob.ErrNotFound) {
		return media.Input{}, &media.RejectError{Reason: reasonMissingOriginal, Err: err}
	}
	if err != nil {
		return media.Input{}, fmt.Errorf("media: open original of asset %s: %w", asset.ID, err)
	}
	defer rc.Close()
	path := dir + "/original"
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_EXCL, 0o600)
	if err != nil {
		return media.Input{}, fmt.Errorf("media: %w", err)
	}
	_, err = io.Copy(f, rc)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return media.Input{}, fmt.Errorf("media: copy original of asset %s: %w", asset.ID, err)
	}
	return media.Input{Path: path, ContentType: asset.ContentType, FileName: asset.FileName}, nil
}

// store puts each output under its deterministic key.
func (h *MediaHandler) store(ctx context.Context, asset contest.Asset, outs []media.Output) ([]contest.Derivative, error) {
	var ds []contest.Derivative
	for _, o := range outs {
		key := DerivativeObjectKey(asset.EntryID, asset.ID, o.Name, o.ContentType)
		f, err := os.Open(o.Path)
		if err != nil {
			return nil, fmt.Errorf("media: %w", err)
		}
		err = h.Blobs.Put(ctx, key, f, o.Size, o.ContentType)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("media: store %s of asset %s: %w", o.Name, asset.ID, err)
		}
		ds = append(ds, contest.Derivative{
			AssetID: asset.ID, Name: o.Name, Key: key, ContentType: o.ContentType,
			Width: o.Width, Height: o.Height, Size: o.Size,
		})
	}
	return ds, nil
}

func factsOf(r media.Report) db.MediaFacts {
	f := db.MediaFacts{Width: r.Width, Height: r.Height, DurationMS: r.DurationMS, WordCount: r.WordCount, PHash: r.PHash, Pages: r.Pages}
	if r.Video != nil {
		f.VideoCodec, f.AudioCodec, f.Rotation = r.Video.VideoCodec, r.Video.AudioCodec, r.Video.Rotation
	}
	if r.Kind == media.KindEssay {
		// An essay's size is its cover's, which says nothing useful.
		f.Width, f.Height = 0, 0
	}
	return f
}

// fail sorts an error from the pipeline: the file's own fault is
// permanent, anything else is retried.
func (h *MediaHandler) fail(ctx context.Context, id string, err error) error {
	if rej, ok := media.IsReject(err); ok && ctx.Err() == nil {
		return h.reject(ctx, id, rej.Reason, err)
	}
	return h.retryable(ctx, id, err)
}

// finishErr handles a failed conditional write of the result.
func (h *MediaHandler) finishErr(ctx context.Context, log *slog.Logger, id string, err error) error {
	if errors.Is(err, contest.ErrConflict) || errors.Is(err, contest.ErrNotFound) {
		// Another run finished first, or the asset was withdrawn: the
		// conditional write did nothing, which is the point.
		log.InfoContext(ctx, "media: asset changed state while processing; result discarded", "err", err)
		return nil
	}
	return h.retryable(ctx, id, fmt.Errorf("media: finish asset %s: %w", id, err))
}

// reject marks the asset failed for good and tells asynq not to retry. If
// the failure cannot be recorded the task is retried, so it is not lost.
func (h *MediaHandler) reject(ctx context.Context, id, reason string, cause error) error {
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), failTimeout)
	defer cancel()
	if err := h.Assets.FailProcessing(fctx, id, reason); err != nil {
		return fmt.Errorf("media: record failure of asset %s (%v): %w", id, cause, err)
	}
	// Logged once, at WARN, by the queue's edge (LogTasks).
	return fmt.Errorf("media: asset %s rejected (%s): %w: %w", id, reason, cause, asynq.SkipRetry)
}

// retryable returns err for asynq to retry; when this was the task's last
// attempt it first marks the asset failed, so that no asset is left
// processing for ever. A cancelled context (server shutting down) is not
// a last attempt: asynq puts the task back.
func (h *MediaHandler) retryable(ctx context.Context, id string, err error) error {
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
	// Logged once, at ERROR, by the queue's edge (LogTasks).
	return fmt.Errorf("media: giving up on asset %s after %d attempts: %w", id, n+1, err)
}

func (h *MediaHandler) logger() *slog.Logger {
	if h.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return h.Logger
}
