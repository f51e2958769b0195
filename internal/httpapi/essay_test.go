package httpapi_test

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tessera/tessera/internal/auth"
	"github.com/tessera/tessera/internal/media"
)

// TestEssayAPI reads a Markdown essay through GET .../entries/{id}/essay on
// both deployment shapes (the text comes from the local store or S3): the
// entrant and a blind judge get it rendered and sanitised, nobody else
// learns it exists.
func TestEssayAPI(t *testing.T) {
	t.Run("embedded", func(t *testing.T) { runEssayAPI(t, startStack(t, embeddedConfig(t))) })
	t.Run("real", func(t *testing.T) { runEssayAPI(t, startStack(t, realConfig(t))) })
}

// apiEssay holds what must never reach a reader's browser: a script, an
// image from a tracking address, raw HTML, a javascript: link.
const apiEssay = "# Threads of light\n\nThe loom *hums* at dusk.\n\n<script>alert('judge')</script>\n\n" +
	"![the loom](http://tracker.example/pixel.gif)\n\n[click](javascript:alert(1)) or [read more](https://notes.example/loom)\n"

type essayResponse struct {
	EntryID    string `json:"entry_id"`
	State      string `json:"state"`
	FailReason string `json:"fail_reason"`
	HTML       string `json:"html"`
	WordCount  int    `json:"word_count"`
	Markdown   bool   `json:"markdown"`
}

func runEssayAPI(t *testing.T, env *testEnv) {
	c := env.client
	s := env.stack
	ctx := context.Background()
	org, err := s.Auth.SignUp(ctx, auth.SignUpInput{Email: "essay-org@example.org", Name: "Mo Organizer", Password: password})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.DB.SetCanOrganize(ctx, org.ID, true); err != nil {
		t.Fatal(err)
	}
	orgTok, _, err := s.Auth.StartSession(ctx, org.ID)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	var comp competitionJSON
	c.json(t, http.MethodPost, "/api/v1/competitions", orgTok, map[string]any{
		"title": "Written Looms", "time_zone": "UTC", "opens_at": now.Add(-time.Hour), "closes_at": now.Add(48 * time.Hour),
		"criteria": []map[string]any{{"name": "Voice", "weight": 1, "scale_min": 1, "scale_max": 10}},
	}).want(t, "create competition", http.StatusCreated, &comp)
	base := "/api/v1/competitions/" + comp.Slug
	var ov overviewJSON
	c.json(t, http.MethodGet, base, orgTok, nil).want(t, "overview", http.StatusOK, &ov)
	if !ov.Round.Blind {
		t.Fatal("the round should be blind")
	}
	var essayCat string
	for _, cat := range ov.Categories {
		if cat.Medium == "essay" {
			essayCat = cat.ID
		}
	}

	tokens := map[string]string{"public": ""}
	for _, p := range []struct{ role, name string }{{"owner", entrantName}, {"other", "Bo Mensah"}, {"judge", "Jo Judge"}} {
		var sess sessionJSON
		c.json(t, http.MethodPost, "/api/v1/users", "", map[string]string{"email": "essay-" + p.role + "@example.org", "name": p.name, "password": password}).
			want(t, p.role+" signs up", http.StatusCreated, &sess)
		tokens[p.role] = sess.Token
	}
	var inv struct {
		Token string `json:"token"`
	}
	c.json(t, http.MethodPost, base+"/invitations", orgTok, map[string]string{"role": "judge", "email": "essay-judge@example.org"}).
		want(t, "invite judge", http.StatusCreated, &inv)
	c.json(t, http.MethodPost, "/api/v1/invitations/"+inv.Token+"/accept", tokens["judge"], nil).want(t, "accept", http.StatusOK, nil)

	var e entryJSON
	c.json(t, http.MethodPost, base+"/entries", tokens["owner"], map[string]any{"category_id": essayCat, "title": "Threads", "consent_publish": true, "consent_rules": true}).
		want(t, "create entry", http.StatusCreated, &e)
	entryPath := base + "/entries/" + e.ID
	var up uploadJSON
	c.do(t, http.MethodPut, entryPath+"/files?name=amina-threads.md", tokens["owner"], "text/plain", []byte(apiEssay)).want(t, "upload", http.StatusCreated, &up)
	waitReady(t, c, entryPath, tokens["owner"], up.ID)
	c.json(t, http.MethodPost, entryPath+"/submit", tokens["owner"], nil).want(t, "submit", http.StatusOK, nil)

	words := media.CountWords(media.NormaliseText(apiEssay), true)
	for _, role := range []string{"owner", "judge"} {
		r := c.json(t, http.MethodGet, entryPath+"/essay", tokens[role], nil)
		var es essayResponse
		r.want(t, role+" reads the essay", http.StatusOK, &es)
		if es.EntryID != e.ID || es.State != "ready" || !es.Markdown || es.WordCount != words {
			t.Errorf("%s: %+v, want entry %s ready, Markdown, %d words", role, es, e.ID, words)
		}
		for _, w := range []string{"<h2>Threads of light</h2>", "<em>hums</em>", `<a href="https://notes.example/loom" rel="nofollow noopener noreferrer">read more</a>`} {
			if !strings.Contains(es.HTML, w) {
				t.Errorf("%s: html lacks %q: %s", role, w, es.HTML)
			}
		}
		for _, l := range []string{"<script", "alert('judge')", "tracker.example", "<img", "javascript:"} {
			if strings.Contains(es.HTML, l) {
				t.Errorf("%s: html has %q: %s", role, l, es.HTML)
			}
		}
		if role == "judge" {
			wantBlind(t, "judge reads the essay", r.body)
			if bytes.Contains(r.body, []byte("amina-threads")) {
				t.Errorf("the judge sees the file name: %s", r.body)
			}
		}
	}
	for _, role := range []string{"other", "public"} {
		r := c.json(t, http.MethodGet, entryPath+"/essay", tokens[role], nil)
		status := http.StatusNotFound
		if role == "public" {
			status = http.StatusUnauthorized // signed out: sign in, as for the entry
		}
		r.wantProblem(t, role+" reads the essay", status)
		if bytes.Contains(r.body, []byte("Threads")) {
			t.Errorf("%s learns of the essay: %s", role, r.body)
		}
	}
}
