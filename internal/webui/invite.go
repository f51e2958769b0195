package webui

import (
	"cmp"
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"github.com/tessera/tessera/internal/auth"
	"github.com/tessera/tessera/internal/contest"
)

// invitationData is the invitation page.
type invitationData struct {
	Competition contest.Competition
	Role        contest.Role
	// Nominator and Statement describe a nomination, when the invitation is one.
	Nominator string
	Statement string
	// Next is this page's address, for signing in or up and coming back.
	Next string
}

func (h *Handler) invitation(c *gin.Context) {
	ctx := c.Request.Context()
	token := c.Param("token")
	inv, err := h.Auth.Invitation(ctx, token)
	if err != nil {
		h.fail(c, nil, err)
		return
	}
	comp, err := h.App.DB.CompetitionByID(ctx, inv.CompetitionID)
	if err != nil {
		h.fail(c, nil, err)
		return
	}
	p := h.newPage(c, "invite", "invite.page_title", comp.Title)
	d := invitationData{Competition: comp, Role: inv.Role, Next: "/invite/" + url.PathEscape(token)}
	if inv.Role == contest.RoleEntrant && inv.Statement != "" {
		by, err := h.App.DB.UserByID(ctx, inv.CreatedBy)
		if err != nil {
			h.fail(c, nil, err)
			return
		}
		d.Nominator, d.Statement = cmp.Or(by.Organisation, by.Name), inv.Statement
	}
	p.Data = d
	h.render(c, http.StatusOK, p)
}

func (h *Handler) acceptInvitation(c *gin.Context) {
	ctx := c.Request.Context()
	u := auth.UserFrom(ctx)
	if u == nil {
		h.fail(c, nil, contest.ErrUnauthorized)
		return
	}
	inv, err := h.Auth.AcceptInvitation(ctx, c.Param("token"), u.ID)
	if err != nil {
		h.fail(c, nil, err)
		return
	}
	comp, err := h.App.DB.CompetitionByID(ctx, inv.CompetitionID)
	if err != nil {
		h.fail(c, nil, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/c/"+comp.Slug)
}
