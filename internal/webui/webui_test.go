package webui_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/tessera/tessera/internal/app"
	"github.com/tessera/tessera/internal/auth"
	"github.com/tessera/tessera/internal/blob"
	"github.com/tessera/tessera/internal/db"
	"github.com/tessera/tessera/internal/db/dbtest"
	"github.com/tessera/tessera/internal/queue"
	"github.com/tessera/tessera/internal/server"
	"github.com/tessera/tessera/internal/webui"
	"github.com/tessera/tessera/web"
	"github.com/tessera/tessera/worker"
	"github.com/tessera/tessera/worker/tasks"
)

// logBuffer collects the stack's logs, safe for the server's goroutines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// stack is the whole application in-process: SQLite, a local object store
// behind signed URLs, the embedded queue and a media worker.
type stack struct {
	t     *testing.T
	srv   *httptest.Server
	db    *db.DB
	logs  *logBuffer
	clock *clock
}

// clock is the application's time in a test: the real time moved on by
// however much the test advanced it. Only the app's rules (rounds opening
// and closing, the announcement) follow it; the database and sessions keep
// the real time.
type clock struct{ ahead atomic.Int64 }

func (c *clock) Now() time.Time { return time.Now().Add(time.Duration(c.ahead.Load())) }

// advanceTo moves the app's time to at (never back).
func (c *clock) advanceTo(at time.Time) {
	if d := time.Until(at); d > time.Duration(c.ahead.Load()) {
		c.ahead.Store(int64(d))
	}
}

// advance moves the app's time on by d.
func (c *clock) advance(d time.Duration) { c.ahead.Add(int64(d)) }

func newStack(t *testing.T, withWorker bool) *stack {
	t.Helper()
	ctx := context.Background()
	logs := &logBuffer{}
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	d := dbtest.SQLite(t)
	store, err := blob.NewLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	signer := blob.NewSigner([]byte("webui-test-secret-0123456789abcdef"), "/files")
	q, err := queue.Open(ctx, "", logger)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = q.Close() })
	as := auth.NewService(d)
	a := app.New(d, store, signer, nil, q, as, 8<<20, logger)
	clk := &clock{}
	a.Now = clk.Now
	cat, err := web.LoadCatalog(web.Translations())
	if err != nil {
		t.Fatal(err)
	}
	h, err := webui.New(a, as, cat, logger, false)
	if err != nil {
		t.Fatal(err)
	}
	if withWorker {
		ws := q.NewServer(asynq.Config{Queues: map[string]int{tasks.QueueMedia: 1}, Concurrency: 1, TaskCheckInterval: 100 * time.Millisecond})
		if err := ws.Start(worker.NewMux(&worker.MediaHandler{Assets: d, Blobs: store, Logger: logger}, logger)); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(ws.Shutdown)
	}
	eng := server.New(server.Deps{Logger: logger, Auth: as, Catalog: cat, UI: h, Files: blob.Handler(store, signer, nil), FilesPrefix: "/files"})
	srv := httptest.NewServer(eng)
	t.Cleanup(srv.Close)
	s := &stack{t: t, srv: srv, db: d, logs: logs, clock: clk}
	t.Cleanup(func() {
		if strings.Contains(logs.String(), "level=ERROR") {
			t.Errorf("the server logged errors:\n%s", logs.String())
		}
	})
	return s
}

// browser is one person's cookie jar.
type browser struct {
	s      *stack
	c      *http.Client
	follow bool
}

func (s *stack) browser() *browser {
	jar, err := cookiejar.New(nil)
	if err != nil {
		s.t.Fatal(err)
	}
	return &browser{s: s, c: &http.Client{Jar: jar, Timeout: 30 * time.Second}}
}

// noRedirects returns a browser sharing b's cookies that does not follow
// redirects.
func (b *browser) noRedirects() *browser {
	c := *b.c
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &browser{s: b.s, c: &c}
}

// page is a response read whole.
type page struct {
	Status int
	Body   string
	URL    *url.URL // after redirects
	Header http.Header
}

