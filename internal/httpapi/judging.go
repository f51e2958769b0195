package httpapi

import (
	"bytes"
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/tessera/tessera/internal/app"
	"github.com/tessera/tessera/internal/contest"
)

func (h *Handler) listRounds(c *gin.Context) {
	answer(h, c, http.StatusOK, func(ctx context.Context, acc app.Access) (gin.H, error) {
		rs, err := h.App.Rounds(ctx, acc)
		return gin.H{"items": rs}, err
	})
}

func (h *Handler) createRound(c *gin.Context) {
	call(h, c, http.StatusCreated, role(contest.RoleOrganizer), func(ctx context.Context, acc app.Access, in app.RoundSpec) (app.RoundView, error) {
		return h.App.CreateRound(ctx, acc, in)
	})
}

func (h *Handler) getRound(c *gin.Context) {
	answer(h, c, http.StatusOK, func(ctx context.Context, acc app.Access) (app.RoundView, error) {
		return h.App.Round(ctx, acc, c.Param("round"))
	})
}

func (h *Handler) updateRound(c *gin.Context) {
	call(h, c, http.StatusOK, role(contest.RoleOrganizer), func(ctx context.Context, acc app.Access, in contest.RoundInput) (app.RoundView, error) {
		return h.App.UpdateRound(ctx, acc, c.Param("round"), in)
	})
}

type rubricInput struct {
	Criteria []app.CriterionSpec `json:"criteria"`
}

func (h *Handler) setRubric(c *gin.Context) {
	call(h, c, http.StatusOK, role(contest.RoleOrganizer), func(ctx context.Context, acc app.Access, in rubricInput) (app.RoundView, error) {
		return h.App.SetRubric(ctx, acc, c.Param("round"), in.Criteria)
	})
}

func (h *Handler) advance(c *gin.Context) {
	call(h, c, http.StatusOK, role(contest.RoleOrganizer), func(ctx context.Context, acc app.Access, in contest.AdvanceRule) (app.AdvanceResult, error) {
		return h.App.Advance(ctx, acc, c.Param("round"), in)
	})
}

func (h *Handler) setPanel(c *gin.Context) {
	call(h, c, http.StatusNoContent, role(contest.RoleOrganizer), func(ctx context.Context, acc app.Access, in app.PanelInput) (none, error) {
		return none{}, h.App.SetPanel(ctx, acc, c.Param("round"), in)
	})
}

func (h *Handler) dropJudge(c *gin.Context) {
	answer(h, c, http.StatusOK, func(ctx context.Context, acc app.Access) (app.AssignSummary, error) {
		return h.App.DropJudge(ctx, acc, c.Param("round"), c.Param("judge"))
	})
}

func (h *Handler) listAssignments(c *gin.Context) {
	answer(h, c, http.StatusOK, func(ctx context.Context, acc app.Access) (gin.H, error) {
		as, loads, err := h.App.Assignments(ctx, acc, c.Param("round"))
		return gin.H{"items": as, "judges": loads}, err
	})
}

func (h *Handler) addAssignment(c *gin.Context) {
	call(h, c, http.StatusCreated, role(contest.RoleOrganizer), func(ctx context.Context, acc app.Access, in app.AssignmentInput) (app.AssignmentInput, error) {
		return in, h.App.Assign(ctx, acc, c.Param("round"), in)
	})
}

func (h *Handler) autoAssign(c *gin.Context) {
	answer(h, c, http.StatusOK, func(ctx context.Context, acc app.Access) (app.AssignSummary, error) {
		return h.App.AutoAssign(ctx, acc, c.Param("round"))
	})
}

func (h *Handler) removeAssignment(c *gin.Context) {
	answer(h, c, http.StatusNoContent, func(ctx context.Context, acc app.Access) (none, error) {
		return none{}, h.App.Unassign(ctx, acc, c.Param("round"), app.AssignmentInput{EntryID: c.Param("entry"), JudgeID: c.Param("judge")})
	})
}

