package webui

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/tessera/tessera/internal/app"
	"github.com/tessera/tessera/internal/contest"
)

// roundsData is the list of a competition's rounds.
type roundsData struct {
	Competition contest.Competition
	Loc         *time.Location
	Rounds      []app.RoundView
	Categories  []contest.Category
	Organizer   bool
	Judge       bool
}

// pageBuilder makes a page for the caller; form holds the values of a form
// being re-rendered (nil on a plain GET).
type pageBuilder func(c *gin.Context, acc app.Access, form url.Values) (*page, error)

// showPage answers a GET with the page build makes for the caller.
func (h *Handler) showPage(c *gin.Context, build pageBuilder) {
	acc, err := h.access(c)
	if err != nil {
		h.fail(c, nil, err)
		return
	}
	p, err := build(c, acc, nil)
	if err != nil {
		h.fail(c, nil, err)
		return
	}
	h.render(c, http.StatusOK, p)
}

func (h *Handler) roundsPage(c *gin.Context) { h.showPage(c, h.roundsPageFor) }

func (h *Handler) roundsPageFor(c *gin.Context, acc app.Access, form url.Values) (*page, error) {
	rs, err := h.App.Rounds(c.Request.Context(), acc)
	if err != nil {
		return nil, err
	}
	cats, err := h.App.DB.Categories(c.Request.Context(), acc.Competition.ID)
	if err != nil {
		return nil, err
	}
	p := h.newPage(c, "rounds", "rounds.page_title", acc.Competition.Title)
	p.Path = "/c/" + acc.Competition.Slug + "/rounds"
	p.Form = form
	p.fields = []formField{{"name", "rounds.name"}, {"opens_at", "rounds.opens_at"}, {"closes_at", "rounds.closes_at"}, {"quorum", "rounds.quorum"}, {"criteria", "rounds.criteria"}, {"tie_breaks", "rounds.tie_breaks"}}
	p.Data = roundsData{Competition: acc.Competition, Loc: acc.Competition.Location(), Rounds: rs, Categories: cats,
		Organizer: acc.Has(contest.RoleOrganizer), Judge: acc.Has(contest.RoleJudge)}
	return p, nil
}

// roundInput reads the round settings form; times are in the
// competition's zone.
func roundInput(form url.Values, loc *time.Location) (contest.RoundInput, *contest.FieldError) {
	var fe contest.FieldError
	in := contest.RoundInput{Name: form.Get("name"), CategoryIDs: form["category_ids"], ScoringMode: contest.ScoringMode(form.Get("scoring_mode")),
		ScoreVisibility: contest.ScoreVisibility(form.Get("score_visibility")), RankBy: contest.RankBy(form.Get("rank_by"))}
	blind := form.Get("blind") == "on"
	in.Blind = &blind
	for _, f := range []struct {
		name string
		dst  *time.Time
	}{{"opens_at", &in.OpensAt}, {"closes_at", &in.ClosesAt}} {
		if v := form.Get(f.name); v != "" {
			t, err := time.ParseInLocation(datetimeLocal, v, loc)
			if err != nil {
				fe.Add(f.name, "field.invalid")
			}
			*f.dst = t
		}
	}
	for _, f := range []struct {
		name string
		dst  *int
	}{{"quorum", &in.Quorum}, {"min_scores", &in.MinScores}} {
		if v := strings.TrimSpace(form.Get(f.name)); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil {
				fe.Add(f.name, "field.invalid")
			}
			*f.dst = n
		}
	}
	if v := strings.TrimSpace(form.Get("disagreement")); v != "" {
		x, err := strconv.ParseFloat(v, 64)
		if err != nil {
			fe.Add("disagreement", "field.invalid")
		}
		in.Disagreement = x
	}
	for _, tb := range form["tie_breaks"] {
		in.TieBreaks = append(in.TieBreaks, contest.TieBreak(tb))
	}
	return in, &fe
}

