package webui_test

import (
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/tessera/tessera/internal/webui"
	"github.com/tessera/tessera/web"
)

// pageMatrix is every page route (method + gin pattern). TestEveryPageInMatrix
// fails when the engine has a route not listed here, and everyPage fails
// when a listed route was not opened, so a new page cannot skip the matrix.
var pageMatrix = []string{
	"GET /",
	"GET /static/*file",
	"HEAD /static/*file",
	"GET /favicon.ico",
	"GET /signup",
	"POST /signup",
	"GET /signin",
	"POST /signin",
	"POST /signout",
	"GET /me/profile",
	"POST /me/profile",
	"GET /new",
	"POST /new",
	"GET /c/:slug",
	"POST /c/:slug/invite",
	"GET /c/:slug/nominations",
	"POST /c/:slug/nominations",
	"POST /c/:slug/nominations/settings",
	"POST /c/:slug/nominations/quota",
	"POST /c/:slug/nominations/invite",
	"GET /c/:slug/entries/new",
	"POST /c/:slug/entries/new",
	"GET /c/:slug/entries/:id",
	"GET /c/:slug/entries/:id/essay",
	"GET /c/:slug/entries/:id/edit",
	"POST /c/:slug/entries/:id/edit",
	"GET /c/:slug/categories/:id/rules",
	"POST /c/:slug/categories/:id/rules",
	"POST /c/:slug/entries/:id/upload",
	"POST /c/:slug/entries/:id/submit",
	"POST /c/:slug/entries/:id/withdraw",
	"GET /c/:slug/judge",
	"GET /c/:slug/gallery",
	"GET /invite/:token",
	"POST /invite/:token",
	"GET /c/:slug/rounds",
	"POST /c/:slug/rounds",
	"GET /c/:slug/rounds/:round",
	"POST /c/:slug/rounds/:round/settings",
	"POST /c/:slug/rounds/:round/assign",
	"POST /c/:slug/rounds/:round/panel",
	"POST /c/:slug/rounds/:round/drop",
	"POST /c/:slug/rounds/:round/recuse",
	"POST /c/:slug/rounds/:round/advance",
	"GET /c/:slug/rounds/:round/queue",
	"GET /c/:slug/rounds/:round/review/:id",
	"POST /c/:slug/rounds/:round/review/:id",
	"GET /c/:slug/rounds/:round/results",
	"POST /c/:slug/rounds/:round/tie",
	"POST /c/:slug/rounds/:round/award",
	"POST /c/:slug/rounds/:round/award/withdraw",
	"POST /c/:slug/rounds/:round/announcement",
	"GET /c/:slug/conflicts",
	"POST /c/:slug/conflicts",
	"POST /c/:slug/conflicts/:conflict/delete",
	"POST /c/:slug/conflicts/:conflict/confirm",
	"POST /c/:slug/conflicts/:conflict/decline",
	"GET /c/:slug/outbox",
	"GET /c/:slug/audit",
	"GET /c/:slug/duplicates",
}