func (h *Handler) roundQueue(c *gin.Context) {
	answer(h, c, http.StatusOK, func(ctx context.Context, acc app.Access) (app.QueuePage, error) {
		limit, _ := page(c)
		return h.App.JudgeQueuePage(ctx, acc, c.Param("round"), c.Query("cursor"), limit)
	})
}

func (h *Handler) getReview(c *gin.Context) {
	answer(h, c, http.StatusOK, func(ctx context.Context, acc app.Access) (app.ReviewView, error) {
		return h.App.Review(ctx, acc, c.Param("round"), c.Param("id"))
	})
}

func (h *Handler) saveReview(c *gin.Context) {
	call(h, c, http.StatusOK, role(contest.RoleJudge), func(ctx context.Context, acc app.Access, in app.ReviewInput) (app.ReviewView, error) {
		return h.App.SaveReview(ctx, acc, c.Param("round"), c.Param("id"), in)
	})
}

func (h *Handler) listConflicts(c *gin.Context) {
	answer(h, c, http.StatusOK, func(ctx context.Context, acc app.Access) (gin.H, error) {
		list := h.App.MyConflicts
		if acc.Has(contest.RoleOrganizer) {
			list = h.App.Conflicts
		}
		cs, err := list(ctx, acc)
		return gin.H{"items": cs}, err
	})
}

func (h *Handler) declareConflict(c *gin.Context) {
	call(h, c, http.StatusCreated, role(contest.RoleJudge), func(ctx context.Context, acc app.Access, in app.ConflictInput) (app.ConflictView, error) {
		return h.App.DeclareConflict(ctx, acc, in)
	})
}

func (h *Handler) deleteConflict(c *gin.Context) {
	answer(h, c, http.StatusNoContent, func(ctx context.Context, acc app.Access) (none, error) {
		remove := h.App.WithdrawConflict
		if acc.Has(contest.RoleOrganizer) {
			remove = h.App.RemoveConflict
		}
		return none{}, remove(ctx, acc, c.Param("conflict"))
	})
}

// conflictDecisionInput is an organizer's optional note on a decision.
type conflictDecisionInput app.ConflictDecision

func (conflictDecisionInput) bodyOptional() {}

func (h *Handler) confirmConflict(c *gin.Context) {
	call(h, c, http.StatusOK, role(contest.RoleOrganizer), func(ctx context.Context, acc app.Access, in conflictDecisionInput) (app.ConflictView, error) {
		return h.App.ConfirmConflict(ctx, acc, c.Param("conflict"), app.ConflictDecision(in))
	})
}

func (h *Handler) declineConflict(c *gin.Context) {
	call(h, c, http.StatusOK, role(contest.RoleOrganizer), func(ctx context.Context, acc app.Access, in conflictDecisionInput) (app.ConflictView, error) {
		return h.App.DeclineConflict(ctx, acc, c.Param("conflict"), app.ConflictDecision(in))
	})
}

func (h *Handler) recuse(c *gin.Context) {
	call(h, c, http.StatusCreated, role(contest.RoleOrganizer), func(ctx context.Context, acc app.Access, in app.RecuseInput) (app.ConflictView, error) {
		return h.App.Recuse(ctx, acc, in)
	})
}

type conflictRulesInput struct {
	SameCountry bool `json:"same_country"`
}

