// Package tasks is the queue contract between the code that enqueues work
// and the workers that do it: task type names, their payloads (ids, never
// file bytes) and constructors that fix each task's queue, retries, timeout
// and id. A task id derived from the subject makes enqueueing the same work
// twice harmless while the first is still queued or running.
package tasks

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/hibiken/asynq"
)

// TypeMediaProcess makes an asset's derivatives.
const TypeMediaProcess = "media:process"

// QueueMedia is the queue media tasks run on, so that slow video work can be
// given its own worker replicas and never delays other kinds of task.
const QueueMedia = "media"

// Media task settings.
const (
	MediaMaxRetry = 5
	MediaTimeout  = 10 * time.Minute
)

// MediaProcess is the payload of a TypeMediaProcess task.
type MediaProcess struct {
	AssetID string `json:"asset_id"`
}

// MediaProcessTaskID is the task id used for an asset's processing task;
// at most one such task is queued or running per asset.
func MediaProcessTaskID(assetID string) string { return "media:process:" + assetID }

// NewMediaProcessTask returns the task that processes asset assetID, on
// QueueMedia with MediaMaxRetry retries, a MediaTimeout time limit and the
// id MediaProcessTaskID(assetID).
func NewMediaProcessTask(assetID string) (*asynq.Task, error) {
	if assetID == "" {
		return nil, errors.New("tasks: media process task needs an asset id")
	}
	payload, err := json.Marshal(MediaProcess{AssetID: assetID})
	if err != nil {
		return nil, fmt.Errorf("tasks: encode media process payload: %w", err)
	}
	return asynq.NewTask(TypeMediaProcess, payload,
		asynq.Queue(QueueMedia),
		asynq.MaxRetry(MediaMaxRetry),
		asynq.Timeout(MediaTimeout),
		asynq.TaskID(MediaProcessTaskID(assetID)),
	), nil
}

// ParseMediaProcess decodes the payload of a TypeMediaProcess task. It
// fails for another task type, malformed JSON or a missing asset id; such a
// task can never succeed.
func ParseMediaProcess(t *asynq.Task) (MediaProcess, error) {
	if t.Type() != TypeMediaProcess {
		return MediaProcess{}, fmt.Errorf("tasks: task type %q is not %q", t.Type(), TypeMediaProcess)
	}
	var p MediaProcess
	if err := json.Unmarshal(t.Payload(), &p); err != nil {
		return MediaProcess{}, fmt.Errorf("tasks: decode media process payload: %w", err)
	}
	if p.AssetID == "" {
		return MediaProcess{}, errors.New("tasks: media process payload has no asset id")
	}
	return p, nil
}

// TypeMediaTranscode makes a video asset's browser-playable preview, after
// TypeMediaProcess has probed it and made its poster.
const TypeMediaTranscode = "media:transcode"

// QueueTranscode is the queue transcode tasks run on; workers give it
// lower concurrency than QueueMedia, since one transcode keeps cores busy
// for minutes.
const QueueTranscode = "transcode"

// Transcode task settings.
const (
	TranscodeMaxRetry = 3
	// TranscodeMargin is the time a transcode task has on top of
	// ffmpeg's own limit: copying the original from storage and storing
	// the preview.
	TranscodeMargin = 45 * time.Minute
	// TranscodeTimeout is the task's time limit when the caller names no
	// ffmpeg limit: ffmpeg's default 45 minutes plus TranscodeMargin.
	TranscodeTimeout = 45*time.Minute + TranscodeMargin
)

// MediaTranscode is the payload of a TypeMediaTranscode task.
type MediaTranscode struct {
	AssetID string `json:"asset_id"`
}

// MediaTranscodeTaskID is the task id of an asset's transcode task; at
// most one is queued or running per asset.
func MediaTranscodeTaskID(assetID string) string { return "media:transcode:" + assetID }

// NewMediaTranscodeTask returns the task that makes asset assetID's video
// preview, on QueueTranscode with TranscodeMaxRetry retries and the id
// MediaTranscodeTaskID(assetID). Its time limit is ffmpegLimit (the
// worker's limit on the transcode itself) plus TranscodeMargin, or
// TranscodeTimeout when ffmpegLimit is not positive, so that the queue
// never cuts short a transcode the worker still allows.
func NewMediaTranscodeTask(assetID string, ffmpegLimit time.Duration) (*asynq.Task, error) {
	if assetID == "" {
		return nil, errors.New("tasks: media transcode task needs an asset id")
	}
	payload, err := json.Marshal(MediaTranscode{AssetID: assetID})
	if err != nil {
		return nil, fmt.Errorf("tasks: encode media transcode payload: %w", err)
	}
	return asynq.NewTask(TypeMediaTranscode, payload,
		asynq.Queue(QueueTranscode),
		asynq.MaxRetry(TranscodeMaxRetry),
		asynq.Timeout(TranscodeTaskTimeout(ffmpegLimit)),
		asynq.TaskID(MediaTranscodeTaskID(assetID)),
	), nil
}

// TranscodeTaskTimeout is the time limit of a transcode task whose ffmpeg
// run may take up to ffmpegLimit (TranscodeTimeout when it is not
// positive).
func TranscodeTaskTimeout(ffmpegLimit time.Duration) time.Duration {
	if ffmpegLimit <= 0 {
		return TranscodeTimeout
	}
	return ffmpegLimit + TranscodeMargin
}

// ParseMediaTranscode decodes the payload of a TypeMediaTranscode task; it
// fails for another type, malformed JSON or a missing asset id.
func ParseMediaTranscode(t *asynq.Task) (MediaTranscode, error) {
	if t.Type() != TypeMediaTranscode {
		return MediaTranscode{}, fmt.Errorf("tasks: task type %q is not %q", t.Type(), TypeMediaTranscode)
	}
	var p MediaTranscode
	if err := json.Unmarshal(t.Payload(), &p); err != nil {
		return MediaTranscode{}, fmt.Errorf("tasks: decode media transcode payload: %w", err)
	}
	if p.AssetID == "" {
		return MediaTranscode{}, errors.New("tasks: media transcode payload has no asset id")
	}
	return p, nil
}
