package webui

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/tessera/tessera/internal/app"
	"github.com/tessera/tessera/internal/auth"
)

// profileData is the profile page.
type profileData struct {
	Countries []string
	Saved     bool
}

func (h *Handler) profilePage(c *gin.Context) *page {
	p := h.newPage(c, "profile", "profile.page_title")
	p.Path = "/me/profile"
	p.fields = []formField{{"name", "profile.name"}, {"organisation", "profile.organisation"}, {"country", "profile.country"}, {"phone", "profile.phone"}, {"address", "profile.address"}}
	p.Data = profileData{Countries: countryCodes(), Saved: c.Query("saved") != ""}
	return p
}

func (h *Handler) profileForm(c *gin.Context) {
	ctx := c.Request.Context()
	pr, err := h.App.Profile(ctx, auth.UserFrom(ctx))
	if err != nil {
		h.fail(c, nil, err)
		return
	}
	p := h.profilePage(c)
	p.Form = map[string][]string{"name": {pr.Name}, "organisation": {pr.Organisation}, "country": {pr.Country}, "phone": {pr.Phone}, "address": {pr.Address}}
	h.render(c, http.StatusOK, p)
}

func (h *Handler) saveProfile(c *gin.Context) {
	ctx := c.Request.Context()
	u := auth.UserFrom(ctx)
	if u == nil {
		h.toSignIn(c)
		return
	}
	form, err := postForm(c)
	if err != nil {
		h.fail(c, nil, err)
		return
	}
	p := h.profilePage(c)
	p.Form = form
	get := func(k string) *string { v := form.Get(k); return &v }
	country := strings.ToUpper(strings.TrimSpace(form.Get("country")))
	if _, err := h.App.UpdateProfile(ctx, u, app.ProfileInput{Name: get("name"), Organisation: get("organisation"), Country: &country, Phone: get("phone"), Address: get("address")}); err != nil {
		h.fail(c, p, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/me/profile?saved=1")
}

// countryCodes lists the ISO 3166-1 alpha-2 codes the app accepts, in order.
func countryCodes() []string {
	var out []string
	for a := 'A'; a <= 'Z'; a++ {
		for b := 'A'; b <= 'Z'; b++ {
			if code := string([]rune{a, b}); app.IsCountry(code) {
				out = append(out, code)
			}
		}
	}
	return out
}
