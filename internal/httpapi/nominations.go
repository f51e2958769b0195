package httpapi

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/tessera/tessera/internal/app"
	"github.com/tessera/tessera/internal/contest"
)

func (h *Handler) listNominations(c *gin.Context) {
	answer(h, c, http.StatusOK, func(ctx context.Context, acc app.Access) (app.NominationsOverview, error) {
		return h.App.Nominations(ctx, acc)
	})
}

func (h *Handler) nominate(c *gin.Context) {
	call(h, c, http.StatusCreated, role(contest.RoleNominator), func(ctx context.Context, acc app.Access, in app.NominationInput) (gin.H, error) {
		token, err := h.App.Nominate(ctx, acc, in, h.BaseURL)
		return gin.H{"token": token, "url": h.BaseURL + "/invite/" + token}, err
	})
}

type nominationSettingsInput struct {
	Enabled bool `json:"enabled"`
}

func (h *Handler) nominationSettings(c *gin.Context) {
	call(h, c, http.StatusOK, role(contest.RoleOrganizer), func(ctx context.Context, acc app.Access, in nominationSettingsInput) (nominationSettingsInput, error) {
		return in, h.App.SetNominations(ctx, acc, in.Enabled)
	})
}

type quotaInput struct {
	Quota int `json:"quota"`
}

func (h *Handler) nominatorQuota(c *gin.Context) {
	call(h, c, http.StatusOK, role(contest.RoleOrganizer), func(ctx context.Context, acc app.Access, in quotaInput) (gin.H, error) {
		return gin.H{"user_id": c.Param("user"), "quota": in.Quota}, h.App.SetNominatorQuota(ctx, acc, c.Param("user"), in.Quota)
	})
}
