package webui

import (
	"errors"
	"fmt"
	"mime/multipart"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/tessera/tessera/internal/app"
	"github.com/tessera/tessera/internal/contest"
	"github.com/tessera/tessera/internal/failure"
)

// refreshSeconds is how often an entry page reloads while its files are
// being processed.
const refreshSeconds = 3

// multipartMemory is how much of an upload is kept in memory before the
// rest goes to a temporary file.
const multipartMemory = 32 << 20

// entryData is the entry page. Everything shown of the entry comes from
// Entry, which the visibility policy built for this viewer.
type entryData struct {
	Competition contest.Competition
	Loc         *time.Location
	Entry       app.EntryView
	Owner       bool
	Organizer   bool
	Judge       bool
	CanUpload   bool
	CanSubmit   bool
	CanWithdraw bool
	Rules       *rulesView
	Deadline    deadlineView
	// RefreshSeconds, when set (files are processing), has the page follow
	// their state: processing.js polls the entry's JSON and reloads once a
	// file is done (never during an upload); without script a noscript
	// meta refresh reloads it every RefreshSeconds.
	RefreshSeconds int
	CanScore       bool
	ReviewPath     string // the judge's review page of this entry in the current round
	Processing     bool
	Accept         string
	Types          string
}

func (h *Handler) entry(c *gin.Context) {
	acc, err := h.access(c)
	if err != nil {
		h.fail(c, nil, err)
		return
	}
	p, err := h.entryPage(c, acc, c.Param("id"))
	if err != nil {
		h.fail(c, nil, err)
		return
	}
	h.render(c, http.StatusOK, p)
}

// entryPage builds the entry page for the caller.
func (h *Handler) entryPage(c *gin.Context, acc app.Access, id string) (*page, error) {
	ctx := c.Request.Context()
	v, err := h.App.Entry(ctx, acc, id)
	if err != nil {
		return nil, err
	}
	slug := acc.Competition.Slug
	p := h.newPage(c, "entry", "entry.page_title", v.Title)
	p.Path = entryPath(slug, v.ID)
	p.fields = []formField{{"file", "entry.file"}, {"files", "entry.files"}}
	now := h.App.Now()
	d := entryData{
		Competition: acc.Competition,
		Loc:         acc.Competition.Location(),
		Entry:       v,
		Organizer:   acc.Has(contest.RoleOrganizer),
		Accept:      acceptAttr(v.Medium),
		Types:       typesLabel(h.t(p, "list.separator"), v.Medium),
	}
	d.Owner = v.Mine
	d.Deadline = h.deadline(p.Lang, acc.Competition, now)
	d.Judge = acc.Has(contest.RoleJudge) && !d.Owner && !d.Organizer
	if d.Owner && v.Status != contest.EntryWithdrawn && contest.CheckEntrantWrite(acc.Competition, now) == nil {
		d.CanSubmit = v.Status == contest.EntryDraft
		d.CanWithdraw = true
		d.CanUpload = d.Accept != ""
	}
	if d.Owner {
		if d.Rules, err = h.categoryRules(ctx, acc, v.CategoryID, h.t(p, "list.separator")); err != nil {
			return nil, err
		}
	}
	for _, a := range v.Assets {
		if a.State == contest.AssetPending || a.State == contest.AssetProcessing {
			d.Processing = true
		}
	}
	if d.Processing && (d.Owner || d.Organizer) {
		d.RefreshSeconds = refreshSeconds
	}
	if d.Judge {
		// Judges score on the round's review page (rubric, drafts, note,
		// feedback); the entry page leads there.
		round, _, err := h.App.ActiveRound(ctx, acc)
		if err != nil {
			return nil, err
		}
		d.CanScore = contest.CheckScoringOpen(round, now) == nil
		if round.ID != "" && v.Reviewer {
			d.ReviewPath = reviewPath(slug, round.ID, v.ID)
		}
	}
	p.Data = d
	return p, nil
}

// failEntry answers an error of a form on the entry page: field errors
// re-render the page with the message beside the field.
func (h *Handler) failEntry(c *gin.Context, acc app.Access, id string, err error) {
	if !errors.As(err, new(*contest.FieldError)) {
		h.fail(c, nil, err)
		return
	}
	p, perr := h.entryPage(c, acc, id)
	if perr != nil {
		h.fail(c, nil, perr)
		return
	}
	h.fail(c, p, err)
}

func (h *Handler) upload(c *gin.Context) {
	acc, err := h.access(c)
	if err != nil {
		h.fail(c, nil, err)
		return
	}
	if !acc.SignedIn() {
		h.fail(c, nil, contest.ErrUnauthorized)
		return
	}
	id := c.Param("id")
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, h.App.MaxUploadBytes+1<<20)
	err = c.Request.ParseMultipartForm(multipartMemory)
	if c.Request.MultipartForm != nil {
		defer func() { _ = c.Request.MultipartForm.RemoveAll() }()
	}
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		h.failEntry(c, acc, id, &contest.FieldError{Fields: map[string]string{"file": "upload.too_large"}})
		return
	case err != nil:
		h.fail(c, nil, failure.BadRequest(err))
		return
	}
	var fh *multipart.FileHeader
	if fs := c.Request.MultipartForm.File["file"]; len(fs) > 0 {
		fh = fs[0]
	}
	if fh == nil || (fh.Filename == "" && fh.Size == 0) {
		h.failEntry(c, acc, id, &contest.FieldError{Fields: map[string]string{"file": "upload.no_file"}})
		return
	}
	f, err := fh.Open()
	if err != nil {
		h.fail(c, nil, fmt.Errorf("open uploaded part: %w", err))
		return
	}
	defer func() { _ = f.Close() }()
	_, err = h.App.Upload(c.Request.Context(), acc, app.UploadInput{EntryID: id, FileName: fh.Filename, Size: fh.Size, Body: f})
	if err != nil {
		h.failEntry(c, acc, id, err)
		return
	}
	c.Redirect(http.StatusSeeOther, entryPath(acc.Competition.Slug, id))
}

func (h *Handler) submit(c *gin.Context) {
	acc, err := h.access(c)
	if err != nil {
		h.fail(c, nil, err)
		return
	}
	id := c.Param("id")
	if err := h.App.SubmitEntry(c.Request.Context(), acc, id); err != nil {
		h.failEntry(c, acc, id, err)
		return
	}
	c.Redirect(http.StatusSeeOther, entryPath(acc.Competition.Slug, id))
}
