package httpapi_test

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tessera/tessera/internal/auth"
	"github.com/tessera/tessera/internal/contest"
)

// TestRefusalBeforeBody checks the order every write answers in: who the
// caller is first (401, 403, or 404 for a competition that does not
// exist), what they sent after. A refused caller gets the same refusal
// whether their JSON is good, broken or huge; an allowed caller with broken
// JSON gets a 422 on the field "body" with a readable message.
func TestRefusalBeforeBody(t *testing.T) {
	env := startStack(t, embeddedConfig(t))
	ctx := context.Background()
	s := env.stack
	tok := map[string]string{"public": ""}
	ids := map[string]string{}
	for _, who := range []string{"organizer", "entrant", "other", "judge", "nominator"} {
		u, err := s.Auth.SignUp(ctx, auth.SignUpInput{Email: who + "@refusals.example.org", Name: "R " + who, Password: password})
		if err != nil {
			t.Fatal(err)
		}
		if tok[who], _, err = s.Auth.StartSession(ctx, u.ID); err != nil {
			t.Fatal(err)
		}
		ids[who] = u.ID
	}
	if err := s.DB.SetCanOrganize(ctx, ids["organizer"], true); err != nil {
		t.Fatal(err)
	}
	c := env.client
	now := time.Now().UTC()
	var comp competitionJSON
	c.json(t, http.MethodPost, "/api/v1/competitions", tok["organizer"], map[string]any{
		"title": "Refusals First", "opens_at": now.Add(-time.Hour), "closes_at": now.Add(48 * time.Hour),
		"criteria": []map[string]any{{"name": "Craft", "weight": 1, "scale_min": 1, "scale_max": 10}},
	}).want(t, "create competition", http.StatusCreated, &comp)
	base := "/api/v1/competitions/" + comp.Slug
	var ov struct {
		Categories []struct{ ID string } `json:"categories"`
		Round      struct{ ID string }   `json:"round"`
	}
	c.json(t, http.MethodGet, base, tok["organizer"], nil).want(t, "overview", http.StatusOK, &ov)
	for role, who := range map[contest.Role]string{contest.RoleJudge: "judge", contest.RoleNominator: "nominator"} {
		if err := s.DB.AddMember(ctx, comp.ID, ids[who], role); err != nil {
			t.Fatal(err)
		}
	}
	var entry entryJSON
	c.json(t, http.MethodPost, base+"/entries", tok["entrant"], map[string]any{"category_id": ov.Categories[0].ID, "title": "Mine"}).
		want(t, "create entry", http.StatusCreated, &entry)
	round := base + "/rounds/" + ov.Round.ID

	const broken = `{"name": "half a body`
	huge := `{"name": "` + strings.Repeat("x", 2<<20) + `"}`
	refused := []struct {
		who, method, path string
		status            int
	}{
		{"public", http.MethodPost, "/api/v1/competitions", http.StatusUnauthorized},
		{"entrant", http.MethodPost, "/api/v1/competitions", http.StatusForbidden},
		{"public", http.MethodPut, "/api/v1/me/profile", http.StatusUnauthorized},
		{"public", http.MethodPost, base + "/entries", http.StatusUnauthorized},
		{"public", http.MethodPatch, base + "/entries/" + entry.ID, http.StatusUnauthorized},
		{"public", http.MethodPost, base + "/entries/" + entry.ID + "/uploads", http.StatusUnauthorized},
		{"public", http.MethodPost, base + "/rounds", http.StatusUnauthorized},
		{"entrant", http.MethodPost, base + "/rounds", http.StatusForbidden},
		{"judge", http.MethodPatch, round, http.StatusForbidden},
		{"judge", http.MethodPut, round + "/criteria", http.StatusForbidden},
		{"nominator", http.MethodPost, base + "/invitations", http.StatusForbidden},
		{"entrant", http.MethodPut, round + "/entries/" + entry.ID + "/review", http.StatusForbidden},
		{"judge", http.MethodPost, base + "/nominations", http.StatusForbidden},
		{"nominator", http.MethodPut, base + "/nominations/settings", http.StatusForbidden},
		{"judge", http.MethodPost, round + "/awards", http.StatusForbidden},
		{"public", http.MethodPost, round + "/announcement", http.StatusUnauthorized},
		{"entrant", http.MethodPost, round + "/announcement", http.StatusForbidden},
		{"judge", http.MethodPost, base + "/recusals", http.StatusForbidden},
		{"organizer", http.MethodPost, "/api/v1/competitions/no-such-competition/rounds", http.StatusNotFound},
	}
	for _, tc := range refused {
		for body, what := range map[string]string{broken: "broken JSON", huge: "a body over 1 MiB"} {
			t.Run(tc.who+" "+tc.method+" "+strings.TrimPrefix(tc.path, base)+" with "+what, func(t *testing.T) {
				c.json(t, tc.method, tc.path, tok[tc.who], body).wantProblem(t, what, tc.status)
			})
		}
	}

	// Which entry a write names is checked after the body: someone else's
	// entry and a made-up one get the very same answer, broken body or not.
	t.Run("someone else's entry tells nothing", func(t *testing.T) {
		for _, body := range []any{broken, map[string]any{"title": "Stolen"}} {
			theirs := c.json(t, http.MethodPatch, base+"/entries/"+entry.ID, tok["other"], body)
			none := c.json(t, http.MethodPatch, base+"/entries/00000000000000000000000000", tok["other"], body)
			if theirs.status != none.status || !bytes.Equal(theirs.body, none.body) {
				t.Errorf("someone else's entry (%d %s) is told apart from a made-up one (%d %s)", theirs.status, theirs.body, none.status, none.body)
			}
		}
	})

	allowed := []struct {
		what, who, method, path, body string
	}{
		{"broken JSON", "organizer", http.MethodPost, base + "/rounds", broken},
		{"a list for an object", "organizer", http.MethodPut, round + "/criteria", `[1, 2]`},
		{"a time that is not one", "organizer", http.MethodPost, round + "/announcement", `{"at": "next tuesday"}`},
		{"an unknown field", "entrant", http.MethodPatch, base + "/entries/" + entry.ID, `{"titel": "Typo"}`},
		{"a number for a title", "entrant", http.MethodPost, base + "/entries", `{"title": 5}`},
		{"two bodies", "judge", http.MethodPost, base + "/conflicts", `{"country": "KE"} {"country": "GH"}`},
		{"broken JSON", "nominator", http.MethodPost, base + "/nominations", broken},
		{"broken JSON", "entrant", http.MethodPut, "/api/v1/me/profile", broken},
		{"broken JSON", "organizer", http.MethodPost, "/api/v1/competitions", broken},
	}
	for _, tc := range allowed {
		t.Run(tc.who+" "+tc.method+" "+strings.TrimPrefix(tc.path, base)+" with "+tc.what, func(t *testing.T) {
			p := c.json(t, tc.method, tc.path, tok[tc.who], tc.body).wantProblem(t, tc.what, http.StatusUnprocessableEntity)
			wantField(t, tc.what, p, "body", "error.bad_json")
			if len(p.Errors) != 1 || !strings.Contains(p.Errors[0].Message, "not valid JSON") {
				t.Errorf("%s: want one clear message on the body: %+v", tc.what, p.Errors)
			}
		})
	}
	// Refused writes changed nothing: the entry keeps its title.
	var got entryJSON
	c.json(t, http.MethodGet, base+"/entries/"+entry.ID, tok["entrant"], nil).want(t, "entry after refusals", http.StatusOK, &got)
	if got.Title != "Mine" {
		t.Errorf("a refused write changed the entry: %+v", got)
	}
}
