package webui

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/tessera/tessera/internal/app"
	"github.com/tessera/tessera/internal/auth"
	"github.com/tessera/tessera/internal/contest"
	"github.com/tessera/tessera/internal/failure"
)

// rubricRows is how many criterion rows the new-competition form offers.
const rubricRows = 3

// datetimeLocal is the value format of <input type=datetime-local>.
const datetimeLocal = "2006-01-02T15:04"

// newCompetitionData is what the new-competition form needs beyond its values.
type newCompetitionData struct {
	Zones      []string
	Categories []app.CategoryInput
	Rows       []rubricRow
	// GuessZone lets the script replace the default zone with the
	// browser's, on a blank form only.
	GuessZone bool
}

// rubricRow is one criterion row of the form.
type rubricRow struct {
	Number       int    // 1-based, for people
	Name, Weight string // field names
}

// newCompetitionFields are the form's fields in display order.
func newCompetitionFields() []formField {
	f := []formField{
		{"title", "new.title"}, {"slug", "new.slug"}, {"description", "new.description"},
		{"time_zone", "new.time_zone"}, {"opens_at", "new.opens_at"}, {"closes_at", "new.closes_at"},
		{"grace_minutes", "new.grace"}, {"categories", "new.categories"}, {"criteria", "new.rubric"},
	}
	for i := range rubricRows {
		f = append(f, formField{fmt.Sprintf("criteria[%d].name", i), "new.criterion_name"}, formField{fmt.Sprintf("criteria[%d].weight", i), "new.criterion_weight"})
	}
	return append(f, formField{"scale", "new.scale"})
}

// commonZones are offered in the time-zone list; any IANA name is accepted.
func commonZones() []string {
	return []string{
		"UTC", "Africa/Abidjan", "Africa/Accra", "Africa/Addis_Ababa", "Africa/Algiers", "Africa/Cairo", "Africa/Casablanca",
		"Africa/Dakar", "Africa/Dar_es_Salaam", "Africa/Johannesburg", "Africa/Kampala", "Africa/Kinshasa", "Africa/Lagos",
		"Africa/Nairobi", "Africa/Tunis", "America/Bogota", "America/Chicago", "America/Lima", "America/Los_Angeles",
		"America/Mexico_City", "America/New_York", "America/Sao_Paulo", "America/Toronto", "Asia/Bangkok", "Asia/Beirut",
		"Asia/Dhaka", "Asia/Dubai", "Asia/Jakarta", "Asia/Karachi", "Asia/Kathmandu", "Asia/Kolkata", "Asia/Manila",
		"Asia/Riyadh", "Asia/Shanghai", "Asia/Tokyo", "Australia/Sydney", "Europe/Berlin", "Europe/Istanbul",
		"Europe/Lisbon", "Europe/London", "Europe/Madrid", "Europe/Paris", "Europe/Rome", "Pacific/Auckland",
	}
}

func (h *Handler) newCompetitionPage(c *gin.Context) (*page, error) {
	u := auth.UserFrom(c.Request.Context())
	if u == nil {
		return nil, contest.ErrUnauthorized
	}
	if !u.CanOrganize {
		return nil, fmt.Errorf("create a competition: %w", contest.ErrForbidden)
	}
	p := h.newPage(c, "new", "new.page_title")
	p.fields = newCompetitionFields()
	d := newCompetitionData{Zones: commonZones(), Categories: app.DefaultCategories(), GuessZone: c.Request.Method == http.MethodGet}
	for i := range rubricRows {
		d.Rows = append(d.Rows, rubricRow{Number: i + 1, Name: fmt.Sprintf("criteria[%d].name", i), Weight: fmt.Sprintf("criteria[%d].weight", i)})
	}
	p.Data = d
	return p, nil
}

func (h *Handler) newCompetitionForm(c *gin.Context) {
	p, err := h.newCompetitionPage(c)
	if err != nil {
		h.fail(c, nil, err)
		return
	}
	now := h.App.Now().UTC().Truncate(time.Minute)
	closes := now.AddDate(0, 0, 30)
	p.Form = url.Values{
		"time_zone":     {"UTC"},
		"opens_at":      {now.Format(datetimeLocal)},
		"closes_at":     {time.Date(closes.Year(), closes.Month(), closes.Day(), 23, 59, 0, 0, time.UTC).Format(datetimeLocal)},
		"grace_minutes": {"0"},
		"blind":         {"on"},
		"scale_min":     {"1"},
		"scale_max":     {"10"},
	}
	for i, cr := range []struct {
		key    string
		weight string
	}{{"new.default_storytelling", "40"}, {"new.default_craft", "30"}, {"new.default_impact", "30"}} {
		p.Form.Set(fmt.Sprintf("criteria[%d].name", i), h.t(p, cr.key))
		p.Form.Set(fmt.Sprintf("criteria[%d].weight", i), cr.weight)
	}
	for _, cat := range app.DefaultCategories() {
		p.Form.Add("categories", string(cat.Medium))
	}
	h.render(c, http.StatusOK, p)
}

