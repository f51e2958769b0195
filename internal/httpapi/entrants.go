package httpapi

import (
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/tessera/tessera/internal/app"
	"github.com/tessera/tessera/internal/contest"
)

// registerEntrants mounts the entry life-cycle routes beyond create and
// submit: edit and withdraw until the deadline.
func (h *Handler) registerEntrants(g *gin.RouterGroup) {
	g.PATCH("/competitions/:slug/entries/:id", h.updateEntry)
	g.POST("/competitions/:slug/entries/:id/withdraw", h.withdrawEntry)
	g.GET("/competitions/:slug/categories/:category/rules", h.categoryRules)
	g.PUT("/competitions/:slug/categories/:category/rules", h.setCategoryRules)
	g.GET("/me/profile", h.profile)
	g.PUT("/me/profile", h.setProfile)
}

func (h *Handler) profile(c *gin.Context) {
	p, err := h.App.Profile(c.Request.Context(), user(c))
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, p)
}

func (h *Handler) setProfile(c *gin.Context) {
	if user(c) == nil {
		h.fail(c, contest.ErrUnauthorized)
		return
	}
	var in app.ProfileInput
	if err := bind(c, &in); err != nil {
		h.fail(c, err)
		return
	}
	p, err := h.App.UpdateProfile(c.Request.Context(), user(c), in)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, p)
}

func (h *Handler) categoryRules(c *gin.Context) {
	acc, ok := h.access(c)
	if !ok {
		return
	}
	cats, err := h.App.DB.Categories(c.Request.Context(), acc.Competition.ID)
	if err != nil {
		h.fail(c, err)
		return
	}
	for _, cat := range cats {
		if cat.ID == c.Param("category") {
			r, err := h.App.RulesOf(c.Request.Context(), cat)
			if err != nil {
				h.fail(c, err)
				return
			}
			c.JSON(http.StatusOK, r)
			return
		}
	}
	h.fail(c, fmt.Errorf("category: %w", contest.ErrNotFound))
}

func (h *Handler) setCategoryRules(c *gin.Context) {
	acc, ok := h.access(c)
	if !ok {
		return
	}
	var in app.CategoryRulesInput
	if err := bind(c, &in); err != nil {
		h.fail(c, err)
		return
	}
	r, err := h.App.SetCategoryRules(c.Request.Context(), acc, c.Param("category"), in)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, r)
}

func (h *Handler) updateEntry(c *gin.Context) {
	acc, ok := h.access(c)
	if !ok {
		return
	}
	var in app.EntryUpdate
	if err := bind(c, &in); err != nil {
		h.fail(c, err)
		return
	}
	if err := h.App.UpdateEntry(c.Request.Context(), acc, c.Param("id"), in); err != nil {
		h.fail(c, err)
		return
	}
	h.entryAfterWrite(c, acc)
}

func (h *Handler) withdrawEntry(c *gin.Context) {
	acc, ok := h.access(c)
	if !ok {
		return
	}
	if err := h.App.WithdrawEntry(c.Request.Context(), acc, c.Param("id")); err != nil {
		h.fail(c, err)
		return
	}
	h.entryAfterWrite(c, acc)
}

func (h *Handler) entryAfterWrite(c *gin.Context, acc app.Access) {
	v, err := h.App.Entry(c.Request.Context(), acc, c.Param("id"))
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}