func (h *Handler) createRound(c *gin.Context) {
	var created string
	h.formAction(c, h.roundsPageFor, func(acc app.Access, form url.Values) error {
		in, fe := roundInput(form, acc.Competition.Location())
		if err := fe.Err(); err != nil {
			return err
		}
		spec := app.RoundSpec{RoundInput: in}
		for i := 1; i <= 3; i++ {
			name := strings.TrimSpace(form.Get("criterion_" + strconv.Itoa(i)))
			if name == "" {
				continue
			}
			w, _ := strconv.ParseFloat(form.Get("weight_"+strconv.Itoa(i)), 64)
			spec.Criteria = append(spec.Criteria, app.CriterionSpec{Name: name, Weight: w, ScaleMin: 1, ScaleMax: 10, Excluded: form.Get("excluded_"+strconv.Itoa(i)) == "on"})
		}
		r, err := h.App.CreateRound(c.Request.Context(), acc, spec)
		created = r.ID
		return err
	}, func(acc app.Access) string { return "/c/" + acc.Competition.Slug + "/rounds/" + created })
}

// roundData is the organizer's page of one round.
type roundData struct {
	Competition contest.Competition
	Loc         *time.Location
	Round       app.RoundView
	Categories  []contest.Category
	Assignments []app.AssignmentView
	Judges      []app.JudgeLoad
	OpensAt     string
	ClosesAt    string
	Entries     map[string]int // entry id → judges assigned
}

func (h *Handler) roundPage(c *gin.Context) { h.showPage(c, h.roundPageFor) }

func (h *Handler) roundPageFor(c *gin.Context, acc app.Access, form url.Values) (*page, error) {
	ctx := c.Request.Context()
	if err := acc.Require(contest.RoleOrganizer); err != nil {
		return nil, err
	}
	r, err := h.App.Round(ctx, acc, c.Param("round"))
	if err != nil {
		return nil, err
	}
	as, loads, err := h.App.Assignments(ctx, acc, r.ID)
	if err != nil {
		return nil, err
	}
	cats, err := h.App.DB.Categories(ctx, acc.Competition.ID)
	if err != nil {
		return nil, err
	}
	loc := acc.Competition.Location()
	p := h.newPage(c, "round", "round.page_title", r.Name, acc.Competition.Title)
	p.Path = "/c/" + acc.Competition.Slug + "/rounds/" + r.ID
	p.Form = form
	p.fields = []formField{{"name", "rounds.name"}, {"opens_at", "rounds.opens_at"}, {"closes_at", "rounds.closes_at"}, {"quorum", "rounds.quorum"}, {"judge_id", "round.judge"}, {"entry_id", "round.entry"}, {"rule", "round.advance"}}
	d := roundData{Competition: acc.Competition, Loc: loc, Round: r, Categories: cats, Assignments: as, Judges: loads,
		OpensAt: r.OpensAt.In(loc).Format(datetimeLocal), ClosesAt: r.ClosesAt.In(loc).Format(datetimeLocal), Entries: map[string]int{}}
	for _, a := range as {
		d.Entries[a.EntryID]++
	}
	p.Data = d
	if n := c.Query("done"); n != "" {
		p.Notice = h.t(p, "round.done."+n)
	}
	return p, nil
}

// roundAction runs one organizer form of the round page and returns to it.
func (h *Handler) roundAction(c *gin.Context, done string, fn func(acc app.Access, form url.Values) error) {
	h.formAction(c, h.roundPageFor, fn, func(acc app.Access) string {
		return "/c/" + acc.Competition.Slug + "/rounds/" + c.Param("round") + "?done=" + done
	})
}

// formAction is every form on the round pages: load the caller's access,
// read the form, run fn; a field error re-renders the page built by
// rerender (the error page when nil) with the messages beside their
// fields, anything else goes to the one error page, and success redirects
// to the address next gives.
func (h *Handler) formAction(c *gin.Context, rerender pageBuilder,
	fn func(acc app.Access, form url.Values) error, next func(acc app.Access) string) {
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
	if err := fn(acc, form); err != nil {
		var fe *contest.FieldError
		if !errors.As(err, &fe) {
			h.fail(c, nil, err)
			return
		}
		p, perr := rerender(c, acc, form)
		if perr != nil {
			h.fail(c, nil, perr)
			return
		}
		h.fail(c, p, err)
		return
	}
	c.Redirect(http.StatusSeeOther, next(acc))
}

