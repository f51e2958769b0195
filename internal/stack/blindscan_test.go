package stack

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/gin-gonic/gin"
	"golang.org/x/net/html"

	"github.com/tessera/tessera/internal/auth"
	"github.com/tessera/tessera/internal/config"
	"github.com/tessera/tessera/internal/db"
	"github.com/tessera/tessera/internal/db/dbtest"
	"github.com/tessera/tessera/internal/testenv"
)

// TestBlindScan proves that a judge of a blind round learns nothing of
// who made an entry. An entrant with a distinctive name, email,
// organisation and country enters a photo, two murals (an image and a
// PDF), a video and an essay whose files carry what cameras, phones and
// office programs write (names, GPS, dates, ICC profiles naming her), each
// under a file name holding her surname. Then the judge crawls everything
// they can reach: every link, image, video, form and data-* URL of every
// page from their home and their queue, every page route and every GET
// operation of the served OpenAPI document with the ids they have seen,
// the queue a page at a time so its cursors are followed, and every file.
// Bodies, headers, URLs, decoded cursors and each file's bytes and
// metadata (as exiftool reads it) are searched for her: any finding fails
// the test, saying what leaked, where, with an excerpt.
func TestBlindScan(t *testing.T) {
	needTools(t)
	files := scanFiles(t)
	t.Run("embedded", func(t *testing.T) { runBlindScan(t, scanEmbedded(t), files) })
	t.Run("real", func(t *testing.T) { runBlindScan(t, scanReal(t), files) })
}

func scanEmbedded(t *testing.T) config.Config {
	c := config.Default()
	c.DataDir = t.TempDir()
	return c
}

// scanRedisDB keeps this test's tasks apart from other packages' tests
// sharing make test's Redis.
const scanRedisDB = "7"

func scanReal(t *testing.T) config.Config {
	c := scanEmbedded(t)
	c.DatabaseURL = dbtest.PostgresURL(t)
	u, err := url.Parse(testenv.RedisURL(t))
	if err != nil {
		t.Fatalf("TESSERA_TEST_REDIS_URL: %v", err)
	}
	u.Path = "/" + scanRedisDB
	c.RedisURL = u.String()
	s3 := testenv.S3Config(t)
	c.S3 = config.S3{Endpoint: s3.Endpoint, AccessKey: s3.AccessKey, SecretKey: s3.SecretKey, Bucket: "t-" + strings.ToLower(db.NewID())}
	return c
}

// scanStack is a running Tessera with its workers, on its own address
// (which is its base URL, so every absolute link stays on the site).
type scanStack struct {
	s      *Stack
	engine *gin.Engine
	url    string
}

func startScanStack(t *testing.T, cfg config.Config) *scanStack {
	t.Helper()
	srv := httptest.NewUnstartedServer(nil)
	cfg.BaseURL = "http://" + srv.Listener.Addr().String()
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	logs := &scanLog{t: t}
	t.Cleanup(func() { logs.mu.Lock(); logs.done = true; logs.mu.Unlock() })
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelWarn}))
	s, err := Open(t.Context(), cfg, logger, Options{Migrate: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	h, err := s.Handler()
	if err != nil {
		t.Fatal(err)
	}
	srv.Config.Handler = h
	srv.Start()
	t.Cleanup(srv.Close)
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.RunWorkers(ctx) }()
	t.Cleanup(func() {
		stop()
		if err := <-done; err != nil {
			t.Errorf("workers: %v", err)
		}
	})
	engine, _ := h.(*gin.Engine)
	return &scanStack{s: s, engine: engine, url: srv.URL}
}

// scanLog shows the server's warnings with the test's output.
type scanLog struct {
	mu   sync.Mutex
	t    *testing.T
	done bool
}

func (l *scanLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.done {
		l.t.Log("server: " + strings.TrimSpace(string(p)))
	}
	return len(p), nil
}

// scanAPI calls the JSON API with a bearer token.
type scanAPI struct {
	t    *testing.T
	base string
	hc   *http.Client
}