func TestEveryPageInMatrix(t *testing.T) {
	gin.SetMode(gin.TestMode)
	cat, err := web.LoadCatalog(web.Translations())
	if err != nil {
		t.Fatal(err)
	}
	h, err := webui.New(nil, nil, cat, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	e := gin.New()
	h.Register(e)
	listed := map[string]bool{}
	for _, r := range pageMatrix {
		listed[r] = true
	}
	seen := map[string]bool{}
	var missing []string
	for _, r := range e.Routes() {
		k := r.Method + " " + r.Path
		seen[k] = true
		if !listed[k] {
			missing = append(missing, k)
		}
	}
	sort.Strings(missing)
	for _, k := range missing {
		t.Errorf("page route %s is not in the page matrix (pageMatrix and everyPage)", k)
	}
	for _, k := range pageMatrix {
		if !seen[k] {
			t.Errorf("pageMatrix lists %s, which the engine no longer has", k)
		}
	}
}

type pageCall struct {
	route, method, path string
	form                url.Values
	roles               []string // nil: every role
	want                func(role string) int
	body                []string // what the answer must say
}

var pageHits sync.Map

// pageWorld is what everyPage needs from TestJudgingPageMatrix.
type pageWorld struct {
	people                 map[string]*browser
	slug, round, foreignRd string
	a, b, foreign, cat     string
	phase                  string // open, closed, scheduled or announced
	// leaks is what a role must find on no page in this phase.
	leaks func(role string) []string
}

// everyPage opens every page route as every role (writes: as every role
// that must be refused, so the world does not change), with tampered ids:
// another competition's entry or round, a made-up id. Every page a role
// opens must lack what w.leaks says the role may not see.
func everyPage(t *testing.T, w pageWorld) {
	c := "/c/" + w.slug
	rd := c + "/rounds/" + w.round
	const madeUp = "madeupid0000000"
	all := []string{"public", "owner", "other", "judge", "unassigned", "conflicted", "nominator", "organizer"}
	notOrg := all[:7]
	notOwner := []string{"public", "other", "judge", "unassigned", "conflicted", "nominator"}
	isJudge := func(role string) bool { return role == "judge" || role == "unassigned" || role == "conflicted" }
	ok := func(string) int { return 200 }
	n404 := func(string) int { return 404 }
	denied := func(role string) int {
		if role == "public" {
			return 303
		}
		return 403
	}
	signedIn := func(role string) int {
		if role == "public" {
			return 303
		}
		return 200
	}
	hidden := func(role string) int { // an entry that is not yours: never say it exists
		if role == "public" {
			return 303
		}
		return 404
	}
	orgOnly := func(role string) int {
		if role == "organizer" {
			return 200
		}
		return denied(role)
	}
	judgesOr := func(extra string) func(string) int {
		return func(role string) int {
			if isJudge(role) || role == extra {
				return 200
			}
			return denied(role)
		}
	}
	orgOr404 := func(role string) int {
		if role == "organizer" {
			return 404
		}
		return denied(role)
	}
	calls := []pageCall{
		{route: "GET /", method: "GET", path: "/", want: ok},
		{route: "GET /static/*file", method: "GET", path: "/static/app.css", want: ok},
		{route: "GET /static/*file", method: "GET", path: "/static/../go.mod", want: n404},
		{route: "HEAD /static/*file", method: "HEAD", path: "/static/app.js", want: ok},
		{route: "GET /favicon.ico", method: "GET", path: "/favicon.ico", want: func(string) int { return 301 }},
		{route: "GET /signup", method: "GET", path: "/signup", roles: []string{"public"}, want: ok},
		{route: "POST /signup", method: "POST", path: "/signup", roles: []string{"public"}, form: url.Values{"name": {"Dup"}, "email": {"owner@example.org"}, "password": {"matrix-pass-123"}}, want: func(string) int { return 422 }},
		{route: "GET /signin", method: "GET", path: "/signin", roles: []string{"public"}, want: ok},
		{route: "POST /signin", method: "POST", path: "/signin", roles: []string{"public"}, form: url.Values{"email": {"owner@example.org"}, "password": {"wrong-pass-123"}}, want: func(string) int { return 422 }},
		{route: "POST /signout", method: "POST", path: "/signout", roles: []string{"public"}, want: func(string) int { return 303 }},
		{route: "GET /me/profile", method: "GET", path: "/me/profile", want: signedIn},
		{route: "POST /me/profile", method: "POST", path: "/me/profile", roles: []string{"public"}, form: url.Values{"name": {"X"}}, want: denied},
		{route: "GET /new", method: "GET", path: "/new", roles: notOrg, want: denied},
		{route: "POST /new", method: "POST", path: "/new", roles: notOrg, form: url.Values{"title": {"Not mine"}}, want: denied},
		{route: "GET /c/:slug", method: "GET", path: c, want: ok},
		{route: "GET /c/:slug", method: "GET", path: "/c/no-such-competition", want: n404},
		{route: "POST /c/:slug/invite", method: "POST", path: c + "/invite", roles: notOrg, form: url.Values{"role": {"judge"}, "email": {"x@example.org"}}, want: denied},
		{route: "GET /c/:slug/nominations", method: "GET", path: c + "/nominations", want: func(role string) int {
			if role == "organizer" || role == "nominator" {
				return 200
			}
			return denied(role)
		}},
		{route: "POST /c/:slug/nominations", method: "POST", path: c + "/nominations", roles: []string{"public", "owner", "other", "judge", "unassigned", "conflicted"}, form: url.Values{"email": {"n@example.org"}, "name": {"N"}}, want: denied},
		{route: "POST /c/:slug/nominations/settings", method: "POST", path: c + "/nominations/settings", roles: notOrg, form: url.Values{"enabled": {"on"}}, want: denied},
		{route: "POST /c/:slug/nominations/quota", method: "POST", path: c + "/nominations/quota", roles: notOrg, form: url.Values{"quota": {"1"}}, want: denied},
		{route: "POST /c/:slug/nominations/invite", method: "POST", path: c + "/nominations/invite", roles: notOrg, form: url.Values{"email": {"n@example.org"}}, want: denied},
		{route: "GET /c/:slug/entries/new", method: "GET", path: c + "/entries/new", roles: []string{"public"}, want: denied},
		{route: "POST /c/:slug/entries/new", method: "POST", path: c + "/entries/new", roles: []string{"public"}, form: url.Values{"title": {"Nope"}}, want: denied},
		{route: "GET /c/:slug/entries/:id", method: "GET", path: c + "/entries/" + madeUp, roles: notOrg[1:], want: n404},
		{route: "GET /c/:slug/entries/:id", method: "GET", path: c + "/entries/" + w.foreign, roles: []string{"other", "organizer"}, want: n404},
		// The reader answers 404 for whatever it cannot show: a made-up id,
		// another competition's entry, an entry with no essay (A is a photo).
		{route: "GET /c/:slug/entries/:id/essay", method: "GET", path: c + "/entries/" + madeUp + "/essay", want: n404},
		// (Signed out, an entry one may not see asks to sign in first.)
		{route: "GET /c/:slug/entries/:id/essay", method: "GET", path: c + "/entries/" + w.a + "/essay", roles: all[1:], want: n404},
		{route: "GET /c/:slug/entries/:id/essay", method: "GET", path: c + "/entries/" + w.foreign + "/essay", roles: []string{"other", "organizer"}, want: n404},
		{route: "GET /c/:slug/entries/:id/edit", method: "GET", path: c + "/entries/" + w.a + "/edit", roles: notOwner, want: hidden},
		{route: "GET /c/:slug/entries/:id/edit", method: "GET", path: c + "/entries/" + w.foreign + "/edit", roles: []string{"other", "organizer"}, want: n404},
		{route: "POST /c/:slug/entries/:id/edit", method: "POST", path: c + "/entries/" + w.a + "/edit", roles: notOwner, form: url.Values{"title": {"Stolen"}}, want: hidden},
		{route: "GET /c/:slug/categories/:id/rules", method: "GET", path: c + "/categories/" + w.cat + "/rules", want: orgOnly},
		{route: "GET /c/:slug/categories/:id/rules", method: "GET", path: c + "/categories/" + madeUp + "/rules", roles: []string{"organizer"}, want: n404},
		{route: "POST /c/:slug/categories/:id/rules", method: "POST", path: c + "/categories/" + w.cat + "/rules", roles: notOrg, form: url.Values{"max_entries": {"3"}}, want: denied},
		{route: "POST /c/:slug/entries/:id/upload", method: "UPLOAD", path: c + "/entries/" + w.a + "/upload", roles: notOwner, want: hidden},
		{route: "POST /c/:slug/entries/:id/submit", method: "POST", path: c + "/entries/" + w.a + "/submit", roles: notOwner, want: hidden},
		{route: "POST /c/:slug/entries/:id/withdraw", method: "POST", path: c + "/entries/" + w.a + "/withdraw", roles: notOwner, want: hidden},
		{route: "POST /c/:slug/entries/:id/withdraw", method: "POST", path: c + "/entries/" + w.foreign + "/withdraw", roles: []string{"other"}, want: n404},
		{route: "GET /c/:slug/judge", method: "GET", path: c + "/judge", want: func(role string) int {
			// With one open round holding entries for them, judges go
			// straight to its queue.
			if w.phase == "open" && (role == "judge" || role == "conflicted") {
				return 303
			}
			return judgesOr("")(role)
		}},
		{route: "GET /c/:slug/gallery", method: "GET", path: c + "/gallery", want: ok},
		{route: "GET /invite/:token", method: "GET", path: "/invite/" + madeUp, want: n404},
		{route: "POST /invite/:token", method: "POST", path: "/invite/" + madeUp, roles: notOrg[1:], want: n404},
		{route: "GET /c/:slug/rounds", method: "GET", path: c + "/rounds", want: judgesOr("organizer")},
		{route: "POST /c/:slug/rounds", method: "POST", path: c + "/rounds", roles: notOrg, form: url.Values{"name": {"Extra"}}, want: denied},
		{route: "GET /c/:slug/rounds/:round", method: "GET", path: rd, want: orgOnly},
		{route: "GET /c/:slug/rounds/:round", method: "GET", path: c + "/rounds/" + w.foreignRd, want: orgOr404},
		{route: "POST /c/:slug/rounds/:round/settings", method: "POST", path: rd + "/settings", roles: notOrg, form: url.Values{"name": {"Hijacked"}}, want: denied},
		{route: "POST /c/:slug/rounds/:round/assign", method: "POST", path: rd + "/assign", roles: notOrg, want: denied},
		{route: "POST /c/:slug/rounds/:round/panel", method: "POST", path: rd + "/panel", roles: notOrg, want: denied},
		{route: "POST /c/:slug/rounds/:round/drop", method: "POST", path: rd + "/drop", roles: notOrg, want: denied},
		{route: "POST /c/:slug/rounds/:round/recuse", method: "POST", path: rd + "/recuse", roles: notOrg, want: denied},
		{route: "POST /c/:slug/rounds/:round/advance", method: "POST", path: rd + "/advance", roles: notOrg, form: url.Values{"top_n": {"1"}}, want: denied},
		{route: "GET /c/:slug/rounds/:round/queue", method: "GET", path: c + "/rounds/" + w.foreignRd + "/queue", roles: []string{"judge"}, want: n404},
		{route: "GET /c/:slug/rounds/:round/review/:id", method: "GET", path: rd + "/review/" + madeUp, roles: []string{"judge"}, want: n404},
		{route: "POST /c/:slug/rounds/:round/review/:id", method: "POST", path: rd + "/review/" + w.a, roles: []string{"public", "owner", "other", "nominator", "organizer", "unassigned", "conflicted"}, form: url.Values{"action": {"draft"}}, want: func(role string) int {
			if isJudge(role) {
				return 404
			}
			return denied(role)
		}},
		{route: "GET /c/:slug/rounds/:round/results", method: "GET", path: rd + "/results", want: orgOnly},
		{route: "POST /c/:slug/rounds/:round/tie", method: "POST", path: rd + "/tie", roles: notOrg, want: denied},
		{route: "POST /c/:slug/rounds/:round/award", method: "POST", path: rd + "/award", roles: notOrg, form: url.Values{"entry_id": {w.b}, "kind": {"second"}}, want: denied},
		{route: "POST /c/:slug/rounds/:round/award/withdraw", method: "POST", path: rd + "/award/withdraw", roles: notOrg, form: url.Values{"entry_id": {w.b}, "kind": {"second"}}, want: denied},
		{route: "POST /c/:slug/rounds/:round/announcement", method: "POST", path: rd + "/announcement", roles: notOrg, form: url.Values{"when": {"now"}}, want: denied},
		{route: "GET /c/:slug/conflicts", method: "GET", path: c + "/conflicts", want: judgesOr("organizer")},
		{route: "POST /c/:slug/conflicts", method: "POST", path: c + "/conflicts", roles: []string{"public", "owner", "other", "nominator"}, form: url.Values{"kind": {"entry"}, "value": {w.b}}, want: denied},
		{route: "POST /c/:slug/conflicts/:conflict/delete", method: "POST", path: c + "/conflicts/" + madeUp + "/delete", want: func(role string) int {
			if isJudge(role) || role == "organizer" {
				return 404
			}
			return denied(role)
		}},
		{route: "POST /c/:slug/conflicts/:conflict/confirm", method: "POST", path: c + "/conflicts/" + madeUp + "/confirm", want: orgOr404},
		{route: "POST /c/:slug/conflicts/:conflict/decline", method: "POST", path: c + "/conflicts/" + madeUp + "/decline", form: url.Values{"note": {"no"}}, want: orgOr404},
		{route: "GET /c/:slug/outbox", method: "GET", path: c + "/outbox", want: orgOnly},
		{route: "GET /c/:slug/audit", method: "GET", path: c + "/audit", want: orgOnly},
		{route: "GET /c/:slug/duplicates", method: "GET", path: c + "/duplicates", want: orgOnly},
	}
	if w.phase != "open" {
		// A closed round never changes: marks and settings are refused
		// with a clear word, even to those who could before.
		closed := func(string) int { return 403 }
		msg := []string{"This round is closed: marks can no longer change."}
		calls = append(calls,
			pageCall{route: "POST /c/:slug/rounds/:round/review/:id", method: "POST", path: rd + "/review/" + w.a, roles: []string{"judge"}, form: url.Values{"action": {"draft"}}, want: closed, body: msg},
			pageCall{route: "POST /c/:slug/rounds/:round/settings", method: "POST", path: rd + "/settings", roles: []string{"organizer"}, form: url.Values{"name": {"Hijacked"}}, want: closed, body: msg},
			pageCall{route: "POST /c/:slug/rounds/:round/assign", method: "POST", path: rd + "/assign", roles: []string{"organizer"}, want: closed, body: msg},
		)
	}
	for _, pc := range calls {
		roles := pc.roles
		if roles == nil {
			roles = all
		}
		for _, role := range roles {
			t.Run("page "+pc.method+" "+strings.TrimPrefix(pc.path, c)+"/"+role, func(t *testing.T) {
				b := w.people[role].noRedirects()
				var p page
				switch pc.method {
				case "GET":
					p = b.get(pc.path)
				case "UPLOAD":
					p = b.upload(pc.path, "x.jpg", []byte("\xff\xd8\xff\xe0 not really a jpeg"))
				case "HEAD":
					req, err := http.NewRequest(http.MethodHead, b.s.srv.URL+pc.path, nil)
					if err != nil {
						t.Fatal(err)
					}
					p = b.do(req)
				default:
					p = b.post(pc.path, pc.form)
				}
				pageHits.Store(pc.route, true)
				if want := pc.want(role); p.Status != want {
					t.Errorf("%s %s as %s: %d, want %d", pc.method, pc.path, role, p.Status, want)
				}
				for _, s := range pc.body {
					if !strings.Contains(p.Body, s) {
						t.Errorf("%s %s as %s: the answer lacks %q", pc.method, pc.path, role, s)
					}
				}
				if p.Status == 200 {
					lacks(t, p, w.leaks(role)...)
				}
			})
		}
	}
	for _, k := range pageMatrix {
		if _, ok := pageHits.Load(k); !ok {
			t.Errorf("the page matrix never opened %s", k)
		}
	}
}
