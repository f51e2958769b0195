package auth

import (
	"context"
	"net/http"
	"time"

	"github.com/tessera/tessera/internal/contest"
)

type ctxKey int

const (
	userKey ctxKey = iota
	langKey
	tokenKey
)

// SessionCookie is the name of the session cookie.
const SessionCookie = "tessera_session"

// WithUser returns ctx carrying the signed-in user and their session token.
func WithUser(ctx context.Context, u contest.User, token string) context.Context {
	ctx = context.WithValue(ctx, tokenKey, token)
	return context.WithValue(ctx, userKey, &u)
}

// UserFrom returns the signed-in user, or nil.
func UserFrom(ctx context.Context) *contest.User {
	u, _ := ctx.Value(userKey).(*contest.User)
	return u
}

// TokenFrom returns the session token of the request, or "".
func TokenFrom(ctx context.Context) string {
	t, _ := ctx.Value(tokenKey).(string)
	return t
}

// WithLang returns ctx carrying the viewer's language.
func WithLang(ctx context.Context, lang string) context.Context {
	return context.WithValue(ctx, langKey, lang)
}

// LangFrom returns the viewer's language, "en" by default.
func LangFrom(ctx context.Context) string {
	if l, ok := ctx.Value(langKey).(string); ok && l != "" {
		return l
	}
	return "en"
}

// SetSessionCookie sends the session cookie: HttpOnly, SameSite=Lax, Secure
// when the site is served over HTTPS.
func SetSessionCookie(w http.ResponseWriter, token string, expires time.Time, secure bool) {
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: token, Path: "/", Expires: expires, HttpOnly: true, Secure: secure, SameSite: http.SameSiteLaxMode})
}

// ClearSessionCookie removes the session cookie.
func ClearSessionCookie(w http.ResponseWriter, secure bool) {
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: secure, SameSite: http.SameSiteLaxMode})
}
