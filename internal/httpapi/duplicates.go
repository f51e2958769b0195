package httpapi

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

func (h *Handler) registerDuplicates(g *gin.RouterGroup) {
	g.GET("/competitions/:slug/duplicates", h.duplicates)
}

// duplicates lists pairs of entries whose pictures look alike (organizers).
func (h *Handler) duplicates(c *gin.Context) {
	acc, ok := h.access(c)
	if !ok {
		return
	}
	ps, err := h.App.Duplicates(c.Request.Context(), acc)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"items": ps})
}
