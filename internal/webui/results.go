package webui

import (
	"net/http"
	"slices"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/tessera/tessera/internal/app"
	"github.com/tessera/tessera/internal/contest"
)

// resultsData is the organizer's ranking page.
type resultsData struct {
	Competition contest.Competition
	Loc         *time.Location
	Rows        []resultRow
	Announced   bool
	AnnouncedAt time.Time
	HasWinner   bool
}

// resultRow is one ranked entry.
type resultRow struct {
	app.ResultRow
	Winner bool
}

func (h *Handler) results(c *gin.Context) {
	acc, err := h.access(c)
	if err != nil {
		h.fail(c, nil, err)
		return
	}
	p, err := h.resultsPage(c, acc)
	if err != nil {
		h.fail(c, nil, err)
		return
	}
	h.render(c, http.StatusOK, p)
}

// resultsPage builds the ranking for an organizer.
func (h *Handler) resultsPage(c *gin.Context, acc app.Access) (*page, error) {
	rows, err := h.App.Results(c.Request.Context(), acc)
	if err != nil {
		return nil, err
	}
	p := h.newPage(c, "results", "results.page_title", acc.Competition.Title)
	p.Path = "/c/" + acc.Competition.Slug + "/results"
	p.fields = []formField{{"at", "results.announce"}}
	d := resultsData{Competition: acc.Competition, Loc: acc.Competition.Location()}
	if at := acc.Competition.AnnouncedAt; at != nil {
		d.Announced, d.AnnouncedAt = true, *at
	}
	for _, r := range rows {
		w := slices.Contains(r.Entry.Awards, contest.AwardWinner)
		d.HasWinner = d.HasWinner || len(r.Entry.Awards) > 0
		d.Rows = append(d.Rows, resultRow{ResultRow: r, Winner: w})
	}
	p.Data = d
	return p, nil
}

// failResults answers an error of a form on the results page.
func (h *Handler) failResults(c *gin.Context, acc app.Access, err error) {
	p, perr := h.resultsPage(c, acc)
	if perr != nil {
		h.fail(c, nil, perr)
		return
	}
	h.fail(c, p, err)
}

func (h *Handler) award(c *gin.Context) {
	acc, err := h.access(c)
	if err != nil {
		h.fail(c, nil, err)
		return
	}
	form, err := postForm(c)
	if err != nil {
		h.fail(c, nil, err)
		return
	}
	kind := contest.AwardKind(form.Get("kind"))
	if kind == "" {
		kind = contest.AwardWinner
	}
	if err := h.App.Award(c.Request.Context(), acc, form.Get("entry_id"), kind); err != nil {
		h.failResults(c, acc, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/c/"+acc.Competition.Slug+"/results")
}

func (h *Handler) announce(c *gin.Context) {
	acc, err := h.access(c)
	if err != nil {
		h.fail(c, nil, err)
		return
	}
	if err := h.App.Announce(c.Request.Context(), acc, time.Time{}); err != nil {
		h.failResults(c, acc, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/c/"+acc.Competition.Slug+"/results")
}
