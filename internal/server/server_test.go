package server

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/tessera/tessera/internal/auth"
	"github.com/tessera/tessera/internal/db/dbtest"
	"github.com/tessera/tessera/web"
)

// panicky mounts routes that misbehave, to test the middleware around them.
type panicky struct{}

func (panicky) Register(r *gin.Engine) {
	r.GET("/api/v1/boom", func(*gin.Context) { panic("secret internal detail") })
	r.POST("/form", func(c *gin.Context) { c.String(http.StatusOK, "accepted") })
}

func newEngine(t *testing.T, ready ...Check) http.Handler {
	t.Helper()
	a := auth.NewService(dbtest.SQLite(t))
	cat, err := web.LoadCatalog(web.Translations())
	if err != nil {
		t.Fatal(err)
	}
	return New(Deps{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Auth: a, Catalog: cat, UI: panicky{}, Ready: ready})
}

func do(h http.Handler, method, path string, hdr map[string]string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, nil)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestHealthAndReadiness(t *testing.T) {
	ok := Check{Name: "database", Fn: func(context.Context) error { return nil }}
	down := Check{Name: "queue", Fn: func(context.Context) error { return errors.New("dial tcp: refused") }}

	if rec := do(newEngine(t, ok), "GET", "/healthz", nil); rec.Code != 200 {
		t.Fatalf("/healthz = %d", rec.Code)
	}
	rec := do(newEngine(t, ok), "GET", "/readyz", nil)
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), `"database":"ok"`) {
		t.Fatalf("/readyz with every check passing = %d %s", rec.Code, rec.Body)
	}
	rec = do(newEngine(t, ok, down), "GET", "/readyz", nil)
	if rec.Code != http.StatusServiceUnavailable || !strings.Contains(rec.Body.String(), `"queue":"unavailable"`) {
		t.Fatalf("/readyz with the queue down = %d %s", rec.Code, rec.Body)
	}
	if strings.Contains(rec.Body.String(), "refused") {
		t.Fatalf("/readyz leaks the error text: %s", rec.Body)
	}
}

func TestMiddleware(t *testing.T) {
	h := newEngine(t)
	t.Run("security headers", func(t *testing.T) {
		rec := do(h, "GET", "/healthz", nil)
		for k, want := range map[string]string{"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY", "Referrer-Policy": "same-origin"} {
			if got := rec.Header().Get(k); got != want {
				t.Errorf("%s = %q, want %q", k, got, want)
			}
		}
		if csp := rec.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") || !strings.Contains(csp, "frame-ancestors 'none'") {
			t.Errorf("CSP = %q", csp)
		}
	})
	t.Run("cross-origin POST refused, same-origin accepted", func(t *testing.T) {
		if rec := do(h, "POST", "/form", map[string]string{"Sec-Fetch-Site": "cross-site"}); rec.Code != http.StatusForbidden || strings.Contains(rec.Body.String(), "accepted") {
			t.Fatalf("cross-site POST = %d %s", rec.Code, rec.Body)
		}
		if rec := do(h, "POST", "/form", map[string]string{"Sec-Fetch-Site": "same-origin"}); rec.Code != 200 {
			t.Fatalf("same-origin POST = %d", rec.Code)
		}
		if rec := do(h, "POST", "/form", map[string]string{"Origin": "https://evil.example", "Host": "tessera.example"}); rec.Code != http.StatusForbidden {
			t.Fatalf("foreign Origin POST = %d", rec.Code)
		}
	})
	t.Run("a panic becomes a bland 500 problem", func(t *testing.T) {
		rec := do(h, "GET", "/api/v1/boom", nil)
		if rec.Code != 500 || !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/problem+json") {
			t.Fatalf("panic = %d %s", rec.Code, rec.Header().Get("Content-Type"))
		}
		var p map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil || p["status"] != float64(500) {
			t.Fatalf("problem body = %s", rec.Body)
		}
		if strings.Contains(rec.Body.String(), "secret internal detail") {
			t.Fatal("500 body shows internals")
		}
	})
	t.Run("unknown paths", func(t *testing.T) {
		rec := do(h, "GET", "/api/v1/nope", nil)
		if rec.Code != 404 || !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/problem+json") {
			t.Fatalf("unknown API path = %d %s", rec.Code, rec.Header().Get("Content-Type"))
		}
		if rec := do(h, "GET", "/nope", nil); rec.Code != 404 {
			t.Fatalf("unknown page = %d", rec.Code)
		}
	})
}