func (h *Handler) updateRound(c *gin.Context) {
	h.roundAction(c, "saved", func(acc app.Access, form url.Values) error {
		in, fe := roundInput(form, acc.Competition.Location())
		if err := fe.Err(); err != nil {
			return err
		}
		_, err := h.App.UpdateRound(c.Request.Context(), acc, c.Param("round"), in)
		return err
	})
}

func (h *Handler) autoAssign(c *gin.Context) {
	h.roundAction(c, "assigned", func(acc app.Access, _ url.Values) error {
		_, err := h.App.AutoAssign(c.Request.Context(), acc, c.Param("round"))
		return err
	})
}

func (h *Handler) setPanel(c *gin.Context) {
	h.roundAction(c, "panel", func(acc app.Access, form url.Values) error {
		return h.App.SetPanel(c.Request.Context(), acc, c.Param("round"), app.PanelInput{JudgeID: form.Get("judge_id"), CategoryIDs: form["category_ids"]})
	})
}

func (h *Handler) dropJudge(c *gin.Context) {
	h.roundAction(c, "dropped", func(acc app.Access, form url.Values) error {
		_, err := h.App.DropJudge(c.Request.Context(), acc, c.Param("round"), form.Get("judge_id"))
		return err
	})
}

func (h *Handler) recuse(c *gin.Context) {
	h.roundAction(c, "recused", func(acc app.Access, form url.Values) error {
		_, err := h.App.Recuse(c.Request.Context(), acc, app.RecuseInput{JudgeID: form.Get("judge_id"), EntryID: form.Get("entry_id"), Reason: form.Get("reason")})
		return err
	})
}

func (h *Handler) advance(c *gin.Context) {
	h.roundAction(c, "advanced", func(acc app.Access, form url.Values) error {
		var rule contest.AdvanceRule
		switch form.Get("rule") {
		case "top_n":
			rule.TopN, _ = strconv.Atoi(form.Get("top_n"))
		case "threshold":
			x, err := strconv.ParseFloat(form.Get("threshold"), 64)
			if err != nil {
				return &contest.FieldError{Fields: map[string]string{"rule": "advance.rule_invalid"}}
			}
			rule.Threshold = &x
		case "picked":
			rule.EntryIDs = strings.Fields(form.Get("entry_ids"))
		}
		_, err := h.App.Advance(c.Request.Context(), acc, c.Param("round"), rule)
		return err
	})
}

// roundResultsData is the organizer's results of one round.
type roundResultsData struct {
	Competition contest.Competition
	Loc         *time.Location
	Results     app.RoundResults
	Announced   bool
	AnnouncedAt time.Time
	Decision    bool // the round's rules include an organizer decision
	Kinds       []contest.AwardKind
	DefaultAt   string
}

func (h *Handler) roundResults(c *gin.Context) { h.showPage(c, h.roundResultsFor) }

func (h *Handler) roundResultsFor(c *gin.Context, acc app.Access, form url.Values) (*page, error) {
	res, err := h.App.RoundResults(c.Request.Context(), acc, c.Param("round"), contest.RankBy(c.Query("rank_by")))
	if err != nil {
		return nil, err
	}
	loc := acc.Competition.Location()
	p := h.newPage(c, "round_results", "results.round_title", res.Round.Name, acc.Competition.Title)
	p.Path = "/c/" + acc.Competition.Slug + "/rounds/" + res.Round.ID + "/results"
	p.Form = form
	p.fields = []formField{{"entry_ids", "results.tie_entries"}, {"reason", "results.tie_reason"}, {"kind", "results.award"}, {"at", "results.schedule_at"}}
	d := roundResultsData{Competition: acc.Competition, Loc: loc, Results: res,
		Kinds:     []contest.AwardKind{contest.AwardFirst, contest.AwardSecond, contest.AwardThird, contest.AwardHonour, contest.AwardGrand},
		DefaultAt: h.App.Now().In(loc).Add(time.Hour).Format(datetimeLocal)}
	for _, t := range res.Round.TieBreaks {
		d.Decision = d.Decision || t == contest.TieDecision
	}
	if at := acc.Competition.AnnouncedAt; at != nil {
		d.Announced, d.AnnouncedAt = true, *at
	}
	p.Data = d
	return p, nil
}

