// Package webui serves Tessera's HTML pages: Gin handlers and form parsing
// on the same app use cases as the JSON API, so the two cannot drift. Pages
// are plain server-rendered HTML that works without JavaScript, on a phone
// and with a keyboard; every word goes through the message catalog.
package webui

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/tessera/tessera/internal/app"
	"github.com/tessera/tessera/internal/auth"
	"github.com/tessera/tessera/web"
)

// langCookie is the cookie holding a viewer's chosen language; it must be
// the one internal/server reads (server.LangCookie).
const langCookie = "tessera_lang"

// Handler serves the HTML pages.
type Handler struct {
	App     *app.App
	Auth    *auth.Service
	Catalog *web.Catalog
	Logger  *slog.Logger
	// Secure marks cookies Secure and makes absolute links https.
	Secure bool

	tmpl   map[string]map[string]*template.Template // language → page → template
	static fs.FS
	hashes map[string]string // static file name → short content hash
}

// New parses every template once, for every language of the catalog, and
// returns a Handler ready to Register. A template that does not parse is an
// error here rather than on the first request.
func New(a *app.App, s *auth.Service, cat *web.Catalog, logger *slog.Logger, secure bool) (*Handler, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	h := &Handler{App: a, Auth: s, Catalog: cat, Logger: logger, Secure: secure, static: web.Static()}
	hashes, err := hashStatic(h.static)
	if err != nil {
		return nil, err
	}
	h.hashes = hashes
	if h.tmpl, err = h.parseTemplates(web.Templates()); err != nil {
		return nil, err
	}
	return h, nil
}

// Register lists every page route in one place; the handlers live in
// files named for their pages.
func (h *Handler) Register(r *gin.Engine) {
	r.GET("/static/*file", h.serveStatic)
	r.HEAD("/static/*file", h.serveStatic)
	r.GET("/favicon.ico", func(c *gin.Context) { c.Redirect(http.StatusMovedPermanently, h.staticURL("icon.svg")) })

	g := r.Group("/", h.rememberLang)
	g.GET("/", h.home)

	g.GET("/signup", h.signUpForm)
	g.POST("/signup", h.signUp)
	g.GET("/signin", h.signInForm)
	g.POST("/signin", h.signIn)
	g.POST("/signout", h.signOut)
	g.GET("/me/profile", h.profileForm)
	g.POST("/me/profile", h.saveProfile)

	g.GET("/new", h.newCompetitionForm)
	g.POST("/new", h.newCompetition)

	g.GET("/c/:slug", h.competition)
	g.POST("/c/:slug/invite", h.invite)
	g.GET("/c/:slug/nominations", h.nominations)
	g.POST("/c/:slug/nominations", h.nominate)
	g.POST("/c/:slug/nominations/settings", h.nominationSettings)
	g.POST("/c/:slug/nominations/quota", h.nominatorQuota)
	g.POST("/c/:slug/nominations/invite", h.inviteNominator)
	g.GET("/c/:slug/entries/new", h.newEntryForm)
	g.POST("/c/:slug/entries/new", h.newEntry)
	g.GET("/c/:slug/entries/:id", h.entry)
	g.GET("/c/:slug/entries/:id/essay", h.essayPage)
	g.GET("/c/:slug/entries/:id/edit", h.entryEditForm)
	g.POST("/c/:slug/entries/:id/edit", h.saveEntryEdit)
	g.GET("/c/:slug/categories/:id/rules", h.categoryRulesForm)
	g.POST("/c/:slug/categories/:id/rules", h.saveCategoryRules)
	g.POST("/c/:slug/entries/:id/upload", h.upload)
	g.POST("/c/:slug/entries/:id/submit", h.submit)
	g.POST("/c/:slug/entries/:id/withdraw", h.withdraw)
	g.GET("/c/:slug/judge", h.judgeHome)
	g.GET("/c/:slug/gallery", h.gallery)
	g.GET("/c/:slug/duplicates", h.duplicatesPage)

	g.GET("/invite/:token", h.invitation)
	g.POST("/invite/:token", h.acceptInvitation)

	// Judging (docs/JUDGING.md): rounds, reviews, results, conflicts,
	// mail and the audit log.
	g.GET("/c/:slug/rounds", h.roundsPage)
	g.POST("/c/:slug/rounds", h.createRound)
	g.GET("/c/:slug/rounds/:round", h.roundPage)
	g.POST("/c/:slug/rounds/:round/settings", h.updateRound)
	g.POST("/c/:slug/rounds/:round/assign", h.autoAssign)
	g.POST("/c/:slug/rounds/:round/panel", h.setPanel)
	g.POST("/c/:slug/rounds/:round/drop", h.dropJudge)
	g.POST("/c/:slug/rounds/:round/recuse", h.recuse)
	g.POST("/c/:slug/rounds/:round/advance", h.advance)
	g.GET("/c/:slug/rounds/:round/queue", h.roundQueue)
	g.GET("/c/:slug/rounds/:round/review/:id", h.reviewPage)
	g.POST("/c/:slug/rounds/:round/review/:id", h.saveReview)
	g.GET("/c/:slug/rounds/:round/results", h.roundResults)
	g.POST("/c/:slug/rounds/:round/tie", h.decideTie)
	g.POST("/c/:slug/rounds/:round/award", h.giveAward)
	g.POST("/c/:slug/rounds/:round/award/withdraw", h.withdrawAward)
	g.POST("/c/:slug/rounds/:round/announcement", h.scheduleAnnouncement)
	g.GET("/c/:slug/conflicts", h.conflictsPage)
	g.POST("/c/:slug/conflicts", h.declareConflict)
	g.POST("/c/:slug/conflicts/:conflict/delete", h.deleteConflict)
	g.POST("/c/:slug/conflicts/:conflict/confirm", h.confirmConflict)
	g.POST("/c/:slug/conflicts/:conflict/decline", h.declineConflict)
	g.GET("/c/:slug/outbox", h.outboxPage)
	g.GET("/c/:slug/audit", h.auditPage)
}

