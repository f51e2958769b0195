// Package failure is the one place where an error becomes an answer: a
// status and a message-catalog key, shared by the JSON API (problem+json)
// and the HTML pages, so the two can never disagree about what went wrong.
package failure

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/tessera/tessera/internal/auth"
	"github.com/tessera/tessera/internal/contest"
)

// ErrBadRequest marks a request no client of ours sends, such as a body
// that cannot be read; BadRequest wraps a cause with it.
var ErrBadRequest = errors.New("bad request")

// BadRequest wraps err as a bad request (400).
func BadRequest(err error) error { return fmt.Errorf("%w: %w", ErrBadRequest, err) }

// Answer is how an error is answered.
type Answer struct {
	// Status is the HTTP status.
	Status int
	// Key is the catalog key of the message a person reads.
	Key string
	// Fields, for invalid input (422), names each field's problem.
	Fields *contest.FieldError
	// SignIn: the caller is not signed in (pages send them to sign in).
	SignIn bool
}

// Internal reports whether the answer hides a fault of ours (5xx): the
// transport logs it once and shows nothing of it.
func (a Answer) Internal() bool { return a.Status >= 500 }

// Classify answers err. Errors a user can cause map to 4xx with a message
// saying what to do; anything else is a bland 500.
func Classify(err error) Answer {
	var fe *contest.FieldError
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &fe):
		return Answer{Status: http.StatusUnprocessableEntity, Key: "error.invalid", Fields: fe}
	case errors.As(err, &mbe):
		return Answer{Status: http.StatusRequestEntityTooLarge, Key: "error.too_large"}
	case errors.Is(err, auth.ErrBadCredentials):
		return Answer{Status: http.StatusUnauthorized, Key: "auth.bad_credentials"}
	case errors.Is(err, contest.ErrUnauthorized):
		return Answer{Status: http.StatusUnauthorized, Key: "error.unauthorized", SignIn: true}
	case errors.Is(err, contest.ErrForbidden):
		return Answer{Status: http.StatusForbidden, Key: "error.forbidden"}
	case errors.Is(err, contest.ErrNotFound):
		return Answer{Status: http.StatusNotFound, Key: "error.not_found"}
	case errors.Is(err, contest.ErrClosed):
		return Answer{Status: http.StatusForbidden, Key: closedKey(err)}
	case errors.Is(err, contest.ErrConflict):
		return Answer{Status: http.StatusConflict, Key: "error.conflict"}
	case errors.Is(err, ErrBadRequest):
		return Answer{Status: http.StatusBadRequest, Key: "error.bad_request"}
	}
	return Answer{Status: http.StatusInternalServerError, Key: "error.internal"}
}

// closedKey picks the message for a closed window: which window, and what
// it means for the reader.
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
	case errors.Is(err, contest.ErrAnnounced):
		return "closed.announced"
	}
	return "error.closed"
}