func (a scanAPI) call(method, path, token, contentType string, body []byte, want int, out any) {
	a.t.Helper()
	req, err := http.NewRequest(method, a.base+path, bytes.NewReader(body))
	if err != nil {
		a.t.Fatal(err)
	}
	if body != nil && contentType == "" {
		contentType = "application/json"
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := a.hc.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != want {
		a.t.Fatalf("%s %s: %d, want %d: %s", method, path, res.StatusCode, want, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			a.t.Fatalf("%s %s: %v in %s", method, path, err, b)
		}
	}
}

func (a scanAPI) json(method, path, token string, in any, want int, out any) {
	a.t.Helper()
	var body []byte
	if in != nil {
		var err error
		if body, err = json.Marshal(in); err != nil {
			a.t.Fatal(err)
		}
	}
	a.call(method, path, token, "", body, want, out)
}

// waitUntil sleeps until t has passed, so that what follows happens in a
// later second than what came before.
func waitUntil(t time.Time) {
	time.Sleep(time.Until(t))
}

func runBlindScan(t *testing.T, cfg config.Config, files []scanUpload) {
	start := time.Now()
	st := startScanStack(t, cfg)
	s := st.s
	ctx := t.Context()
	api := scanAPI{t: t, base: st.url, hc: &http.Client{Timeout: 60 * time.Second}}
	const password = "correct horse battery"

	// The organizer sets up the competition, a blind round with a rubric
	// and its judge. Every time they set lies hours away from now.
	org, err := s.Auth.SignUp(ctx, auth.SignUpInput{Email: "organizer@scan.example.org", Name: "Olga Organizer", Password: password})
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
	zone, err := time.LoadLocation("Africa/Casablanca")
	if err != nil {
		t.Fatal(err)
	}
	hour := time.Now().UTC().Truncate(time.Hour)
	var comp struct{ ID, Slug string }
	api.json("POST", "/api/v1/competitions", orgTok, map[string]any{
		"title": "Threads of the Atlas", "time_zone": zone.String(),
		"opens_at": hour.Add(-48 * time.Hour), "closes_at": hour.Add(72 * time.Hour),
		"categories": []map[string]any{
			{"medium": "photo", "name": "Photographs"}, {"medium": "mural", "name": "Mural designs", "max_entries": 5},
			{"medium": "video", "name": "Short films"}, {"medium": "essay", "name": "Essays"},
		},
		"criteria": []map[string]any{{"name": "Craft", "weight": 1, "scale_min": 1, "scale_max": 10}},
	}, http.StatusCreated, &comp)
	base := "/api/v1/competitions/" + comp.Slug
	var ov struct {
		Categories []struct{ ID, Medium string }
		Round      struct{ ID string }
	}
	api.json("GET", base, orgTok, nil, http.StatusOK, &ov)
	cats := map[string]string{}
	for _, c := range ov.Categories {
		cats[c.Medium] = c.ID
	}
	round := ov.Round.ID
	api.json("PATCH", base+"/rounds/"+round, orgTok, map[string]any{
		"name": "First look", "opens_at": hour.Add(-24 * time.Hour), "closes_at": hour.Add(48 * time.Hour),
		"blind": true, "quorum": 1, "scoring_mode": "rubric",
	}, http.StatusOK, nil)
	api.json("PUT", base+"/rounds/"+round+"/criteria", orgTok, map[string]any{"criteria": []map[string]any{
		{"name": "Craft", "weight": 2, "scale_min": 1, "scale_max": 10, "guidance": "Skill and finish."},
		{"name": "Story", "weight": 1, "scale_min": 1, "scale_max": 10},
	}}, http.StatusOK, nil)
	var inv struct{ Token string }
	api.json("POST", base+"/invitations", orgTok, map[string]string{"role": "judge", "email": "judge@scan.example.org"}, http.StatusCreated, &inv)
	var judge struct {
		Token string
		User  struct{ ID string }
	}
	api.json("POST", "/api/v1/users", "", map[string]string{"email": "judge@scan.example.org", "name": "Jo Judge", "password": password, "organisation": "Judges Guild", "country": "SN"}, http.StatusCreated, &judge)
	api.json("POST", "/api/v1/invitations/"+inv.Token+"/accept", judge.Token, nil, http.StatusOK, nil)
	api.json("PUT", base+"/rounds/"+round+"/judges", orgTok, map[string]any{"judge_id": judge.User.ID}, http.StatusNoContent, nil)

	// The entrant signs up, fills in her profile, enters each work,
	// uploads its file, waits for it to be processed and submits. Her
	// activity has seconds of its own: nobody else acts meanwhile.
	entrantFrom := time.Now().Truncate(time.Second).Add(time.Second)
	waitUntil(entrantFrom)
	var ent struct {
		Token string
		User  struct{ ID string }
	}
	api.json("POST", "/api/v1/users", "", map[string]string{"email": scanEmail, "name": scanName, "password": password, "organisation": scanOrg, "country": scanCountry}, http.StatusCreated, &ent)
	api.json("PUT", "/api/v1/me/profile", ent.Token, map[string]string{"phone": scanPhone, "address": scanAddress}, http.StatusOK, nil)
	type entered struct {
		scanUpload
		id, asset string
	}
	var entries []entered
	for _, f := range files {
		var e struct{ ID string }
		api.json("POST", base+"/entries", ent.Token, map[string]any{"category_id": cats[f.medium], "title": f.title,
			"statement": "Made at home with the looms of the village.", "consent_publish": true, "consent_rules": true}, http.StatusCreated, &e)
		var up struct{ ID string }
		api.call("PUT", base+"/entries/"+e.ID+"/files?name="+url.QueryEscape(f.name), ent.Token, f.contentType, f.data, http.StatusCreated, &up)
		entries = append(entries, entered{f, e.ID, up.ID})
	}
	for _, e := range entries {
		deadline := time.Now().Add(90 * time.Second)
		for {
			var got struct {
				Assets []struct{ ID, State, FailReason string } `json:"assets"`
			}
			api.json("GET", base+"/entries/"+e.id, ent.Token, nil, http.StatusOK, &got)
			if len(got.Assets) == 1 && got.Assets[0].State == "failed" {
				t.Fatalf("%s failed: %s", e.name, got.Assets[0].FailReason)
			}
			if len(got.Assets) == 1 && got.Assets[0].State == "ready" {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s not processed after 90 s: %+v", e.name, got.Assets)
			}
			time.Sleep(50 * time.Millisecond)
		}
		api.json("POST", base+"/entries/"+e.id+"/submit", ent.Token, nil, http.StatusOK, nil)
	}
	entrantTo := time.Now()
	t.Logf("entrant's activity: %s to %s (%v after start)", entrantFrom.UTC().Format(time.RFC3339), entrantTo.UTC().Format(time.RFC3339Nano), time.Since(start).Round(time.Millisecond))
	waitUntil(entrantTo.Truncate(time.Second).Add(time.Second))

	// The organizer assigns the entries; the judge signs in and crawls.
	api.json("POST", base+"/rounds/"+round+"/assignments/auto", orgTok, nil, http.StatusOK, nil)

	sc := newLeakScanner(entrantFrom, entrantTo, zone)
	sc.word("name", "the entrant's name", scanName)
	sc.word("name", "the entrant's surname", scanSurname)
	sc.word("name", "the entrant's first name", scanFirstName)
	sc.word("email", "the entrant's email", scanEmail)
	sc.word("email", "the entrant's email", strings.SplitN(scanEmail, "@", 2)[0])
	sc.word("email", "the entrant's email domain", strings.SplitN(scanEmail, "@", 2)[1])
	sc.word("org", "the entrant's organisation", scanOrg)
	sc.word("org", "the entrant's organisation", "Tissage Atlas")
	sc.word("country", "the entrant's country", scanCountryEn)
	sc.word("country", "the entrant's country (flag)", "\U0001F1F2\U0001F1E6")
	sc.word("phone", "the entrant's phone", strings.TrimPrefix(scanPhone, "+212 "))
	sc.word("phone", "the entrant's phone", strings.ReplaceAll(strings.TrimPrefix(scanPhone, "+212 "), " ", ""))
	sc.word("address", "the entrant's address", "Lalla Aicha")
	sc.word("id", "the entrant's user id", ent.User.ID)
	sc.word("serial", "the camera's serial number", scanSerial)
	for _, w := range []string{fmt.Sprintf("%.4f", scanGPSLat), fmt.Sprintf("%.4f", scanGPSLon), fmt.Sprintf("%.3f", scanGPSLat), fmt.Sprintf("%.3f", scanGPSLon),
		scanGPSLatDMS, scanGPSLonDMS, "30°55'", "30° 55'", "6°53'", "6° 53'"} {
		sc.word("gps", "the GPS position", w)
	}
	for _, stem := range scanStems(files) {
		sc.word("file", "the original file name", stem)
	}

	cr := newJudgeCrawler(t, st, sc)
	cr.signIn("judge@scan.example.org", password)
	crawlStart := time.Now()
	cr.crawl(comp.Slug, round)
	t.Logf("judge crawl: %d requests (%d pages, %d API reads, %d files) in %v; routes the judge has no id for (not called): %v",
		cr.requests, cr.pages, cr.apiReads, len(cr.files), time.Since(crawlStart).Round(time.Millisecond), slices.Sorted(maps.Keys(cr.skipped)))

	// The crawl saw what a judge works with: every entry, and each one's
	// media, from thumbnails to the full judge copy, video and text.
	for _, e := range entries {
		if !cr.entries[e.id] {
			t.Errorf("the judge never saw the %s entry (%s): the scan did not cover it", e.medium, e.name)
		}
		var kinds []string
		for key := range cr.files {
			if strings.Contains(key, "/"+e.id+"/") {
				kinds = append(kinds, filepath.Base(key))
			}
		}
		want := map[string][]string{"photo": {"thumb", "judge"}, "mural": {"thumb", "judge"}, "video": {"thumb", "video"}, "essay": {"thumb", "text"}}[e.medium]
		for _, w := range want {
			if !strings.Contains(strings.Join(kinds, " "), w+".") {
				t.Errorf("the judge's crawl fetched no %s of the %s entry (%s); fetched %v", w, e.medium, e.name, kinds)
			}
		}
	}
	if !cr.cursorFollowed {
		t.Error("the crawl never followed a queue cursor")
	}

	// The scan itself must be able to see her: the same search over her
	// original files finds her name, GPS and dates in each.
	self := newLeakScanner(entrantFrom, entrantTo, zone)
	self.words = sc.words
	orig := t.TempDir()
	var origPaths []string
	for i, f := range files {
		p := filepath.Join(orig, fmt.Sprintf("%d%s", i, filepath.Ext(f.name)))
		if err := os.WriteFile(p, f.data, 0o600); err != nil {
			t.Fatal(err)
		}
		origPaths = append(origPaths, p)
	}
	for p, tags := range exifDump(t, origPaths) {
		self.metadata(filepath.Base(p), tags)
	}
	for i := range files {
		for _, what := range []string{"the entrant's name", "the date planted in"} {
			ok := false
			for _, f := range self.findings() {
				ok = ok || (strings.HasPrefix(f.What, what) && strings.HasPrefix(f.Where, fmt.Sprintf("%d.", i)))
			}
			if !ok {
				t.Errorf("self-check: the scan does not find %q in the original %s; it could not see a leak", what, files[i].name)
			}
		}
	}

	found := sc.findings()
	if len(found) == 0 {
		return
	}
	var b strings.Builder
	fmt.Fprintf(&b, "a judge of the blind round can identify the entrant: %d findings\n", len(found))
	last := ""
	for _, f := range found {
		if f.What != last {
			fmt.Fprintf(&b, "\n%s:\n", f.What)
			last = f.What
		}
		fmt.Fprintf(&b, "  - %s\n      …%s…\n", strings.TrimPrefix(f.Where, st.url), f.Excerpt)
	}
	t.Error(b.String())
}

// exifDump runs exiftool once over files and returns every tag of each
// (all groups, duplicates, binary values base64-encoded, embedded data).
func exifDump(t *testing.T, paths []string) map[string]map[string]any {
	t.Helper()
	out := map[string]map[string]any{}
	if len(paths) == 0 {
		return out
	}
	args := append([]string{"-j", "-a", "-G1", "-s", "-b", "-ee", "-api", "LargeFileSupport=1"}, paths...)
	cmd := exec.Command("exiftool", args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	raw, err := cmd.Output()
	if err != nil && len(raw) == 0 {
		t.Fatalf("exiftool: %v\n%s", err, stderr.Bytes())
	}
	var list []map[string]any
	if err := json.Unmarshal(raw, &list); err != nil {
		t.Fatalf("exiftool output: %v", err)
	}
	for _, m := range list {
		p, _ := m["SourceFile"].(string)
		out[p] = m
	}
	return out
}

// judgeCrawler is the judge's browser: a cookie jar, no automatic
// redirects (each Location is a link like any other), a breadth-first
// queue bounded by maxRequests.
type judgeCrawler struct {
	t        *testing.T
	st       *scanStack
	hc       *http.Client
	sc       *leakScanner
	queue    []string
	seen     map[string]bool
	requests int
	// pages and apiReads count what the crawl read, for the log.
	pages, apiReads int
	// skipped lists the routes no id the judge saw fits.
	skipped map[string]bool
	// files maps each object path (/files/…) to the copy on disk.
	files   map[string]string
	fileDir string
	// What the judge has seen, to fill in path parameters.
	slugs, rounds, entries, categories, users, conflicts map[string]bool
	cursorFollowed                                       bool
}

const maxRequests = 1500

func newJudgeCrawler(t *testing.T, st *scanStack, sc *leakScanner) *judgeCrawler {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &judgeCrawler{t: t, st: st, sc: sc, seen: map[string]bool{}, files: map[string]string{}, fileDir: t.TempDir(),
		hc:      &http.Client{Jar: jar, Timeout: 60 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }},
		skipped: map[string]bool{}, slugs: map[string]bool{}, rounds: map[string]bool{}, entries: map[string]bool{}, categories: map[string]bool{}, users: map[string]bool{}, conflicts: map[string]bool{}}
}

func (c *judgeCrawler) signIn(email, password string) {
	b, _ := json.Marshal(map[string]string{"email": email, "password": password})
	res, err := c.hc.Post(c.st.url+"/api/v1/session", "application/json", bytes.NewReader(b))
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	var s struct{ User struct{ ID string } }
	if err := json.NewDecoder(res.Body).Decode(&s); err != nil || res.StatusCode != http.StatusOK {
		c.t.Fatalf("judge signs in: %d %v", res.StatusCode, err)
	}
	c.users[s.User.ID] = true
}

// add queues a URL (absolute or relative to from) when it is on the site
// and worth a GET: not a static asset, not a language switch.
func (c *judgeCrawler) add(from *url.URL, ref string) { c.queueURL(from, ref, true) }

// queueURL is add; scan is false for URLs the crawler made itself (a
// cursor already searched where the judge was given it).
func (c *judgeCrawler) queueURL(from *url.URL, ref string, scan bool) {
	ref = strings.TrimSpace(ref)
	if ref == "" || strings.HasPrefix(ref, "#") || strings.HasPrefix(ref, "javascript:") || strings.HasPrefix(ref, "mailto:") || strings.HasPrefix(ref, "data:") {
		return
	}
	u, err := from.Parse(ref)
	if err != nil {
		return
	}
	site, _ := url.Parse(c.st.url)
	if u.Host != site.Host || (u.Scheme != "http" && u.Scheme != "https") {
		return
	}
	u.Fragment = ""
	if scan {
		c.sc.url("URL "+u.RequestURI()+" (on "+from.Path+")", u.String())
	}
	if strings.HasPrefix(u.Path, "/static/") || u.Query().Has("lang") || u.Path == "/signout" {
		return
	}
	key := u.RequestURI()
	if strings.HasPrefix(u.Path, "/files/") {
		key = u.Path // one download per object, whatever the signature
	}
	if c.seen[key] {
		return
	}
	c.seen[key] = true
	c.learnPath(u.Path)
	c.queue = append(c.queue, u.String())
}

var pathIDs = []struct {
	re   *regexp.Regexp
	pool func(c *judgeCrawler) map[string]bool
}{
	{regexp.MustCompile(`^/c/([^/]+)`), func(c *judgeCrawler) map[string]bool { return c.slugs }},
	{regexp.MustCompile(`^/api/v1/competitions/([^/]+)`), func(c *judgeCrawler) map[string]bool { return c.slugs }},
	{regexp.MustCompile(`/rounds/([^/]+)`), func(c *judgeCrawler) map[string]bool { return c.rounds }},
	{regexp.MustCompile(`/entries/([^/]+)`), func(c *judgeCrawler) map[string]bool { return c.entries }},
	{regexp.MustCompile(`/review/([^/]+)`), func(c *judgeCrawler) map[string]bool { return c.entries }},
	{regexp.MustCompile(`/categories/([^/]+)`), func(c *judgeCrawler) map[string]bool { return c.categories }},
	{regexp.MustCompile(`/conflicts/([^/]+)`), func(c *judgeCrawler) map[string]bool { return c.conflicts }},
}

// learnPath remembers the ids in a path the judge was given.
func (c *judgeCrawler) learnPath(p string) {
	if strings.HasPrefix(p, "/files/") || strings.HasPrefix(p, "/static/") {
		return
	}
	for _, x := range pathIDs {
		if m := x.re.FindStringSubmatch(p); m != nil && m[1] != "new" {
			x.pool(c)[m[1]] = true
		}
	}
}

// learnJSON remembers the ids in a JSON answer.
func (c *judgeCrawler) learnJSON(path string, v any) {
	walkJSON(v, "", func(p string, val any) {
		obj, ok := val.(map[string]any)
		if !ok {
			return
		}
		id, _ := obj["id"].(string)
		if s, ok := obj["slug"].(string); ok {
			c.slugs[s] = true
		}
		for k, pool := range map[string]map[string]bool{"entry_id": c.entries, "category_id": c.categories, "round_id": c.rounds} {
			if s, ok := obj[k].(string); ok && s != "" {
				pool[s] = true
			}
		}
		if id == "" {
			return
		}
		_, hasMedium := obj["medium"]
		_, hasAssets := obj["assets"]
		_, hasQuorum := obj["quorum"]
		_, hasEmail := obj["email"]
		switch {
		case hasMedium && hasAssets:
			c.entries[id] = true
		case hasMedium:
			c.categories[id] = true
		case hasQuorum || strings.HasSuffix(p, "round"):
			c.rounds[id] = true
		case hasEmail:
			c.users[id] = true
		case strings.HasSuffix(path, "/conflicts"):
			c.conflicts[id] = true
		}
	})
}

// crawl visits the judge's pages from their home and queue, then every
// page route and API read with what they have seen, until nothing new
// turns up.
func (c *judgeCrawler) crawl(slug, round string) {
	home, _ := url.Parse(c.st.url + "/")
	for _, p := range []string{"/", "/c/" + slug, "/c/" + slug + "/judge", "/c/" + slug + "/rounds/" + round + "/queue"} {
		c.add(home, p)
	}
	c.drain()
	doc := c.openAPI()
	for range 4 {
		before := len(c.seen)
		c.routes(doc)
		c.drain()
		if len(c.seen) == before {
			break
		}
	}
	c.scanFiles()
}

func (c *judgeCrawler) drain() {
	for len(c.queue) > 0 {
		if c.requests >= maxRequests {
			c.t.Errorf("the crawl stopped at its bound of %d requests with %d URLs left; raise maxRequests", maxRequests, len(c.queue))
			c.queue = nil
			return
		}
		u := c.queue[0]
		c.queue = c.queue[1:]
		c.visit(u)
	}
}

// visit GETs one URL and searches everything in the answer.
func (c *judgeCrawler) visit(raw string) {
	c.requests++
	u, _ := url.Parse(raw)
	switch {
	case strings.HasPrefix(u.Path, "/api/"):
		c.apiReads++
	case strings.HasPrefix(u.Path, "/files/"):
	default:
		c.pages++
	}
	where := "GET " + u.RequestURI()
	if strings.HasPrefix(u.Path, "/files/") {
		where = "GET " + u.Path + "?e=…&s=…" // the signature says nothing
	}
	req, _ := http.NewRequest("GET", raw, nil)
	if strings.HasPrefix(u.Path, "/api/") {
		req.Header.Set("Accept", "application/json")
	} else {
		req.Header.Set("Accept", "text/html,*/*")
	}
	res, err := c.hc.Do(req)
	if err != nil {
		c.t.Errorf("%s: %v", where, err)
		return
	}
	body, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		c.t.Errorf("%s: %v", where, err)
		return
	}
	if res.StatusCode >= 500 {
		c.t.Errorf("%s: %d %s", where, res.StatusCode, body)
	}
	c.sc.headers(where, res.Header)
	if loc := res.Header.Get("Location"); loc != "" {
		c.add(u, loc)
	}
	ct := res.Header.Get("Content-Type")
	switch {
	case strings.HasPrefix(u.Path, "/files/"):
		c.sc.text(where+" body", body, true)
		if res.StatusCode == http.StatusOK {
			p := filepath.Join(c.fileDir, fmt.Sprintf("%03d%s", len(c.files), filepath.Ext(u.Path)))
			if err := os.WriteFile(p, body, 0o600); err != nil {
				c.t.Fatal(err)
			}
			c.files[u.Path] = p
		} else {
			c.t.Errorf("%s: %d %s", where, res.StatusCode, body)
		}
	case strings.Contains(ct, "html"):
		c.sc.html(where, body)
		c.links(u, body)
	case strings.Contains(ct, "json"):
		c.sc.json(where, body)
		var v any
		if json.Unmarshal(body, &v) == nil {
			c.learnJSON(u.Path, v)
			walkJSON(v, "", func(_ string, val any) {
				if s, ok := val.(string); ok && (strings.HasPrefix(s, "/") || strings.HasPrefix(s, c.st.url)) {
					c.add(u, s)
				}
			})
			// The next page of a keyset list.
			if m, ok := v.(map[string]any); ok {
				if next, _ := m["next_cursor"].(string); next != "" {
					q := u.Query()
					q.Set("cursor", next)
					n := *u
					n.RawQuery = q.Encode()
					c.cursorFollowed = true
					c.queueURL(u, n.String(), false)
				}
			}
		}
	default:
		c.sc.text(where+" body", body, false)
	}
}

