package worker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"time"

	"github.com/hibiken/asynq"

	"github.com/tessera/tessera/internal/media"
	"github.com/tessera/tessera/worker/tasks"
)

// NewMux routes each task type to its handler, wrapped so that every task
// is logged (LogTasks) and a panicking handler becomes an ordinary error
// (RecoverPanics). A nil logger discards logs.
func NewMux(h *MediaHandler, logger *slog.Logger) *asynq.ServeMux {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	mux := asynq.NewServeMux()
	// The first middleware is the outermost, so the log line sees the
	// error a recovered panic turned into.
	mux.Use(LogTasks(logger), RecoverPanics(logger))
	mux.Handle(tasks.TypeMediaProcess, h)
	mux.HandleFunc(tasks.TypeMediaTranscode, h.ProcessTranscode)
	return mux
}

// LogTasks logs one line per task run: its type, id, queue, retry count,
// duration and error. A task that will not be retried is logged at error
// level, except when it refused the entrant's file (a media.RejectError:
// corrupt, hostile, over a limit), which is the file's fault, not ours,
// and is a warning. Errors that will be retried are warnings too; a fault
// (storage down, a missing tool) reaches error level on its last retry.
func LogTasks(logger *slog.Logger) asynq.MiddlewareFunc {
	return func(next asynq.Handler) asynq.Handler {
		return asynq.HandlerFunc(func(ctx context.Context, t *asynq.Task) error {
			start := time.Now()
			err := next.ProcessTask(ctx, t)
			attrs := []slog.Attr{
				slog.String("type", t.Type()),
				slog.Duration("duration", time.Since(start)),
			}
			if id, ok := asynq.GetTaskID(ctx); ok {
				attrs = append(attrs, slog.String("id", id))
			}
			if q, ok := asynq.GetQueueName(ctx); ok {
				attrs = append(attrs, slog.String("queue", q))
			}
			retried, ok1 := asynq.GetRetryCount(ctx)
			limit, ok2 := asynq.GetMaxRetry(ctx)
			if ok1 {
				attrs = append(attrs, slog.Int("retried", retried))
			}
			_, refused := media.IsReject(err)
			switch {
			case err == nil:
				logger.LogAttrs(ctx, slog.LevelInfo, "task done", attrs...)
			case refused && errors.Is(err, asynq.SkipRetry):
				attrs = append(attrs, slog.Any("err", err))
				logger.LogAttrs(ctx, slog.LevelWarn, "task refused the file", attrs...)
			case errors.Is(err, asynq.SkipRetry) || (ok1 && ok2 && retried >= limit):
				attrs = append(attrs, slog.Any("err", err))
				logger.LogAttrs(ctx, slog.LevelError, "task failed for good", attrs...)
			default:
				attrs = append(attrs, slog.Any("err", err))
				logger.LogAttrs(ctx, slog.LevelWarn, "task failed; will retry", attrs...)
			}
			return err
		})
	}
}

// RecoverPanics turns a panic in a handler into an error (wrapping the
// panic value when it is an error) so asynq retries the task as for any
// failure; the stack is logged, not stored with the task.
func RecoverPanics(logger *slog.Logger) asynq.MiddlewareFunc {
	return func(next asynq.Handler) asynq.Handler {
		return asynq.HandlerFunc(func(ctx context.Context, t *asynq.Task) (err error) {
			defer func() {
				r := recover()
				if r == nil {
					return
				}
				logger.ErrorContext(ctx, "task panicked", "type", t.Type(), "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
				if e, ok := r.(error); ok {
					err = fmt.Errorf("worker: panic in %s: %w", t.Type(), e)
					return
				}
				err = fmt.Errorf("worker: panic in %s: %v", t.Type(), r)
			}()
			return next.ProcessTask(ctx, t)
		})
	}
}
