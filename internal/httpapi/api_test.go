package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
	"github.com/gin-gonic/gin"

	"github.com/tessera/tessera/internal/auth"
	"github.com/tessera/tessera/internal/config"
	"github.com/tessera/tessera/internal/db"
	"github.com/tessera/tessera/internal/db/dbtest"
	"github.com/tessera/tessera/internal/httpapi"
	"github.com/tessera/tessera/internal/stack"
	"github.com/tessera/tessera/internal/testenv"
)

// TestAPI drives the thin path (organizer → entrant → judge → results →
// public winners) and every kind of bad input a user can type through the
// real HTTP stack, on both deployment shapes. Every API response is checked
// against openapi.yaml.
func TestAPI(t *testing.T) {
	t.Run("embedded", func(t *testing.T) {
		env := startStack(t, embeddedConfig(t))
		runAPI(t, env)
	})
	t.Run("real", func(t *testing.T) {
		env := startStack(t, realConfig(t))
		runAPI(t, env)
	})
}

func runAPI(t *testing.T, env *testEnv) {
	w := &world{env: env}
	t.Run("thin_path", func(t *testing.T) { thinPath(t, w) })
	t.Run("bad_input", func(t *testing.T) { badInput(t, w) })
}

// TestAPIDocumentServed checks that the API serves its OpenAPI document and
// that the document names every route the engine mounts under /api/v1.
func TestAPIDocumentServed(t *testing.T) {
	env := startStack(t, embeddedConfig(t))
	c := env.client

	r := c.do(t, http.MethodGet, "/api/v1/openapi.yaml", "", "", nil)
	if r.status != http.StatusOK {
		t.Fatalf("GET /api/v1/openapi.yaml: status %d", r.status)
	}
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/yaml") {
		t.Errorf("GET /api/v1/openapi.yaml: Content-Type %q, want application/yaml", ct)
	}
	if !bytes.Equal(r.body, httpapi.OpenAPIDocument()) {
		t.Errorf("GET /api/v1/openapi.yaml does not return the embedded document")
	}
	served, err := openapi3.NewLoader().LoadFromData(r.body)
	if err != nil {
		t.Fatalf("served document does not load: %v", err)
	}

	engine, ok := env.handler.(*gin.Engine)
	if !ok {
		t.Fatalf("Stack.Handler() is a %T, want *gin.Engine", env.handler)
	}
	n := 0
	for _, rt := range engine.Routes() {
		p, ok := strings.CutPrefix(rt.Path, "/api/v1/")
		if !ok || strings.Contains(p, "*") {
			continue // not the API, or the catch-all that answers unknown endpoints
		}
		n++
		path := "/" + ginParam.ReplaceAllString(p, "{$1}")
		item := served.Paths.Value(path)
		if item == nil || item.GetOperation(rt.Method) == nil {
			t.Errorf("route %s %s is not documented in openapi.yaml (as %s %s)", rt.Method, rt.Path, rt.Method, path)
		}
	}
	if n < 20 {
		t.Errorf("only %d API routes found on the engine; is the API mounted?", n)
	}
}

var ginParam = regexp.MustCompile(`:([A-Za-z_][A-Za-z0-9_]*)`)

// ---------------------------------------------------------------- the stack

// testEnv is one running Tessera: the stack, its HTTP server and a client
// that validates every API response against the OpenAPI document.
type testEnv struct {
	stack   *stack.Stack
	handler http.Handler
	server  *httptest.Server
	client  *apiClient
	logs    *testLog
}

func embeddedConfig(t *testing.T) config.Config {
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
	cfg.Addr = "127.0.0.1:0"
	cfg.BaseURL = "http://127.0.0.1"
	return cfg
}

// realConfig points every backend at the services make test starts:
// a fresh PostgreSQL database, Redis and a fresh MinIO bucket.
func realConfig(t *testing.T) config.Config {
	cfg := embeddedConfig(t)
	cfg.DatabaseURL = dbtest.PostgresURL(t)
	cfg.RedisURL = isolatedRedis(t, testenv.RedisURL(t))
	s3 := testenv.S3Config(t)
	cfg.S3 = config.S3{
		Endpoint:  s3.Endpoint,
		AccessKey: s3.AccessKey,
		SecretKey: s3.SecretKey,
		Bucket:    "t-" + strings.ToLower(db.NewID()), // NewS3 creates it
		UseSSL:    false,
	}
	return cfg
}

// apiRedisDB is the Redis database this test's queue uses, so workers of
// other packages' tests sharing the server never take its tasks (the
// browser test uses 1).
const apiRedisDB = "6"

func isolatedRedis(t *testing.T, raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatalf("TESSERA_TEST_REDIS_URL: %v", err)
	}
	u.Path = "/" + apiRedisDB
	return u.String()
}

// startStack opens the stack with cfg, runs its workers and serves its
// handler until the test ends.
func startStack(t *testing.T, cfg config.Config) *testEnv {
	t.Helper()
	if err := cfg.Validate(); err != nil {
		t.Fatalf("config: %v", err)
	}
	logs := newTestLog(t)
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelWarn}))

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := stack.Open(ctx, cfg, logger, stack.Options{Migrate: true})
	if err != nil {
		t.Fatalf("open stack: %v", err)
	}
	t.Cleanup(s.Close)
	h, err := buildHandler(s)
	if err != nil {
		t.Fatalf("build handler: %v", err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)

	wctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.RunWorkers(wctx) }()
	t.Cleanup(func() {
		stop()
		if err := <-done; err != nil {
			t.Errorf("workers: %v", err)
		}
	})
	t.Cleanup(func() {
		if bad := logs.errors(); len(bad) > 0 {
			t.Errorf("the server logged errors:\n%s", strings.Join(bad, "\n"))
		}
	})
	return &testEnv{stack: s, handler: h, server: srv, logs: logs, client: newAPIClient(t, srv)}
}

// buildHandler calls s.Handler, turning a panic while mounting routes into
// an error so the test fails with the reason instead of crashing.
func buildHandler(s *stack.Stack) (h http.Handler, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	return s.Handler()
}