// resultsAction runs a form of the results page and returns to it.
func (h *Handler) resultsAction(c *gin.Context, fn func(acc app.Access, form url.Values) error) {
	h.formAction(c, h.roundResultsFor, fn, func(acc app.Access) string {
		return "/c/" + acc.Competition.Slug + "/rounds/" + c.Param("round") + "/results"
	})
}

func (h *Handler) decideTie(c *gin.Context) {
	h.resultsAction(c, func(acc app.Access, form url.Values) error {
		return h.App.DecideTie(c.Request.Context(), acc, c.Param("round"), app.TieDecisionInput{EntryIDs: strings.Fields(form.Get("entry_ids")), Reason: form.Get("reason")})
	})
}

func (h *Handler) giveAward(c *gin.Context) {
	h.resultsAction(c, func(acc app.Access, form url.Values) error {
		return h.App.GiveAward(c.Request.Context(), acc, c.Param("round"), app.AwardInput{EntryID: form.Get("entry_id"), Kind: contest.AwardKind(form.Get("kind"))})
	})
}

func (h *Handler) withdrawAward(c *gin.Context) {
	h.resultsAction(c, func(acc app.Access, form url.Values) error {
		return h.App.WithdrawAward(c.Request.Context(), acc, c.Param("round"), app.AwardInput{EntryID: form.Get("entry_id"), Kind: contest.AwardKind(form.Get("kind"))})
	})
}

// scheduleAnnouncement makes the announcement from a round's results page:
// at once ("Announce now"), or at the time given, in the competition's
// zone. Scheduling needs a valid time, shown beside its field otherwise:
// an empty one must never mean "now", which cannot be undone.
func (h *Handler) scheduleAnnouncement(c *gin.Context) {
	h.resultsAction(c, func(acc app.Access, form url.Values) error {
		in := app.AnnouncementInput{Now: form.Get("when") == "now"}
		if !in.Now {
			if v := form.Get("at"); v != "" {
				t, err := time.ParseInLocation(datetimeLocal, v, acc.Competition.Location())
				if err != nil {
					return &contest.FieldError{Fields: map[string]string{"at": "field.invalid"}}
				}
				in.At = &t
			}
		}
		_, err := h.App.Announce(c.Request.Context(), acc, c.Param("round"), in)
		return err
	})
}

// conflictsData is the conflicts page: a judge's own declarations with
// where they stand, or every conflict and recusal for organizers, who
// confirm or decline what judges declare.
type conflictsData struct {
	Competition contest.Competition
	Conflicts   []app.ConflictView
	Organizer   bool
}

func (h *Handler) conflictsPage(c *gin.Context) { h.showPage(c, h.conflictsPageFor) }

func (h *Handler) conflictsPageFor(c *gin.Context, acc app.Access, form url.Values) (*page, error) {
	var (
		cs  []app.ConflictView
		err error
	)
	org := acc.Has(contest.RoleOrganizer)
	if org {
		cs, err = h.App.Conflicts(c.Request.Context(), acc)
	} else {
		cs, err = h.App.MyConflicts(c.Request.Context(), acc)
	}
	if err != nil {
		return nil, err
	}
	p := h.newPage(c, "conflicts", "conflicts.page_title", acc.Competition.Title)
	p.Path = "/c/" + acc.Competition.Slug + "/conflicts"
	p.Form = form
	p.fields = []formField{{"target", "conflicts.target"}, {"note", "conflicts.note"}}
	p.Data = conflictsData{Competition: acc.Competition, Conflicts: cs, Organizer: org}
	return p, nil
}

