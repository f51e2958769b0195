package httpapi

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/tessera/tessera/internal/app"
)

// duplicates lists pairs of entries whose pictures look alike (organizers).
func (h *Handler) duplicates(c *gin.Context) {
	answer(h, c, http.StatusOK, func(ctx context.Context, acc app.Access) (gin.H, error) {
		ps, err := h.App.Duplicates(ctx, acc)
		return gin.H{"items": ps}, err
	})
}