// testLog collects the server's log lines and prints them with the test's
// output; writes after the test has ended are dropped.
type testLog struct {
	mu    sync.Mutex
	t     *testing.T
	done  bool
	lines []string
}

func newTestLog(t *testing.T) *testLog {
	l := &testLog{t: t}
	t.Cleanup(func() { l.mu.Lock(); l.done = true; l.mu.Unlock() })
	return l
}

func (l *testLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	line := strings.TrimRight(string(p), "\n")
	l.lines = append(l.lines, line)
	if !l.done {
		l.t.Log("server: " + line)
	}
	return len(p), nil
}

func (l *testLog) errors() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, s := range l.lines {
		if strings.Contains(s, "level=ERROR") {
			out = append(out, s)
		}
	}
	return out
}

// ---------------------------------------------------------------- client

// apiClient calls the server; its transport validates every /api/v1
// response (and every request the server accepted) against openapi.yaml.
type apiClient struct {
	base string
	hc   *http.Client
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func newAPIClient(t *testing.T, srv *httptest.Server) *apiClient {
	v := newValidator(t)
	return &apiClient{base: srv.URL, hc: &http.Client{
		Transport:     &validatingTransport{t: t, v: v, next: srv.Client().Transport},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Timeout:       30 * time.Second,
	}}
}

// do sends one request; body is sent as is with contentType (when set).
func (c *apiClient) do(t *testing.T, method, path, token, contentType string, body []byte, hdr ...string) response {
	t.Helper()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	// The transport reports mismatches with the document on the calling test.
	ctx := context.WithValue(context.Background(), testKey{}, t)
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", method, path, err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: b}
}

// json sends v as a JSON body (a string or []byte is sent verbatim).
func (c *apiClient) json(t *testing.T, method, path, token string, v any) response {
	t.Helper()
	var body []byte
	switch x := v.(type) {
	case nil:
	case string:
		body = []byte(x)
	case []byte:
		body = x
	default:
		var err error
		if body, err = json.Marshal(v); err != nil {
			t.Fatalf("marshal: %v", err)
		}
	}
	ct := ""
	if body != nil {
		ct = "application/json"
	}
	return c.do(t, method, path, token, ct, body)
}

// want checks the status and decodes the body into out (when not nil).
func (r response) want(t *testing.T, what string, status int, out any) {
	t.Helper()
	if r.status != status {
		t.Fatalf("%s: status %d, want %d; body: %s", what, r.status, status, r.body)
	}
	if out != nil {
		if err := json.Unmarshal(r.body, out); err != nil {
			t.Fatalf("%s: decode %s: %v", what, r.body, err)
		}
	}
}

// problem is an RFC 9457 body as the API sends it.
type problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail"`
	Errors []struct {
		Field   string `json:"field"`
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"errors"`
}

// messageKey matches an untranslated message-catalog key such as
// "error.bad_json", which is not a message a person can act on.
var messageKey = regexp.MustCompile(`^[a-z0-9_]+(\.[a-z0-9_]+)+$`)

// wantProblem checks a problem+json answer with status and a readable
// detail; for 422 it also wants the field problems, and returns the body.
func (r response) wantProblem(t *testing.T, what string, status int) problem {
	t.Helper()
	if r.status != status {
		t.Errorf("%s: status %d, want %d; body: %s", what, r.status, status, r.body)
	}
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
		t.Errorf("%s: Content-Type %q, want application/problem+json", what, ct)
	}
	var p problem
	if err := json.Unmarshal(r.body, &p); err != nil {
		t.Errorf("%s: problem body %q: %v", what, r.body, err)
		return p
	}
	if p.Status != r.status {
		t.Errorf("%s: problem status %d, HTTP status %d", what, p.Status, r.status)
	}
	if strings.TrimSpace(p.Detail) == "" || messageKey.MatchString(p.Detail) {
		t.Errorf("%s: detail %q is not a readable message", what, p.Detail)
	}
	if status == http.StatusUnprocessableEntity {
		if len(p.Errors) == 0 {
			t.Errorf("%s: 422 without field errors: %s", what, r.body)
		}
		for _, e := range p.Errors {
			if e.Field == "" || e.Code == "" || strings.TrimSpace(e.Message) == "" || messageKey.MatchString(e.Message) {
				t.Errorf("%s: field problem %+v lacks a field, a code or a readable message", what, e)
			}
		}
	}
	return p
}

// fieldCode returns the code reported for field, or "".
func (p problem) fieldCode(field string) string {
	for _, e := range p.Errors {
		if e.Field == field {
			return e.Code
		}
	}
	return ""
}

func wantField(t *testing.T, what string, p problem, field, code string) {
	t.Helper()
	if got := p.fieldCode(field); got != code {
		t.Errorf("%s: field %q has code %q, want %q (errors: %+v)", what, field, got, code, p.Errors)
	}
}

// ---------------------------------------------------------------- validation

// validator checks requests and responses against openapi.yaml.
type validator struct {
	doc     *openapi3.T
	router  routers.Router
	problem *openapi3.Schema
}

var registerDecoders sync.Once

func newValidator(t *testing.T) *validator {
	t.Helper()
	registerDecoders.Do(func() {
		// Uploads are raw image bodies (documented as image/*).
		for _, ct := range []string{"image/jpeg", "image/png", "image/webp"} {
			openapi3filter.RegisterBodyDecoder(ct, openapi3filter.FileBodyDecoder)
		}
	})
	doc, err := openapi3.NewLoader().LoadFromData(httpapi.OpenAPIDocument())
	if err != nil {
		t.Fatalf("load openapi.yaml: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("openapi.yaml is invalid: %v", err)
	}
	router, err := legacy.NewRouter(doc)
	if err != nil {
		t.Fatalf("openapi router: %v", err)
	}
	return &validator{doc: doc, router: router, problem: doc.Components.Schemas["Problem"].Value}
}

// authenticate accepts a security scheme when the request carries its
// credential, so an operation that works without one must list {}.
func authenticate(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	req := in.RequestValidationInput.Request
	switch in.SecuritySchemeName {
	case "bearerAuth":
		if strings.HasPrefix(req.Header.Get("Authorization"), "Bearer ") {
			return nil
		}
	case "cookieAuth":
		if _, err := req.Cookie(auth.SessionCookie); err == nil {
			return nil
		}
	}
	return fmt.Errorf("no %s credential", in.SecuritySchemeName)
}

type validatingTransport struct {
	t    *testing.T // reports when the request names no test
	v    *validator
	next http.RoundTripper
}

type testKey struct{}

func (vt *validatingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	var reqBody []byte
	if req.GetBody != nil {
		rc, err := req.GetBody()
		if err != nil {
			return nil, err
		}
		reqBody, _ = io.ReadAll(rc)
		rc.Close()
	}
	resp, err := vt.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	if err != nil {
		return resp, err
	}
	if strings.HasPrefix(req.URL.Path, "/api/") {
		t := vt.t
		if ct, ok := req.Context().Value(testKey{}).(*testing.T); ok {
			t = ct
		}
		if err := vt.v.check(req, reqBody, resp, body); err != nil {
			t.Errorf("%s %s → %d does not match openapi.yaml: %v\nresponse body: %s", req.Method, req.URL.Path, resp.StatusCode, err, truncate(body))
		}
		if resp.StatusCode >= 500 {
			t.Errorf("%s %s → %d: a server error: %s", req.Method, req.URL.Path, resp.StatusCode, truncate(body))
		}
	}
	return resp, nil
}

func truncate(b []byte) string {
	if len(b) > 2000 {
		return string(b[:2000]) + "…"
	}
	return string(b)
}

// check validates one exchange. A request the server accepted (2xx) must be
// valid per the document too, so request schemas cannot drift either. An
// unknown endpoint must answer a 404 problem.
func (v *validator) check(req *http.Request, reqBody []byte, resp *http.Response, body []byte) error {
	ctx := context.Background()
	// The document's server is relative (/api/v1): route on path and query.
	vreq := &http.Request{
		Method: req.Method,
		URL:    &url.URL{Path: req.URL.Path, RawPath: req.URL.RawPath, RawQuery: req.URL.RawQuery},
		Header: req.Header.Clone(),
		Body:   io.NopCloser(bytes.NewReader(reqBody)),
	}
	if req.ContentLength >= 0 && req.Method != http.MethodGet && req.Method != http.MethodDelete {
		vreq.Header.Set("Content-Length", fmt.Sprint(req.ContentLength))
	}
	route, params, err := v.router.FindRoute(vreq)
	if err != nil {
		// An unknown path is a 404; a known path with an unknown method may
		// also be a 405.
		if resp.StatusCode != http.StatusNotFound && resp.StatusCode != http.StatusMethodNotAllowed {
			return fmt.Errorf("undocumented endpoint answered %d (want a 404 or 405 problem): %v", resp.StatusCode, err)
		}
		if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
			return fmt.Errorf("unknown endpoint: Content-Type %q, want application/problem+json", ct)
		}
		var x any
		if err := json.Unmarshal(body, &x); err != nil {
			return fmt.Errorf("unknown endpoint: body is not JSON: %v", err)
		}
		return v.problem.VisitJSON(x, openapi3.MultiErrors())
	}
	in := &openapi3filter.RequestValidationInput{
		Request: vreq, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: authenticate, MultiError: true},
	}
	var errs []error
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		if err := openapi3filter.ValidateRequest(ctx, in); err != nil {
			errs = append(errs, fmt.Errorf("the server accepted a request the document calls invalid: %w", err))
		}
	}
	out := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in,
		Status:                 resp.StatusCode,
		Header:                 resp.Header,
		Body:                   io.NopCloser(bytes.NewReader(body)),
		Options:                &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	if err := openapi3filter.ValidateResponse(ctx, out); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// ---------------------------------------------------------------- the flow

// JSON shapes the test reads back (the API's own types are unexported).
type (
	userJSON struct {
		ID          string `json:"id"`
		Email       string `json:"email"`
		Name        string `json:"name"`
		CanOrganize bool   `json:"can_organize"`
	}
	sessionJSON struct {
		Token     string    `json:"token"`
		ExpiresAt time.Time `json:"expires_at"`
		User      userJSON  `json:"user"`
	}
	competitionJSON struct {
		ID       string `json:"id"`
		Slug     string `json:"slug"`
		Title    string `json:"title"`
		TimeZone string `json:"time_zone"`
		Status   string `json:"status"`
	}
	overviewJSON struct {
		Competition competitionJSON `json:"competition"`
		Categories  []struct {
			ID            string   `json:"id"`
			Medium        string   `json:"medium"`
			Name          string   `json:"name"`
			AcceptedTypes []string `json:"accepted_types"`
		} `json:"categories"`
		Round struct {
			ID    string `json:"id"`
			Blind bool   `json:"blind"`
		} `json:"round"`
		Criteria []struct {
			ID       string  `json:"id"`
			Name     string  `json:"name"`
			Weight   float64 `json:"weight"`
			ScaleMin int     `json:"scale_min"`
			ScaleMax int     `json:"scale_max"`
		} `json:"criteria"`
		MyRoles          []string `json:"my_roles"`
		SubmissionWindow string   `json:"submission_window"`
	}
	assetJSON struct {
		ID          string `json:"id"`
		State       string `json:"state"`
		FailReason  string `json:"fail_reason"`
		FileName    string `json:"file_name"`
		ContentType string `json:"content_type"`
		Width       int    `json:"width"`
		Height      int    `json:"height"`
		ThumbURL    string `json:"thumb_url"`
		PreviewURL  string `json:"preview_url"`
		OriginalURL string `json:"original_url"`
	}
	entryJSON struct {
		ID          string     `json:"id"`
		Title       string     `json:"title"`
		Status      string     `json:"status"`
		Medium      string     `json:"medium"`
		SubmittedAt *time.Time `json:"submitted_at"`
		Entrant     *struct {
			Name         string `json:"name"`
			Organisation string `json:"organisation"`
			Country      string `json:"country"`
		} `json:"entrant"`
		Assets []assetJSON `json:"assets"`
		Awards []string    `json:"awards"`
		Mine   bool        `json:"mine"`
	}
	uploadJSON struct {
		ID          string `json:"id"`
		State       string `json:"state"`
		ContentType string `json:"content_type"`
		Size        int64  `json:"size"`
		FileName    string `json:"file_name"`
	}
)

// world is what the thin path leaves for the bad-input checks.
type world struct {
	env       *testEnv
	slug      string
	orgToken  string
	entToken  string
	judgeTok  string
	entryID   string // the entrant's submitted entry
	draftID   string // a second, draft entry of the entrant
	photoCat  string
	roundID   string // the competition's first round
	criteria  []string
	scaleMaxs map[string]int
}

const (
	entrantName = "Amina Wanjiru"
	entrantOrg  = "Loom Collective"
	fileName    = "loom.jpg"
	password    = "correct horse battery"
)

func thinPath(t *testing.T, w *world) {
	c := w.env.client
	s := w.env.stack
	ctx := context.Background()

	// An organizer exists (made by an admin command in real life) and signs in.
	org, err := s.Auth.SignUp(ctx, auth.SignUpInput{Email: "olu@example.org", Name: "Olu Organizer", Password: password})
	if err != nil {
		t.Fatalf("sign up organizer: %v", err)
	}
	if err := s.DB.SetCanOrganize(ctx, org.ID, true); err != nil {
		t.Fatalf("let organizer organize: %v", err)
	}
	var sess sessionJSON
	r := c.json(t, http.MethodPost, "/api/v1/session", "", map[string]string{"email": "olu@example.org", "password": password})
	r.want(t, "sign in", http.StatusOK, &sess)
	if sess.Token == "" || !sess.User.CanOrganize || sess.User.ID != org.ID {
		t.Fatalf("sign in: session %+v", sess)
	}
	if !hasCookie(r.header, auth.SessionCookie) {
		t.Errorf("sign in: no %s cookie set", auth.SessionCookie)
	}
	w.orgToken = sess.Token
	var me userJSON
	c.json(t, http.MethodGet, "/api/v1/me", w.orgToken, nil).want(t, "me", http.StatusOK, &me)
	if me.Email != "olu@example.org" {
		t.Errorf("me: %+v", me)
	}

	// The organizer creates a competition: default categories, a rubric of
	// three weighted criteria, submissions and judging open now.
	now := time.Now().UTC()
	var comp competitionJSON
	c.json(t, http.MethodPost, "/api/v1/competitions", w.orgToken, map[string]any{
		"title":         "Lights of the Loom",
		"description":   "Weaving in every medium.",
		"time_zone":     "Africa/Nairobi",
		"opens_at":      now.Add(-time.Hour),
		"closes_at":     now.Add(48 * time.Hour),
		"grace_minutes": 15,
		"criteria": []map[string]any{
			{"name": "Composition", "weight": 2, "scale_min": 1, "scale_max": 10},
			{"name": "Impact", "weight": 1, "scale_min": 1, "scale_max": 10},
			{"name": "Craft", "guidance": "Technique and finish.", "weight": 1, "scale_min": 0, "scale_max": 5},
		},
	}).want(t, "create competition", http.StatusCreated, &comp)
	if comp.Slug != "lights-of-the-loom" || comp.TimeZone != "Africa/Nairobi" {
		t.Errorf("create competition: %+v", comp)
	}
	w.slug = comp.Slug
	base := "/api/v1/competitions/" + w.slug

	var list struct {
		Items []competitionJSON `json:"items"`
	}
	c.json(t, http.MethodGet, "/api/v1/competitions?limit=10&offset=0", "", nil).want(t, "list competitions", http.StatusOK, &list)
	if len(list.Items) != 1 || list.Items[0].Slug != w.slug {
		t.Errorf("list competitions: %+v", list.Items)
	}

	var ov overviewJSON
	c.json(t, http.MethodGet, base, w.orgToken, nil).want(t, "competition overview", http.StatusOK, &ov)
	if len(ov.Categories) != 4 || len(ov.Criteria) != 3 || ov.SubmissionWindow != "open" || !ov.Round.Blind {
		t.Fatalf("overview: %d categories, %d criteria, window %q, blind %v", len(ov.Categories), len(ov.Criteria), ov.SubmissionWindow, ov.Round.Blind)
	}
	if len(ov.MyRoles) != 1 || ov.MyRoles[0] != "organizer" {
		t.Errorf("overview: my_roles %v, want [organizer]", ov.MyRoles)
	}
	for _, cat := range ov.Categories {
		if cat.Medium == "photo" {
			w.photoCat = cat.ID
		}
	}
	if w.photoCat == "" {
		t.Fatalf("no photo category in %+v", ov.Categories)
	}
	w.roundID = ov.Round.ID
	w.scaleMaxs = map[string]int{}
	for _, cr := range ov.Criteria {
		w.criteria = append(w.criteria, cr.ID)
		w.scaleMaxs[cr.ID] = cr.ScaleMax
	}

	// An entrant signs up through the API and makes a photo entry.
	r = c.json(t, http.MethodPost, "/api/v1/users", "", map[string]string{
		"email": "amina@example.org", "name": entrantName, "password": password, "organisation": entrantOrg, "country": "ke",
	})
	r.want(t, "entrant signs up", http.StatusCreated, &sess)
	if sess.User.Name != entrantName || sess.User.CanOrganize {
		t.Errorf("entrant: %+v", sess.User)
	}
	w.entToken = sess.Token

	var entry entryJSON
	c.json(t, http.MethodPost, base+"/entries", w.entToken, map[string]any{
		"category_id": w.photoCat, "title": "Loom at dusk", "statement": "A weaver's hands at the end of the day.", "consent_publish": true, "consent_rules": true,
	}).want(t, "create entry", http.StatusCreated, &entry)
	if entry.Status != "draft" || entry.Medium != "photo" || len(entry.Assets) != 0 || !entry.Mine {
		t.Errorf("new entry: %+v", entry)
	}
	w.entryID = entry.ID
	entryPath := base + "/entries/" + w.entryID

	// Upload a 1200×800 JPEG and wait for its derivatives.
	jpg := testJPEG(t, 1200, 800)
	var up uploadJSON
	c.do(t, http.MethodPut, entryPath+"/files?name="+fileName, w.entToken, "image/jpeg", jpg).want(t, "upload", http.StatusCreated, &up)
	if up.ContentType != "image/jpeg" || up.Size != int64(len(jpg)) || up.FileName != fileName || up.State != "pending" {
		t.Errorf("upload: %+v", up)
	}
	asset := waitReady(t, c, entryPath, w.entToken, up.ID)
	if asset.Width != 1200 || asset.Height != 800 || asset.FileName != fileName || asset.OriginalURL == "" || asset.PreviewURL == "" {
		t.Errorf("ready asset as its owner sees it: %+v", asset)
	}

	// The thumbnail is a signed file URL: a 320-pixel-wide JPEG, with ranges.
	th := c.do(t, http.MethodGet, asset.ThumbURL, "", "", nil)
	if th.status != http.StatusOK || th.header.Get("Content-Type") != "image/jpeg" {
		t.Fatalf("GET thumb: %d %s", th.status, th.header.Get("Content-Type"))
	}
	img, err := jpeg.Decode(bytes.NewReader(th.body))
	if err != nil {
		t.Fatalf("thumb is not a JPEG: %v", err)
	}
	if b := img.Bounds(); b.Dx() != 320 || b.Dy() != 213 {
		t.Errorf("thumb is %dx%d, want 320x213", b.Dx(), b.Dy())
	}
	rg := c.do(t, http.MethodGet, asset.ThumbURL, "", "", nil, "Range", "bytes=0-99")
	if rg.status != http.StatusPartialContent || len(rg.body) != 100 || !bytes.Equal(rg.body, th.body[:100]) {
		t.Errorf("range request: status %d, %d bytes, Content-Range %q", rg.status, len(rg.body), rg.header.Get("Content-Range"))
	}

	var list2 struct {
		Items []entryJSON `json:"items"`
	}
	c.json(t, http.MethodGet, base+"/entries", w.entToken, nil).want(t, "my entries", http.StatusOK, &list2)
	if len(list2.Items) != 1 || list2.Items[0].ID != w.entryID {
		t.Errorf("my entries: %+v", list2.Items)
	}

	c.json(t, http.MethodPost, entryPath+"/submit", w.entToken, nil).want(t, "submit", http.StatusOK, &entry)
	if entry.Status != "submitted" || entry.SubmittedAt == nil {
		t.Errorf("submitted entry: %+v", entry)
	}

	// The organizer invites a judge, who signs up and accepts.
	var judgeID string
	var inv struct {
		Token string `json:"token"`
		URL   string `json:"url"`
		Role  string `json:"role"`
	}
	c.json(t, http.MethodPost, base+"/invitations", w.orgToken, map[string]string{"role": "judge", "email": "jo@example.org"}).
		want(t, "invite judge", http.StatusCreated, &inv)
	if inv.Role != "judge" || inv.URL != "http://127.0.0.1/invite/"+inv.Token {
		t.Errorf("invitation: %+v", inv)
	}
	c.json(t, http.MethodPost, "/api/v1/users", "", map[string]string{"email": "jo@example.org", "name": "Jo Judge", "password": password}).
		want(t, "judge signs up", http.StatusCreated, &sess)
	w.judgeTok, judgeID = sess.Token, sess.User.ID
	var acc struct {
		Competition competitionJSON `json:"competition"`
		Role        string          `json:"role"`
	}
	c.json(t, http.MethodPost, "/api/v1/invitations/"+inv.Token+"/accept", w.judgeTok, nil).want(t, "accept invitation", http.StatusOK, &acc)
	if acc.Role != "judge" || acc.Competition.Slug != w.slug {
		t.Errorf("accepted invitation: %+v", acc)
	}

	// The judge's queue is blind: no entrant, no original, no file name.
	var q struct {
		Items []struct {
			entryJSON
			Scored bool `json:"scored"`
		} `json:"items"`
		Scored int `json:"scored"`
		Total  int `json:"total"`
	}
	round := base + "/rounds/" + w.roundID
	r = c.json(t, http.MethodGet, round+"/queue", w.judgeTok, nil)
	r.want(t, "judge queue", http.StatusOK, &q)
	if len(q.Items) != 1 || q.Scored != 0 || q.Total != 1 || q.Items[0].ID != w.entryID || q.Items[0].Scored || q.Items[0].Mine {
		t.Fatalf("judge queue: %s", r.body)
	}
	wantBlind(t, "judge queue", r.body)
	if len(q.Items[0].Assets) != 1 || q.Items[0].Assets[0].ThumbURL == "" || q.Items[0].Assets[0].ContentType != "image/jpeg" {
		t.Errorf("judge queue: assets %+v, want one JPEG with a thumbnail", q.Items[0].Assets)
	}
	r = c.json(t, http.MethodGet, entryPath, w.judgeTok, nil)
	r.want(t, "judge views entry", http.StatusOK, nil)
	wantBlind(t, "judge views entry", r.body)

	// The judge scores it and submits the review.
	marks := map[string]int{w.criteria[0]: 8, w.criteria[1]: 6, w.criteria[2]: 4}
	var rv struct {
		Total     float64        `json:"total"`
		Scores    map[string]int `json:"scores"`
		Submitted bool           `json:"submitted"`
	}
	c.json(t, http.MethodPut, round+"/entries/"+w.entryID+"/review", w.judgeTok, map[string]any{"scores": marks, "submit": true}).want(t, "score", http.StatusOK, &rv)
	// Weighted mean of each mark rescaled to 0–100: weights 2, 1, 1.
	wantTotal := (2*(8.0-1)/9 + 1*(6.0-1)/9 + 1*4.0/5) / 4 * 100
	if !rv.Submitted || math.Abs(rv.Total-wantTotal) > 1e-9 {
		t.Errorf("review: %+v, want submitted with total %.4f", rv, wantTotal)
	}
	c.json(t, http.MethodGet, round+"/queue", w.judgeTok, nil).want(t, "judge queue after scoring", http.StatusOK, &q)
	if q.Scored != 1 || q.Total != 1 || len(q.Items) != 1 || !q.Items[0].Scored {
		t.Errorf("judge queue after scoring: scored %d/%d", q.Scored, q.Total)
	}

	// The organizer sees the ranking, category by category.
	var res struct {
		Categories []struct {
			Items []struct {
				Rank   int       `json:"rank"`
				Raw    float64   `json:"raw"`
				Scores int       `json:"scores"`
				Entry  entryJSON `json:"entry"`
			} `json:"items"`
		} `json:"categories"`
	}
	c.json(t, http.MethodGet, round+"/results", w.orgToken, nil).want(t, "results", http.StatusOK, &res)
	if len(res.Categories) != 1 || len(res.Categories[0].Items) != 1 {
		t.Fatalf("results: %+v, want one category with one entry", res)
	}
	if line := res.Categories[0].Items[0]; line.Rank != 1 || line.Scores != 1 || line.Entry.ID != w.entryID || math.Abs(line.Raw-wantTotal) > 0.01 {
		t.Errorf("results: %+v, want rank 1 with %.2f", line, wantTotal)
	}

	// Before the announcement the public gallery is empty.
	var win struct {
		Announced bool        `json:"announced"`
		Items     []entryJSON `json:"items"`
	}
	r = c.json(t, http.MethodGet, base+"/gallery", "", nil)
	r.want(t, "gallery before announcement", http.StatusOK, &win)
	if win.Announced || len(win.Items) != 0 || bytes.Contains(r.body, []byte("thumb_url")) {
		t.Errorf("gallery before announcement: %s", r.body)
	}

	var aw struct {
		EntryID string `json:"entry_id"`
		Kind    string `json:"kind"`
	}
	c.json(t, http.MethodPost, round+"/awards", w.orgToken, map[string]string{"entry_id": w.entryID, "kind": "first"}).
		want(t, "award", http.StatusCreated, &aw)
	if aw.EntryID != w.entryID || aw.Kind != "first" {
		t.Errorf("award: %+v", aw)
	}
	// An empty body never announces: the moment must be said.
	p := c.json(t, http.MethodPost, round+"/announcement", w.orgToken, map[string]any{}).wantProblem(t, "announce without a moment", http.StatusUnprocessableEntity)
	wantField(t, "announce without a moment", p, "at", "field.required")
	var ann struct {
		AnnouncedAt *time.Time `json:"announced_at"`
	}
	c.json(t, http.MethodPost, round+"/announcement", w.orgToken, map[string]any{"now": true}).want(t, "announce", http.StatusOK, &ann)
	if ann.AnnouncedAt == nil || time.Since(*ann.AnnouncedAt) > time.Minute {
		t.Errorf("announce: announced_at %v", ann.AnnouncedAt)
	}

	// Now anyone sees the winner, with its maker's name and a thumbnail.
	r = c.json(t, http.MethodGet, base+"/gallery", "", nil)
	r.want(t, "gallery", http.StatusOK, &win)
	if !win.Announced || len(win.Items) != 1 {
		t.Fatalf("winners after announcement: %s", r.body)
	}
	got := win.Items[0]
	if got.ID != w.entryID || got.Entrant == nil || got.Entrant.Name != entrantName || len(got.Awards) != 1 || got.Awards[0] != "first" || got.Mine {
		t.Errorf("winner: %s", r.body)
	}
	if len(got.Assets) != 1 || got.Assets[0].ThumbURL == "" || got.Assets[0].OriginalURL != "" || got.Assets[0].FileName != "" {
		t.Errorf("winner's assets as the public sees them: %+v", got.Assets)
	}
	if pub := c.do(t, http.MethodGet, got.Assets[0].ThumbURL, "", "", nil); pub.status != http.StatusOK {
		t.Errorf("public thumbnail: status %d", pub.status)
	}

	var pubOv struct {
		Competition struct {
			Status      string     `json:"status"`
			AnnouncedAt *time.Time `json:"announced_at"`
		} `json:"competition"`
		MyRoles []string `json:"my_roles"`
	}
	c.json(t, http.MethodGet, base, "", nil).want(t, "public overview after announcement", http.StatusOK, &pubOv)
	if pubOv.Competition.Status != "announced" || pubOv.Competition.AnnouncedAt == nil || len(pubOv.MyRoles) != 0 {
		t.Errorf("public overview after announcement: %+v", pubOv)
	}
	r = c.json(t, http.MethodGet, entryPath, "", nil)
	r.want(t, "public views the winning entry", http.StatusOK, &got)
	if got.Entrant == nil || got.Entrant.Name != entrantName || bytes.Contains(r.body, []byte("original_url")) || bytes.Contains(r.body, []byte(fileName)) {
		t.Errorf("public view of the winning entry: %s", r.body)
	}

	var audit struct {
		Items []struct {
			ID     int64  `json:"id"`
			Action string `json:"action"`
		} `json:"items"`
	}
	c.json(t, http.MethodGet, base+"/audit?after=0&limit=100", w.orgToken, nil).want(t, "audit", http.StatusOK, &audit)
	if len(audit.Items) == 0 {
		t.Errorf("audit log is empty after an award and an announcement")
	}

	// A second draft entry for the bad-input checks.
	c.json(t, http.MethodPost, base+"/entries", w.entToken, map[string]any{"category_id": w.photoCat, "title": "Warp and weft"}).
		want(t, "second entry", http.StatusCreated, &entry)
	w.draftID = entry.ID

	// Signing out ends that session only (a second one of the judge's,
	// started directly to spare a password hash).
	other, _, err := s.Auth.StartSession(ctx, judgeID)
	if err != nil {
		t.Fatalf("start a second judge session: %v", err)
	}
	r = c.json(t, http.MethodDelete, "/api/v1/session", other, nil)
	r.want(t, "sign out", http.StatusNoContent, nil)
	if !hasCookie(r.header, auth.SessionCookie) && !strings.Contains(r.header.Get("Set-Cookie"), auth.SessionCookie+"=") {
		t.Errorf("sign out: the session cookie is not cleared")
	}
	c.json(t, http.MethodGet, "/api/v1/me", other, nil).wantProblem(t, "me after sign-out", http.StatusUnauthorized)
	c.json(t, http.MethodGet, "/api/v1/me", w.judgeTok, nil).want(t, "me with the judge's other session", http.StatusOK, &me)
}

// waitReady polls the entry until the asset is processed.
func waitReady(t *testing.T, c *apiClient, entryPath, token, assetID string) assetJSON {
	t.Helper()
	start := time.Now()
	deadline := start.Add(15 * time.Second)
	for {
		var e entryJSON
		c.json(t, http.MethodGet, entryPath, token, nil).want(t, "poll entry", http.StatusOK, &e)
		for _, a := range e.Assets {
			if a.ID != assetID {
				continue
			}
			if a.State == "failed" {
				t.Fatalf("asset failed: %s", a.FailReason)
			}
			if a.State == "ready" && a.ThumbURL != "" {
				t.Logf("asset ready after %v", time.Since(start).Round(time.Millisecond))
				return a
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("asset %s not ready after 15s: %+v", assetID, e.Assets)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// wantBlind fails when a judge's view leaks who made the entry or the
// original file.
func wantBlind(t *testing.T, what string, body []byte) {
	t.Helper()
	for _, leak := range []string{`"entrant"`, `"original_url"`, `"file_name"`, `"fail_reason"`, `"submitted_at"`, entrantName, entrantOrg, fileName, "/original"} {
		if bytes.Contains(body, []byte(leak)) {
			t.Errorf("%s leaks %s: %s", what, leak, body)
		}
	}
}

func hasCookie(h http.Header, name string) bool {
	for _, c := range (&http.Response{Header: h}).Cookies() {
		if c.Name == name && c.Value != "" {
			return true
		}
	}
	return false
}

// testJPEG encodes a w×h image with a gradient and some texture.
func testJPEG(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.RGBA{R: uint8(x * 255 / w), G: uint8(y * 255 / h), B: uint8((x ^ y) & 0xff), A: 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 85}); err != nil {
		t.Fatalf("encode jpeg: %v", err)
	}
	return buf.Bytes()
}

// ---------------------------------------------------------------- bad input

func badInput(t *testing.T, w *world) {
	if w.slug == "" || w.orgToken == "" || w.entToken == "" || w.judgeTok == "" || w.entryID == "" || w.draftID == "" || len(w.criteria) != 3 {
		t.Fatalf("the thin path did not get far enough to set up the bad-input checks")
	}
	c := w.env.client
	base := "/api/v1/competitions/" + w.slug
	now := time.Now().UTC()
	goodCompetition := func(edit func(m map[string]any)) map[string]any {
		m := map[string]any{
			"title": "Second contest", "closes_at": now.Add(24 * time.Hour),
			"criteria": []map[string]any{{"name": "Overall", "weight": 1}},
		}
		if edit != nil {
			edit(m)
		}
		return m
	}

	t.Run("malformed JSON", func(t *testing.T) {
		p := c.json(t, http.MethodPost, "/api/v1/competitions", w.orgToken, `{"title": "Broken",`).wantProblem(t, "malformed JSON", http.StatusUnprocessableEntity)
		wantField(t, "malformed JSON", p, "body", "error.bad_json")
	})
	t.Run("unknown field", func(t *testing.T) {
		p := c.json(t, http.MethodPost, "/api/v1/users", "", map[string]string{"email": "x@example.org", "name": "X", "password": password, "nickname": "x"}).
			wantProblem(t, "unknown field", http.StatusUnprocessableEntity)
		wantField(t, "unknown field", p, "body", "error.bad_json")
	})
	t.Run("missing title", func(t *testing.T) {
		p := c.json(t, http.MethodPost, "/api/v1/competitions", w.orgToken, goodCompetition(func(m map[string]any) { delete(m, "title") })).
			wantProblem(t, "missing title", http.StatusUnprocessableEntity)
		wantField(t, "missing title", p, "title", "field.required")
	})
	t.Run("bad time zone", func(t *testing.T) {
		p := c.json(t, http.MethodPost, "/api/v1/competitions", w.orgToken, goodCompetition(func(m map[string]any) { m["time_zone"] = "Mars/Olympus_Mons" })).
			wantProblem(t, "bad time zone", http.StatusUnprocessableEntity)
		wantField(t, "bad time zone", p, "time_zone", "timezone.invalid")
	})
	t.Run("closes before opens", func(t *testing.T) {
		p := c.json(t, http.MethodPost, "/api/v1/competitions", w.orgToken, goodCompetition(func(m map[string]any) {
			m["opens_at"] = now.Add(48 * time.Hour)
			m["closes_at"] = now.Add(24 * time.Hour)
		})).wantProblem(t, "closes before opens", http.StatusUnprocessableEntity)
		wantField(t, "closes before opens", p, "closes_at", "deadline.before_opening")
	})
	t.Run("entrant creates competition", func(t *testing.T) {
		c.json(t, http.MethodPost, "/api/v1/competitions", w.entToken, goodCompetition(nil)).wantProblem(t, "entrant creates competition", http.StatusForbidden)
	})
	t.Run("wrong password", func(t *testing.T) {
		p := c.json(t, http.MethodPost, "/api/v1/session", "", map[string]string{"email": "amina@example.org", "password": "not the password"}).
			wantProblem(t, "wrong password", http.StatusUnauthorized)
		if p.Detail != "Wrong email or password." {
			t.Errorf("wrong password: detail %q", p.Detail)
		}
	})
	t.Run("no session", func(t *testing.T) {
		c.json(t, http.MethodGet, "/api/v1/me", "", nil).wantProblem(t, "me without a session", http.StatusUnauthorized)
		c.json(t, http.MethodPost, "/api/v1/competitions", "", goodCompetition(nil)).wantProblem(t, "create without a session", http.StatusUnauthorized)
		c.json(t, http.MethodGet, base+"/entries/"+w.draftID, "", nil).wantProblem(t, "draft entry without a session", http.StatusUnauthorized)
		c.json(t, http.MethodGet, "/api/v1/me", "not-a-real-token", nil).wantProblem(t, "me with a made-up token", http.StatusUnauthorized)
	})
	t.Run("entrant views results", func(t *testing.T) {
		round := base + "/rounds/" + w.roundID
		c.json(t, http.MethodGet, round+"/results", w.entToken, nil).wantProblem(t, "entrant views results", http.StatusForbidden)
		c.json(t, http.MethodGet, round+"/queue", w.entToken, nil).wantProblem(t, "entrant opens the judge queue", http.StatusForbidden)
		c.json(t, http.MethodGet, base+"/audit", w.entToken, nil).wantProblem(t, "entrant reads the audit log", http.StatusForbidden)
	})
	t.Run("unknown slug", func(t *testing.T) {
		c.json(t, http.MethodGet, "/api/v1/competitions/no-such-contest", "", nil).wantProblem(t, "unknown slug", http.StatusNotFound)
		c.json(t, http.MethodGet, base+"/entries/no-such-entry", w.orgToken, nil).wantProblem(t, "unknown entry", http.StatusNotFound)
		c.json(t, http.MethodPost, "/api/v1/invitations/no-such-token/accept", w.entToken, nil).wantProblem(t, "unknown invitation", http.StatusNotFound)
	})
	t.Run("unknown route", func(t *testing.T) {
		c.json(t, http.MethodGet, "/api/v1/no-such-endpoint", "", nil).wantProblem(t, "unknown route", http.StatusNotFound)
		// An unknown method on a known path: 404 or 405, as a problem.
		r := c.json(t, http.MethodPatch, base, w.orgToken, `{}`)
		want := http.StatusMethodNotAllowed
		if r.status == http.StatusNotFound {
			want = http.StatusNotFound
		}
		r.wantProblem(t, "unknown method", want)
	})

	draftFiles := base + "/entries/" + w.draftID + "/files"
	t.Run("text file named .png", func(t *testing.T) {
		p := c.do(t, http.MethodPut, draftFiles+"?name=fake.png", w.entToken, "image/png", []byte("this is plain text pretending to be a picture\n")).
			wantProblem(t, "text file named .png", http.StatusUnprocessableEntity)
		wantField(t, "text file named .png", p, "file", "upload.type_mismatch")
	})
	t.Run("empty upload", func(t *testing.T) {
		p := c.do(t, http.MethodPut, draftFiles+"?name=empty.jpg", w.entToken, "image/jpeg", []byte{}).
			wantProblem(t, "empty upload", http.StatusUnprocessableEntity)
		wantField(t, "empty upload", p, "file", "upload.empty")
	})
	t.Run("upload to someone else's entry", func(t *testing.T) {
		c.do(t, http.MethodPut, draftFiles+"?name=x.jpg", w.judgeTok, "image/jpeg", testJPEG(t, 64, 64)).
			wantProblem(t, "upload to someone else's entry", http.StatusNotFound)
	})
	t.Run("file name with a slash", func(t *testing.T) {
		p := c.do(t, http.MethodPut, draftFiles+"?name="+url.QueryEscape("../etc/loom.jpg"), w.entToken, "image/jpeg", testJPEG(t, 64, 64)).
			wantProblem(t, "file name with a slash", http.StatusUnprocessableEntity)
		wantField(t, "file name with a slash", p, "file", "upload.name_separator")
	})
	t.Run("submit without a file", func(t *testing.T) {
		p := c.json(t, http.MethodPost, base+"/entries/"+w.draftID+"/submit", w.entToken, nil).
			wantProblem(t, "submit without a file", http.StatusUnprocessableEntity)
		wantField(t, "submit without a file", p, "files", "submit.no_file")
	})

	scorePath := base + "/rounds/" + w.roundID + "/entries/" + w.entryID + "/review"
	t.Run("score out of scale", func(t *testing.T) {
		marks := map[string]int{w.criteria[0]: w.scaleMaxs[w.criteria[0]] + 1, w.criteria[1]: 5, w.criteria[2]: 3}
		p := c.json(t, http.MethodPut, scorePath, w.judgeTok, map[string]any{"scores": marks}).
			wantProblem(t, "score out of scale", http.StatusUnprocessableEntity)
		wantField(t, "score out of scale", p, w.criteria[0], "score.out_of_range")
	})
	t.Run("score an unknown criterion", func(t *testing.T) {
		marks := map[string]int{w.criteria[0]: 5, w.criteria[1]: 5, w.criteria[2]: 3, "no-such-criterion": 5}
		p := c.json(t, http.MethodPut, scorePath, w.judgeTok, map[string]any{"scores": marks}).
			wantProblem(t, "score an unknown criterion", http.StatusUnprocessableEntity)
		wantField(t, "score an unknown criterion", p, "no-such-criterion", "score.unknown_criterion")
	})
	t.Run("entrant scores", func(t *testing.T) {
		marks := map[string]int{w.criteria[0]: 5, w.criteria[1]: 5, w.criteria[2]: 3}
		c.json(t, http.MethodPut, scorePath, w.entToken, map[string]any{"scores": marks, "submit": true}).wantProblem(t, "entrant scores", http.StatusForbidden)
	})
	t.Run("bad invitation role", func(t *testing.T) {
		p := c.json(t, http.MethodPost, base+"/invitations", w.orgToken, map[string]string{"role": "organizer"}).
			wantProblem(t, "invite an organizer", http.StatusUnprocessableEntity)
		wantField(t, "invite an organizer", p, "role", "invite.role_invalid")
	})
	t.Run("announce twice", func(t *testing.T) {
		c.json(t, http.MethodPost, base+"/rounds/"+w.roundID+"/announcement", w.orgToken, map[string]any{"now": true}).wantProblem(t, "announce twice", http.StatusConflict)
	})
	t.Run("sign up with bad fields", func(t *testing.T) {
		p := c.json(t, http.MethodPost, "/api/v1/users", "", map[string]string{"email": "not-an-email", "name": "", "password": "short", "country": "Kenya"}).
			wantProblem(t, "sign up with bad fields", http.StatusUnprocessableEntity)
		wantField(t, "sign up with bad fields", p, "email", "field.email_invalid")
		wantField(t, "sign up with bad fields", p, "name", "field.required")
		wantField(t, "sign up with bad fields", p, "password", "password.too_short")
		wantField(t, "sign up with bad fields", p, "country", "country.invalid")
	})
}