// links queues every URL of a page: href, src, srcset, poster, action of
// GET forms (with their fields' values), meta refresh and data-* URLs.
func (c *judgeCrawler) links(page *url.URL, body []byte) {
	doc, err := html.Parse(bytes.NewReader(body))
	if err != nil {
		c.t.Errorf("%s: %v", page, err)
		return
	}
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			attr := map[string]string{}
			for _, a := range n.Attr {
				attr[a.Key] = a.Val
				switch {
				case a.Key == "href" || a.Key == "src" || a.Key == "poster":
					c.add(page, a.Val)
				case a.Key == "srcset":
					for _, part := range strings.Split(a.Val, ",") {
						if f := strings.Fields(part); len(f) > 0 {
							c.add(page, f[0])
						}
					}
				case strings.HasPrefix(a.Key, "data-") && (strings.HasPrefix(a.Val, "/") || strings.HasPrefix(a.Val, "http")):
					c.add(page, a.Val)
				}
			}
			if n.Data == "meta" && strings.EqualFold(attr["http-equiv"], "refresh") {
				content := attr["content"]
				if i := strings.Index(strings.ToLower(content), "url="); i >= 0 {
					c.add(page, content[i+len("url="):])
				}
			}
			if n.Data == "form" && (attr["method"] == "" || strings.EqualFold(attr["method"], "get")) {
				c.add(page, formURL(page, n, attr["action"]))
			}
		}
		for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
			walk(ch)
		}
	}
	walk(doc)
}

