package webui

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/tessera/tessera/internal/app"
	"github.com/tessera/tessera/internal/contest"
)

// roundQueueData is a judge's queue in one round.
type roundQueueData struct {
	Competition contest.Competition
	Page        app.QueuePage
}

func (h *Handler) roundQueue(c *gin.Context) {
	acc, err := h.access(c)
	if err != nil {
		h.fail(c, nil, err)
		return
	}
	q, err := h.App.JudgeQueuePage(c.Request.Context(), acc, c.Param("round"), c.Query("after"), 50)
	if err != nil {
		h.fail(c, nil, err)
		return
	}
	p := h.newPage(c, "round_queue", "queue.page_title", q.Round.Name, acc.Competition.Title)
	p.Data = roundQueueData{Competition: acc.Competition, Page: q}
	h.render(c, http.StatusOK, p)
}

// reviewData is the scoring page of one entry.
type reviewData struct {
	Competition contest.Competition
	Review      app.ReviewView
	Rows        []reviewRow
	// Nav is the judge's way through their queue: the entries before and
	// after this one.
	Nav app.QueueNeighbours
	// Essay is the entry's essay, rendered for reading, when it is one.
	Essay *app.Essay
	// Comments opens the note and feedback: they hold text.
	Comments bool
}

// maxRadioScale is the longest scale offered as a row of choices; a longer
// one (0–100) is a number field.
const maxRadioScale = 11

// reviewRow is one criterion with its choices and the judge's mark.
type reviewRow struct {
	app.CriterionView
	Field  string
	Values []int  // the choices, when the scale is short enough for a row
	Mark   string // current value as submitted or stored ("" when none)
}

func (h *Handler) reviewPage(c *gin.Context) {
	acc, err := h.access(c)
	if err != nil {
		h.fail(c, nil, err)
		return
	}
	rv, err := h.App.Review(c.Request.Context(), acc, c.Param("round"), c.Param("id"))
	if err != nil {
		h.fail(c, nil, err)
		return
	}
	p, err := h.reviewPageFor(c, acc, rv, nil)
	if err != nil {
		h.fail(c, nil, err)
		return
	}
	switch c.Query("saved") {
	case "draft":
		p.Notice = h.t(p, "review.saved_draft")
	case "submitted":
		p.Notice = h.t(p, "review.saved_submitted")
	case "previous":
		p.Notice = h.t(p, "review.saved_previous")
	}
	h.render(c, http.StatusOK, p)
}

func (h *Handler) reviewPageFor(c *gin.Context, acc app.Access, rv app.ReviewView, form url.Values) (*page, error) {
	p := h.newPage(c, "review", "review.page_title", rv.Entry.Title)
	p.Path = reviewPath(acc.Competition.Slug, rv.Round.ID, rv.Entry.ID)
	p.Form = form
	d := reviewData{Competition: acc.Competition, Review: rv}
	for _, cr := range rv.Round.Criteria {
		row := reviewRow{CriterionView: cr, Field: "c_" + cr.ID}
		if cr.ScaleMax-cr.ScaleMin < maxRadioScale {
			for v := cr.ScaleMin; v <= cr.ScaleMax; v++ {
				row.Values = append(row.Values, v)
			}
		}
		if form != nil {
			row.Mark = form.Get(row.Field)
		} else if v, ok := rv.Scores[cr.ID]; ok {
			row.Mark = strconv.Itoa(v)
		}
		d.Rows = append(d.Rows, row)
		p.fields = append(p.fields, formField{Name: row.Field, Label: cr.Name})
	}
	if form != nil {
		d.Comments = form.Get("note") != "" || form.Get("feedback") != ""
	} else {
		d.Comments = rv.Note != "" || rv.Feedback != ""
	}
	nav, err := h.App.ReviewNeighbours(c.Request.Context(), acc, rv.Round.ID, rv.Entry.ID)
	if err != nil {
		return nil, err
	}
	d.Nav = nav
	if rv.Entry.Medium == contest.MediumEssay {
		es, err := h.App.RoundEssay(c.Request.Context(), acc, rv.Round.ID, rv.Entry.ID)
		switch {
		case err == nil:
			d.Essay = &es
		case !errors.Is(err, contest.ErrNotFound): // no essay file: nothing to read
			return nil, err
		}
	}
	p.Data = d
	return p, nil
}

// failReview answers a refused review: the page again, each message beside
// its field.
func (h *Handler) failReview(c *gin.Context, acc app.Access, rv app.ReviewView, form url.Values, err error) {
	p, perr := h.reviewPageFor(c, acc, rv, form)
	if perr != nil {
		h.fail(c, nil, perr)
		return
	}
	h.fail(c, p, err)
}

func (h *Handler) saveReview(c *gin.Context) {
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
	round, id := c.Param("round"), c.Param("id")
	rv, err := h.App.Review(c.Request.Context(), acc, round, id)
	if err != nil {
		h.fail(c, nil, err)
		return
	}
	action := form.Get("action")
	in := app.ReviewInput{Scores: map[string]int{}, Note: form.Get("note"), Feedback: form.Get("feedback"),
		Submit: action == "submit" || action == "submit_next"}
	fe := contest.FieldError{}
	for _, cr := range rv.Round.Criteria {
		raw := strings.TrimSpace(form.Get("c_" + cr.ID))
		if raw == "" {
			continue
		}
		v, err := strconv.Atoi(raw)
		if err != nil {
			fe.Add("c_"+cr.ID, "score.out_of_range")
			continue
		}
		in.Scores[cr.ID] = v
	}
	if err := fe.Err(); err != nil {
		h.failReview(c, acc, rv, form, err)
		return
	}
	if _, err := h.App.SaveReview(c.Request.Context(), acc, round, id, in); err != nil {
		var fe *contest.FieldError
		if errors.As(err, &fe) {
			// Criterion ids come back as field names: point them at the inputs.
			mapped := &contest.FieldError{}
			for k, v := range fe.Fields {
				if k == "note" || k == "feedback" {
					mapped.Add(k, v)
				} else {
					mapped.Add("c_"+k, v)
				}
			}
			err = mapped
		}
		h.failReview(c, acc, rv, form, err)
		return
	}
	saved := "draft"
	if in.Submit || rv.Submitted {
		saved = "submitted"
	}
	next := reviewPath(acc.Competition.Slug, round, id) + "?saved=" + saved
	switch {
	case action == "submit_next":
		// On to the next entry of the judge's own queue, found now (not
		// taken from the form); the queue when this was the last.
		nav, err := h.App.ReviewNeighbours(c.Request.Context(), acc, round, id)
		if err != nil {
			h.fail(c, nil, err)
			return
		}
		next = queuePath(acc.Competition.Slug, round)
		if nav.Next != nil {
			next = reviewPath(acc.Competition.Slug, round, nav.Next.ID) + "?saved=previous"
		}
	case in.Submit && form.Get("next") == "queue":
		next = queuePath(acc.Competition.Slug, round)
	}
	c.Redirect(http.StatusSeeOther, next)
}
