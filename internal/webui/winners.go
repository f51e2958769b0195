package webui

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/tessera/tessera/internal/app"
	"github.com/tessera/tessera/internal/contest"
)

// winnersData is the public winners gallery.
type winnersData struct {
	Competition contest.Competition
	Announced   bool
	Winners     []app.EntryView
}

func (h *Handler) winners(c *gin.Context) {
	acc, err := h.access(c)
	if err != nil {
		h.fail(c, nil, err)
		return
	}
	ws, err := h.App.Gallery(c.Request.Context(), acc)
	if err != nil {
		h.fail(c, nil, err)
		return
	}
	p := h.newPage(c, "winners", "winners.page_title", acc.Competition.Title)
	p.Data = winnersData{Competition: acc.Competition, Announced: acc.Competition.Announced(h.App.Now()), Winners: ws}
	h.render(c, http.StatusOK, p)
}