// formURL is what submitting a GET form as it stands asks for.
func formURL(page *url.URL, form *html.Node, action string) string {
	u, err := page.Parse(action)
	if err != nil {
		return ""
	}
	q := url.Values{}
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && (n.Data == "input" || n.Data == "select") {
			var name, value, typ string
			for _, a := range n.Attr {
				switch a.Key {
				case "name":
					name = a.Val
				case "value":
					value = a.Val
				case "type":
					typ = a.Val
				}
			}
			if n.Data == "select" {
				for o := n.FirstChild; o != nil; o = o.NextSibling {
					for _, a := range o.Attr {
						if a.Key == "value" && value == "" {
							value = a.Val
						}
					}
				}
			}
			if name != "" && typ != "submit" && typ != "file" {
				q.Set(name, value)
			}
		}
		for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
			walk(ch)
		}
	}
	walk(form)
	if len(q) > 0 {
		u.RawQuery = q.Encode()
	}
	return u.String()
}

// openAPI reads the API's document as the judge is served it.
func (c *judgeCrawler) openAPI() *openapi3.T {
	res, err := c.hc.Get(c.st.url + "/api/v1/openapi.yaml")
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	c.requests++
	doc, err := openapi3.NewLoader().LoadFromData(b)
	if err != nil {
		c.t.Fatalf("the served OpenAPI document: %v", err)
	}
	return doc
}