func (h *Handler) newCompetition(c *gin.Context) {
	p, err := h.newCompetitionPage(c)
	if err != nil {
		h.fail(c, nil, err)
		return
	}
	if err := c.Request.ParseForm(); err != nil {
		h.fail(c, nil, failure.BadRequest(err))
		return
	}
	p.Form = c.Request.PostForm
	in, rows, err := h.parseCompetitionForm(p.Form, p.Lang)
	if err != nil {
		// Show the app's own checks of the rest of the form too, at once.
		err = mergeFieldErrors(err, in.Validate(h.App.Now()))
	}
	if err == nil {
		var comp contest.Competition
		comp, err = h.App.CreateCompetition(c.Request.Context(), p.User, in)
		if err == nil {
			c.Redirect(http.StatusSeeOther, "/c/"+comp.Slug)
			return
		}
	}
	h.fail(c, p, remapRubricErrors(err, rows))
}

// parseCompetitionForm reads the form into the app's input. Values that do
// not parse are field errors; rows maps the criteria passed on to the form
// rows they came from (empty rows are skipped).
func (h *Handler) parseCompetitionForm(f url.Values, lang string) (app.CompetitionInput, []int, error) {
	var fe contest.FieldError
	in := app.CompetitionInput{
		Title:       f.Get("title"),
		Slug:        strings.TrimSpace(f.Get("slug")),
		Description: f.Get("description"),
		TimeZone:    strings.TrimSpace(f.Get("time_zone")),
	}
	loc := time.UTC
	switch l, err := time.LoadLocation(in.TimeZone); {
	case in.TimeZone == "":
		fe.Add("time_zone", "field.required")
	case err != nil || in.TimeZone == "Local":
		fe.Add("time_zone", "timezone.invalid")
	default:
		loc = l
	}
	parseTime := func(name string, required bool) time.Time {
		v := strings.TrimSpace(f.Get(name))
		if v == "" {
			if required {
				fe.Add(name, "field.required")
			}
			return time.Time{}
		}
		for _, layout := range []string{datetimeLocal, datetimeLocal + ":05"} {
			if t, err := time.ParseInLocation(layout, v, loc); err == nil {
				return t
			}
		}
		fe.Add(name, "field.datetime_invalid")
		return time.Time{}
	}
	in.OpensAt = parseTime("opens_at", false)
	in.ClosesAt = parseTime("closes_at", true)
	if v := strings.TrimSpace(f.Get("grace_minutes")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			fe.Add("grace_minutes", "field.number_invalid")
		}
		in.GraceMin = n
	}
	blind := f.Get("blind") != ""
	in.Blind = &blind
	chosen := f["categories"]
	for _, cat := range app.DefaultCategories() {
		if slices.Contains(chosen, string(cat.Medium)) {
			cat.Name = h.Catalog.T(lang, "medium."+string(cat.Medium)+".category")
			in.Categories = append(in.Categories, cat)
		}
	}
	if len(in.Categories) == 0 {
		fe.Add("categories", "category.choose_one")
	}
	smin, err1 := strconv.Atoi(strings.TrimSpace(f.Get("scale_min")))
	smax, err2 := strconv.Atoi(strings.TrimSpace(f.Get("scale_max")))
	if err1 != nil || err2 != nil {
		fe.Add("scale", "field.number_invalid")
	}
	var rows []int
	for i := range rubricRows {
		name := strings.TrimSpace(f.Get(fmt.Sprintf("criteria[%d].name", i)))
		wf := fmt.Sprintf("criteria[%d].weight", i)
		w := strings.TrimSpace(f.Get(wf))
		if name == "" && w == "" {
			continue
		}
		weight, err := strconv.ParseFloat(strings.ReplaceAll(w, ",", "."), 64)
		if err != nil {
			// Named like the app's errors, by criterion: remapRubricErrors
			// turns it back into the form row.
			fe.Add(fmt.Sprintf("criteria[%d].weight", len(rows)), "field.number_invalid")
		}
		rows = append(rows, i)
		in.Criteria = append(in.Criteria, app.CriterionInput{Name: name, Weight: weight, ScaleMin: smin, ScaleMax: smax})
	}
	return in, rows, fe.Err()
}

// remapRubricErrors renames the app's criteria[i] errors to the form row
// they came from; scale errors go to the one scale field.
func remapRubricErrors(err error, rows []int) error {
	var fe *contest.FieldError
	if !errors.As(err, &fe) {
		return err
	}
	out := &contest.FieldError{}
	for field, key := range fe.Fields {
		rest, ok := strings.CutPrefix(field, "criteria[")
		idx, part, ok2 := strings.Cut(rest, "].")
		i, err := strconv.Atoi(idx)
		switch {
		case !ok || !ok2 || err != nil:
			out.Add(field, key)
		case part == "scale":
			out.Add("scale", key)
		default:
			if i >= 0 && i < len(rows) {
				i = rows[i]
			}
			out.Add(fmt.Sprintf("criteria[%d].%s", i, part), key)
		}
	}
	return out
}

// mergeFieldErrors adds the problems of more to those of err, the first
// problem per field winning.
func mergeFieldErrors(err, more error) error {
	var fe, fm *contest.FieldError
	if !errors.As(err, &fe) || !errors.As(more, &fm) {
		return err
	}
	out := &contest.FieldError{}
	for k, v := range fe.Fields {
		out.Add(k, v)
	}
	for k, v := range fm.Fields {
		out.Add(k, v)
	}
	return out
}
