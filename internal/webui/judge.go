package webui

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/tessera/tessera/internal/app"
	"github.com/tessera/tessera/internal/contest"
)

// judgeData is a judge's way into their rounds when there is not exactly
// one open round to send them to.
type judgeData struct {
	Competition contest.Competition
	Loc         *time.Location
	Open        []roundProgress // open rounds with entries for this judge
	Closed      []roundProgress // closed rounds they judged (read-only)
	Next        *app.RoundView  // the next round to open, if any
}

// roundProgress is one round with the judge's progress over its queue.
type roundProgress struct {
	app.RoundView
	Scored, Total int
}

// judgeHome sends a judge where their work is: straight to the paged queue
// of the one open round with entries for them; with several, a choice with
// each round's progress; with none, when the next round opens.
func (h *Handler) judgeHome(c *gin.Context) {
	acc, err := h.access(c)
	if err != nil {
		h.fail(c, nil, err)
		return
	}
	if err := acc.Require(contest.RoleJudge); err != nil {
		h.fail(c, nil, err)
		return
	}
	ctx := c.Request.Context()
	rounds, err := h.App.Rounds(ctx, acc)
	if err != nil {
		h.fail(c, nil, err)
		return
	}
	d := judgeData{Competition: acc.Competition, Loc: acc.Competition.Location()}
	for _, r := range rounds {
		if r.State == contest.RoundPending {
			if d.Next == nil || r.OpensAt.Before(d.Next.OpensAt) {
				d.Next = &r
			}
			continue
		}
		q, err := h.App.JudgeQueuePage(ctx, acc, r.ID, "", 1)
		if err != nil {
			h.fail(c, nil, err)
			return
		}
		if q.Total == 0 {
			continue
		}
		rp := roundProgress{RoundView: r, Scored: q.Scored, Total: q.Total}
		if r.State == contest.RoundOpen {
			d.Open = append(d.Open, rp)
		} else {
			d.Closed = append(d.Closed, rp)
		}
	}
	if len(d.Open) == 1 {
		c.Redirect(http.StatusSeeOther, queuePath(acc.Competition.Slug, d.Open[0].ID))
		return
	}
	p := h.newPage(c, "judge", "judge.page_title", acc.Competition.Title)
	p.Path = "/c/" + acc.Competition.Slug + "/judge"
	p.Data = d
	h.render(c, http.StatusOK, p)
}

// queuePath is the address of a judge's paged queue in a round.
func queuePath(slug, roundID string) string {
	return "/c/" + slug + "/rounds/" + roundID + "/queue"
}

// reviewPath is a judge's review page of an entry in a round.
func reviewPath(slug, roundID, entryID string) string {
	return "/c/" + slug + "/rounds/" + roundID + "/review/" + entryID
}
