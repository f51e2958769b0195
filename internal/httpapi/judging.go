package httpapi

import (
	"bytes"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/tessera/tessera/internal/app"
	"github.com/tessera/tessera/internal/contest"
)

// registerJudging lists the routes of rounds, panels, assignments, reviews,
// conflicts, results, awards, the gallery, mail and exports.
func (h *Handler) registerJudging(g *gin.RouterGroup) {
	c := g.Group("/competitions/:slug")
	c.GET("/rounds", h.listRounds)
	c.POST("/rounds", h.createRound)
	c.GET("/rounds/:round", h.getRound)
	c.PATCH("/rounds/:round", h.updateRound)
	c.PUT("/rounds/:round/criteria", h.setRubric)
	c.POST("/rounds/:round/advance", h.advance)

	c.PUT("/rounds/:round/judges", h.setPanel)
	c.DELETE("/rounds/:round/judges/:judge", h.dropJudge)
	c.GET("/rounds/:round/assignments", h.listAssignments)
	c.POST("/rounds/:round/assignments", h.addAssignment)
	c.POST("/rounds/:round/assignments/auto", h.autoAssign)
	c.DELETE("/rounds/:round/assignments/:entry/:judge", h.removeAssignment)

	c.GET("/rounds/:round/queue", h.roundQueue)
	c.GET("/rounds/:round/entries/:id/review", h.getReview)
	c.PUT("/rounds/:round/entries/:id/review", h.saveReview)

	c.GET("/conflicts", h.listConflicts)
	c.POST("/conflicts", h.declareConflict)
	c.DELETE("/conflicts/:conflict", h.deleteConflict)
	c.POST("/recusals", h.recuse)
	c.PUT("/conflict-rules", h.conflictRules)

	c.GET("/rounds/:round/results", h.roundResults)
	c.POST("/rounds/:round/tie-decisions", h.decideTie)
	c.DELETE("/awards/:entry/:kind", h.withdrawAward)
	c.GET("/gallery", h.gallery)
	c.GET("/outbox", h.outbox)

	c.GET("/exports/entries.csv", h.exportEntries)
	c.GET("/exports/audit.csv", h.exportAudit)
	c.GET("/rounds/:round/exports/scores.csv", h.exportScores)
	c.GET("/rounds/:round/exports/results.csv", h.exportResults)
	c.GET("/rounds/:round/exports/media.zip", h.exportMedia)
}

func (h *Handler) listRounds(c *gin.Context) {
	acc, ok := h.access(c)
	if !ok {
		return
	}
	rs, err := h.App.Rounds(c.Request.Context(), acc)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"items": rs})
}

func (h *Handler) createRound(c *gin.Context) {
	acc, ok := h.access(c)
	if !ok {
		return
	}
	var in app.RoundSpec
	if err := bind(c, &in); err != nil {
		h.fail(c, err)
		return
	}
	r, err := h.App.CreateRound(c.Request.Context(), acc, in)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, r)
}

func (h *Handler) getRound(c *gin.Context) {
	acc, ok := h.access(c)
	if !ok {
		return
	}
	r, err := h.App.Round(c.Request.Context(), acc, c.Param("round"))
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, r)
}

func (h *Handler) updateRound(c *gin.Context) {
	acc, ok := h.access(c)
	if !ok {
		return
	}
	var in contest.RoundInput
	if err := bind(c, &in); err != nil {
		h.fail(c, err)
		return
	}
	r, err := h.App.UpdateRound(c.Request.Context(), acc, c.Param("round"), in)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, r)
}

func (h *Handler) setRubric(c *gin.Context) {
	acc, ok := h.access(c)
	if !ok {
		return
	}
	var in struct {
		Criteria []app.CriterionSpec `json:"criteria"`
	}
	if err := bind(c, &in); err != nil {
		h.fail(c, err)
		return
	}
	r, err := h.App.SetRubric(c.Request.Context(), acc, c.Param("round"), in.Criteria)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, r)
}

func (h *Handler) advance(c *gin.Context) {
	acc, ok := h.access(c)
	if !ok {
		return
	}
	var in contest.AdvanceRule
	if err := bind(c, &in); err != nil {
		h.fail(c, err)
		return
	}
	res, err := h.App.Advance(c.Request.Context(), acc, c.Param("round"), in)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, res)
}

func (h *Handler) setPanel(c *gin.Context) {
	acc, ok := h.access(c)
	if !ok {
		return
	}
	var in app.PanelInput
	if err := bind(c, &in); err != nil {
		h.fail(c, err)
		return
	}
	if err := h.App.SetPanel(c.Request.Context(), acc, c.Param("round"), in); err != nil {
		h.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (h *Handler) dropJudge(c *gin.Context) {
	acc, ok := h.access(c)
	if !ok {
		return
	}
	sum, err := h.App.DropJudge(c.Request.Context(), acc, c.Param("round"), c.Param("judge"))
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, sum)
}

func (h *Handler) listAssignments(c *gin.Context) {
	acc, ok := h.access(c)
	if !ok {
		return
	}
	as, loads, err := h.App.Assignments(c.Request.Context(), acc, c.Param("round"))
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"items": as, "judges": loads})
}

