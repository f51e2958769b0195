package webui

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/tessera/tessera/internal/app"
	"github.com/tessera/tessera/internal/contest"
)

// nominationsData is the nominations page: the organizer's settings,
// nominators and quotas, or a nominator's form and own nominations.
type nominationsData struct {
	Competition contest.Competition
	Organizer   bool
	Nominator   bool
	app.NominationsOverview
	// Link is the invitation link just made (a nominee's or a nominator's).
	Link string
}

func (h *Handler) nominationsPage(c *gin.Context) (*page, app.Access, error) {
	acc, err := h.access(c)
	if err != nil {
		return nil, acc, err
	}
	ov, err := h.App.Nominations(c.Request.Context(), acc)
	if err != nil {
		return nil, acc, err
	}
	p := h.newPage(c, "nominations", "nominations.page_title", acc.Competition.Title)
	p.Data = nominationsData{Competition: acc.Competition, Organizer: acc.Has(contest.RoleOrganizer), Nominator: acc.Has(contest.RoleNominator), NominationsOverview: ov}
	return p, acc, nil
}

func (h *Handler) nominations(c *gin.Context) {
	p, _, err := h.nominationsPage(c)
	if err != nil {
		h.fail(c, nil, err)
		return
	}
	h.render(c, http.StatusOK, p)
}

// nominationsPost runs do with the page and the posted form, then shows the
// page again (with link when do returns one) or do's error beside the form.
func (h *Handler) nominationsPost(c *gin.Context, do func(acc app.Access, p *page) (string, error)) {
	p, acc, err := h.nominationsPage(c)
	if err != nil {
		h.fail(c, nil, err)
		return
	}
	if p.Form, err = postForm(c); err != nil {
		h.fail(c, nil, err)
		return
	}
	link, err := do(acc, p)
	if err != nil {
		h.fail(c, p, err)
		return
	}
	if link == "" {
		c.Redirect(http.StatusSeeOther, "/c/"+acc.Competition.Slug+"/nominations")
		return
	}
	p2, _, err := h.nominationsPage(c)
	if err != nil {
		h.fail(c, nil, err)
		return
	}
	d := p2.Data.(nominationsData)
	d.Link = link
	p2.Data = d
	h.render(c, http.StatusOK, p2)
}

func (h *Handler) nominate(c *gin.Context) {
	h.nominationsPost(c, func(acc app.Access, p *page) (string, error) {
		in := app.NominationInput{Email: p.Form.Get("email"), Name: p.Form.Get("name"), Statement: p.Form.Get("statement")}
		token, err := h.App.Nominate(c.Request.Context(), acc, in, h.absURL(c, ""))
		if err != nil {
			return "", err
		}
		return h.absURL(c, "/invite/"+token), nil
	})
}

func (h *Handler) nominationSettings(c *gin.Context) {
	h.nominationsPost(c, func(acc app.Access, p *page) (string, error) {
		return "", h.App.SetNominations(c.Request.Context(), acc, p.Form.Get("enabled") == "1")
	})
}

func (h *Handler) nominatorQuota(c *gin.Context) {
	h.nominationsPost(c, func(acc app.Access, p *page) (string, error) {
		q, err := strconv.Atoi(strings.TrimSpace(p.Form.Get("quota")))
		if err != nil {
			return "", &contest.FieldError{Fields: map[string]string{"quota": "field.number_invalid"}}
		}
		return "", h.App.SetNominatorQuota(c.Request.Context(), acc, p.Form.Get("user_id"), q)
	})
}

func (h *Handler) inviteNominator(c *gin.Context) {
	h.nominationsPost(c, func(acc app.Access, p *page) (string, error) {
		token, err := h.App.Invite(c.Request.Context(), acc, contest.RoleNominator, strings.TrimSpace(p.Form.Get("nominator_email")))
		if err != nil {
			return "", err
		}
		return h.absURL(c, "/invite/"+token), nil
	})
}
