package httpapi

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/tessera/tessera/internal/app"
	"github.com/tessera/tessera/internal/contest"
)

// essayJSON is an entry's essay for reading: its text as sanitised HTML
// (Markdown rendered), or the state it is in until it is ready.
type essayJSON struct {
	EntryID    string             `json:"entry_id"`
	State      contest.AssetState `json:"state"`
	FailReason string             `json:"fail_reason,omitempty"`
	HTML       string             `json:"html"`
	WordCount  int                `json:"word_count"`
	Markdown   bool               `json:"markdown"`
}

// getEssay returns an entry's essay to those who may see its processed
// files; to everyone else it is not found.
func (h *Handler) getEssay(c *gin.Context) {
	answer(h, c, http.StatusOK, func(ctx context.Context, acc app.Access) (essayJSON, error) {
		es, err := h.App.EntryEssay(ctx, acc, c.Param("id"))
		if err != nil {
			return essayJSON{}, err
		}
		return essayJSON{EntryID: es.Entry.ID, State: es.Asset.State, FailReason: es.Asset.FailReason,
			HTML: string(es.HTML), WordCount: es.Asset.WordCount, Markdown: es.Markdown}, nil
	})
}