func (h *Handler) addAssignment(c *gin.Context) {
	acc, ok := h.access(c)
	if !ok {
		return
	}
	var in app.AssignmentInput
	if err := bind(c, &in); err != nil {
		h.fail(c, err)
		return
	}
	if err := h.App.Assign(c.Request.Context(), acc, c.Param("round"), in); err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, in)
}

func (h *Handler) autoAssign(c *gin.Context) {
	acc, ok := h.access(c)
	if !ok {
		return
	}
	sum, err := h.App.AutoAssign(c.Request.Context(), acc, c.Param("round"))
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, sum)
}

func (h *Handler) removeAssignment(c *gin.Context) {
	acc, ok := h.access(c)
	if !ok {
		return
	}
	if err := h.App.Unassign(c.Request.Context(), acc, c.Param("round"), app.AssignmentInput{EntryID: c.Param("entry"), JudgeID: c.Param("judge")}); err != nil {
		h.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (h *Handler) roundQueue(c *gin.Context) {
	acc, ok := h.access(c)
	if !ok {
		return
	}
	limit, _ := page(c)
	q, err := h.App.JudgeQueuePage(c.Request.Context(), acc, c.Param("round"), c.Query("cursor"), limit)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, q)
}

func (h *Handler) getReview(c *gin.Context) {
	acc, ok := h.access(c)
	if !ok {
		return
	}
	rv, err := h.App.Review(c.Request.Context(), acc, c.Param("round"), c.Param("id"))
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, rv)
}

func (h *Handler) saveReview(c *gin.Context) {
	acc, ok := h.access(c)
	if !ok {
		return
	}
	var in app.ReviewInput
	if err := bind(c, &in); err != nil {
		h.fail(c, err)
		return
	}
	rv, err := h.App.SaveReview(c.Request.Context(), acc, c.Param("round"), c.Param("id"), in)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, rv)
}

func (h *Handler) listConflicts(c *gin.Context) {
	acc, ok := h.access(c)
	if !ok {
		return
	}
	var (
		cs  []app.ConflictView
		err error
	)
	if acc.Has(contest.RoleOrganizer) {
		cs, err = h.App.Conflicts(c.Request.Context(), acc)
	} else {
		cs, err = h.App.MyConflicts(c.Request.Context(), acc)
	}
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"items": cs})
}

func (h *Handler) declareConflict(c *gin.Context) {
	acc, ok := h.access(c)
	if !ok {
		return
	}
	var in app.ConflictInput
	if err := bind(c, &in); err != nil {
		h.fail(c, err)
		return
	}
	cv, err := h.App.DeclareConflict(c.Request.Context(), acc, in)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, cv)
}

func (h *Handler) deleteConflict(c *gin.Context) {
	acc, ok := h.access(c)
	if !ok {
		return
	}
	var err error
	if acc.Has(contest.RoleOrganizer) {
		err = h.App.RemoveConflict(c.Request.Context(), acc, c.Param("conflict"))
	} else {
		err = h.App.WithdrawConflict(c.Request.Context(), acc, c.Param("conflict"))
	}
	if err != nil {
		h.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (h *Handler) recuse(c *gin.Context) {
	acc, ok := h.access(c)
	if !ok {
		return
	}
	var in app.RecuseInput
	if err := bind(c, &in); err != nil {
		h.fail(c, err)
		return
	}
	cv, err := h.App.Recuse(c.Request.Context(), acc, in)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, cv)
}

func (h *Handler) conflictRules(c *gin.Context) {
	acc, ok := h.access(c)
	if !ok {
		return
	}
	var in struct {
		SameCountry bool `json:"same_country"`
	}
	if err := bind(c, &in); err != nil {
		h.fail(c, err)
		return
	}
	if err := h.App.SetConflictCountry(c.Request.Context(), acc, in.SameCountry); err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, in)
}

// resultLineJSON is one line of a round's results.
type resultLineJSON struct {
	Rank         int           `json:"rank"`
	Tied         bool          `json:"tied"`
	Raw          float64       `json:"raw"`
	Normalised   *float64      `json:"normalised"`
	Scores       int           `json:"scores"`
	Quorum       int           `json:"quorum"`
	Spread       float64       `json:"spread"`
	Disagreement bool          `json:"disagreement"`
	TopMarks     int           `json:"top_marks"`
	TieDecision  string        `json:"tie_decision,omitempty"`
	Entry        app.EntryView `json:"entry"`
}

