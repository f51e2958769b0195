package httpapi

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/tessera/tessera/internal/app"
	"github.com/tessera/tessera/internal/contest"
)

// guard is who may use an operation at all, decided from who the caller
// is (app.Access: signed in, roles) before a byte of the request body is
// read: a caller it refuses gets 401 or 403 whatever they sent, never a 422
// about their JSON. The use case keeps the whole rule (it checks the role
// again, then the entry, the round, the window), so a guard only puts the
// refusal first.
type guard func(app.Access) error

// role lets through callers holding one of roles in the competition.
func role(roles ...contest.Role) guard {
	return func(acc app.Access) error { return acc.Require(roles...) }
}

// signedIn lets through any signed-in caller (entrant operations: the use
// case then finds the caller's own entry, or answers 404).
func signedIn(acc app.Access) error {
	if !acc.SignedIn() {
		return contest.ErrUnauthorized
	}
	return nil
}

// none is the input of an operation that reads no JSON body.
type none struct{}

// optionalBody marks an input whose body may be left out: an empty body
// is the zero input.
type optionalBody interface{ bodyOptional() }

// call runs one competition-scoped operation, always in this order: load
// the caller's access to the competition in the path (404 when there is
// none), let may refuse the caller (nil: the use case decides), decode the
// JSON body strictly into In (not for none), run do, and answer status with
// its result (204: no body). Every error is answered once, by fail.
func call[In, Out any](h *Handler, c *gin.Context, status int, may guard, do func(ctx context.Context, acc app.Access, in In) (Out, error)) {
	acc, ok := h.access(c)
	if !ok {
		return
	}
	if may != nil {
		if err := may(acc); err != nil {
			h.fail(c, err)
			return
		}
	}
	var in In
	if err := decode(c, &in); err != nil {
		h.fail(c, err)
		return
	}
	out, err := do(c.Request.Context(), acc, in)
	if err != nil {
		h.fail(c, err)
		return
	}
	if status == http.StatusNoContent {
		c.Status(status)
		return
	}
	c.JSON(status, out)
}

// answer is call for an operation without a JSON body.
func answer[Out any](h *Handler, c *gin.Context, status int, do func(ctx context.Context, acc app.Access) (Out, error)) {
	call(h, c, status, nil, func(ctx context.Context, acc app.Access, _ none) (Out, error) { return do(ctx, acc) })
}

// decode binds the body into in, unless in takes none or an optional body
// was left out.
func decode(c *gin.Context, in any) error {
	switch in.(type) {
	case *none:
		return nil
	case optionalBody:
		if c.Request.ContentLength == 0 {
			return nil
		}
	}
	return bind(c, in)
}
