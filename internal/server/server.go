// Package server builds Tessera's HTTP engine: recovery, request logging,
// sessions, language, cross-origin protection, security headers, health
// checks, and the mounting of the JSON API, the pages and the file server.
package server

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/tessera/tessera/internal/auth"
	"github.com/tessera/tessera/internal/contest"
	"github.com/tessera/tessera/web"
)

// Mounter registers its routes on the engine.
type Mounter interface {
	Register(r *gin.Engine)
}

// notFounder is a mounter that renders its own 404.
type notFounder interface {
	NotFound(c *gin.Context)
}

// Check is one readiness probe, named for the report.
type Check struct {
	Name string
	Fn   func(ctx context.Context) error
}

// Deps is everything the engine needs.
type Deps struct {
	Logger  *slog.Logger
	Auth    *auth.Service
	Catalog *web.Catalog
	API     Mounter
	UI      Mounter
	Files   http.Handler // serves signed object URLs under FilesPrefix
	// FilesPrefix is the path the file server answers under, e.g. "/files".
	FilesPrefix string
	Ready       []Check
}

// New returns the configured engine.
func New(d Deps) *gin.Engine {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.HandleMethodNotAllowed = true
	r.ContextWithFallback = true
	r.Use(recovery(d.Logger, d.Catalog), requestLog(d.Logger), securityHeaders(), crossOrigin(d.Catalog), session(d.Auth, d.Logger), lang(d.Catalog))

	r.GET("/healthz", func(c *gin.Context) { c.String(http.StatusOK, "ok\n") })
	r.GET("/readyz", func(c *gin.Context) {
		ctx, cancel := context.WithTimeout(c.Request.Context(), 3*time.Second)
		defer cancel()
		status, report := http.StatusOK, gin.H{}
		for _, ch := range d.Ready {
			if err := ch.Fn(ctx); err != nil {
				status = http.StatusServiceUnavailable
				report[ch.Name] = "unavailable"
				d.Logger.Warn("readiness check failed", "check", ch.Name, "err", err)
				continue
			}
			report[ch.Name] = "ok"
		}
		c.JSON(status, report)
	})
	if d.Files != nil {
		h := gin.WrapH(d.Files)
		r.GET(d.FilesPrefix+"/*key", h)
		r.HEAD(d.FilesPrefix+"/*key", h)
	}
	if d.API != nil {
		d.API.Register(r)
	}
	if d.UI != nil {
		d.UI.Register(r)
	}
	r.NoRoute(func(c *gin.Context) {
		if nf, ok := d.API.(notFounder); ok && isAPI(c) {
			nf.NotFound(c)
			return
		}
		if nf, ok := d.UI.(notFounder); ok && !isAPI(c) {
			nf.NotFound(c)
			return
		}
		abortError(c, d.Catalog, http.StatusNotFound, "error.not_found")
	})
	r.NoMethod(func(c *gin.Context) {
		abortError(c, d.Catalog, http.StatusMethodNotAllowed, "error.method")
	})
	return r
}

func isAPI(c *gin.Context) bool { return strings.HasPrefix(c.Request.URL.Path, "/api/") }

// abortError answers with a problem+json body on the API and a short page
// elsewhere.
func abortError(c *gin.Context, cat *web.Catalog, status int, key string) {
	msg := cat.T(auth.LangFrom(c.Request.Context()), key)
	if isAPI(c) {
		c.Header("Content-Type", "application/problem+json")
		c.AbortWithStatusJSON(status, gin.H{"type": "about:blank", "title": http.StatusText(status), "status": status, "detail": msg})
		return
	}
	c.Header("Content-Type", "text/html; charset=utf-8")
	c.AbortWithStatus(status)
	_, _ = c.Writer.WriteString("<!doctype html><meta charset=utf-8><title>" + http.StatusText(status) + "</title><p>" + msg + "</p><p><a href=\"/\">Tessera</a></p>")
}

func recovery(log *slog.Logger, cat *web.Catalog) gin.HandlerFunc {
	return func(c *gin.Context) {
		defer func() {
			if rec := recover(); rec != nil {
				if err, ok := rec.(error); ok && errors.Is(err, http.ErrAbortHandler) {
					panic(rec)
				}
				log.Error("panic serving request", "method", c.Request.Method, "path", c.Request.URL.Path, "panic", rec)
				if !c.Writer.Written() {
					abortError(c, cat, http.StatusInternalServerError, "error.internal")
				}
			}
		}()
		c.Next()
	}
}

func requestLog(log *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		path := c.FullPath()
		if path == "" {
			path = "(unmatched)"
		}
		lvl := slog.LevelInfo
		if c.Writer.Status() >= 500 {
			lvl = slog.LevelError
		}
		// The raw URL is not logged: invitation and file URLs carry secrets.
		log.Log(c.Request.Context(), lvl, "request", "method", c.Request.Method, "route", path, "status", c.Writer.Status(),
			"bytes", c.Writer.Size(), "duration", time.Since(start).Round(time.Microsecond))
	}
}

func securityHeaders() gin.HandlerFunc {
	return func(c *gin.Context) {
		h := c.Writer.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
		h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; style-src 'self'; script-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'")
		c.Next()
	}
}

// crossOrigin refuses state-changing requests sent by a browser from another
// origin (net/http's CrossOriginProtection: Sec-Fetch-Site, then Origin).
func crossOrigin(cat *web.Catalog) gin.HandlerFunc {
	cop := http.NewCrossOriginProtection()
	return func(c *gin.Context) {
		if err := cop.Check(c.Request); err != nil {
			abortError(c, cat, http.StatusForbidden, "error.cross_origin")
			return
		}
		c.Next()
	}
}

// session puts the signed-in user (from the cookie or a bearer token) into
// the request context.
func session(a *auth.Service, log *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		token := ""
		if h := c.GetHeader("Authorization"); strings.HasPrefix(h, "Bearer ") {
			token = strings.TrimPrefix(h, "Bearer ")
		} else if ck, err := c.Cookie(auth.SessionCookie); err == nil {
			token = ck
		}
		if token != "" {
			u, err := a.UserForToken(c.Request.Context(), token)
			switch {
			case err == nil:
				c.Request = c.Request.WithContext(auth.WithUser(c.Request.Context(), u, token))
			case !errors.Is(err, contest.ErrUnauthorized):
				log.Error("load session", "err", err)
			}
		}
		c.Next()
	}
}

// LangCookie is the cookie that holds a viewer's chosen language.
const LangCookie = "tessera_lang"

func lang(cat *web.Catalog) gin.HandlerFunc {
	return func(c *gin.Context) {
		choice, _ := c.Cookie(LangCookie)
		if q := c.Query("lang"); q != "" {
			choice = q
		}
		if u := auth.UserFrom(c.Request.Context()); u != nil && choice == "" {
			choice = u.Locale
		}
		l := cat.Match(choice, c.GetHeader("Accept-Language"))
		c.Request = c.Request.WithContext(auth.WithLang(c.Request.Context(), l))
		c.Next()
	}
}