// routes queues every GET operation of the API document and every page
// route of the engine, with each path parameter filled in with every id
// of its kind the judge has seen; list operations that page are called a
// row at a time so their cursors are produced and followed.
func (c *judgeCrawler) routes(doc *openapi3.T) {
	site, _ := url.Parse(c.st.url + "/")
	for path, item := range doc.Paths.Map() {
		op := item.Get
		if op == nil {
			continue
		}
		urls, ok := c.fill(path, `\{([^}]+)\}`)
		if !ok {
			c.skipped["GET /api/v1"+path] = true
			continue
		}
		pages := false
		for _, p := range append(item.Parameters, op.Parameters...) {
			if p.Value != nil && p.Value.In == "query" && p.Value.Name == "limit" {
				pages = true
			}
		}
		for _, u := range urls {
			c.add(site, "/api/v1"+u)
			if pages {
				c.add(site, "/api/v1"+u+"?limit=1")
			}
		}
	}
	if c.st.engine != nil {
		for _, r := range c.st.engine.Routes() {
			if r.Method != "GET" || strings.Contains(r.Path, "*") || strings.HasPrefix(r.Path, "/api/") {
				continue
			}
			urls, ok := c.fill(r.Path, `:([A-Za-z_]+)`)
			if !ok {
				c.skipped["GET "+r.Path] = true
				continue
			}
			for _, u := range urls {
				c.add(site, u)
			}
		}
	}
}

