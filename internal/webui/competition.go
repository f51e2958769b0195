package webui

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/tessera/tessera/internal/app"
	"github.com/tessera/tessera/internal/auth"
	"github.com/tessera/tessera/internal/contest"
	"github.com/tessera/tessera/internal/failure"
)

// competitionData is the competition page.
type competitionData struct {
	app.Overview
	Loc        *time.Location
	Window     string // open, grace, not_open or closed
	WindowText string
	Remaining  string
	GraceEnds  time.Time
	Categories []categoryView
	Criteria   []criterionView
	CanEnter   bool
	MyEntries  []app.EntryView
	Judging    *app.QueuePage // the active round's progress, for judges
	Organizer  bool
	InviteLink string
	Announced  bool
}

// categoryView is a category with the file types it accepts.
type categoryView struct {
	contest.Category
	Types string // for people: "JPEG, PNG"
}

// criterionView is a rubric line with its share of the total.
type criterionView struct {
	contest.Criterion
	Percent float64
}

// access loads the competition named in the path and the caller's roles.
func (h *Handler) access(c *gin.Context) (app.Access, error) {
	ctx := c.Request.Context()
	return h.App.AccessFor(ctx, auth.UserFrom(ctx), c.Param("slug"))
}

func (h *Handler) competition(c *gin.Context) {
	acc, err := h.access(c)
	if err != nil {
		h.fail(c, nil, err)
		return
	}
	p, err := h.competitionPage(c, acc)
	if err != nil {
		h.fail(c, nil, err)
		return
	}
	h.render(c, http.StatusOK, p)
}

// competitionPage builds the competition page for the caller.
func (h *Handler) competitionPage(c *gin.Context, acc app.Access) (*page, error) {
	ctx := c.Request.Context()
	ov, err := h.App.Overview(ctx, acc)
	if err != nil {
		return nil, err
	}
	p := h.newPage(c, "competition", "competition.page_title", acc.Competition.Title)
	p.Path = "/c/" + acc.Competition.Slug
	p.fields = []formField{{"invite_email", "invite.email"}, {"role", "invite.role"}}
	now := h.App.Now()
	comp := acc.Competition
	d := competitionData{
		Overview:  ov,
		Loc:       comp.Location(),
		GraceEnds: comp.ClosesAt.Add(time.Duration(comp.GraceMin) * time.Minute),
		Organizer: acc.Has(contest.RoleOrganizer),
		Announced: comp.Announced(now),
	}
	d.WindowText = h.t(p, windowKey(ov.Window))
	switch ov.Window {
	case contest.WindowNotYetOpen:
		d.Window = "not_open"
	case contest.WindowOpen:
		d.Window = "open"
		d.Remaining = h.remaining(p.Lang, comp.ClosesAt.Sub(now))
		d.CanEnter = true
	case contest.WindowGrace:
		d.Window = "grace"
	default:
		d.Window = "closed"
	}
	for _, cat := range ov.Categories {
		d.Categories = append(d.Categories, categoryView{Category: cat, Types: typesLabel(h.t(p, "list.separator"), cat.Medium)})
	}
	var total float64
	for _, cr := range ov.Criteria {
		total += cr.Weight
	}
	for _, cr := range ov.Criteria {
		cv := criterionView{Criterion: cr}
		if total > 0 {
			cv.Percent = cr.Weight / total * 100
		}
		d.Criteria = append(d.Criteria, cv)
	}
	if acc.SignedIn() {
		if d.MyEntries, err = h.App.MyEntries(ctx, acc); err != nil {
			return nil, err
		}
	}
	if acc.Has(contest.RoleJudge) {
		q, err := h.App.JudgeQueuePage(ctx, acc, "", "", 1)
		if err != nil {
			return nil, err
		}
		d.Judging = &q
	}
	p.Data = d
	return p, nil
}

func (h *Handler) invite(c *gin.Context) {
	acc, err := h.access(c)
	if err != nil {
		h.fail(c, nil, err)
		return
	}
	if err := acc.Require(contest.RoleOrganizer); err != nil {
		h.fail(c, nil, err)
		return
	}
	p, err := h.competitionPage(c, acc)
	if err != nil {
		h.fail(c, nil, err)
		return
	}
	if p.Form, err = postForm(c); err != nil {
		h.fail(c, nil, err)
		return
	}
	token, err := h.App.Invite(c.Request.Context(), acc, contest.RoleJudge, strings.TrimSpace(c.PostForm("invite_email")))
	if err != nil {
		h.fail(c, p, err)
		return
	}
	d := p.Data.(competitionData)
	d.InviteLink = h.absURL(c, "/invite/"+token)
	p.Data = d
	p.Form = nil
	h.render(c, http.StatusOK, p)
}

// postForm parses the request's form body.
func postForm(c *gin.Context) (url.Values, error) {
	if err := c.Request.ParseForm(); err != nil {
		return nil, failure.BadRequest(err)
	}
	return c.Request.PostForm, nil
}

// absURL makes an absolute URL on the host the request came to.
func (h *Handler) absURL(c *gin.Context, path string) string {
	scheme := "http"
	if h.Secure || c.Request.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + c.Request.Host + path
}