func (b *browser) do(req *http.Request) page {
	b.s.t.Helper()
	resp, err := b.c.Do(req)
	if err != nil {
		b.s.t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		b.s.t.Fatal(err)
	}
	return page{Status: resp.StatusCode, Body: string(body), URL: resp.Request.URL, Header: resp.Header}
}

func (b *browser) get(path string) page {
	b.s.t.Helper()
	req, err := http.NewRequest(http.MethodGet, b.s.srv.URL+path, nil)
	if err != nil {
		b.s.t.Fatal(err)
	}
	return b.do(req)
}

func (b *browser) post(path string, form url.Values) page {
	b.s.t.Helper()
	req, err := http.NewRequest(http.MethodPost, b.s.srv.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		b.s.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return b.do(req)
}

func (b *browser) upload(path, name string, data []byte) page {
	b.s.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, err := mw.CreateFormFile("file", name)
	if err != nil {
		b.s.t.Fatal(err)
	}
	_, _ = fw.Write(data)
	_ = mw.Close()
	req, err := http.NewRequest(http.MethodPost, b.s.srv.URL+path, &body)
	if err != nil {
		b.s.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return b.do(req)
}

func (b *browser) signUp(name, email, password, next string) page {
	b.s.t.Helper()
	return b.post("/signup", url.Values{"name": {name}, "email": {email}, "password": {password}, "organisation": {name + " Cooperative"}, "next": {next}})
}

func (b *browser) signIn(email, password string) page {
	b.s.t.Helper()
	return b.post("/signin", url.Values{"email": {email}, "password": {password}})
}

func want(t *testing.T, p page, status int, contains ...string) {
	t.Helper()
	if p.Status != status {
		t.Fatalf("%s: status %d, want %d\n%s", p.URL.Path, p.Status, status, p.Body)
	}
	for _, s := range contains {
		if !strings.Contains(p.Body, s) {
			t.Fatalf("%s: page lacks %q\n%s", p.URL.Path, s, p.Body)
		}
	}
}

func lacks(t *testing.T, p page, forbidden ...string) {
	t.Helper()
	for _, s := range forbidden {
		if strings.Contains(p.Body, s) {
			t.Fatalf("%s: page must not contain %q\n%s", p.URL.Path, s, p.Body)
		}
	}
}

func find(t *testing.T, p page, pattern string) string {
	t.Helper()
	m := regexp.MustCompile(pattern).FindStringSubmatch(p.Body)
	if m == nil {
		t.Fatalf("%s: nothing matches %s\n%s", p.URL.Path, pattern, p.Body)
	}
	return m[1]
}

func testJPEG(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{R: uint8(x * 255 / w), G: uint8(y * 255 / h), B: 120, A: 255})
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 80}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// organizer signs up a user and lets them create competitions.
func (s *stack) organizer(email string) *browser {
	s.t.Helper()
	b := s.browser()
	want(s.t, b.signUp("Olga Organizer", email, "organizer-pass-1", "/"), http.StatusOK)
	u, err := s.db.UserByEmail(context.Background(), email)
	if err != nil {
		s.t.Fatal(err)
	}
	if err := s.db.SetCanOrganize(context.Background(), u.ID, true); err != nil {
		s.t.Fatal(err)
	}
	return b
}

func competitionForm(title string) url.Values {
	now := time.Now().UTC()
	return url.Values{
		"title":              {title},
		"description":        {"Photos of hands at work.\nOpen to every cooperative."},
		"time_zone":          {"Africa/Nairobi"},
		"opens_at":           {now.Add(-time.Hour).In(mustZone("Africa/Nairobi")).Format("2006-01-02T15:04")},
		"closes_at":          {now.Add(72 * time.Hour).In(mustZone("Africa/Nairobi")).Format("2006-01-02T15:04")},
		"grace_minutes":      {"15"},
		"blind":              {"on"},
		"categories":         {"photo", "video", "mural", "essay"},
		"criteria[0].name":   {"Storytelling"},
		"criteria[0].weight": {"40"},
		"criteria[1].name":   {"Craft"},
		"criteria[1].weight": {"30"},
		"criteria[2].name":   {"Impact"},
		"criteria[2].weight": {"30"},
		"scale_min":          {"1"},
		"scale_max":          {"10"},
	}
}

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// TestThinPath walks the whole competition through the pages: create,
// invite, enter, upload, process, submit, judge blind, rank, award,
// announce, and the public gallery.
func TestThinPath(t *testing.T) {
	s := newStack(t, true)
	org := s.organizer("olga@org.example")

	// The organizer creates a competition with the form.
	form := s.browser().get("/new")
	if !strings.HasSuffix(form.URL.Path, "/signin") {
		t.Fatalf("signed-out /new should lead to sign-in, got %s", form.URL)
	}
	want(t, org.get("/new"), http.StatusOK, "Storytelling", `value="40"`, `name="time_zone"`, `<datalist id="zones">`, `type="datetime-local"`)
	p := org.post("/new", competitionForm("Hands at Work 2026"))
	want(t, p, http.StatusOK, "Hands at Work 2026", "Invite a judge", "Africa/Nairobi", `<time datetime="`, "Storytelling", "JPEG, PNG, WebP")
	if p.URL.Path != "/c/hands-at-work-2026" {
		t.Fatalf("after creating: at %s", p.URL.Path)
	}
	slug := "hands-at-work-2026"

	// A judge invitation.
	p = org.post("/c/"+slug+"/invite", url.Values{"invite_email": {"juma@judges.example"}})
	want(t, p, http.StatusOK, "Invitation link")
	link := find(t, p, `value="(http://[^"]+/invite/[^"]+)"`)
	invitePath := link[strings.Index(link, "/invite/"):]

	// The entrant signs up, enters and uploads a photo.
	ent := s.browser()
	want(t, ent.get("/c/"+slug), http.StatusOK, "Sign in or create an account to enter.")
	want(t, ent.signUp("Amina Wanjiru", "amina@coop.example", "weaving-is-life", "/c/"+slug), http.StatusOK, "Enter this competition")
	p = ent.get("/c/" + slug + "/entries/new")
	want(t, p, http.StatusOK, "I agree that my entry may be published with my name if it wins")
	photoCat := find(t, p, `<option value="([^"]+)">Photography`)
	p = ent.post("/c/"+slug+"/entries/new", url.Values{"category_id": {""}, "title": {""}})
	want(t, p, http.StatusUnprocessableEntity, "Choose one of this competition&#39;s categories.", "This field is required.", `aria-describedby="f-title-error"`, `id="error-summary"`)
	p = ent.post("/c/"+slug+"/entries/new", url.Values{"category_id": {photoCat}, "title": {"Indigo Hands"}, "statement": {"Dyeing cloth in Kisumu."}, "consent_publish": {"yes"}, "consent_rules": {"yes"}})
	want(t, p, http.StatusOK, "Indigo Hands", "Draft", `type="file"`, `accept=".jpg,.jpeg,image/jpeg,.png,image/png,.webp,image/webp"`, "Submit entry")
	entryPath := p.URL.Path
	if !strings.HasPrefix(entryPath, "/c/"+slug+"/entries/") {
		t.Fatalf("after entering: at %s", entryPath)
	}

	// Not a photo: refused with the reason beside the file field.
	p = ent.upload(entryPath+"/upload", "notes.txt", []byte("just some text, not a picture at all"))
	want(t, p, http.StatusUnprocessableEntity, "This type of file is not accepted in this category.", `aria-describedby="file-hint f-file-error"`)
	// Submitting with no file is a field error too.
	want(t, ent.post(entryPath+"/submit", nil), http.StatusUnprocessableEntity, "Add at least one file that processed successfully.")

	// Over the size limit: a readable message, not a broken connection.
	p = ent.upload(entryPath+"/upload", "huge.jpg", bytes.Repeat([]byte{0xff}, 10<<20))
	want(t, p, http.StatusUnprocessableEntity, "The file is larger than this category allows.")
	// A form without its file.
	want(t, ent.post(entryPath+"/upload", url.Values{"x": {"y"}}), http.StatusBadRequest, "The request could not be read.")

	p = ent.upload(entryPath+"/upload", "IMG_2041 indigo.jpg", testJPEG(t, 800, 600))
	want(t, p, http.StatusOK, "IMG_2041 indigo.jpg")
	if p.URL.Path != entryPath {
		t.Fatalf("after upload: at %s", p.URL.Path)
	}
	if !strings.Contains(p.Body, `class="thumb" src="/files/`) && !strings.Contains(p.Body, `http-equiv="refresh"`) {
		t.Fatalf("a processing entry page must refresh itself:\n%s", p.Body)
	}
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(p.Body, `class="thumb" src="/files/`) {
		if time.Now().After(deadline) {
			t.Fatalf("no thumbnail after 30s:\n%s", p.Body)
		}
		time.Sleep(200 * time.Millisecond)
		p = ent.get(entryPath)
	}
	want(t, p, http.StatusOK, "Ready")
	lacks(t, p, `http-equiv="refresh"`)
	thumb := strings.ReplaceAll(find(t, p, `class="thumb" src="(/files/[^"]+)"`), "&amp;", "&")
	img := ent.get(thumb)
	if img.Status != http.StatusOK || img.Header.Get("Content-Type") != "image/jpeg" {
		t.Fatalf("thumbnail: %d %s", img.Status, img.Header.Get("Content-Type"))
	}
	p = ent.post(entryPath+"/submit", nil)
	want(t, p, http.StatusOK, "Submitted", "Withdraw entry") // still editable until the deadline
	lacks(t, p, "Submit entry")

	// The judge accepts the invitation and scores blind.
	jud := s.browser()
	p = jud.get(invitePath)
	want(t, p, http.StatusOK, "Hands at Work 2026", "judge", "/signup?next=")
	p = jud.signUp("Juma Judge", "juma@judges.example", "judging-is-fun", invitePath)
	want(t, p, http.StatusOK, "Accept the invitation")
	if p.URL.Path != invitePath {
		t.Fatalf("after sign-up: at %s, want back at the invitation", p.URL.Path)
	}
	p = jud.post(invitePath, nil)
	want(t, p, http.StatusOK, "Judge entries", "0 of 1 scored")
	// With one open round, "Judge entries" goes straight to its queue.
	p = jud.get("/c/" + slug + "/judge")
	want(t, p, http.StatusOK, "Indigo Hands", "0 of 1 submitted", `badge-not_started">Not started<`, `class="thumb" src="/files/`)
	lacks(t, p, "Amina", "Wanjiru", "IMG_2041")
	if !regexp.MustCompile(`^/c/` + slug + `/rounds/[a-z0-9]+/queue$`).MatchString(p.URL.Path) {
		t.Fatalf("/judge with one open round: at %s, want its queue", p.URL.Path)
	}
	p = jud.get(entryPath)
	want(t, p, http.StatusOK, "Indigo Hands", "Dyeing cloth in Kisumu.", "Review and score", `<img src="/files/`)
	lacks(t, p, "Amina", "Wanjiru", "IMG_2041", "/original", "coop.example", "Draft")
	// The entry page leads the judge to the round's review page, where
	// scoring happens (rubric, draft, note, feedback).
	review := regexp.MustCompile(`href="(/c/` + slug + `/rounds/[a-z0-9]+/review/[a-z0-9]+)"`).FindStringSubmatch(p.Body)
	if review == nil {
		t.Fatalf("no review link on the judge's entry page")
	}
	p = jud.get(review[1])
	want(t, p, http.StatusOK, "Indigo Hands", "Submit scores")
	lacks(t, p, "Amina", "Wanjiru", "IMG_2041")
	var crit []string
	for _, m := range regexp.MustCompile(`name="(c_[a-z0-9]+)" value="1"`).FindAllStringSubmatch(p.Body, -1) {
		crit = append(crit, m[1])
	}
	if len(crit) != 3 {
		t.Fatalf("want 3 rubric criteria, got %v", crit)
	}
	p = jud.post(review[1], url.Values{crit[0]: {"x"}, "action": {"submit"}})
	want(t, p, http.StatusUnprocessableEntity, "error-summary")
	lacks(t, p, "Amina")
	p = jud.post(review[1], url.Values{crit[0]: {"9"}, crit[1]: {"8"}, crit[2]: {"7"}, "action": {"submit"}})
	want(t, p, http.StatusOK, "Indigo Hands")
	want(t, jud.get(entryPath), http.StatusOK, "Your total:")
	want(t, jud.get("/c/"+slug+"/judge"), http.StatusOK, "1 of 1 submitted", `badge-submitted">Submitted<`)
	// Judges may not see results.
	roundPath := review[1][:strings.Index(review[1], "/review/")]
	want(t, jud.get(roundPath+"/results"), http.StatusForbidden, "You do not have permission to do that.")

	// The organizer sees everything of the entry, the entrant included.
	want(t, org.get(entryPath), http.StatusOK, "Amina Wanjiru", "IMG_2041 indigo.jpg", "Download the original", "Submitted")
	// The competition page shows the entrant their entry and the judge their progress.
	want(t, ent.get("/c/"+slug), http.StatusOK, "My entries", "Indigo Hands", "Submitted")
	want(t, jud.get("/c/"+slug), http.StatusOK, "1 of 1 scored")

	// Before the announcement the public sees nothing of the winner.
	pub := s.browser()
	p = pub.get("/c/" + slug + "/gallery")
	want(t, p, http.StatusOK, "Results have not been announced yet")
	lacks(t, p, "Indigo Hands", "Amina", "/files/")

	// The organizer ranks, awards and announces from the round's results.
	p = org.get(roundPath + "/results")
	want(t, p, http.StatusOK, "Indigo Hands", "Amina Wanjiru", "Give", "Announce now")
	p = org.post(roundPath+"/announcement", url.Values{"when": {"now"}})
	want(t, p, http.StatusUnprocessableEntity, "Choose at least one winner before announcing.")
	entryID := entryPath[strings.LastIndex(entryPath, "/")+1:]
	p = org.post(roundPath+"/award", url.Values{"entry_id": {entryID}, "kind": {"second"}})
	want(t, p, http.StatusOK, `badge-award">Second prize`, "Withdraw")
	p = org.post(roundPath+"/award/withdraw", url.Values{"entry_id": {entryID}, "kind": {"second"}})
	want(t, p, http.StatusOK, "Indigo Hands")
	lacks(t, p, `badge-award">Second prize`)
	p = org.post(roundPath+"/award", url.Values{"entry_id": {entryID}, "kind": {"first"}})
	want(t, p, http.StatusOK, `badge-award">First prize`)
	want(t, pub.get("/c/"+slug+"/gallery"), http.StatusOK, "Results have not been announced yet")
	p = org.post(roundPath+"/announcement", url.Values{"when": {"now"}})
	want(t, p, http.StatusOK, "Results are public from", "/c/"+slug+"/gallery")
	lacks(t, p, "Withdraw", ">Give<")

	// The public gallery.
	p = pub.get("/c/" + slug + "/gallery")
	want(t, p, http.StatusOK, "Indigo Hands", "Amina Wanjiru", "Amina Wanjiru Cooperative", "First prize")
	lacks(t, p, "IMG_2041", "/original")
	src := strings.ReplaceAll(find(t, p, `<img src="(/files/[^"]+)"`), "&amp;", "&")
	img = pub.get(src)
	if img.Status != http.StatusOK || img.Header.Get("Content-Type") != "image/jpeg" || len(img.Body) == 0 {
		t.Fatalf("gallery image: %d %s", img.Status, img.Header.Get("Content-Type"))
	}
}

func TestAccounts(t *testing.T) {
	s := newStack(t, false)
	b := s.browser()

	p := b.get("/signup")
	want(t, p, http.StatusOK, `<label for="f-email">`, `autocomplete="new-password"`, `lang="en"`, `dir="ltr"`)
	p = b.post("/signup", url.Values{"name": {""}, "email": {"not-an-email"}, "password": {"short"}, "country": {"Kenya"}})
	want(t, p, http.StatusUnprocessableEntity, "Enter an email address like name@example.org.", "Use at least 10 characters for your password.",
		"Use a two-letter country code", `aria-invalid="true"`, `href="#f-email"`, `value="not-an-email"`)
	lacks(t, p, `value="short"`)

	want(t, b.signUp("Amina Wanjiru", "amina@coop.example", "weaving-is-life", "/"), http.StatusOK, "Amina Wanjiru", "Sign out")
	want(t, b.signUp("Other", "amina@coop.example", "weaving-is-life", "/"), http.StatusUnprocessableEntity, "An account with this email already exists.")
	want(t, b.post("/signout", nil), http.StatusOK, "Sign in")

	p = b.signIn("amina@coop.example", "wrong-password")
	want(t, p, http.StatusUnprocessableEntity, "Wrong email or password.", `value="amina@coop.example"`)
	want(t, b.signIn("nobody@coop.example", "weaving-is-life"), http.StatusUnprocessableEntity, "Wrong email or password.")

	nr := b.noRedirects()
	for next, to := range map[string]string{"/c/x?y=1": "/c/x?y=1", "//evil.example/": "/", "https://evil.example/": "/", "/\\evil.example": "/", "": "/"} {
		p = nr.post("/signin", url.Values{"email": {"amina@coop.example"}, "password": {"weaving-is-life"}, "next": {next}})
		if p.Status != http.StatusSeeOther || p.Header.Get("Location") != to {
			t.Errorf("next=%q: %d to %q, want 303 to %q", next, p.Status, p.Header.Get("Location"), to)
		}
	}
	want(t, b.get("/"), http.StatusOK, "Amina Wanjiru")
	want(t, b.get("/?page=99999999999999999999"), http.StatusOK)
	want(t, b.get("/?page=922337203685477580"), http.StatusOK)

	// Only organizers may create competitions.
	want(t, b.get("/new"), http.StatusForbidden, "You do not have permission to do that.")
	want(t, b.post("/new", competitionForm("Nope")), http.StatusForbidden)
}

func TestNewCompetitionValidation(t *testing.T) {
	s := newStack(t, false)
	org := s.organizer("olga@org.example")
	f := competitionForm("")
	f.Set("time_zone", "Mars/Olympus")
	f.Set("closes_at", "tomorrow")
	f.Set("criteria[1].weight", "heavy")
	f.Del("categories")
	p := org.post("/new", f)
	want(t, p, http.StatusUnprocessableEntity, "This field is required.", "Choose a time zone such as Africa/Nairobi",
		"Enter a date and time", "Enter a whole number.", "Choose at least one category.",
		`aria-describedby="f-criteria-1--weight-error"`, `value="heavy"`, `value="Mars/Olympus"`)
	lacks(t, p, `value="photo" checked`)

	f = competitionForm("Scales")
	f.Set("scale_min", "10")
	f.Set("scale_max", "1")
	f.Set("criteria[1].name", "")
	f.Set("criteria[1].weight", "")
	f.Set("criteria[2].weight", "-1")
	p = org.post("/new", f)
	want(t, p, http.StatusUnprocessableEntity, "The scale must go from a lower to a higher number", "A weight must be zero or more.",
		`aria-describedby="f-criteria-2--weight-error"`)

	f = competitionForm("Rows")
	f.Set("criteria[0].name", "")
	f.Set("criteria[0].weight", "")
	f.Set("criteria[1].weight", "heavy")
	want(t, org.post("/new", f), http.StatusUnprocessableEntity, `aria-describedby="f-criteria-1--weight-error"`, `id="f-criteria-1--weight-error"`)

	want(t, org.post("/new", competitionForm("Twice")), http.StatusOK, "Twice")
	want(t, org.post("/new", competitionForm("Twice")), http.StatusUnprocessableEntity, "Another competition already uses this address.")
}

func TestErrorPages(t *testing.T) {
	s := newStack(t, false)
	b := s.browser()

	p := b.get("/c/no-such-competition")
	want(t, p, http.StatusNotFound, "We could not find that page or item.", `<html lang="en" dir="ltr">`)
	want(t, b.get("/no/such/page"), http.StatusNotFound, "We could not find that page or item.")
	want(t, b.get("/invite/not-a-token"), http.StatusNotFound)

	nr := b.noRedirects()
	p = nr.get("/new")
	if p.Status != http.StatusSeeOther || p.Header.Get("Location") != "/signin?next=%2Fnew" {
		t.Fatalf("signed-out /new: %d %q", p.Status, p.Header.Get("Location"))
	}
	want(t, b.get("/signin?next=/new"), http.StatusOK, `name="next" value="/new"`)

	// A form posted from another site is refused.
	org := s.organizer("olga@org.example")
	req, err := http.NewRequest(http.MethodPost, s.srv.URL+"/new", strings.NewReader(competitionForm("Forged").Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	p = org.do(req)
	want(t, p, http.StatusForbidden)
	if _, err := s.db.CompetitionBySlug(context.Background(), "forged"); err == nil {
		t.Fatal("a cross-site POST created a competition")
	}

	// Entrant-only pages for someone else's entry are not found.
	want(t, org.post("/new", competitionForm("Mine")), http.StatusOK)
	ent := s.browser()
	want(t, ent.signUp("Amina", "amina@coop.example", "weaving-is-life", "/"), http.StatusOK)
	p = ent.get("/c/mine/entries/new")
	cat := find(t, p, `<option value="([^"]+)">Photography`)
	p = ent.post("/c/mine/entries/new", url.Values{"category_id": {cat}, "title": {"Secret draft"}})
	want(t, p, http.StatusOK, "Secret draft")
	other := s.browser()
	want(t, other.signUp("Other", "other@coop.example", "weaving-is-life", "/"), http.StatusOK)
	lacks(t, other.get(p.URL.Path), "Secret draft")
	want(t, other.get(p.URL.Path), http.StatusNotFound)
	want(t, other.get("/c/mine/judge"), http.StatusForbidden)
}

func TestLanguageAndStatic(t *testing.T) {
	s := newStack(t, false)
	b := s.browser()
	p := b.get("/?lang=fr")
	want(t, p, http.StatusOK, `<html lang="fr" dir="ltr">`, "Concours", "Créer un compte", `hreflang="en"`)
	want(t, b.get("/signup"), http.StatusOK, `lang="fr"`, "Votre nom")
	want(t, b.get("/?lang=en"), http.StatusOK, `lang="en"`, "Create an account")

	p = b.get("/")
	css := find(t, p, `href="(/static/app\.css\?v=[0-9a-f]+)"`)
	r := b.get(css)
	if r.Status != http.StatusOK || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/css") || !strings.Contains(r.Header.Get("Cache-Control"), "immutable") {
		t.Fatalf("css: %d %q %q", r.Status, r.Header.Get("Content-Type"), r.Header.Get("Cache-Control"))
	}
	r = b.get("/static/app.js")
	if r.Status != http.StatusOK || strings.Contains(r.Header.Get("Cache-Control"), "immutable") {
		t.Fatalf("js without hash: %d %q", r.Status, r.Header.Get("Cache-Control"))
	}
	want(t, b.get("/static/nope.css"), http.StatusNotFound)
	if !strings.Contains(p.Header.Get("Content-Security-Policy"), "default-src 'self'") {
		t.Fatal("pages must carry the CSP")
	}
	lacks(t, p, "<script>", "style=")
}

func TestLangCookieName(t *testing.T) {
	s := newStack(t, false)
	p := s.browser().noRedirects().get("/?lang=fr")
	if !strings.Contains(strings.Join(p.Header.Values("Set-Cookie"), "\n"), server.LangCookie+"=fr") {
		t.Fatalf("?lang=fr must set %s: %v", server.LangCookie, p.Header.Values("Set-Cookie"))
	}
}