func (h *Handler) declareConflict(c *gin.Context) {
	h.formAction(c, h.conflictsPageFor, func(acc app.Access, form url.Values) error {
		in := app.ConflictInput{}
		v := form.Get("value")
		switch form.Get("kind") {
		case "organisation":
			in.Organisation = v
		case "country":
			in.Country = v
		case "entrant":
			in.EntrantID = v
		default:
			in.EntryID = v
		}
		_, err := h.App.DeclareConflict(c.Request.Context(), acc, in)
		if errors.As(err, new(*contest.FieldError)) {
			// The form has one target field whatever the kind.
			return &contest.FieldError{Fields: map[string]string{"target": "conflict.target_invalid"}}
		}
		return err
	}, func(acc app.Access) string { return "/c/" + acc.Competition.Slug + "/conflicts" })
}

func (h *Handler) deleteConflict(c *gin.Context) {
	acc, err := h.access(c)
	if err != nil {
		h.fail(c, nil, err)
		return
	}
	if acc.Has(contest.RoleOrganizer) {
		err = h.App.RemoveConflict(c.Request.Context(), acc, c.Param("conflict"))
	} else {
		err = h.App.WithdrawConflict(c.Request.Context(), acc, c.Param("conflict"))
	}
	if err != nil {
		h.fail(c, nil, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/c/"+acc.Competition.Slug+"/conflicts")
}

// confirmConflict puts a judge's pending declaration into effect.
func (h *Handler) confirmConflict(c *gin.Context) {
	h.decideConflict(c, h.App.ConfirmConflict)
}

// declineConflict refuses a judge's pending declaration with a note.
func (h *Handler) declineConflict(c *gin.Context) {
	h.decideConflict(c, h.App.DeclineConflict)
}

func (h *Handler) decideConflict(c *gin.Context, decide func(context.Context, app.Access, string, app.ConflictDecision) (app.ConflictView, error)) {
	h.formAction(c, h.conflictsPageFor, func(acc app.Access, form url.Values) error {
		_, err := decide(c.Request.Context(), acc, c.Param("conflict"), app.ConflictDecision{Note: form.Get("note")})
		return err
	}, func(acc app.Access) string { return "/c/" + acc.Competition.Slug + "/conflicts" })
}

// outboxData is the organizer's view of sent and kept mail.
type outboxData struct {
	Competition contest.Competition
	Loc         *time.Location
	Mail        []app.MailView
}

func (h *Handler) outboxPage(c *gin.Context) {
	h.showPage(c, func(c *gin.Context, acc app.Access, _ url.Values) (*page, error) {
		ms, err := h.App.Outbox(c.Request.Context(), acc)
		if err != nil {
			return nil, err
		}
		p := h.newPage(c, "outbox", "outbox.page_title", acc.Competition.Title)
		p.Data = outboxData{Competition: acc.Competition, Loc: acc.Competition.Location(), Mail: ms}
		return p, nil
	})
}

// auditData is one page of the audit log.
type auditData struct {
	Competition contest.Competition
	Loc         *time.Location
	Events      []contest.AuditEvent
	Next        int64
}

func (h *Handler) auditPage(c *gin.Context) {
	h.showPage(c, func(c *gin.Context, acc app.Access, _ url.Values) (*page, error) {
		if err := acc.Require(contest.RoleOrganizer); err != nil {
			return nil, err
		}
		after, _ := strconv.ParseInt(c.Query("after"), 10, 64)
		evs, err := h.App.DB.Audit(c.Request.Context(), acc.Competition.ID, after, 200)
		if err != nil {
			return nil, err
		}
		p := h.newPage(c, "audit", "audit.page_title", acc.Competition.Title)
		d := auditData{Competition: acc.Competition, Loc: acc.Competition.Location(), Events: evs}
		if len(evs) == 200 {
			d.Next = evs[len(evs)-1].ID
		}
		p.Data = d
		return p, nil
	})
}
