package failure

import (
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/tessera/tessera/internal/auth"
	"github.com/tessera/tessera/internal/contest"
)

func TestClassify(t *testing.T) {
	wrap := func(err error) error { return fmt.Errorf("somewhere deep: %w", err) }
	tests := []struct {
		name   string
		err    error
		status int
		key    string
		signIn bool
	}{
		{"invalid input", &contest.FieldError{Fields: map[string]string{"title": "field.required"}}, 422, "error.invalid", false},
		{"invalid input, wrapped", wrap(&contest.FieldError{Fields: map[string]string{"at": "field.required"}}), 422, "error.invalid", false},
		{"body too large", wrap(&http.MaxBytesError{Limit: 10}), 413, "error.too_large", false},
		{"wrong password", auth.ErrBadCredentials, 401, "auth.bad_credentials", false},
		{"signed out", wrap(contest.ErrUnauthorized), 401, "error.unauthorized", true},
		{"no role", wrap(contest.ErrForbidden), 403, "error.forbidden", false},
		{"not found", wrap(contest.ErrNotFound), 404, "error.not_found", false},
		{"submissions not open", wrap(contest.ErrNotYetOpen), 403, "closed.not_open", false},
		{"deadline passed", wrap(contest.ErrDeadlinePassed), 403, "closed.deadline", false},
		{"judging not open", contest.ErrJudgingNotOpen, 403, "closed.judging", false},
		{"round closed", wrap(contest.ErrJudgingClosed), 403, "review.closed", false},
		{"already announced", wrap(contest.ErrAnnounced), 403, "closed.announced", false},
		{"closed, no reason", contest.ErrClosed, 403, "error.closed", false},
		{"state conflict", wrap(contest.ErrConflict), 409, "error.conflict", false},
		{"bad request", BadRequest(errors.New("multipart: NextPart: EOF")), 400, "error.bad_request", false},
		{"anything else", errors.New("connection reset by peer"), 500, "error.internal", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := Classify(tt.err)
			if a.Status != tt.status || a.Key != tt.key || a.SignIn != tt.signIn {
				t.Errorf("Classify(%v) = %+v, want status %d key %q signIn %v", tt.err, a, tt.status, tt.key, tt.signIn)
			}
			if (a.Fields != nil) != (tt.status == 422) {
				t.Errorf("Classify(%v): fields %v for status %d", tt.err, a.Fields, a.Status)
			}
			if a.Internal() != (tt.status >= 500) {
				t.Errorf("Classify(%v).Internal() = %v", tt.err, a.Internal())
			}
		})
	}
}