// rememberLang keeps a language chosen with ?lang= in a cookie, so the
// choice sticks on the next pages.
func (h *Handler) rememberLang(c *gin.Context) {
	if q := c.Query("lang"); q != "" {
		for _, l := range h.Catalog.Languages() {
			if l == q {
				http.SetCookie(c.Writer, &http.Cookie{Name: langCookie, Value: l, Path: "/", MaxAge: 365 * 24 * 3600,
					HttpOnly: true, Secure: h.Secure, SameSite: http.SameSiteLaxMode})
			}
		}
	}
	c.Next()
}

// NotFound answers a path no route matches with the 404 page; the server
// calls it for every unknown path outside the API.
func (h *Handler) NotFound(c *gin.Context) {
	h.errorPage(c, http.StatusNotFound, "error.not_found")
}

// hashStatic returns a short hash of every static file, for cache busting.
func hashStatic(fsys fs.FS) (map[string]string, error) {
	out := map[string]string{}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		out[p] = hex.EncodeToString(sum[:6])
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("webui: hash static files: %w", err)
	}
	return out, nil
}

// serveStatic serves web/static. A URL carrying the file's current hash
// (as staticURL makes them) may be cached for a year; others briefly.
func (h *Handler) serveStatic(c *gin.Context) {
	name := strings.TrimPrefix(c.Param("file"), "/")
	sum, ok := h.hashes[name]
	if !ok {
		c.String(http.StatusNotFound, "not found\n")
		return
	}
	if c.Query("v") == sum {
		c.Header("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		c.Header("Cache-Control", "public, max-age=300")
	}
	c.Header("ETag", `"`+sum+`"`)
	http.ServeFileFS(c.Writer, c.Request, h.static, name)
}

// staticURL is the cache-busting URL of a static file.
func (h *Handler) staticURL(name string) string {
	return "/static/" + name + "?v=" + h.hashes[name]
}
