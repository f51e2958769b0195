package webui

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// withdraw takes the caller's entry out of the competition (until the
// deadline) and shows it again.
func (h *Handler) withdraw(c *gin.Context) {
	acc, err := h.access(c)
	if err != nil {
		h.fail(c, nil, err)
		return
	}
	id := c.Param("id")
	if err := h.App.WithdrawEntry(c.Request.Context(), acc, id); err != nil {
		h.failEntry(c, acc, id, err)
		return
	}
	c.Redirect(http.StatusSeeOther, entryPath(acc.Competition.Slug, id))
}
