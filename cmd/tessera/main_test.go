package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tessera/tessera/internal/demo"
)

// syncBuffer is a bytes.Buffer safe to read while the command writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func TestServeRefusesStaleSchema(t *testing.T) {
	t.Setenv("TESSERA_REDIS_URL", "")
	t.Setenv("TESSERA_DATABASE_URL", "")
	t.Setenv("TESSERA_S3_ENDPOINT", "")
	dir := t.TempDir()
	var out bytes.Buffer
	err := run(context.Background(), []string{"serve", "--data", dir, "--addr", freeAddr(t)}, &out, &out)
	if err == nil || !strings.Contains(err.Error(), "tessera migrate") {
		t.Fatalf("serve on an empty database: %v; want a hint to run tessera migrate", err)
	}
	if err := run(context.Background(), []string{"migrate", "--data", dir}, &out, &out); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	if !strings.Contains(out.String(), "up to date") {
		t.Fatalf("migrate output: %q", out.String())
	}
	out.Reset()
	err = run(context.Background(), []string{"admin", "create-organizer", "--data", dir, "--email", "o@example.org", "--name", "O", "--password", "a-long-password"}, &out, &out)
	if err != nil || !strings.Contains(out.String(), "created organizer o@example.org") {
		t.Fatalf("create-organizer: %v %q", err, out.String())
	}
	out.Reset()
	err = run(context.Background(), []string{"admin", "create-organizer", "--data", dir, "--email", "bad", "--password", "short"}, &out, &out)
	if err == nil || !strings.Contains(err.Error(), "email") {
		t.Fatalf("invalid organizer: %v", err)
	}
	if err := run(context.Background(), []string{"frobnicate"}, &out, &out); err == nil {
		t.Fatal("unknown command accepted")
	}
}

// TestDemo starts `tessera demo` on a fresh data directory, checks the printed
// sign-ins work and the sample entries reach the judge, stops it gracefully,
// and starts it again on the same data to check nothing is lost.
func TestDemo(t *testing.T) {
	t.Setenv("TESSERA_REDIS_URL", "")
	t.Setenv("TESSERA_DATABASE_URL", "")
	t.Setenv("TESSERA_S3_ENDPOINT", "")
	dir := t.TempDir()
	start := func() (base string, out *syncBuffer, stop func() error) {
		addr := freeAddr(t)
		ctx, cancel := context.WithCancel(context.Background())
		out = &syncBuffer{}
		done := make(chan error, 1)
		go func() { done <- run(ctx, []string{"demo", "--data", dir, "--addr", addr}, out, io.Discard) }()
		deadline := time.Now().Add(60 * time.Second)
		for !strings.Contains(out.String(), "Press Ctrl-C") {
			select {
			case err := <-done:
				t.Fatalf("demo exited early: %v\n%s", err, out.String())
			default:
			}
			if time.Now().After(deadline) {
				cancel()
				t.Fatalf("demo did not start:\n%s", out.String())
			}
			time.Sleep(50 * time.Millisecond)
		}
		return "http://" + addr, out, func() error { cancel(); return <-done }
	}

	base, out, stop := start()
	for _, a := range demo.Accounts() {
		if !strings.Contains(out.String(), a.Email) || !strings.Contains(out.String(), a.Password) {
			t.Errorf("demo output lacks the %s sign-in:\n%s", a.Role, out.String())
		}
	}
	res, err := http.Get(base + "/c/" + demo.Slug)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(string(page), "Artisans in Focus") {
		t.Fatalf("competition page: %d\n%s", res.StatusCode, page)
	}
	judge := demo.Accounts()[1]
	token := signIn(t, base, judge.Email, judge.Password)
	var queue struct {
		Total int `json:"total"`
	}
	// The judge's queue in the demo's round.
	queuePath := func(base, token string) string {
		var rounds struct {
			Items []struct {
				ID string `json:"id"`
			} `json:"items"`
		}
		getJSON(t, base+"/api/v1/competitions/"+demo.Slug+"/rounds", token, &rounds)
		if len(rounds.Items) == 0 {
			t.Fatalf("the demo has no round")
		}
		return base + "/api/v1/competitions/" + demo.Slug + "/rounds/" + rounds.Items[0].ID + "/queue"
	}
	deadline := time.Now().Add(60 * time.Second)
	for queue.Total < 3 && time.Now().Before(deadline) {
		getJSON(t, queuePath(base, token), token, &queue)
		time.Sleep(200 * time.Millisecond)
	}
	if queue.Total != 3 {
		t.Fatalf("the judge should see the 3 processed, submitted sample entries; sees %d", queue.Total)
	}
	if err := stop(); err != nil {
		t.Fatalf("graceful stop: %v", err)
	}

	base, out, stop = start()
	defer stop()
	if !strings.Contains(out.String(), "Kept the existing demo data") {
		t.Fatalf("second run should keep the data:\n%s", out.String())
	}
	token = signIn(t, base, judge.Email, judge.Password)
	getJSON(t, queuePath(base, token), token, &queue)
	if queue.Total != 3 {
		t.Fatalf("after restart the judge sees %d entries, want 3", queue.Total)
	}
}

func signIn(t *testing.T, base, email, password string) string {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"email": email, "password": password})
	res, err := http.Post(base+"/api/v1/session", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out struct {
		Token string `json:"token"`
	}
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil || res.StatusCode != 200 {
		t.Fatalf("sign in as %s: %d %v", email, res.StatusCode, err)
	}
	return out.Token
}

func getJSON(t *testing.T, url, token string, v any) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != 200 {
		b, _ := io.ReadAll(res.Body)
		t.Fatalf("GET %s: %d %s", url, res.StatusCode, b)
	}
	if err := json.NewDecoder(res.Body).Decode(v); err != nil {
		t.Fatal(err)
	}
}
