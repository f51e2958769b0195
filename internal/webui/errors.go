package webui

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/tessera/tessera/internal/failure"
)

// fail answers err as internal/failure classifies it; it is the one place
// errors become pages. A field error re-renders form (when given) with
// each message beside its field and a summary on top, with status 422.
// "Sign in first" redirects to the sign-in page and back. The domain's
// other errors become a short page with their status. A fault of ours is
// logged once and answered with a bland 500.
func (h *Handler) fail(c *gin.Context, form *page, err error) {
	a := failure.Classify(err)
	switch {
	case a.Fields != nil:
		if form == nil {
			form = h.newPage(c, "error", "error.invalid")
			form.Message = h.t(form, "error.invalid")
		}
		h.setFieldErrors(form, a.Fields)
		h.render(c, a.Status, form)
		return
	case a.SignIn:
		h.toSignIn(c)
		return
	case a.Internal():
		h.Logger.ErrorContext(c.Request.Context(), "webui: request failed", "method", c.Request.Method, "route", c.FullPath(), "err", err)
	}
	h.errorPage(c, a.Status, a.Key)
}

// errorPage renders the error page with status and a catalog message.
func (h *Handler) errorPage(c *gin.Context, status int, key string) {
	p := h.newPage(c, "error", "error.title."+strconv.Itoa(status))
	p.Message = h.t(p, key)
	p.Data = status
	h.render(c, status, p)
}

// toSignIn sends a signed-out visitor to the sign-in page, to come back
// afterwards: to the page itself for a GET, to the page the form was on for
// a POST.
func (h *Handler) toSignIn(c *gin.Context) {
	next := "/"
	switch c.Request.Method {
	case http.MethodGet, http.MethodHead:
		next = c.Request.URL.RequestURI()
	default:
		if ref, err := url.Parse(c.Request.Referer()); err == nil && ref.Host == c.Request.Host {
			next = ref.RequestURI()
		}
	}
	c.Redirect(http.StatusSeeOther, "/signin?next="+url.QueryEscape(safeNext(next)))
}
