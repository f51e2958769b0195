package httpapi

import (
	"context"
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/tessera/tessera/internal/app"
	"github.com/tessera/tessera/internal/contest"
	"github.com/tessera/tessera/internal/db"
)

func (h *Handler) profile(c *gin.Context) {
	answer(h, c, http.StatusOK, func(ctx context.Context, acc app.Access) (db.Profile, error) {
		return h.App.Profile(ctx, acc.User)
	})
}

func (h *Handler) setProfile(c *gin.Context) {
	call(h, c, http.StatusOK, signedIn, func(ctx context.Context, acc app.Access, in app.ProfileInput) (db.Profile, error) {
		return h.App.UpdateProfile(ctx, acc.User, in)
	})
}

func (h *Handler) categoryRules(c *gin.Context) {
	answer(h, c, http.StatusOK, func(ctx context.Context, acc app.Access) (app.CategoryRules, error) {
		cats, err := h.App.DB.Categories(ctx, acc.Competition.ID)
		if err != nil {
			return app.CategoryRules{}, err
		}
		for _, cat := range cats {
			if cat.ID == c.Param("category") {
				return h.App.RulesOf(ctx, cat)
			}
		}
		return app.CategoryRules{}, fmt.Errorf("category: %w", contest.ErrNotFound)
	})
}

func (h *Handler) setCategoryRules(c *gin.Context) {
	call(h, c, http.StatusOK, role(contest.RoleOrganizer), func(ctx context.Context, acc app.Access, in app.CategoryRulesInput) (app.CategoryRules, error) {
		return h.App.SetCategoryRules(ctx, acc, c.Param("category"), in)
	})
}

func (h *Handler) updateEntry(c *gin.Context) {
	call(h, c, http.StatusOK, signedIn, func(ctx context.Context, acc app.Access, in app.EntryUpdate) (app.EntryView, error) {
		if err := h.App.UpdateEntry(ctx, acc, c.Param("id"), in); err != nil {
			return app.EntryView{}, err
		}
		return h.App.Entry(ctx, acc, c.Param("id"))
	})
}

func (h *Handler) withdrawEntry(c *gin.Context) {
	answer(h, c, http.StatusOK, func(ctx context.Context, acc app.Access) (app.EntryView, error) {
		if err := h.App.WithdrawEntry(ctx, acc, c.Param("id")); err != nil {
			return app.EntryView{}, err
		}
		return h.App.Entry(ctx, acc, c.Param("id"))
	})
}
