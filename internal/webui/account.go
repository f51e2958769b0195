package webui

import (
	"errors"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/tessera/tessera/internal/auth"
	"github.com/tessera/tessera/internal/contest"
	"github.com/tessera/tessera/internal/failure"
)

// signUpFields are the sign-up form's fields in display order.
func signUpFields() []formField {
	return []formField{
		{"name", "account.name"}, {"email", "account.email"}, {"password", "account.password"},
		{"organisation", "account.organisation"}, {"country", "account.country"},
	}
}

// signInFields are the sign-in form's fields in display order.
func signInFields() []formField {
	return []formField{{"email", "account.email"}, {"password", "account.password"}}
}

func (h *Handler) accountPage(c *gin.Context, name, title string, fields []formField) *page {
	p := h.newPage(c, name, title)
	p.fields = fields
	p.Data = safeNext(c.Query("next"))
	if c.Request.Method == http.MethodPost {
		p.Form = c.Request.PostForm
		p.Data = safeNext(c.PostForm("next"))
	}
	return p
}

func (h *Handler) signUpForm(c *gin.Context) {
	h.render(c, http.StatusOK, h.accountPage(c, "signup", "signup.title", signUpFields()))
}

func (h *Handler) signUp(c *gin.Context) {
	if err := c.Request.ParseForm(); err != nil {
		h.fail(c, nil, failure.BadRequest(err))
		return
	}
	p := h.accountPage(c, "signup", "signup.title", signUpFields())
	in := auth.SignUpInput{
		Email: c.PostForm("email"), Name: c.PostForm("name"), Password: c.PostForm("password"),
		Organisation: c.PostForm("organisation"), Country: c.PostForm("country"),
	}
	u, err := h.Auth.SignUp(c.Request.Context(), in)
	if err != nil {
		p.Form.Del("password")
		h.fail(c, p, err)
		return
	}
	h.startSession(c, u, p.Data.(string))
}

func (h *Handler) signInForm(c *gin.Context) {
	h.render(c, http.StatusOK, h.accountPage(c, "signin", "signin.title", signInFields()))
}

func (h *Handler) signIn(c *gin.Context) {
	if err := c.Request.ParseForm(); err != nil {
		h.fail(c, nil, failure.BadRequest(err))
		return
	}
	p := h.accountPage(c, "signin", "signin.title", signInFields())
	u, err := h.Auth.Authenticate(c.Request.Context(), strings.TrimSpace(c.PostForm("email")), c.PostForm("password"))
	if errors.Is(err, auth.ErrBadCredentials) {
		err = &contest.FieldError{Fields: map[string]string{"password": "auth.bad_credentials"}}
	}
	if err != nil {
		p.Form.Del("password")
		h.fail(c, p, err)
		return
	}
	h.startSession(c, u, p.Data.(string))
}

// startSession signs u in with a cookie and goes on to next.
func (h *Handler) startSession(c *gin.Context, u contest.User, next string) {
	token, exp, err := h.Auth.StartSession(c.Request.Context(), u.ID)
	if err != nil {
		h.fail(c, nil, err)
		return
	}
	auth.SetSessionCookie(c.Writer, token, exp, h.Secure)
	c.Redirect(http.StatusSeeOther, safeNext(next))
}

func (h *Handler) signOut(c *gin.Context) {
	if token := auth.TokenFrom(c.Request.Context()); token != "" {
		if err := h.Auth.EndSession(c.Request.Context(), token); err != nil {
			h.fail(c, nil, err)
			return
		}
	}
	auth.ClearSessionCookie(c.Writer, h.Secure)
	c.Redirect(http.StatusSeeOther, "/")
}
