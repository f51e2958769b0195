// Package httpapi is Tessera's JSON API under /api/v1: Gin handlers, one
// file per resource, and one mapping from errors to RFC 9457 problem bodies.
package httpapi

import (
	"errors"
	"net/http"
	"sort"

	"github.com/gin-gonic/gin"

	"github.com/tessera/tessera/internal/auth"
	"github.com/tessera/tessera/internal/contest"
)

// Problem is an RFC 9457 problem details body.
type Problem struct {
	Type   string         `json:"type"`
	Title  string         `json:"title"`
	Status int            `json:"status"`
	Detail string         `json:"detail"`
	Errors []FieldProblem `json:"errors,omitempty"`
}

// FieldProblem names one invalid input field.
type FieldProblem struct {
	Field   string `json:"field"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// fail answers with the problem for err. Errors a user can cause map to 4xx;
// anything else is logged once and answered with a bland 500.
func (h *Handler) fail(c *gin.Context, err error) {
	lang := auth.LangFrom(c.Request.Context())
	var fe *contest.FieldError
	var mbe *http.MaxBytesError
	status, key := http.StatusInternalServerError, "error.internal"
	switch {
	case errors.As(err, &fe):
		p := Problem{Type: "about:blank", Title: "Invalid input", Status: http.StatusUnprocessableEntity, Detail: h.Catalog.T(lang, "error.invalid")}
		for f, code := range fe.Fields {
			p.Errors = append(p.Errors, FieldProblem{Field: f, Code: code, Message: h.Catalog.T(lang, code)})
		}
		sort.Slice(p.Errors, func(i, j int) bool { return p.Errors[i].Field < p.Errors[j].Field })
		h.problem(c, p)
		return
	case errors.As(err, &mbe):
		status, key = http.StatusRequestEntityTooLarge, "error.too_large"
	case errors.Is(err, auth.ErrBadCredentials):
		status, key = http.StatusUnauthorized, "auth.bad_credentials"
	case errors.Is(err, contest.ErrUnauthorized):
		status, key = http.StatusUnauthorized, "error.unauthorized"
	case errors.Is(err, contest.ErrForbidden):
		status, key = http.StatusForbidden, "error.forbidden"
	case errors.Is(err, contest.ErrNotFound):
		status, key = http.StatusNotFound, "error.not_found"
	case errors.Is(err, contest.ErrClosed):
		status, key = http.StatusForbidden, "error.closed"
	case errors.Is(err, contest.ErrConflict):
		status, key = http.StatusConflict, "error.conflict"
	case errors.Is(err, errBadRequest):
		status, key = http.StatusBadRequest, "error.bad_request"
	}
	if status >= 500 {
		h.Logger.Error("api request failed", "method", c.Request.Method, "route", c.FullPath(), "err", err)
	}
	detail := h.Catalog.T(lang, key)
	if errors.Is(err, contest.ErrClosed) {
		detail = h.Catalog.T(lang, ClosedKey(err))
	}
	h.problem(c, Problem{Type: "about:blank", Title: http.StatusText(status), Status: status, Detail: detail})
}

// ClosedKey picks the message-catalog key for a deadline error.
func ClosedKey(err error) string {
	switch {
	case errors.Is(err, contest.ErrNotYetOpen):
		return "closed.not_open"
	case errors.Is(err, contest.ErrDeadlinePassed):
		return "closed.deadline"
	case errors.Is(err, contest.ErrJudgingNotOpen), errors.Is(err, contest.ErrJudgingClosed):
		return "closed.judging"
	}
	return "error.closed"
}

func (h *Handler) problem(c *gin.Context, p Problem) {
	c.Header("Content-Type", "application/problem+json")
	c.AbortWithStatusJSON(p.Status, p)
}

var errBadRequest = errors.New("bad request")
