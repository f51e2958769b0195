package webui

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/tessera/tessera/internal/app"
	"github.com/tessera/tessera/internal/contest"
)

// categoryRulesData is the organizer's form for one category's rules.
type categoryRulesData struct {
	Competition contest.Competition
	Category    contest.Category
	Formats     string
	Video       bool // the medium has a duration limit
	Essay       bool // the medium has word limits
	Saved       bool
}

// categoryRulesPath is the address of a category's rules form.
func categoryRulesPath(slug, id string) string { return "/c/" + slug + "/categories/" + id + "/rules" }

// categoryRulesPage loads the category for an organizer and starts the form.
func (h *Handler) categoryRulesPage(c *gin.Context) (*page, app.Access, app.CategoryRules, error) {
	acc, err := h.access(c)
	if err != nil {
		return nil, acc, app.CategoryRules{}, err
	}
	if !acc.SignedIn() {
		return nil, acc, app.CategoryRules{}, contest.ErrUnauthorized
	}
	if err := acc.Require(contest.RoleOrganizer); err != nil {
		return nil, acc, app.CategoryRules{}, err
	}
	ctx := c.Request.Context()
	cats, err := h.App.DB.Categories(ctx, acc.Competition.ID)
	if err != nil {
		return nil, acc, app.CategoryRules{}, err
	}
	i := slices.IndexFunc(cats, func(cat contest.Category) bool { return cat.ID == c.Param("id") })
	if i < 0 {
		return nil, acc, app.CategoryRules{}, fmt.Errorf("category: %w", contest.ErrNotFound)
	}
	cat := cats[i]
	r, err := h.App.RulesOf(ctx, cat)
	if err != nil {
		return nil, acc, app.CategoryRules{}, err
	}
	p := h.newPage(c, "category_rules", "rules.page_title", cat.Name)
	p.Path = categoryRulesPath(acc.Competition.Slug, cat.ID)
	p.fields = []formField{{"max_file_mb", "rules.max_file_mb"}, {"max_entries", "rules.max_entries"}, {"max_duration_minutes", "rules.max_duration"},
		{"min_words", "rules.min_words"}, {"max_words", "rules.max_words"}, {"required_statement", "rules.required_statement"}}
	p.Data = categoryRulesData{Competition: acc.Competition, Category: cat, Formats: strings.Join(r.Formats, h.t(p, "list.separator")),
		Video: cat.Medium == contest.MediumVideo, Essay: cat.Medium == contest.MediumEssay, Saved: c.Query("saved") != ""}
	return p, acc, r, nil
}

func (h *Handler) categoryRulesForm(c *gin.Context) {
	p, _, r, err := h.categoryRulesPage(c)
	if err != nil {
		h.fail(c, nil, err)
		return
	}
	p.Form = url.Values{
		"max_file_mb": {strconv.FormatInt(r.MaxFileBytes>>20, 10)}, "max_entries": {strconv.Itoa(r.MaxEntries)},
		"min_words": {strconv.Itoa(r.MinWords)}, "max_words": {strconv.Itoa(r.MaxWords)},
	}
	if r.MaxDurationSeconds > 0 {
		p.Form.Set("max_duration_minutes", strconv.FormatFloat(float64(r.MaxDurationSeconds)/60, 'f', -1, 64))
	}
	if slices.Contains(r.RequiredFields, "statement") {
		p.Form.Set("required_statement", "yes")
	}
	h.render(c, http.StatusOK, p)
}

func (h *Handler) saveCategoryRules(c *gin.Context) {
	p, acc, _, err := h.categoryRulesPage(c)
	if err != nil {
		h.fail(c, nil, err)
		return
	}
	if p.Form, err = postForm(c); err != nil {
		h.fail(c, nil, err)
		return
	}
	in, err := parseCategoryRules(p.Form, p.Data.(categoryRulesData))
	if err == nil {
		_, err = h.App.SetCategoryRules(c.Request.Context(), acc, c.Param("id"), in)
	}
	if err != nil {
		h.fail(c, p, rulesFields(err))
		return
	}
	c.Redirect(http.StatusSeeOther, categoryRulesPath(acc.Competition.Slug, c.Param("id"))+"?saved=1")
}

// parseCategoryRules reads the form: sizes in MB (whole), durations in
// minutes (decimals allowed), counts as whole numbers; an empty box means
// no limit (0). Every unreadable number is reported at once.
func parseCategoryRules(form url.Values, d categoryRulesData) (app.CategoryRulesInput, error) {
	var in app.CategoryRulesInput
	var fe contest.FieldError
	whole := func(field string) int64 {
		raw := strings.TrimSpace(form.Get(field))
		if raw == "" {
			return 0
		}
		n, err := strconv.ParseInt(raw, 10, 64)
		if err != nil {
			fe.Add(field, "field.number_invalid")
		} else if n < 0 {
			fe.Add(field, "category.limits_invalid")
		}
		return n
	}
	mb := whole("max_file_mb")
	if mb > 1<<20 {
		fe.Add("max_file_mb", "rules.size_too_large")
	}
	if strings.TrimSpace(form.Get("max_file_mb")) != "" {
		b := mb << 20
		in.MaxFileBytes = &b
	}
	entries := int(whole("max_entries"))
	in.MaxEntries = &entries
	if d.Video {
		secs := 0
		if raw := strings.TrimSpace(strings.ReplaceAll(form.Get("max_duration_minutes"), ",", ".")); raw != "" {
			f, err := strconv.ParseFloat(raw, 64)
			switch {
			case err != nil || f != f:
				fe.Add("max_duration_minutes", "field.number_invalid")
			case f < 0 || f > 24*60:
				fe.Add("max_duration_minutes", "category.limits_invalid")
			default:
				secs = int(f*60 + 0.5)
			}
		}
		in.MaxDurationSeconds = &secs
	}
	if d.Essay {
		minW, maxW := int(whole("min_words")), int(whole("max_words"))
		in.MinWords, in.MaxWords = &minW, &maxW
	}
	in.RequiredFields = []string{}
	if form.Get("required_statement") != "" {
		in.RequiredFields = append(in.RequiredFields, "statement")
	}
	if err := fe.Err(); err != nil {
		return in, err
	}
	return in, nil
}

// rulesFields renames the app's field names to the form's.
func rulesFields(err error) error {
	var fe *contest.FieldError
	if !errors.As(err, &fe) {
		return err
	}
	names := map[string]string{"max_file_bytes": "max_file_mb", "max_duration_seconds": "max_duration_minutes", "required_fields": "required_statement"}
	out := &contest.FieldError{}
	for k, v := range fe.Fields {
		if n, ok := names[k]; ok {
			k = n
		}
		out.Add(k, v)
	}
	return out
}
