package auth

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"runtime/debug"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/sync/semaphore"

	"github.com/tessera/tessera/internal/contest"
	"github.com/tessera/tessera/internal/db"
)

// ErrBadCredentials is returned when an email and password do not match.
var ErrBadCredentials = fmt.Errorf("wrong email or password: %w", contest.ErrUnauthorized)

// Service signs people up and in, and keeps their sessions.
type Service struct {
	DB         *db.DB
	SessionTTL time.Duration
	InviteTTL  time.Duration
	Now        func() time.Time
	// hashing bounds the password hashes computed at once: each takes
	// argonMemory (64 MiB), so a burst of sign-ins waits for a slot
	// instead of exhausting memory.
	hashing *semaphore.Weighted
}

// maxHashes is how many password hashes run at once (4 × 64 MiB).
const maxHashes = 4

// dummyHash is checked when an email is unknown, so that timing does not
// tell whether an account exists: an argon2id hash, with the parameters
// HashPassword uses, of a random password nobody kept. It is a constant so
// that starting the server computes no hash (64 MiB that would stay in the
// idle process until the next collection).
const dummyHash = "$argon2id$v=19$m=65536,t=3,p=2$gwP1hjgq2VEhK8MwFIYvxQ$UhPogNlRUSFsMt6aqLEGsCY1igXjdiEFMbY/+tkntyY"

// NewService returns a Service with a 30-day session and 14-day invitations.
func NewService(d *db.DB) *Service {
	return &Service{DB: d, SessionTTL: 30 * 24 * time.Hour, InviteTTL: 14 * 24 * time.Hour, Now: time.Now,
		hashing: semaphore.NewWeighted(maxHashes)}
}

// slot waits for a hashing slot (see Service.hashing) until ctx ends. Its
// release frees the slot first (nobody waits on what follows), then, when
// no other hash is running, gives the 64 MiB work areas back to the system
// at once: a server that has signed one person in would otherwise keep
// them resident until the runtime's next collection (every two minutes when
// idle). It costs a few milliseconds against the hash's hundred.
func (s *Service) slot(ctx context.Context) (release func(), err error) {
	if err := s.hashing.Acquire(ctx, 1); err != nil {
		return nil, fmt.Errorf("auth: waiting to check a password: %w", err)
	}
	return func() {
		s.hashing.Release(1)
		if s.hashing.TryAcquire(maxHashes) {
			debug.FreeOSMemory()
			s.hashing.Release(maxHashes)
		}
	}, nil
}

// hash is HashPassword within a hashing slot.
func (s *Service) hash(ctx context.Context, password string) (string, error) {
	release, err := s.slot(ctx)
	if err != nil {
		return "", err
	}
	defer release()
	return HashPassword(password)
}

// check is CheckPassword within a hashing slot.
func (s *Service) check(ctx context.Context, encoded, password string) (bool, error) {
	release, err := s.slot(ctx)
	if err != nil {
		return false, err
	}
	defer release()
	return CheckPassword(encoded, password)
}

// SignUpInput is what a new account needs.
type SignUpInput struct {
	Email        string
	Name         string
	Password     string
	Organisation string
	Country      string
}

