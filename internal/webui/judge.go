package webui

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/tessera/tessera/internal/app"
	"github.com/tessera/tessera/internal/contest"
)

// judgeQueueLimit is the most entries a judge's queue page lists.
const judgeQueueLimit = 500

// judgeData is a judge's queue page.
type judgeData struct {
	Competition contest.Competition
	Queue       app.JudgeQueue
}

func (h *Handler) judgeQueue(c *gin.Context) {
	acc, err := h.access(c)
	if err != nil {
		h.fail(c, nil, err)
		return
	}
	q, err := h.App.JudgeQueue(c.Request.Context(), acc, judgeQueueLimit, 0)
	if err != nil {
		h.fail(c, nil, err)
		return
	}
	p := h.newPage(c, "judge", "judge.page_title", acc.Competition.Title)
	p.Data = judgeData{Competition: acc.Competition, Queue: q}
	h.render(c, http.StatusOK, p)
}