func (h *Handler) conflictRules(c *gin.Context) {
	call(h, c, http.StatusOK, role(contest.RoleOrganizer), func(ctx context.Context, acc app.Access, in conflictRulesInput) (conflictRulesInput, error) {
		return in, h.App.SetConflictCountry(ctx, acc, in.SameCountry)
	})
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
	type categoryJSON struct {
		ID    string           `json:"id"`
		Name  string           `json:"name"`
		Lines []resultLineJSON `json:"items"`
	}
	answer(h, c, http.StatusOK, func(ctx context.Context, acc app.Access) (gin.H, error) {
		res, err := h.App.RoundResults(ctx, acc, c.Param("round"), contest.RankBy(c.Query("rank_by")))
		if err != nil {
			return nil, err
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
		return gin.H{"round": res.Round, "rank_by": res.RankBy, "categories": cats}, nil
	})
}

func (h *Handler) decideTie(c *gin.Context) {
	call(h, c, http.StatusNoContent, role(contest.RoleOrganizer), func(ctx context.Context, acc app.Access, in app.TieDecisionInput) (none, error) {
		return none{}, h.App.DecideTie(ctx, acc, c.Param("round"), in)
	})
}

func (h *Handler) giveAward(c *gin.Context) {
	call(h, c, http.StatusCreated, role(contest.RoleOrganizer), func(ctx context.Context, acc app.Access, in app.AwardInput) (app.AwardInput, error) {
		return in, h.App.GiveAward(ctx, acc, c.Param("round"), in)
	})
}

func (h *Handler) withdrawAward(c *gin.Context) {
	answer(h, c, http.StatusNoContent, func(ctx context.Context, acc app.Access) (none, error) {
		in := app.AwardInput{EntryID: c.Param("entry"), Kind: contest.AwardKind(c.Param("kind"))}
		return none{}, h.App.WithdrawAward(ctx, acc, c.Param("round"), in)
	})
}

// announce schedules the announcement: {"now": true} or {"at": time}.
func (h *Handler) announce(c *gin.Context) {
	call(h, c, http.StatusOK, role(contest.RoleOrganizer), func(ctx context.Context, acc app.Access, in app.AnnouncementInput) (gin.H, error) {
		at, err := h.App.Announce(ctx, acc, c.Param("round"), in)
		if err != nil {
			return nil, err
		}
		return gin.H{"announced_at": at}, nil
	})
}

func (h *Handler) gallery(c *gin.Context) {
	answer(h, c, http.StatusOK, func(ctx context.Context, acc app.Access) (app.GalleryPage, error) {
		limit, _ := page(c)
		return h.App.GalleryPage(ctx, acc, c.Query("cursor"), limit)
	})
}

func (h *Handler) outbox(c *gin.Context) {
	answer(h, c, http.StatusOK, func(ctx context.Context, acc app.Access) (gin.H, error) {
		ms, err := h.App.Outbox(ctx, acc)
		return gin.H{"items": ms}, err
	})
}

// csvExport answers a CSV export named <slug>-<name>.csv, buffered (small:
// rows of text) so a failure still answers a problem instead of a cut-off
// file.
func (h *Handler) csvExport(c *gin.Context, name string, write func(ctx context.Context, acc app.Access, w *bytes.Buffer) error) {
	acc, ok := h.access(c)
	if !ok {
		return
	}
	var buf bytes.Buffer
	if err := write(c.Request.Context(), acc, &buf); err != nil {
		h.fail(c, err)
		return
	}
	c.Header("Content-Disposition", `attachment; filename="`+acc.Competition.Slug+"-"+name+`.csv"`)
	c.Data(http.StatusOK, "text/csv; charset=utf-8", buf.Bytes())
}

func (h *Handler) exportEntries(c *gin.Context) {
	h.csvExport(c, "entries", func(ctx context.Context, acc app.Access, w *bytes.Buffer) error {
		return h.App.ExportEntries(ctx, acc, w)
	})
}

func (h *Handler) exportAudit(c *gin.Context) {
	h.csvExport(c, "audit", func(ctx context.Context, acc app.Access, w *bytes.Buffer) error {
		return h.App.ExportAudit(ctx, acc, w)
	})
}

func (h *Handler) exportScores(c *gin.Context) {
	h.csvExport(c, "scores", func(ctx context.Context, acc app.Access, w *bytes.Buffer) error {
		return h.App.ExportScores(ctx, acc, c.Param("round"), w)
	})
}

func (h *Handler) exportResults(c *gin.Context) {
	h.csvExport(c, "results", func(ctx context.Context, acc app.Access, w *bytes.Buffer) error {
		return h.App.ExportResults(ctx, acc, c.Param("round"), w)
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
