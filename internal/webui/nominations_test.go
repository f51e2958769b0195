package webui_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestNominations walks nominations through the pages: the organizer
// invites an embassy as nominator; nominating is refused while disabled;
// the organizer enables it with a quota of one; the embassy nominates (a
// link), the quota refuses a second; the nominee accepts, enters, and the
// entry shows who nominated it; the organizer sees who nominated whom.
func TestNominations(t *testing.T) {
	s := newStack(t, false)
	org := s.organizer("olga@org.example")
	want(t, org.post("/new", competitionForm("Crafts 2026")), http.StatusOK, "Crafts 2026")
	slug := "crafts-2026"
	base := "/c/" + slug + "/nominations"

	p := org.get(base)
	want(t, p, http.StatusOK, "Enable nominations", "Invite a nominator", "No nominations yet.")
	p = org.post(base+"/invite", url.Values{"nominator_email": {"attache@embassy.example"}})
	want(t, p, http.StatusOK, "Invitation link")
	link := find(t, p, `value="(http://[^"]+/invite/[^"]+)"`)
	invitePath := link[strings.Index(link, "/invite/"):]

	emb := s.browser()
	want(t, emb.signUp("Embassy of Kenya", "attache@embassy.example", "embassy-pass-1", invitePath), http.StatusOK)
	p = emb.post(invitePath, url.Values{})
	want(t, p, http.StatusOK, `href="/c/`+slug+`/nominations"`)

	// Disabled: the nominator sees why and cannot nominate.
	p = emb.get(base)
	want(t, p, http.StatusOK, "Nominations are not open for this competition")
	lacks(t, p, "Nomination statement")
	nominee := url.Values{"email": {"weaver@coop.example"}, "name": {"Machakos Weavers"}, "statement": {"The finest baskets of Machakos."}}
	want(t, emb.post(base, nominee), http.StatusUnprocessableEntity, "Nominations are not open for this competition")

	// The organizer enables nominations and sets a quota of one.
	want(t, org.post(base+"/settings", url.Values{"enabled": {"1"}}), http.StatusOK, "Disable nominations", "Embassy of Kenya")
	p = org.get(base)
	nomID := find(t, p, `name="user_id" value="([^"]+)"`)
	want(t, org.post(base+"/quota", url.Values{"user_id": {nomID}, "quota": {"1"}}), http.StatusOK, `value="1"`)
	want(t, emb.post(base+"/settings", url.Values{"enabled": {"0"}}), http.StatusForbidden)

	p = emb.post(base, url.Values{"email": {"nope"}, "statement": {""}})
	want(t, p, http.StatusUnprocessableEntity, "Enter an email address like name@example.org.", "This field is required.")
	p = emb.post(base, nominee)
	want(t, p, http.StatusOK, "Invitation link", "weaver@coop.example", "Invited", "You have nominated 1 of 1.")
	link = find(t, p, `id="nomination-link" readonly value="(http://[^"]+/invite/[^"]+)"`)
	nomPath := link[strings.Index(link, "/invite/"):]
	p = emb.post(base, url.Values{"email": {"other@coop.example"}, "statement": {"Another."}})
	want(t, p, http.StatusUnprocessableEntity, "You have used your nomination quota for this competition.")

	// The nominee accepts, enters; the entry shows the nomination.
	nee := s.browser()
	want(t, nee.signUp("Wanjiku", "weaver@coop.example", "weaving-is-life", nomPath), http.StatusOK)
	want(t, nee.get(nomPath), http.StatusOK, "Nominated by Embassy of Kenya Cooperative", "The finest baskets of Machakos.")
	want(t, nee.post(nomPath, url.Values{}), http.StatusOK, "Crafts 2026")
	p = nee.get("/c/" + slug + "/entries/new")
	photoCat := find(t, p, `<option value="([^"]+)">Photography`)
	p = nee.post("/c/"+slug+"/entries/new", url.Values{"category_id": {photoCat}, "title": {"Sisal Baskets"}, "statement": {"Woven by hand."}, "consent_publish": {"yes"}, "consent_rules": {"yes"}})
	want(t, p, http.StatusOK, "Sisal Baskets", "Nominated by Embassy of Kenya Cooperative")
	entryPath := p.URL.Path
	want(t, org.get(entryPath), http.StatusOK, "Nominated by Embassy of Kenya Cooperative")
	want(t, nee.get(base), http.StatusForbidden)

	// The organizer's list: who nominated whom, entered.
	p = org.get(base)
	want(t, p, http.StatusOK, "Who nominated whom", "Embassy of Kenya Cooperative", "weaver@coop.example", "Entered")
}
