package worker

import (
	"context"
	"fmt"
	"maps"
	"sync"
	"time"

	"github.com/tessera/tessera/internal/contest"
)

// fakeAssets is an in-memory AssetStore with the state rules of
// internal/db, recording every call.
type fakeAssets struct {
	mu     sync.Mutex
	assets map[string]contest.Asset
	derivs map[string][]contest.Derivative
	calls  []string

	// Injected behaviour.
	startPanic  any
	finishErrs  []error // returned by successive FinishProcessing calls
	failErr     error
	stale       []string
	staleErr    error
	staleBefore time.Time
	staleLimit  int
}

func newFakeAssets(as ...contest.Asset) *fakeAssets {
	f := &fakeAssets{assets: map[string]contest.Asset{}, derivs: map[string][]contest.Derivative{}}
	for _, a := range as {
		f.assets[a.ID] = a
	}
	return f
}

func (f *fakeAssets) record(format string, args ...any) {
	f.calls = append(f.calls, fmt.Sprintf(format, args...))
}

func (f *fakeAssets) Asset(_ context.Context, id string) (contest.Asset, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	a, ok := f.assets[id]
	if !ok {
		return contest.Asset{}, contest.ErrNotFound
	}
	return a, nil
}

func (f *fakeAssets) StartProcessing(_ context.Context, id string) (bool, error) {
	if f.startPanic != nil {
		panic(f.startPanic)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.record("start %s", id)
	a, ok := f.assets[id]
	if !ok || (a.State != contest.AssetPending && a.State != contest.AssetProcessing) {
		return false, nil
	}
	a.State = contest.AssetProcessing
	a.Attempts++
	f.assets[id] = a
	return true, nil
}

func (f *fakeAssets) FinishProcessing(_ context.Context, id string, w, h int, ds []contest.Derivative) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.record("finish %s", id)
	if len(f.finishErrs) > 0 {
		err := f.finishErrs[0]
		f.finishErrs = f.finishErrs[1:]
		if err != nil {
			return err
		}
	}
	a, ok := f.assets[id]
	if !ok || a.State != contest.AssetProcessing {
		return fmt.Errorf("mark ready: %w", contest.ErrConflict)
	}
	a.State, a.Width, a.Height, a.FailReason = contest.AssetReady, w, h, ""
	f.assets[id] = a
	f.derivs[id] = ds
	return nil
}

func (f *fakeAssets) FailProcessing(_ context.Context, id, reason string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.record("fail %s", id)
	if f.failErr != nil {
		return f.failErr
	}
	a, ok := f.assets[id]
	if ok && (a.State == contest.AssetPending || a.State == contest.AssetProcessing) {
		a.State, a.FailReason = contest.AssetFailed, reason
		f.assets[id] = a
	}
	return nil
}

func (f *fakeAssets) StaleAssets(_ context.Context, before time.Time, limit int) ([]string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.record("stale")
	f.staleBefore, f.staleLimit = before, limit
	return f.stale, f.staleErr
}

func (f *fakeAssets) get(id string) contest.Asset {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.assets[id]
}

func (f *fakeAssets) derivatives(id string) []contest.Derivative {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.derivs[id]
}

func (f *fakeAssets) callLog() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.calls...)
}

func (f *fakeAssets) snapshot() map[string]contest.Asset {
	f.mu.Lock()
	defer f.mu.Unlock()
	return maps.Clone(f.assets)
}
