package httpapi

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/tessera/tessera/internal/app"
)

// registerNominations adds the nomination endpoints.
func (h *Handler) registerNominations(g *gin.RouterGroup) {
	g.GET("/competitions/:slug/nominations", h.listNominations)
	g.POST("/competitions/:slug/nominations", h.nominate)
	g.PUT("/competitions/:slug/nominations/settings", h.nominationSettings)
	g.PUT("/competitions/:slug/nominators/:user/quota", h.nominatorQuota)
}

func (h *Handler) listNominations(c *gin.Context) {
	acc, ok := h.access(c)
	if !ok {
		return
	}
	ov, err := h.App.Nominations(c.Request.Context(), acc)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, ov)
}

func (h *Handler) nominate(c *gin.Context) {
	acc, ok := h.access(c)
	if !ok {
		return
	}
	var in app.NominationInput
	if err := bind(c, &in); err != nil {
		h.fail(c, err)
		return
	}
	token, err := h.App.Nominate(c.Request.Context(), acc, in, h.BaseURL)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, gin.H{"token": token, "url": h.BaseURL + "/invite/" + token})
}

func (h *Handler) nominationSettings(c *gin.Context) {
	acc, ok := h.access(c)
	if !ok {
		return
	}
	var in struct {
		Enabled bool `json:"enabled"`
	}
	if err := bind(c, &in); err != nil {
		h.fail(c, err)
		return
	}
	if err := h.App.SetNominations(c.Request.Context(), acc, in.Enabled); err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"enabled": in.Enabled})
}

func (h *Handler) nominatorQuota(c *gin.Context) {
	acc, ok := h.access(c)
	if !ok {
		return
	}
	var in struct {
		Quota int `json:"quota"`
	}
	if err := bind(c, &in); err != nil {
		h.fail(c, err)
		return
	}
	if err := h.App.SetNominatorQuota(c.Request.Context(), acc, c.Param("user"), in.Quota); err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"user_id": c.Param("user"), "quota": in.Quota})
}
