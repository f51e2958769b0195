package webui

import (
	"net/http"
	"net/url"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/tessera/tessera/internal/app"
	"github.com/tessera/tessera/internal/contest"
)

// deadlineView is a competition's deadline as every entrant page shows it:
// in the competition's zone and (rewritten by app.js) the viewer's, with the
// time remaining, or a clear word that changes are closed.
type deadlineView struct {
	At        time.Time
	Loc       *time.Location
	Remaining string // "" unless the window is open
	Closed    bool   // past the deadline (grace included): changes are closed
	NotOpen   bool
}

// deadline builds the deadline block for a page in lang at now.
func (h *Handler) deadline(lang string, comp contest.Competition, now time.Time) deadlineView {
	d := deadlineView{At: comp.ClosesAt, Loc: comp.Location()}
	switch contest.SubmissionWindow(comp, now) {
	case contest.WindowOpen:
		d.Remaining = h.remaining(lang, comp.ClosesAt.Sub(now))
	case contest.WindowNotYetOpen:
		d.NotOpen = true
	default:
		d.Closed = true
	}
	return d
}

// entryEditData is the owner's form to change an entry's words and consents.
type entryEditData struct {
	Competition contest.Competition
	Entry       contest.Entry
	Deadline    deadlineView
	CanEdit     bool
}

func entryEditPath(slug, id string) string { return entryPath(slug, id) + "/edit" }

// entryEditPage loads the caller's own entry and starts the form.
func (h *Handler) entryEditPage(c *gin.Context) (*page, app.Access, error) {
	acc, err := h.access(c)
	if err != nil {
		return nil, acc, err
	}
	e, err := h.App.OwnEntry(c.Request.Context(), acc, c.Param("id"))
	if err != nil {
		return nil, acc, err
	}
	p := h.newPage(c, "entry_edit", "entry_edit.page_title", e.Title)
	p.Path = entryEditPath(acc.Competition.Slug, e.ID)
	p.fields = []formField{{"title", "entry.title"}, {"statement", "entry.statement"}, {"consent_publish", "entry.consent"}, {"consent_rules", "entry.consent_rules"}}
	d := entryEditData{Competition: acc.Competition, Entry: e, Deadline: h.deadline(p.Lang, acc.Competition, h.App.Now())}
	d.CanEdit = e.Status != contest.EntryWithdrawn && contest.CheckEntrantWrite(acc.Competition, h.App.Now()) == nil
	p.Data = d
	return p, acc, nil
}

func (h *Handler) entryEditForm(c *gin.Context) {
	p, _, err := h.entryEditPage(c)
	if err != nil {
		h.fail(c, nil, err)
		return
	}
	e := p.Data.(entryEditData).Entry
	p.Form = url.Values{"title": {e.Title}, "statement": {e.Statement}}
	if e.Consent {
		p.Form.Set("consent_publish", "yes")
	}
	if e.ConsentRules {
		p.Form.Set("consent_rules", "yes")
	}
	h.render(c, http.StatusOK, p)
}

func (h *Handler) saveEntryEdit(c *gin.Context) {
	p, acc, err := h.entryEditPage(c)
	if err != nil {
		h.fail(c, nil, err)
		return
	}
	if p.Form, err = postForm(c); err != nil {
		h.fail(c, nil, err)
		return
	}
	title, statement := p.Form.Get("title"), p.Form.Get("statement")
	consent, rules := p.Form.Get("consent_publish") != "", p.Form.Get("consent_rules") != ""
	id := c.Param("id")
	if err := h.App.UpdateEntry(c.Request.Context(), acc, id, app.EntryUpdate{Title: &title, Statement: &statement, Consent: &consent, ConsentRules: &rules}); err != nil {
		h.fail(c, p, err)
		return
	}
	c.Redirect(http.StatusSeeOther, entryPath(acc.Competition.Slug, id))
}