// Validate lists every problem with the input at once.
func (in *SignUpInput) Validate() error {
	var fe contest.FieldError
	in.Email = strings.TrimSpace(in.Email)
	in.Name = strings.TrimSpace(in.Name)
	in.Organisation = strings.TrimSpace(in.Organisation)
	in.Country = strings.ToUpper(strings.TrimSpace(in.Country))
	if a, err := mail.ParseAddress(in.Email); err != nil || a.Address != in.Email || len(in.Email) > 254 {
		fe.Add("email", "field.email_invalid")
	}
	if in.Name == "" {
		fe.Add("name", "field.required")
	} else if utf8.RuneCountInString(in.Name) > 200 {
		fe.Add("name", "field.too_long")
	}
	if n := utf8.RuneCountInString(in.Password); n < 10 {
		fe.Add("password", "password.too_short")
	} else if n > 200 {
		fe.Add("password", "field.too_long")
	}
	if in.Country != "" && (len(in.Country) != 2 || strings.Trim(in.Country, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "") {
		fe.Add("country", "country.invalid")
	}
	if utf8.RuneCountInString(in.Organisation) > 200 {
		fe.Add("organisation", "field.too_long")
	}
	return fe.Err()
}

// SignUp creates an account. An email already in use is a field error on
// "email".
func (s *Service) SignUp(ctx context.Context, in SignUpInput) (contest.User, error) {
	if err := in.Validate(); err != nil {
		return contest.User{}, err
	}
	hash, err := s.hash(ctx, in.Password)
	if err != nil {
		return contest.User{}, err
	}
	u := contest.User{Email: in.Email, Name: in.Name, Organisation: in.Organisation, Country: in.Country, PasswordHash: hash}
	if err := s.DB.CreateUser(ctx, &u); err != nil {
		if errors.Is(err, contest.ErrConflict) {
			return u, &contest.FieldError{Fields: map[string]string{"email": "email.taken"}}
		}
		return u, err
	}
	return u, nil
}

// Authenticate checks an email and password.
func (s *Service) Authenticate(ctx context.Context, email, password string) (contest.User, error) {
	u, err := s.DB.UserByEmail(ctx, email)
	if errors.Is(err, contest.ErrNotFound) {
		if _, err := s.check(ctx, dummyHash, password); err != nil {
			return contest.User{}, err
		}
		return contest.User{}, ErrBadCredentials
	}
	if err != nil {
		return contest.User{}, err
	}
	ok, err := s.check(ctx, u.PasswordHash, password)
	if err != nil {
		return contest.User{}, fmt.Errorf("check password: %w", err)
	}
	if !ok {
		return contest.User{}, ErrBadCredentials
	}
	return u, nil
}

// StartSession creates a session for u and returns its token (for a cookie)
// and expiry.
func (s *Service) StartSession(ctx context.Context, userID string) (string, time.Time, error) {
	token, hash := NewToken()
	exp := s.Now().Add(s.SessionTTL)
	if err := s.DB.CreateSession(ctx, hash, userID, exp); err != nil {
		return "", time.Time{}, err
	}
	return token, exp, nil
}

// UserForToken returns the user of a live session token.
func (s *Service) UserForToken(ctx context.Context, token string) (contest.User, error) {
	if token == "" || len(token) > 100 {
		return contest.User{}, contest.ErrUnauthorized
	}
	u, err := s.DB.SessionUser(ctx, HashToken(token))
	if errors.Is(err, contest.ErrNotFound) {
		return u, contest.ErrUnauthorized
	}
	return u, err
}

// EndSession signs a session out.
func (s *Service) EndSession(ctx context.Context, token string) error {
	return s.DB.DeleteSession(ctx, HashToken(token))
}

// Invite creates an invitation to a competition with a role and returns its
// token, to be sent as a link.
func (s *Service) Invite(ctx context.Context, competitionID string, role contest.Role, email, by string) (string, error) {
	if !role.Valid() || role == contest.RoleOrganizer {
		return "", &contest.FieldError{Fields: map[string]string{"role": "invite.role_invalid"}}
	}
	token, hash := NewToken()
	inv := contest.Invitation{CompetitionID: competitionID, Role: role, Email: strings.TrimSpace(email), CreatedBy: by, ExpiresAt: s.Now().Add(s.InviteTTL)}
	if err := s.DB.CreateInvitation(ctx, hash, inv); err != nil {
		return "", err
	}
	return token, nil
}

// Invitation looks up a live invitation by token.
func (s *Service) Invitation(ctx context.Context, token string) (contest.Invitation, error) {
	return s.DB.Invitation(ctx, HashToken(token))
}

// AcceptInvitation grants the invitation's role to userID.
func (s *Service) AcceptInvitation(ctx context.Context, token, userID string) (contest.Invitation, error) {
	return s.DB.AcceptInvitation(ctx, HashToken(token), userID)
}
