package worker

import (
	"context"
	"fmt"
	"maps"
	"sync"
	"time"

	"github.com/tessera/tessera/internal/contest"
	"github.com/tessera/tessera/internal/db"
)

// fakeAssets is an in-memory AssetStore with the state rules of
// internal/db, recording every call.
type fakeAssets struct {
	mu     sync.Mutex
	assets map[string]contest.Asset
	derivs map[string][]contest.Derivative
	facts  map[string]db.AssetMedia
	calls  []string

	// rules are returned by MediaRules for every asset (photo when zero).
	rules db.MediaRules

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
	f := &fakeAssets{assets: map[string]contest.Asset{}, derivs: map[string][]contest.Derivative{}, facts: map[string]db.AssetMedia{}}
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

func (f *fakeAssets) MediaRules(_ context.Context, id string) (db.MediaRules, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	a, ok := f.assets[id]
	if !ok {
		return db.MediaRules{}, contest.ErrNotFound
	}
	r := f.rules
	r.AssetID, r.EntryID = id, a.EntryID
	if r.Medium == "" {
		r.Medium = contest.MediumPhoto
	}
	return r, nil
}

func (f *fakeAssets) FinishMedia(_ context.Context, id string, facts *db.MediaFacts, ds []contest.Derivative) error {
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
	a.State, a.FailReason = contest.AssetReady, ""
	m := f.facts[id]
	m.AssetID, m.Progress = id, 100
	if facts != nil {
		a.Width, a.Height = facts.Width, facts.Height
		m.MediaFacts = *facts
	}
	f.assets[id] = a
	f.facts[id] = m
	f.derivs[id] = append(f.derivs[id], ds...)
	return nil
}

func (f *fakeAssets) SaveMediaFacts(_ context.Context, id string, facts db.MediaFacts, ds []contest.Derivative) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.record("save %s", id)
	a, ok := f.assets[id]
	if !ok || a.State != contest.AssetProcessing {
		return fmt.Errorf("save facts: %w", contest.ErrConflict)
	}
	a.Width, a.Height = facts.Width, facts.Height
	f.assets[id] = a
	f.facts[id] = db.AssetMedia{AssetID: id, MediaFacts: facts}
	f.derivs[id] = ds
	return nil
}

func (f *fakeAssets) AssetMedia(_ context.Context, ids ...string) ([]db.AssetMedia, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []db.AssetMedia
	for _, id := range ids {
		if m, ok := f.facts[id]; ok {
			out = append(out, m)
		}
	}
	return out, nil
}

func (f *fakeAssets) SetProgress(_ context.Context, id string, pct int) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	a, ok := f.assets[id]
	if !ok || a.State != contest.AssetProcessing {
		return false, nil
	}
	m := f.facts[id]
	m.Progress = pct
	f.facts[id] = m
	return true, nil
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
