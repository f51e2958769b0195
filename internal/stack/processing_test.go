package stack

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tessera/tessera/internal/auth"
	"github.com/tessera/tessera/internal/config"
	"github.com/tessera/tessera/internal/contest"
	"github.com/tessera/tessera/internal/db"
)

// client is one person's cookie jar against the test server.
type client struct {
	t    *testing.T
	base string
	c    *http.Client
}

func newClient(t *testing.T, base string) *client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &client{t: t, base: base, c: &http.Client{Jar: jar, Timeout: 30 * time.Second}}
}

// do sends a request (a JSON body when in is not nil) and returns the
// status and body.
func (c *client) do(method, path string, in any) (int, string) {
	c.t.Helper()
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			c.t.Fatal(err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, c.base+path, body)
	if err != nil {
		c.t.Fatal(err)
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if strings.HasPrefix(path, "/api/") {
		req.Header.Set("Accept", "application/json")
	}
	res, err := c.c.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	return res.StatusCode, string(b)
}

// api sends a JSON request that must succeed and decodes the answer.
func (c *client) api(method, path string, in, out any) {
	c.t.Helper()
	status, body := c.do(method, path, in)
	if status >= 300 {
		c.t.Fatalf("%s %s: %d %s", method, path, status, body)
	}
	if out != nil {
		if err := json.Unmarshal([]byte(body), out); err != nil {
			c.t.Fatalf("%s %s: %v in %s", method, path, err, body)
		}
	}
}

// TestEntryPageFollowsProcessing checks what processing.js relies on: while
// a video's preview is made, its entrant's page names the JSON to poll and
// marks each file with its id and state, shows the percentage and a
// <progress> bar, and keeps a way to refresh without script; the JSON
// answers the same entrant with the same state and percentage. Once the
// file is ready the page neither polls nor refreshes.
func TestEntryPageFollowsProcessing(t *testing.T) {
	c := config.Default()
	c.DataDir = t.TempDir()
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	s, err := Open(ctx, c, slog.New(slog.DiscardHandler), Options{Migrate: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	h, err := s.Handler()
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()

	orgUser, err := s.Auth.SignUp(ctx, auth.SignUpInput{Email: "olga@example.org", Name: "Olga", Password: "organizer-pass-1"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.DB.SetCanOrganize(ctx, orgUser.ID, true); err != nil {
		t.Fatal(err)
	}
	org := newClient(t, srv.URL)
	org.api("POST", "/api/v1/session", map[string]string{"email": "olga@example.org", "password": "organizer-pass-1"}, nil)
	now := time.Now()
	var comp struct{ Slug string }
	org.api("POST", "/api/v1/competitions", map[string]any{
		"title": "Moving Hands", "time_zone": "Africa/Nairobi",
		"opens_at": now.Add(-time.Hour), "closes_at": now.Add(24 * time.Hour),
		"categories": []map[string]any{{"medium": "video", "name": "Short films"}},
		"criteria":   []map[string]any{{"name": "Overall", "weight": 1}},
	}, &comp)
	var overview struct{ Categories []struct{ ID string } }
	org.api("GET", "/api/v1/competitions/"+comp.Slug, nil, &overview)

	ent := newClient(t, srv.URL)
	ent.api("POST", "/api/v1/users", map[string]string{"email": "amina@example.org", "name": "Amina Wanjiru", "password": "entrant-pass-1"}, nil)
	var entry struct{ ID string }
	ent.api("POST", "/api/v1/competitions/"+comp.Slug+"/entries", map[string]any{"category_id": overview.Categories[0].ID, "title": "Dance of looms", "consent_publish": true}, &entry)

	// The video is uploaded, probed, and its preview 42 % made.
	a := contest.Asset{EntryID: entry.ID, FileName: "dance.mp4", ContentType: "video/mp4", OriginalKey: "entries/" + entry.ID + "/dance.mp4"}
	if err := s.DB.CreateAsset(ctx, &a); err != nil {
		t.Fatal(err)
	}
	if err := s.DB.MarkUploaded(ctx, a.ID, 10, "video/mp4"); err != nil {
		t.Fatal(err)
	}
	if ok, err := s.DB.StartProcessing(ctx, a.ID); err != nil || !ok {
		t.Fatalf("start processing: %v %v", ok, err)
	}
	if err := s.DB.SaveMediaFacts(ctx, a.ID, db.MediaFacts{Width: 1280, Height: 720, DurationMS: 2000}, nil); err != nil {
		t.Fatal(err)
	}
	if ok, err := s.DB.SetProgress(ctx, a.ID, 42); err != nil || !ok {
		t.Fatalf("set progress: %v %v", ok, err)
	}

	path := "/c/" + comp.Slug + "/entries/" + entry.ID
	status, body := ent.do("GET", path, nil)
	if status != http.StatusOK {
		t.Fatalf("entry page: %d\n%s", status, body)
	}
	live := "/api/v1/competitions/" + comp.Slug + "/entries/" + entry.ID
	for _, want := range []string{
		`data-live="` + live + `"`,
		`data-t-progress="Preparing the video preview: {percent} %"`,
		`data-asset="` + a.ID + `" data-state="processing"`,
		`<span data-progress-text>Preparing the video preview: 42 %</span>`,
		`<progress max="100" value="42">`,
		`<script src="/static/processing.js?v=`,
		// Without script: a refresh link, and a refresh only script-less
		// browsers obey.
		`<a href="` + path + `">Refresh now</a>`,
		`<noscript><meta http-equiv="refresh" content="3; url=` + path + `"></noscript>`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the entry page lacks %s", want)
		}
	}
	if n := strings.Count(body, `http-equiv="refresh"`); n != 1 {
		t.Errorf("%d meta refreshes; want only the one inside <noscript>, so scripts are not interrupted", n)
	}
	if strings.Contains(body, "data-refresh=") {
		t.Error("the uploader still reloads the page on a timer")
	}
	if _, fr := ent.do("GET", path+"?lang=fr", nil); !strings.Contains(fr, `data-t-progress="Préparation de l&#39;aperçu vidéo : {percent} %"`) || !strings.Contains(fr, "Actualiser maintenant") {
		t.Error("the French page lacks the translated progress pattern or refresh link")
	}

	// What the script reads: the same state and percentage.
	var got struct {
		Assets []struct {
			ID       string
			State    string
			Progress *int
		}
	}
	ent.api("GET", live, nil, &got)
	if len(got.Assets) != 1 || got.Assets[0].ID != a.ID || got.Assets[0].State != "processing" || got.Assets[0].Progress == nil || *got.Assets[0].Progress != 42 {
		t.Fatalf("the polled JSON: %+v", got)
	}
	if ok, err := s.DB.SetProgress(ctx, a.ID, 77); err != nil || !ok {
		t.Fatalf("set progress: %v %v", ok, err)
	}
	ent.api("GET", live, nil, &got)
	if *got.Assets[0].Progress != 77 {
		t.Fatalf("progress in the JSON did not move: %+v", got)
	}

	// Ready: a player, nothing polls or refreshes.
	if err := s.DB.FinishMedia(ctx, a.ID, nil, []contest.Derivative{{Name: "video", Key: "entries/" + entry.ID + "/" + a.ID + "/video.mp4", ContentType: "video/mp4"}}); err != nil {
		t.Fatal(err)
	}
	_, body = ent.do("GET", path, nil)
	if !strings.Contains(body, `data-asset="`+a.ID+`" data-state="ready"`) || !strings.Contains(body, "<video controls") {
		t.Errorf("the ready page lacks the player or the ready state")
	}
	for _, gone := range []string{"data-live=", "processing.js", `http-equiv="refresh"`, "<progress"} {
		if strings.Contains(body, gone) {
			t.Errorf("the ready page still has %s", gone)
		}
	}
}
