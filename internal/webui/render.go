package webui

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"github.com/tessera/tessera/internal/app"
	"github.com/tessera/tessera/internal/auth"
	"github.com/tessera/tessera/internal/contest"
)

// layoutFile holds the page skeleton and the shared partials; every other
// *.html file in web/templates is one page defining "content".
const layoutFile = "layout.html"

// page is what every template is executed with.
type page struct {
	Lang  string
	Dir   string
	Title string
	User  *contest.User
	// Path is the page's own GET address, used by the language links (a
	// form re-rendered after a POST still links to its page).
	Path    string
	Langs   []langLink
	Refresh string // a meta refresh "seconds; url=..." while work is pending
	// Form holds the submitted values of a re-rendered form.
	Form    url.Values
	Errors  map[string]string // field name → translated message
	Summary []summaryItem
	Notice  string
	Message string // the error page's text
	Data    any

	name   string      // template name (file name without .html)
	fields []formField // the form's fields in display order, for the summary
}

// langLink is one entry of the language switcher.
type langLink struct {
	Code, Name, Href string
	Current          bool
}

// summaryItem is one line of the error summary at the top of a form: the
// field's label and message, linking to the field when there is one.
type summaryItem struct {
	Field, Text string
}

// formField names a form field and the catalog key of its label.
type formField struct {
	Name, Label string
}

// parseTemplates builds each page's template once per language, with the
// catalog functions bound to that language.
func (h *Handler) parseTemplates(fsys fs.FS) (map[string]map[string]*template.Template, error) {
	files, err := fs.Glob(fsys, "*.html")
	if err != nil {
		return nil, fmt.Errorf("webui: list templates: %w", err)
	}
	out := map[string]map[string]*template.Template{}
	for _, lang := range h.Catalog.Languages() {
		base, err := template.New(layoutFile).Funcs(h.funcs(lang)).ParseFS(fsys, layoutFile)
		if err != nil {
			return nil, fmt.Errorf("webui: parse %s: %w", layoutFile, err)
		}
		out[lang] = map[string]*template.Template{}
		for _, f := range files {
			if f == layoutFile {
				continue
			}
			t, err := base.Clone()
			if err != nil {
				return nil, fmt.Errorf("webui: clone layout: %w", err)
			}
			if _, err := t.ParseFS(fsys, f); err != nil {
				return nil, fmt.Errorf("webui: parse %s: %w", f, err)
			}
			out[lang][strings.TrimSuffix(f, ".html")] = t
		}
	}
	return out, nil
}

// funcs are the template functions for one language.
func (h *Handler) funcs(lang string) template.FuncMap {
	printer := message.NewPrinter(language.Make(lang))
	return template.FuncMap{
		// t translates a catalog key, formatting args into it.
		"t": func(key string, args ...any) string { return h.Catalog.T(lang, key, args...) },
		// static is the cache-busting URL of a static file.
		"static": h.staticURL,
		// when formats a time in a zone for this language.
		"when": func(t time.Time, loc *time.Location) string { return h.formatTime(lang, t, loc) },
		// whenUTC formats a time in UTC.
		"whenUTC": func(t time.Time) string { return h.formatTime(lang, t, time.UTC) },
		// iso is the machine-readable form for <time datetime>.
		"iso": func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
		// num formats a number with this language's separators.
		"num": func(f float64, prec int) string { return printer.Sprintf("%.*f", prec, f) },
		// count formats a whole number with this language's separators.
		"count": func(n int) string { return printer.Sprintf("%d", n) },
		// errattr points a field at its hints (element ids) and, when it
		// is invalid, marks it so and points at its message too.
		"errattr": func(p *page, field string, hints ...string) template.HTMLAttr {
			ids, attr := hints, ""
			if _, ok := p.Errors[field]; ok {
				ids = append(ids, errorID(field))
				attr = `aria-invalid="true" `
			}
			if len(ids) == 0 {
				return ""
			}
			return template.HTMLAttr(attr + `aria-describedby="` + template.HTMLEscapeString(strings.Join(ids, " ")) + `"`)
		},
		// errmsg is a field's message beside it, if any.
		"errmsg": func(p *page, field string) template.HTML {
			msg, ok := p.Errors[field]
			if !ok {
				return ""
			}
			return template.HTML(`<p class="field-error" id="` + errorID(field) + `">` + template.HTMLEscapeString(msg) + `</p>`)
		},
		// id turns a field name into an element id.
		"id": fieldID,
		// accept lists a medium's accepted content types for <input accept>.
		"accept": acceptAttr,
		// types names a medium's accepted file types for people.
		"types": func(m contest.Medium) string { return typesLabel(h.Catalog.T(lang, "list.separator"), m) },
		// cover is the first asset of an entry that has a thumbnail.
		"cover": func(v app.EntryView) *app.AssetView {
			for i := range v.Assets {
				if v.Assets[i].ThumbURL != "" {
					return &v.Assets[i]
				}
			}
			return nil
		},
		// plural picks key.one or key.other for n and formats n into it.
		"plural": func(key string, n int) string {
			if n == 1 {
				return h.Catalog.T(lang, key+".one", n)
			}
			return h.Catalog.T(lang, key+".other", n)
		},
		// has reports whether form holds value v for key (checkboxes).
		"has": func(form url.Values, key, v string) bool { return slices.Contains(form[key], v) },
		// seq counts from lo to hi inclusive.
		"seq": func(lo, hi int) []int {
			var out []int
			for i := lo; i <= hi; i++ {
				out = append(out, i)
			}
			return out
		},
	}
}

