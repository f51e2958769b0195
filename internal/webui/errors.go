package webui

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/tessera/tessera/internal/contest"
)

// fail answers err; it is the one place errors become pages. A field error
// re-renders form (when given) with each message beside its field and a
// summary on top, with status 422. "Sign in first" redirects to the sign-in
// page and back. The domain's other errors become a short page with their
// status. Anything else is logged once and answered with a bland 500.
func (h *Handler) fail(c *gin.Context, form *page, err error) {
	var fe *contest.FieldError
	if errors.As(err, &fe) {
		if form == nil {
			form = h.newPage(c, "error", "error.invalid")
			form.Message = h.t(form, "error.invalid")
		}
		h.setFieldErrors(form, fe)
		h.render(c, http.StatusUnprocessableEntity, form)
		return
	}
	var mbe *http.MaxBytesError
	status, key := http.StatusInternalServerError, "error.internal"
	switch {
	case errors.As(err, &mbe):
		status, key = http.StatusRequestEntityTooLarge, "error.too_large"
	case errors.Is(err, contest.ErrUnauthorized):
		h.toSignIn(c)
		return
	case errors.Is(err, contest.ErrForbidden):
		status, key = http.StatusForbidden, "error.forbidden"
	case errors.Is(err, contest.ErrNotFound):
		status, key = http.StatusNotFound, "error.not_found"
	case errors.Is(err, contest.ErrClosed):
		status, key = http.StatusForbidden, closedKey(err)
	case errors.Is(err, contest.ErrConflict):
		status, key = http.StatusConflict, "error.conflict"
	case errors.As(err, new(badRequestError)):
		status, key = http.StatusBadRequest, "error.bad_request"
	}
	if status >= 500 {
		h.Logger.ErrorContext(c.Request.Context(), "webui: request failed", "method", c.Request.Method, "route", c.FullPath(), "err", err)
	}
	h.errorPage(c, status, key)
}

// badRequestError marks a request the pages never send, such as a form body
// that cannot be read.
type badRequestError struct{ err error }

func (e badRequestError) Error() string { return "bad request: " + e.err.Error() }
func (e badRequestError) Unwrap() error { return e.err }

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

// closedKey picks the message for a deadline error.
func closedKey(err error) string {
	switch {
	case errors.Is(err, contest.ErrNotYetOpen):
		return "closed.not_open"
	case errors.Is(err, contest.ErrDeadlinePassed):
		return "closed.deadline"
	case errors.Is(err, contest.ErrJudgingNotOpen):
		return "closed.judging"
	case errors.Is(err, contest.ErrJudgingClosed):
		return "review.closed"
	case strings.Contains(err.Error(), "announced"):
		return "closed.announced"
	}
	return "error.closed"
}
