package app

import (
	"context"
	"fmt"
	"html/template"
	"io"
	"strings"

	"github.com/tessera/tessera/internal/contest"
	"github.com/tessera/tessera/internal/media"
)

// Essay is an entry's essay as one viewer may read it. Entry and Asset come
// from the visibility policy, as everywhere else: a blind judge's Entry
// names no entrant and has no submission time, and Asset has no file name
// or failure reason for anyone but the entrant and organizers.
type Essay struct {
	Entry EntryView
	// Asset is the essay's file: ready, still being prepared (pending or
	// processing) or failed.
	Asset AssetView
	// HTML is the essay's normalised text rendered for reading (Markdown
	// rendered, everything sanitised); empty until the asset is ready.
	HTML     template.HTML
	Markdown bool
}

// Ready reports whether the essay can be read.
func (e Essay) Ready() bool { return e.Asset.State == contest.AssetReady }

// EntryEssay returns the essay of an entry, judged as Entry judges it (in
// the active round). The text is given only to a caller who may see the
// entry's processed files; everyone else, and any entry that is not an
// essay or has no essay file, gets the not-found error a made-up id gets.
func (a *App) EntryEssay(ctx context.Context, acc Access, entryID string) (Essay, error) {
	e, ec, err := a.entryFor(ctx, acc, entryID)
	if err != nil {
		return Essay{}, fmt.Errorf("essay: %w", err)
	}
	return a.essayOf(ctx, acc, ec, e)
}

// RoundEssay returns the essay of an entry a judge reviews in a round (the
// active one when roundID is empty), judged as Review judges it.
func (a *App) RoundEssay(ctx context.Context, acc Access, roundID, entryID string) (Essay, error) {
	r, _, err := a.judgeRound(ctx, acc, roundID)
	if err != nil {
		return Essay{}, err
	}
	e, ec, err := a.judgeEntry(ctx, acc, r, entryID)
	if err != nil {
		return Essay{}, fmt.Errorf("essay: %w", err)
	}
	return a.essayOf(ctx, acc, ec, e)
}

// essayOf picks the entry's essay file as the caller may see it and, when
// it is ready, reads and renders its text.
func (a *App) essayOf(ctx context.Context, acc Access, ec entryContext, e contest.Entry) (Essay, error) {
	nf := fmt.Errorf("essay: %w", contest.ErrNotFound)
	v, ok := a.view(acc, ec, e)
	if !ok && acc.User == nil {
		// As for the entry itself: signed out, sign in first (a judge
		// whose session ended, following a saved link).
		return Essay{}, contest.ErrUnauthorized
	}
	if !ok || !contest.See(a.viewer(acc, ec, e)).Derivatives || v.Medium != contest.MediumEssay {
		return Essay{}, nf
	}
	var waiting, failed *AssetView
	for i, as := range v.Assets {
		switch as.State {
		case contest.AssetReady:
			for _, d := range ec.derivs[as.ID] {
				if d.Name == media.NameText {
					return a.readEssay(ctx, Essay{Entry: v, Asset: as, Markdown: strings.HasPrefix(d.ContentType, "text/markdown")}, d.Key)
				}
			}
		case contest.AssetFailed:
			if failed == nil {
				failed = &v.Assets[i]
			}
		default:
			if waiting == nil {
				waiting = &v.Assets[i]
			}
		}
	}
	switch {
	case waiting != nil:
		return Essay{Entry: v, Asset: *waiting}, nil
	case failed != nil:
		return Essay{Entry: v, Asset: *failed}, nil
	}
	return Essay{}, nf
}

// readEssay loads the stored text at key, within the cap the media
// pipeline keeps it under, and renders it.
func (a *App) readEssay(ctx context.Context, es Essay, key string) (Essay, error) {
	rc, err := a.Blobs.Open(ctx, key, 0, -1)
	if err != nil {
		return Essay{}, fmt.Errorf("essay: open text of asset %s: %w", es.Asset.ID, err)
	}
	defer func() { _ = rc.Close() }()
	b, err := io.ReadAll(io.LimitReader(rc, media.MaxEssayTextBytes+1))
	if err != nil {
		return Essay{}, fmt.Errorf("essay: read text of asset %s: %w", es.Asset.ID, err)
	}
	if len(b) > media.MaxEssayTextBytes {
		return Essay{}, fmt.Errorf("essay: text of asset %s is over %d bytes", es.Asset.ID, media.MaxEssayTextBytes)
	}
	es.HTML = a.Essays.HTML(string(b), es.Markdown)
	return es, nil
}
