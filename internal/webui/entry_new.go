package webui

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/tessera/tessera/internal/app"
	"github.com/tessera/tessera/internal/contest"
)

// newEntryData is the new-entry form.
type newEntryData struct {
	Competition contest.Competition
	Categories  []categoryView
	Deadline    deadlineView
	Open        bool // the form is shown only while entries may be written
}

// newEntryPage builds the new-entry form; signed-out visitors are sent to
// sign in first, and a closed competition says so instead of showing a form
// that cannot succeed.
func (h *Handler) newEntryPage(c *gin.Context) (*page, app.Access, error) {
	acc, err := h.access(c)
	if err != nil {
		return nil, acc, err
	}
	if !acc.SignedIn() {
		return nil, acc, contest.ErrUnauthorized
	}
	cats, err := h.App.DB.Categories(c.Request.Context(), acc.Competition.ID)
	if err != nil {
		return nil, acc, err
	}
	p := h.newPage(c, "entry_new", "entry_new.page_title", acc.Competition.Title)
	p.Path = "/c/" + acc.Competition.Slug + "/entries/new"
	p.fields = []formField{{"category_id", "entry.category"}, {"title", "entry.title"}, {"statement", "entry.statement"}, {"consent_publish", "entry.consent"}, {"consent_rules", "entry.consent_rules"}}
	d := newEntryData{Competition: acc.Competition, Deadline: h.deadline(p.Lang, acc.Competition, h.App.Now()),
		Open: contest.CheckEntrantWrite(acc.Competition, h.App.Now()) == nil}
	for _, cat := range cats {
		d.Categories = append(d.Categories, categoryView{Category: cat, Types: typesLabel(h.t(p, "list.separator"), cat.Medium)})
	}
	p.Data = d
	return p, acc, nil
}

func (h *Handler) newEntryForm(c *gin.Context) {
	p, _, err := h.newEntryPage(c)
	if err != nil {
		h.fail(c, nil, err)
		return
	}
	h.render(c, http.StatusOK, p)
}

func (h *Handler) newEntry(c *gin.Context) {
	p, acc, err := h.newEntryPage(c)
	if err != nil {
		h.fail(c, nil, err)
		return
	}
	// A late write gets the deadline message and changes nothing.
	if err := contest.CheckEntrantWrite(acc.Competition, h.App.Now()); err != nil {
		h.fail(c, nil, err)
		return
	}
	if p.Form, err = postForm(c); err != nil {
		h.fail(c, nil, err)
		return
	}
	e, err := h.App.CreateEntry(c.Request.Context(), acc, app.EntryInput{
		CategoryID: p.Form.Get("category_id"),
		Title:      p.Form.Get("title"),
		Statement:  p.Form.Get("statement"),
		Consent:    p.Form.Get("consent_publish") != "",
		// The rules checkbox; needed to submit, not to save the draft.
		ConsentRules: p.Form.Get("consent_rules") != "",
	})
	if err != nil {
		h.fail(c, p, err)
		return
	}
	c.Redirect(http.StatusSeeOther, entryPath(acc.Competition.Slug, e.ID))
}

// entryPath is the address of an entry's page.
func entryPath(slug, id string) string { return "/c/" + slug + "/entries/" + id }