func (h *Handler) roundResults(c *gin.Context) {
	acc, ok := h.access(c)
	if !ok {
		return
	}
	res, err := h.App.RoundResults(c.Request.Context(), acc, c.Param("round"), contest.RankBy(c.Query("rank_by")))
	if err != nil {
		h.fail(c, err)
		return
	}
	type categoryJSON struct {
		ID    string           `json:"id"`
		Name  string           `json:"name"`
		Lines []resultLineJSON `json:"items"`
	}
	cats := make([]categoryJSON, 0, len(res.Categories))
	for _, cr := range res.Categories {
		cj := categoryJSON{ID: cr.Category.ID, Name: cr.Category.Name, Lines: []resultLineJSON{}}
		for _, l := range cr.Lines {
			cj.Lines = append(cj.Lines, resultLineJSON{Rank: l.Rank, Tied: l.Tied, Raw: l.Raw, Normalised: l.Normalised, Scores: l.Scores, Quorum: l.Quorum,
				Spread: l.Spread, Disagreement: l.Disagree, TopMarks: l.TopMarks, TieDecision: l.Decision, Entry: l.Entry})
		}
		cats = append(cats, cj)
	}
	c.JSON(http.StatusOK, gin.H{"round": res.Round, "rank_by": res.RankBy, "categories": cats})
}

func (h *Handler) decideTie(c *gin.Context) {
	acc, ok := h.access(c)
	if !ok {
		return
	}
	var in app.TieDecisionInput
	if err := bind(c, &in); err != nil {
		h.fail(c, err)
		return
	}
	if err := h.App.DecideTie(c.Request.Context(), acc, c.Param("round"), in); err != nil {
		h.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (h *Handler) withdrawAward(c *gin.Context) {
	acc, ok := h.access(c)
	if !ok {
		return
	}
	if err := h.App.WithdrawAward(c.Request.Context(), acc, c.Param("entry"), contest.AwardKind(c.Param("kind"))); err != nil {
		h.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (h *Handler) gallery(c *gin.Context) {
	acc, ok := h.access(c)
	if !ok {
		return
	}
	limit, _ := page(c)
	p, err := h.App.GalleryPage(c.Request.Context(), acc, c.Query("cursor"), limit)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, p)
}

func (h *Handler) outbox(c *gin.Context) {
	acc, ok := h.access(c)
	if !ok {
		return
	}
	ms, err := h.App.Outbox(c.Request.Context(), acc)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"items": ms})
}

// csvExport buffers a CSV (small: rows of text) so a failure still answers
// a problem instead of a cut-off file.
func (h *Handler) csvExport(c *gin.Context, name string, write func(w *bytes.Buffer) error) {
	var buf bytes.Buffer
	if err := write(&buf); err != nil {
		h.fail(c, err)
		return
	}
	c.Header("Content-Disposition", `attachment; filename="`+name+`"`)
	c.Data(http.StatusOK, "text/csv; charset=utf-8", buf.Bytes())
}

func (h *Handler) exportEntries(c *gin.Context) {
	acc, ok := h.access(c)
	if !ok {
		return
	}
	h.csvExport(c, acc.Competition.Slug+"-entries.csv", func(w *bytes.Buffer) error { return h.App.ExportEntries(c.Request.Context(), acc, w) })
}

func (h *Handler) exportAudit(c *gin.Context) {
	acc, ok := h.access(c)
	if !ok {
		return
	}
	h.csvExport(c, acc.Competition.Slug+"-audit.csv", func(w *bytes.Buffer) error { return h.App.ExportAudit(c.Request.Context(), acc, w) })
}

func (h *Handler) exportScores(c *gin.Context) {
	acc, ok := h.access(c)
	if !ok {
		return
	}
	h.csvExport(c, acc.Competition.Slug+"-scores.csv", func(w *bytes.Buffer) error {
		return h.App.ExportScores(c.Request.Context(), acc, c.Param("round"), w)
	})
}

func (h *Handler) exportResults(c *gin.Context) {
	acc, ok := h.access(c)
	if !ok {
		return
	}
	h.csvExport(c, acc.Competition.Slug+"-results.csv", func(w *bytes.Buffer) error {
		return h.App.ExportResults(c.Request.Context(), acc, c.Param("round"), w)
	})
}

// exportMedia streams the ZIP straight to the client: the permission check
// runs first, so errors before the first byte are problems; after it, a
// failure cuts the download short (the client sees a broken archive).
func (h *Handler) exportMedia(c *gin.Context) {
	acc, ok := h.access(c)
	if !ok {
		return
	}
	originals, _ := strconv.ParseBool(c.Query("originals"))
	r, err := h.App.CheckMediaZIP(c.Request.Context(), acc, c.Param("round"))
	if err != nil {
		h.fail(c, err)
		return
	}
	kind := "judge-copies"
	if originals {
		kind = "originals"
	}
	c.Header("Content-Type", "application/zip")
	c.Header("Content-Disposition", `attachment; filename="`+acc.Competition.Slug+"-round-"+strconv.Itoa(r.Position)+"-"+kind+`.zip"`)
	c.Header("Last-Modified", time.Now().UTC().Format(http.TimeFormat))
	c.Status(http.StatusOK)
	if err := h.App.MediaZIP(c.Request.Context(), acc, r.ID, originals, c.Writer); err != nil {
		h.Logger.Warn("media export cut short", "round", r.ID, "err", err)
		c.Abort()
	}
}