// fill expands a path template with the ids the judge has seen, by the
// parameter's name or, for a bare id, by the segment before it.
func (c *judgeCrawler) fill(tmpl, param string) ([]string, bool) {
	re := regexp.MustCompile(param)
	segs := strings.Split(tmpl, "/")
	out := []string{""}
	for i, seg := range segs {
		if i == 0 {
			continue
		}
		m := re.FindStringSubmatch(seg)
		if m == nil {
			for j := range out {
				out[j] += "/" + seg
			}
			continue
		}
		var pool map[string]bool
		switch name, prev := m[1], segs[i-1]; {
		case name == "slug":
			pool = c.slugs
		case name == "round":
			pool = c.rounds
		case name == "entry" || (name == "id" && (prev == "entries" || prev == "review")):
			pool = c.entries
		case name == "category" || (name == "id" && prev == "categories"):
			pool = c.categories
		case name == "judge" || name == "user":
			pool = c.users
		case name == "conflict":
			pool = c.conflicts
		}
		if len(pool) == 0 {
			return nil, false
		}
		var next []string
		for _, o := range out {
			for id := range pool {
				next = append(next, o+"/"+strings.Replace(seg, m[0], url.PathEscape(id), 1))
			}
		}
		out = next
	}
	return out, true
}

// scanFiles reads every downloaded file's metadata as exiftool shows it.
func (c *judgeCrawler) scanFiles() {
	byPath := map[string]string{}
	var paths []string
	for obj, p := range c.files {
		byPath[p] = obj
		paths = append(paths, p)
	}
	for p, tags := range exifDump(c.t, paths) {
		c.sc.metadata("file "+byPath[p], tags)
	}
}
