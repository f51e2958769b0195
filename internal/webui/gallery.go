package webui

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/tessera/tessera/internal/app"
	"github.com/tessera/tessera/internal/contest"
)

// galleryData is one page of the public gallery of winners and finalists.
type galleryData struct {
	Competition contest.Competition
	Page        app.GalleryPage
}

// gallery shows the public gallery a page at a time (?after= continues).
func (h *Handler) gallery(c *gin.Context) {
	acc, err := h.access(c)
	if err != nil {
		h.fail(c, nil, err)
		return
	}
	pg, err := h.App.GalleryPage(c.Request.Context(), acc, c.Query("after"), 48)
	if err != nil {
		h.fail(c, nil, err)
		return
	}
	p := h.newPage(c, "gallery", "winners.page_title", acc.Competition.Title)
	p.Data = galleryData{Competition: acc.Competition, Page: pg}
	h.render(c, http.StatusOK, p)
}
