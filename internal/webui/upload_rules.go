package webui

import (
	"context"
	"fmt"
	"strings"

	"github.com/tessera/tessera/internal/app"
	"github.com/tessera/tessera/internal/contest"
)

// rulesView is what a category accepts, shown beside the upload form so
// entrants know before they upload.
type rulesView struct {
	Formats    string
	MaxSize    string
	MaxEntries int
	MaxMinutes string // longest video, "" when unlimited
	MinWords   int
	MaxWords   int
	Statement  bool // the statement is required
}

func (h *Handler) categoryRules(ctx context.Context, acc app.Access, categoryID, sep string) (*rulesView, error) {
	cats, err := h.App.DB.Categories(ctx, acc.Competition.ID)
	if err != nil {
		return nil, err
	}
	for _, cat := range cats {
		if cat.ID != categoryID {
			continue
		}
		r, err := h.App.RulesOf(ctx, cat)
		if err != nil {
			return nil, err
		}
		v := &rulesView{Formats: strings.Join(r.Formats, sep), MaxSize: humanBytes(r.MaxFileBytes), MaxEntries: r.MaxEntries, MinWords: r.MinWords, MaxWords: r.MaxWords}
		if r.MaxDurationSeconds > 0 {
			v.MaxMinutes = fmt.Sprintf("%d:%02d", r.MaxDurationSeconds/60, r.MaxDurationSeconds%60)
		}
		for _, f := range r.RequiredFields {
			v.Statement = v.Statement || f == "statement"
		}
		return v, nil
	}
	return nil, fmt.Errorf("category: %w", contest.ErrNotFound)
}

// humanBytes writes a size in binary units: 200 MiB, 2 GiB.
func humanBytes(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%d MiB", n>>20)
	default:
		return fmt.Sprintf("%d KiB", max(1, n>>10))
	}
}
