package auth

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tessera/tessera/internal/contest"
	"github.com/tessera/tessera/internal/db"
	"github.com/tessera/tessera/internal/db/dbtest"
)

func TestPasswordHash(t *testing.T) {
	h, err := HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=65536,t=3,p=2$") {
		t.Fatalf("hash %q is not argon2id with the expected parameters", h)
	}
	h2, _ := HashPassword("correct horse battery")
	if h == h2 {
		t.Fatal("two hashes of one password must differ (salt)")
	}
	for pw, want := range map[string]bool{"correct horse battery": true, "correct horse batterY": false, "": false} {
		if ok, err := CheckPassword(h, pw); err != nil || ok != want {
			t.Errorf("CheckPassword(%q) = %v, %v; want %v", pw, ok, err, want)
		}
	}
	if _, err := CheckPassword("$2a$10$bcrypt", "x"); !errors.Is(err, ErrBadHash) {
		t.Errorf("foreign hash: %v", err)
	}
}

func TestSignUpValidation(t *testing.T) {
	tests := []struct {
		in     SignUpInput
		fields []string
	}{
		{SignUpInput{Email: "a@b.org", Name: "A", Password: "0123456789"}, nil},
		{SignUpInput{Email: "not-an-email", Name: "", Password: "short", Country: "Kenya"}, []string{"email", "name", "password", "country"}},
		{SignUpInput{Email: "A <a@b.org>", Name: "A", Password: "0123456789"}, []string{"email"}},
		{SignUpInput{Email: "a@b.org", Name: "A", Password: strings.Repeat("x", 201)}, []string{"password"}},
		{SignUpInput{Email: "a@b.org", Name: "A", Password: "0123456789", Country: "ke"}, nil},
	}
	for _, tt := range tests {
		err := tt.in.Validate()
		var fe *contest.FieldError
		if tt.fields == nil {
			if err != nil {
				t.Errorf("%+v: %v", tt.in, err)
			}
			continue
		}
		if !errors.As(err, &fe) {
			t.Fatalf("%+v: err = %v", tt.in, err)
		}
		for _, f := range tt.fields {
			if _, ok := fe.Fields[f]; !ok {
				t.Errorf("%+v: no error on %s (%v)", tt.in, f, fe.Fields)
			}
		}
	}
}

func TestAccounts(t *testing.T) {
	dbtest.Backends(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := NewService(d)
		u, err := s.SignUp(ctx, SignUpInput{Email: "amina@coop.example", Name: "Amina", Password: "weaving-is-life"})
		if err != nil {
			t.Fatal(err)
		}
		var fe *contest.FieldError
		if _, err := s.SignUp(ctx, SignUpInput{Email: "amina@coop.example", Name: "Other", Password: "0123456789"}); !errors.As(err, &fe) || fe.Fields["email"] != "email.taken" {
			t.Fatalf("duplicate sign-up: %v", err)
		}
		if _, err := s.Authenticate(ctx, "amina@coop.example", "wrong-password"); !errors.Is(err, ErrBadCredentials) {
			t.Fatalf("wrong password: %v", err)
		}
		if _, err := s.Authenticate(ctx, "nobody@coop.example", "weaving-is-life"); !errors.Is(err, ErrBadCredentials) {
			t.Fatalf("unknown email: %v", err)
		}
		got, err := s.Authenticate(ctx, "AMINA@coop.example", "weaving-is-life")
		if err != nil || got.ID != u.ID {
			t.Fatalf("sign in: %v %v", got.ID, err)
		}
		tok, _, err := s.StartSession(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		if who, err := s.UserForToken(ctx, tok); err != nil || who.ID != u.ID {
			t.Fatalf("session: %v %v", who.ID, err)
		}
		if err := s.EndSession(ctx, tok); err != nil {
			t.Fatal(err)
		}
		if _, err := s.UserForToken(ctx, tok); !errors.Is(err, contest.ErrUnauthorized) {
			t.Fatalf("after sign-out: %v", err)
		}
	})
}

// The hash checked for unknown emails costs what a real one costs: same
// algorithm and parameters as HashPassword, and it matches no password.
func TestDummyHashHasRealParameters(t *testing.T) {
	real, err := HashPassword("a-real-password")
	if err != nil {
		t.Fatal(err)
	}
	params := func(h string) string { return strings.Join(strings.Split(h, "$")[:4], "$") }
	if params(dummyHash) != params(real) {
		t.Fatalf("dummy hash parameters %q, HashPassword uses %q", params(dummyHash), params(real))
	}
	if ok, err := CheckPassword(dummyHash, "not-a-real-password"); ok || err != nil {
		t.Fatalf("dummy hash: ok=%v err=%v", ok, err)
	}
}

// A burst of sign-ups or sign-ins waits for one of maxHashes hashing slots
// (64 MiB each) and gives up, creating nothing, when the request ends.
func TestHashingSlotsBoundMemory(t *testing.T) {
	s := NewService(dbtest.SQLite(t))
	if !s.hashing.TryAcquire(maxHashes) {
		t.Fatal("slots busy in a new service")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := s.SignUp(ctx, SignUpInput{Email: "burst@coop.example", Name: "Burst", Password: "weaving-is-life"})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("sign-up with every slot busy: %v, want the deadline", err)
	}
	if _, err := s.Authenticate(ctx, "burst@coop.example", "weaving-is-life"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("sign-in with every slot busy: %v, want the deadline", err)
	}
	s.hashing.Release(maxHashes)
	if _, err := s.SignUp(context.Background(), SignUpInput{Email: "burst@coop.example", Name: "Burst", Password: "weaving-is-life"}); err != nil {
		t.Fatalf("sign-up once a slot is free (nothing was created before): %v", err)
	}
}
