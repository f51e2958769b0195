// Package httpapi is Tessera's JSON API under /api/v1: Gin handlers, one
// file per resource, and one mapping from errors to RFC 9457 problem bodies.
package httpapi

import (
	"net/http"
	"sort"

	"github.com/gin-gonic/gin"

	"github.com/tessera/tessera/internal/auth"
	"github.com/tessera/tessera/internal/failure"
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

// fail answers with the problem for err, as internal/failure classifies
// it; a fault of ours is logged once and answered with a bland 500.
func (h *Handler) fail(c *gin.Context, err error) {
	lang := auth.LangFrom(c.Request.Context())
	a := failure.Classify(err)
	p := Problem{Type: "about:blank", Title: http.StatusText(a.Status), Status: a.Status, Detail: h.Catalog.T(lang, a.Key)}
	if a.Fields != nil {
		p.Title = "Invalid input"
		for f, code := range a.Fields.Fields {
			p.Errors = append(p.Errors, FieldProblem{Field: f, Code: code, Message: h.Catalog.T(lang, code)})
		}
		sort.Slice(p.Errors, func(i, j int) bool { return p.Errors[i].Field < p.Errors[j].Field })
	}
	if a.Internal() {
		h.Logger.Error("api request failed", "method", c.Request.Method, "route", c.FullPath(), "err", err)
	}
	h.problem(c, p)
}

func (h *Handler) problem(c *gin.Context, p Problem) {
	c.Header("Content-Type", "application/problem+json")
	c.AbortWithStatusJSON(p.Status, p)
}
