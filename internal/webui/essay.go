package webui

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/tessera/tessera/internal/app"
	"github.com/tessera/tessera/internal/contest"
)

// essayData is the reader page of an essay. Everything shown comes from
// Essay, which the visibility policy built for this viewer: a blind judge
// gets the title, the category and the text, nothing naming the entrant.
type essayData struct {
	Competition contest.Competition
	Essay       app.Essay
}

// essayPage is the clean reader of an entry's essay, for its entrant,
// organizers and the judges who may see it. While the essay is prepared
// the page says so and reloads itself.
func (h *Handler) essayPage(c *gin.Context) {
	acc, err := h.access(c)
	if err != nil {
		h.fail(c, nil, err)
		return
	}
	es, err := h.App.EntryEssay(c.Request.Context(), acc, c.Param("id"))
	if err != nil {
		h.fail(c, nil, err)
		return
	}
	p := h.newPage(c, "essay", "essay.page_title", es.Entry.Title)
	if es.Asset.State == contest.AssetPending || es.Asset.State == contest.AssetProcessing {
		p.Refresh = strconv.Itoa(refreshSeconds)
	}
	p.Data = essayData{Competition: acc.Competition, Essay: es}
	h.render(c, http.StatusOK, p)
}
