package httpapi_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tessera/tessera/internal/auth"
)

// TestNominations drives nominations through the real HTTP stack on both
// shapes: the organizer invites a nominator, nominations are refused while
// disabled, enabled with a quota of one, the nominator nominates (a link and
// a queued mail), the quota refuses a second, the nominee accepts, enters,
// and the entry carries the nomination for the entrant and the organizer;
// the organizer sees who nominated whom and changes the quota.
func TestNominations(t *testing.T) {
	t.Run("embedded", func(t *testing.T) { runNominations(t, startStack(t, embeddedConfig(t))) })
	t.Run("real", func(t *testing.T) { runNominations(t, startStack(t, realConfig(t))) })
}

type nominationsJSON struct {
	Enabled    bool `json:"enabled"`
	Nominators []struct {
		ID           string `json:"id"`
		Organisation string `json:"organisation"`
		Quota        int    `json:"quota"`
		Used         int    `json:"used"`
	} `json:"nominators"`
	Nominations []struct {
		Nominator    string `json:"nominator"`
		NomineeEmail string `json:"nominee_email"`
		Statement    string `json:"statement"`
		Status       string `json:"status"`
	} `json:"nominations"`
	Quota int `json:"quota"`
	Used  int `json:"used"`
}

func runNominations(t *testing.T, env *testEnv) {
	c := env.client
	s := env.stack
	ctx := context.Background()
	org, err := s.Auth.SignUp(ctx, auth.SignUpInput{Email: "nom-org@example.org", Name: "Nia Organizer", Password: password})
	if err != nil {
		t.Fatalf("sign up organizer: %v", err)
	}
	if err := s.DB.SetCanOrganize(ctx, org.ID, true); err != nil {
		t.Fatal(err)
	}
	var sess sessionJSON
	c.json(t, http.MethodPost, "/api/v1/session", "", map[string]string{"email": "nom-org@example.org", "password": password}).want(t, "sign in", http.StatusOK, &sess)
	orgTok := sess.Token
	now := time.Now().UTC()
	var comp competitionJSON
	c.json(t, http.MethodPost, "/api/v1/competitions", orgTok, map[string]any{
		"title": "Crafts of the World", "time_zone": "Europe/Paris",
		"opens_at": now.Add(-time.Hour), "closes_at": now.Add(48 * time.Hour),
		"criteria": []map[string]any{{"name": "Craft", "weight": 1, "scale_min": 1, "scale_max": 10}},
	}).want(t, "create competition", http.StatusCreated, &comp)
	base := "/api/v1/competitions/" + comp.Slug
	var ov overviewJSON
	c.json(t, http.MethodGet, base, orgTok, nil).want(t, "overview", http.StatusOK, &ov)
	photo := ""
	for _, cat := range ov.Categories {
		if cat.Medium == "photo" {
			photo = cat.ID
		}
	}

	// The organizer invites an embassy as a nominator.
	var inv struct {
		Token string `json:"token"`
	}
	c.json(t, http.MethodPost, base+"/invitations", orgTok, map[string]string{"role": "nominator", "email": "embassy@example.org"}).want(t, "invite nominator", http.StatusCreated, &inv)
	c.json(t, http.MethodPost, "/api/v1/users", "", map[string]string{"email": "embassy@example.org", "name": "Jean Attaché", "password": password, "organisation": "Embassy of Kenya", "country": "ke"}).
		want(t, "nominator signs up", http.StatusCreated, &sess)
	nomTok, nomID := sess.Token, sess.User.ID
	c.json(t, http.MethodPost, "/api/v1/invitations/"+inv.Token+"/accept", nomTok, nil).want(t, "accept nominator invitation", http.StatusOK, nil)

	// Nominations are off: the nominator is refused with a clear message.
	nominee := map[string]string{"email": "weaver@example.org", "name": "Wanjiku Weaver", "statement": "The finest basket weavers of Machakos."}
	p := c.json(t, http.MethodPost, base+"/nominations", nomTok, nominee).wantProblem(t, "nominate while disabled", http.StatusUnprocessableEntity)
	wantField(t, "nominate while disabled", p, "competition", "nomination.disabled")

	// Only the organizer enables them and sets quotas.
	c.json(t, http.MethodPut, base+"/nominations/settings", nomTok, map[string]bool{"enabled": true}).wantProblem(t, "nominator enables", http.StatusForbidden)
	c.json(t, http.MethodPut, base+"/nominations/settings", orgTok, map[string]bool{"enabled": true}).want(t, "enable nominations", http.StatusOK, nil)
	c.json(t, http.MethodPut, base+"/nominators/"+nomID+"/quota", nomTok, map[string]int{"quota": 5}).wantProblem(t, "nominator sets quota", http.StatusForbidden)
	c.json(t, http.MethodPut, base+"/nominators/"+org.ID+"/quota", orgTok, map[string]int{"quota": 1}).wantProblem(t, "quota for a non-nominator", http.StatusUnprocessableEntity)
	c.json(t, http.MethodPut, base+"/nominators/"+nomID+"/quota", orgTok, map[string]int{"quota": 1}).want(t, "set quota", http.StatusOK, nil)

	// Bad input changes nothing.
	p = c.json(t, http.MethodPost, base+"/nominations", nomTok, map[string]string{"email": "not an email", "statement": ""}).wantProblem(t, "nominate bad input", http.StatusUnprocessableEntity)
	wantField(t, "bad email", p, "email", "field.email_invalid")
	wantField(t, "no statement", p, "statement", "field.required")

	var link struct {
		Token string `json:"token"`
		URL   string `json:"url"`
	}
	c.json(t, http.MethodPost, base+"/nominations", nomTok, nominee).want(t, "nominate", http.StatusCreated, &link)
	if link.Token == "" || !strings.HasSuffix(link.URL, "/invite/"+link.Token) {
		t.Fatalf("nominate: %+v", link)
	}
	mails, err := s.DB.Outbox(ctx, comp.ID, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(mails) != 1 || mails[0].ToAddress != "weaver@example.org" || !strings.Contains(mails[0].Body, link.URL) || !strings.Contains(mails[0].Body, "Embassy of Kenya") {
		t.Errorf("nomination mail: %+v", mails)
	}
	p = c.json(t, http.MethodPost, base+"/nominations", nomTok, map[string]string{"email": "other@example.org", "statement": "Another."}).wantProblem(t, "over quota", http.StatusUnprocessableEntity)
	wantField(t, "over quota", p, "email", "nomination.quota_reached")

	// An entrant who is not a nominator may not nominate nor list.
	c.json(t, http.MethodPost, "/api/v1/users", "", map[string]string{"email": "weaver@example.org", "name": "Wanjiku Weaver", "password": password, "organisation": "Machakos Weavers", "country": "ke"}).
		want(t, "nominee signs up", http.StatusCreated, &sess)
	neeTok := sess.Token
	c.json(t, http.MethodGet, base+"/nominations", neeTok, nil).wantProblem(t, "nominee lists nominations", http.StatusForbidden)
	c.json(t, http.MethodPost, base+"/nominations", neeTok, nominee).wantProblem(t, "nominee nominates", http.StatusForbidden)

	var got nominationsJSON
	c.json(t, http.MethodGet, base+"/nominations", orgTok, nil).want(t, "organizer lists", http.StatusOK, &got)
	if len(got.Nominations) != 1 || got.Nominations[0].Status != "invited" {
		t.Errorf("before accepting: %+v", got)
	}

	// The nominee accepts and enters; the entry carries the nomination.
	c.json(t, http.MethodPost, "/api/v1/invitations/"+link.Token+"/accept", neeTok, nil).want(t, "accept nomination", http.StatusOK, nil)
	c.json(t, http.MethodGet, base+"/nominations", orgTok, nil).want(t, "organizer lists", http.StatusOK, &got)
	if len(got.Nominations) != 1 || got.Nominations[0].Status != "accepted" {
		t.Errorf("after accepting: %+v", got)
	}
	var entry struct {
		ID          string `json:"id"`
		NominatedBy string `json:"nominated_by"`
	}
	c.json(t, http.MethodPost, base+"/entries", neeTok, map[string]any{"category_id": photo, "title": "Baskets", "statement": "Sisal baskets."}).
		want(t, "nominee enters", http.StatusCreated, &entry)
	c.json(t, http.MethodGet, base+"/entries/"+entry.ID, neeTok, nil).want(t, "entrant reads entry", http.StatusOK, &entry)
	if entry.NominatedBy != "Embassy of Kenya" {
		t.Errorf("entrant sees nominated_by %q", entry.NominatedBy)
	}
	entry.NominatedBy = ""
	c.json(t, http.MethodGet, base+"/entries/"+entry.ID, orgTok, nil).want(t, "organizer reads entry", http.StatusOK, &entry)
	if entry.NominatedBy != "Embassy of Kenya" {
		t.Errorf("organizer sees nominated_by %q", entry.NominatedBy)
	}

	// Who nominated whom, with status and quota; the organizer raises it.
	c.json(t, http.MethodGet, base+"/nominations", orgTok, nil).want(t, "organizer lists", http.StatusOK, &got)
	if !got.Enabled || len(got.Nominations) != 1 || got.Nominations[0].Status != "entered" || got.Nominations[0].Nominator != "Embassy of Kenya" ||
		got.Nominations[0].NomineeEmail != "weaver@example.org" || len(got.Nominators) != 1 || got.Nominators[0].Quota != 1 || got.Nominators[0].Used != 1 {
		t.Errorf("organizer's list: %+v", got)
	}
	c.json(t, http.MethodPut, base+"/nominators/"+nomID+"/quota", orgTok, map[string]int{"quota": 2}).want(t, "raise quota", http.StatusOK, nil)
	c.json(t, http.MethodPost, base+"/nominations", nomTok, map[string]string{"email": "other@example.org", "statement": "Another."}).want(t, "nominate within new quota", http.StatusCreated, nil)
	got = nominationsJSON{}
	c.json(t, http.MethodGet, base+"/nominations", nomTok, nil).want(t, "nominator lists own", http.StatusOK, &got)
	if len(got.Nominations) != 2 || got.Quota != 2 || got.Used != 2 || len(got.Nominators) != 0 {
		t.Errorf("nominator's list: %+v", got)
	}

	// Disabled again: refused.
	c.json(t, http.MethodPut, base+"/nominations/settings", orgTok, map[string]bool{"enabled": false}).want(t, "disable nominations", http.StatusOK, nil)
	p = c.json(t, http.MethodPost, base+"/nominations", nomTok, map[string]string{"email": "third@example.org", "statement": "Third."}).wantProblem(t, "nominate after disabling", http.StatusUnprocessableEntity)
	wantField(t, "nominate after disabling", p, "competition", "nomination.disabled")
}