// fieldID turns a field name such as criteria[0].name into an element id.
func fieldID(name string) string {
	var b strings.Builder
	for _, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_':
			b.WriteRune(r)
		default:
			b.WriteByte('-')
		}
	}
	return "f-" + strings.Trim(b.String(), "-")
}

func errorID(field string) string { return fieldID(field) + "-error" }

// newPage starts a page for the request, titled with a catalog key.
func (h *Handler) newPage(c *gin.Context, name, titleKey string, args ...any) *page {
	ctx := c.Request.Context()
	lang := auth.LangFrom(ctx)
	p := &page{Lang: lang, Dir: h.Catalog.Dir(lang), User: auth.UserFrom(ctx), Path: c.Request.URL.Path, name: name}
	p.Title = h.Catalog.T(lang, titleKey, args...)
	return p
}

// t translates key in the page's language.
func (h *Handler) t(p *page, key string, args ...any) string {
	return h.Catalog.T(p.Lang, key, args...)
}

// render executes p's template into a buffer and sends it with status, so a
// template failure never sends half a page.
func (h *Handler) render(c *gin.Context, status int, p *page) {
	p.Langs = p.Langs[:0]
	for _, l := range h.Catalog.Languages() {
		p.Langs = append(p.Langs, langLink{Code: l, Name: h.Catalog.T(l, "lang.name"), Href: p.Path + "?lang=" + url.QueryEscape(l), Current: l == p.Lang})
	}
	set, ok := h.tmpl[p.Lang]
	if !ok {
		set = h.tmpl["en"]
	}
	t, ok := set[p.name]
	if !ok {
		h.Logger.Error("webui: no such template", "template", p.name)
		c.String(http.StatusInternalServerError, "internal error\n")
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, layoutFile, p); err != nil {
		h.Logger.Error("webui: render page", "template", p.name, "err", err)
		c.String(http.StatusInternalServerError, "internal error\n")
		return
	}
	c.Header("Cache-Control", "private, no-cache")
	c.Data(status, "text/html; charset=utf-8", buf.Bytes())
}

// formatTime writes t in loc the way the language writes dates, naming the
// zone.
func (h *Handler) formatTime(lang string, t time.Time, loc *time.Location) string {
	if loc == nil {
		loc = time.UTC
	}
	t = t.In(loc)
	wd := h.Catalog.T(lang, "date.weekday."+strconv.Itoa(int(t.Weekday())))
	mo := h.Catalog.T(lang, "date.month."+strconv.Itoa(int(t.Month())))
	return h.Catalog.T(lang, "date.format", wd, t.Day(), mo, t.Year(), t.Format("15:04"), loc.String())
}

// remaining says how long until deadline, in days and hours (or hours and
// minutes when under a day).
func (h *Handler) remaining(lang string, d time.Duration) string {
	if d < time.Minute {
		return h.Catalog.T(lang, "time.under_a_minute")
	}
	days := int(d / (24 * time.Hour))
	hours := int(d % (24 * time.Hour) / time.Hour)
	mins := int(d % time.Hour / time.Minute)
	unit := func(n int, key string) string {
		if n == 1 {
			return h.Catalog.T(lang, "unit."+key+".one", n)
		}
		return h.Catalog.T(lang, "unit."+key+".other", n)
	}
	var parts []string
	switch {
	case days > 0:
		parts = append(parts, unit(days, "day"))
		if hours > 0 {
			parts = append(parts, unit(hours, "hour"))
		}
	case hours > 0:
		parts = append(parts, unit(hours, "hour"))
		if mins > 0 {
			parts = append(parts, unit(mins, "minute"))
		}
	default:
		parts = append(parts, unit(mins, "minute"))
	}
	return h.Catalog.T(lang, "time.left", strings.Join(parts, h.Catalog.T(lang, "list.separator")))
}

// acceptAttr is a medium's accepted extensions and types for <input
// accept>, so that phones convert HEIC photos to JPEG on their own.
func acceptAttr(m contest.Medium) string { return contest.AcceptAttr(m) }

// typesLabel names a medium's accepted formats for people: JPEG, PNG, WebP.
func typesLabel(sep string, m contest.Medium) string {
	return strings.Join(contest.FormatLabels(m), sep)
}

// localPath reports whether next is a path on this site: it starts with one
// slash, and cannot be read as another host by a browser.
func localPath(next string) bool {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n\t") {
		return false
	}
	u, err := url.Parse(next)
	return err == nil && u.Scheme == "" && u.Host == ""
}

// safeNext returns next when it is a local path, else "/".
func safeNext(next string) string {
	if localPath(next) {
		return next
	}
	return "/"
}

// setFieldErrors fills the page's messages and summary from fe, in the
// form's field order.
func (h *Handler) setFieldErrors(p *page, fe *contest.FieldError) {
	p.Errors = map[string]string{}
	for f, key := range fe.Fields {
		p.Errors[f] = h.t(p, key)
	}
	seen := map[string]bool{}
	for _, f := range p.fields {
		if msg, ok := p.Errors[f.Name]; ok {
			p.Summary = append(p.Summary, summaryItem{Field: fieldID(f.Name), Text: h.t(p, "error.summary_item", h.t(p, f.Label), msg)})
			seen[f.Name] = true
		}
	}
	var rest []string
	for f := range p.Errors {
		if !seen[f] {
			rest = append(rest, f)
		}
	}
	slices.Sort(rest)
	for _, f := range rest {
		p.Summary = append(p.Summary, summaryItem{Text: p.Errors[f]})
	}
}
