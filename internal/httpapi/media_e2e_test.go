package httpapi_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tessera/tessera/internal/auth"
	"github.com/tessera/tessera/internal/media"
	"github.com/tessera/tessera/internal/testenv"
)

// TestMediaEndToEnd uploads every medium through the real upload endpoint
// on both deployment shapes, waits for the workers (video preview
// transcode included) and checks what the entrant and a blind judge see.
func TestMediaEndToEnd(t *testing.T) {
	for _, tool := range []string{"ffmpeg", "ffprobe", "pdftoppm", "pdftotext", "pdfinfo"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed", tool)
		}
	}
	files := makeMediaFiles(t)
	t.Run("embedded", func(t *testing.T) {
		runMediaE2E(t, startStack(t, embeddedConfig(t)), files)
	})
	t.Run("real", func(t *testing.T) {
		runMediaE2E(t, startStack(t, realConfig(t)), files)
	})
}

// Identifying metadata set on the source videos, which must not reach
// judges.
const (
	e2eSecretTitle  = "Secret Source Title"
	e2eSecretArtist = "Secret Artist Name"
)

// e2eEssay is the TXT essay as uploaded (CRLF, trailing spaces, runs of
// blank lines) — the server stores it normalised.
const e2eEssay = "Threads of light\r\n\r\n\r\n\r\nThe loom hums at dusk.   \r\nEvery weft is a day remembered.\r\n"

type mediaFiles struct {
	mp4, webm, longMP4, docx, pdf []byte
}

func makeMediaFiles(t *testing.T) mediaFiles {
	t.Helper()
	dir := t.TempDir()
	video := func(name string, seconds int, args ...string) []byte {
		out := filepath.Join(dir, name)
		base := []string{"-nostdin", "-loglevel", "error", "-y",
			"-f", "lavfi", "-i", fmt.Sprintf("testsrc=size=160x120:rate=10:duration=%d", seconds),
			"-f", "lavfi", "-i", fmt.Sprintf("sine=frequency=440:duration=%d", seconds),
			"-metadata", "title=" + e2eSecretTitle, "-metadata", "artist=" + e2eSecretArtist, "-shortest"}
		cmd := exec.Command("ffmpeg", append(append(base, args...), out)...)
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("make %s: %v\n%s", name, err, b)
		}
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	h264 := []string{"-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "32k"}
	return mediaFiles{
		mp4:     video("clip.mp4", 2, h264...),
		longMP4: video("long.mp4", 6, h264...),
		webm:    video("clip.webm", 2, "-c:v", "libvpx", "-b:v", "100k", "-deadline", "realtime", "-c:a", "libopus", "-b:a", "32k"),
		docx:    testenv.DOCX(t, "The Weaver", "Her hands remember every pattern her grandmother taught."),
		pdf:     e2ePDF([]string{"A wall of birds"}, "Jane Entrant"),
	}
}

// e2ePDF writes a one-page PDF showing lines of text over a coloured band,
// with an author in its document information.
func e2ePDF(lines []string, author string) []byte {
	var content strings.Builder
	content.WriteString("0.2 0.4 0.8 rg 50 600 500 150 re f\n0 0 0 rg BT /F1 18 Tf 60 560 Td 22 TL\n")
	for _, l := range lines {
		fmt.Fprintf(&content, "(%s) '\n", l)
	}
	content.WriteString("ET\n")
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [6 0 R] /Count 1 >>",
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%sendstream", content.Len(), content.String()),
		fmt.Sprintf("<< /Author (%s) /Producer (Secret Producer 9.1) >>", author),
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> /Contents 4 0 R >>",
	}
	return testenv.PDF(objs, 5)
}

// mediaAssetJSON is an asset with the fields processing adds.
type mediaAssetJSON struct {
	assetJSON
	JudgeURL   string `json:"judge_url"`
	VideoURL   string `json:"video_url"`
	TextURL    string `json:"text_url"`
	DurationMS int64  `json:"duration_ms"`
	WordCount  int    `json:"word_count"`
	Progress   *int   `json:"progress"`
}

type mediaEntryJSON struct {
	ID     string           `json:"id"`
	Status string           `json:"status"`
	Assets []mediaAssetJSON `json:"assets"`
}

// waitAsset polls an entry until the asset is ready or failed.
func waitAsset(t *testing.T, c *apiClient, entryPath, token, assetID string) mediaAssetJSON {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		var e mediaEntryJSON
		c.json(t, http.MethodGet, entryPath, token, nil).want(t, "poll entry", http.StatusOK, &e)
		for _, a := range e.Assets {
			if a.ID == assetID && (a.State == "ready" || a.State == "failed") {
				return a
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("asset %s not done after 60s: %+v", assetID, e.Assets)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func runMediaE2E(t *testing.T, env *testEnv, f mediaFiles) {
	c := env.client
	s := env.stack
	ctx := context.Background()

	org, err := s.Auth.SignUp(ctx, auth.SignUpInput{Email: "media-org@example.org", Name: "Mo Organizer", Password: password})
	if err != nil {
		t.Fatalf("sign up organizer: %v", err)
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
		"title": "Moving Pictures", "time_zone": "UTC",
		"opens_at": now.Add(-time.Hour), "closes_at": now.Add(48 * time.Hour),
		"criteria": []map[string]any{{"name": "Impact", "weight": 1, "scale_min": 1, "scale_max": 10}},
	}).want(t, "create competition", http.StatusCreated, &comp)
	base := "/api/v1/competitions/" + comp.Slug
	var ov overviewJSON
	c.json(t, http.MethodGet, base, orgTok, nil).want(t, "overview", http.StatusOK, &ov)
	cats := map[string]string{}
	for _, cat := range ov.Categories {
		cats[cat.Medium] = cat.ID
	}
	for _, m := range []string{"video", "essay", "mural", "photo"} {
		if cats[m] == "" {
			t.Fatalf("no %s category in %+v", m, ov.Categories)
		}
	}
	// Videos up to 3 s (one second of grace: the 2 s clips pass, 6 s fails),
	// and room for several entries per category.
	c.json(t, http.MethodPut, base+"/categories/"+cats["video"]+"/rules", orgTok, map[string]any{"max_duration_seconds": 3, "max_entries": 10}).
		want(t, "set video rules", http.StatusOK, nil)
	c.json(t, http.MethodPut, base+"/categories/"+cats["essay"]+"/rules", orgTok, map[string]any{"max_entries": 10}).
		want(t, "set essay rules", http.StatusOK, nil)
	c.json(t, http.MethodPut, base+"/categories/"+cats["photo"]+"/rules", orgTok, map[string]any{"max_entries": 10}).
		want(t, "set photo rules", http.StatusOK, nil)

	var sess sessionJSON
	c.json(t, http.MethodPost, "/api/v1/users", "", map[string]string{"email": "media-ent@example.org", "name": entrantName, "password": password}).
		want(t, "entrant signs up", http.StatusCreated, &sess)
	entTok := sess.Token

	// The judge is invited and accepts.
	var inv struct {
		Token string `json:"token"`
	}
	c.json(t, http.MethodPost, base+"/invitations", orgTok, map[string]string{"role": "judge", "email": "media-judge@example.org"}).
		want(t, "invite judge", http.StatusCreated, &inv)
	c.json(t, http.MethodPost, "/api/v1/users", "", map[string]string{"email": "media-judge@example.org", "name": "Jo Judge", "password": password}).
		want(t, "judge signs up", http.StatusCreated, &sess)
	judgeTok := sess.Token
	c.json(t, http.MethodPost, "/api/v1/invitations/"+inv.Token+"/accept", judgeTok, nil).want(t, "accept", http.StatusOK, nil)

	photo := testJPEG(t, 640, 480)
	type upload struct {
		name, medium, ct string
		data             []byte
		fails            bool
	}
	ups := []upload{
		{"clip.mp4", "video", "video/mp4", f.mp4, false},
		{"clip.webm", "video", "video/webm", f.webm, false},
		{"essay.txt", "essay", "text/plain", []byte(e2eEssay), false},
		{"essay.docx", "essay", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", f.docx, false},
		{"mural.pdf", "mural", "application/pdf", f.pdf, false},
		// The same photo entered twice, for the duplicates list.
		{"loom.jpg", "photo", "image/jpeg", photo, false},
		{"loom-again.jpg", "photo", "image/jpeg", photo, false},
		{"long.mp4", "video", "video/mp4", f.longMP4, true},
	}
	type done struct {
		upload
		entryPath string
		asset     mediaAssetJSON
	}
	var all []done
	start := time.Now()
	for i, u := range ups {
		var e entryJSON
		c.json(t, http.MethodPost, base+"/entries", entTok, map[string]any{
			"category_id": cats[u.medium], "title": fmt.Sprintf("Work %d", i+1), "consent_publish": true, "consent_rules": true,
		}).want(t, "create entry "+u.name, http.StatusCreated, &e)
		path := base + "/entries/" + e.ID
		var up uploadJSON
		c.do(t, http.MethodPut, path+"/files?name="+u.name, entTok, u.ct, u.data).want(t, "upload "+u.name, http.StatusCreated, &up)
		all = append(all, done{upload: u, entryPath: path, asset: mediaAssetJSON{assetJSON: assetJSON{ID: up.ID}}})
	}
	for i, d := range all {
		a := waitAsset(t, c, d.entryPath, entTok, d.asset.ID)
		all[i].asset = a
		if d.fails {
			if a.State != "failed" || !strings.Contains(a.FailReason, "6 s long") || !strings.Contains(a.FailReason, "allows 3 s") {
				t.Errorf("%s: state %s, reason %q; want failed, 6 s long, allows 3 s", d.name, a.State, a.FailReason)
			}
			continue
		}
		if a.State != "ready" {
			t.Fatalf("%s: %s (%s)", d.name, a.State, a.FailReason)
		}
		if a.ThumbURL == "" {
			t.Errorf("%s: no thumbnail for its owner", d.name)
		}
		c.json(t, http.MethodPost, d.entryPath+"/submit", entTok, nil).want(t, "submit "+d.name, http.StatusOK, nil)
	}
	t.Logf("all processed after %v", time.Since(start).Round(time.Millisecond))
	// The over-long video is refused for good on purpose; the worker logs
	// that at error level, which is expected here and only here.
	// It is written just after the asset is marked failed: wait for it.
	longID := all[len(all)-1].asset.ID
	for end := time.Now().Add(5 * time.Second); time.Now().Before(end) && !env.logs.has("task failed for good", longID); {
		time.Sleep(20 * time.Millisecond)
	}
	env.logs.forget("task failed for good", longID)

	// The entrant sees the readable reason on the failed video's entry.
	for _, d := range all {
		if d.fails {
			var e mediaEntryJSON
			c.json(t, http.MethodGet, d.entryPath, entTok, nil).want(t, "entrant views failed entry", http.StatusOK, &e)
			if len(e.Assets) != 1 || e.Assets[0].State != "failed" || e.Assets[0].FailReason == "" {
				t.Errorf("entrant's failed entry: %+v", e.Assets)
			}
		}
	}

	paths := map[string]string{}
	for _, d := range all {
		paths[d.name] = d.entryPath
	}
	checkDuplicates(t, c, base, orgTok, entTok, judgeTok, paths["loom.jpg"], paths["loom-again.jpg"])

	wantText := media.NormaliseText(e2eEssay)
	for _, d := range all {
		if d.fails {
			continue
		}
		r := c.json(t, http.MethodGet, d.entryPath, judgeTok, nil)
		var e mediaEntryJSON
		r.want(t, "judge views "+d.name, http.StatusOK, &e)
		wantBlind(t, "judge views "+d.name, r.body)
		if bytes.Contains(r.body, []byte(`"progress"`)) {
			t.Errorf("judge sees progress: %s", r.body)
		}
		if len(e.Assets) != 1 {
			t.Fatalf("judge's %s: %s", d.name, r.body)
		}
		a := e.Assets[0]
		if a.ThumbURL == "" {
			t.Errorf("judge's %s: no thumbnail", d.name)
		}
		switch d.medium {
		case "photo":
			if a.JudgeURL == "" {
				t.Errorf("judge's %s: no judge_url", d.name)
			}
		case "video":
			if a.VideoURL == "" || a.DurationMS < 1500 || a.DurationMS > 2500 {
				t.Fatalf("judge's %s: video_url %q, duration %d ms", d.name, a.VideoURL, a.DurationMS)
			}
			v := c.do(t, http.MethodGet, a.VideoURL, "", "", nil)
			if v.status != http.StatusOK || len(v.body) < 12 || string(v.body[4:8]) != "ftyp" {
				t.Fatalf("judge's %s video: status %d, %d bytes", d.name, v.status, len(v.body))
			}
			if ct := v.header.Get("Content-Type"); ct != "video/mp4" {
				t.Errorf("judge's %s video: Content-Type %q", d.name, ct)
			}
			for _, leak := range []string{e2eSecretTitle, e2eSecretArtist} {
				if bytes.Contains(v.body, []byte(leak)) {
					t.Errorf("judge's %s video keeps %q", d.name, leak)
				}
			}
		case "essay":
			if a.TextURL == "" || a.WordCount == 0 {
				t.Fatalf("judge's %s: text_url %q, word_count %d", d.name, a.TextURL, a.WordCount)
			}
			tx := c.do(t, http.MethodGet, a.TextURL, "", "", nil)
			if tx.status != http.StatusOK {
				t.Fatalf("judge's %s text: status %d", d.name, tx.status)
			}
			for _, leak := range []string{"Secret Author", "Secret Company"} {
				if bytes.Contains(tx.body, []byte(leak)) {
					t.Errorf("judge's %s text keeps %q", d.name, leak)
				}
			}
			if d.name == "essay.txt" {
				if got := strings.TrimRight(string(tx.body), "\n"); got != wantText {
					t.Errorf("judge's essay text %q, want %q", got, wantText)
				}
				if want := media.CountWords(wantText, false); a.WordCount != want {
					t.Errorf("judge's essay word_count %d, want %d", a.WordCount, want)
				}
			} else if !bytes.Contains(tx.body, []byte("grandmother taught")) {
				t.Errorf("judge's DOCX text: %q", tx.body)
			}
		case "mural":
			th := c.do(t, http.MethodGet, a.ThumbURL, "", "", nil)
			if th.status != http.StatusOK || th.header.Get("Content-Type") != "image/jpeg" || bytes.Contains(th.body, []byte("Jane Entrant")) {
				t.Errorf("judge's mural thumbnail: status %d, %s", th.status, th.header.Get("Content-Type"))
			}
		}
	}
}

// has reports whether a log line holds every one of parts.
func (l *testLog) has(parts ...string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, line := range l.lines {
		if containsAll(line, parts) {
			return true
		}
	}
	return false
}

func containsAll(s string, parts []string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}

// forget drops the log lines holding every one of parts, so that an error
// a test provokes on purpose does not fail it.
func (l *testLog) forget(parts ...string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	kept := l.lines[:0]
	for _, line := range l.lines {
		if !containsAll(line, parts) {
			kept = append(kept, line)
		}
	}
	l.lines = kept
}

// checkDuplicates: the organizer sees the same photo entered twice as a
// pair at distance 0; nobody else may list duplicates.
func checkDuplicates(t *testing.T, c *apiClient, base, orgTok, entTok, judgeTok, pathA, pathB string) {
	t.Helper()
	var dup struct {
		Items []struct {
			A        mediaEntryJSON `json:"a"`
			B        mediaEntryJSON `json:"b"`
			AssetA   string         `json:"asset_a"`
			AssetB   string         `json:"asset_b"`
			Distance int            `json:"distance"`
		} `json:"items"`
	}
	c.json(t, http.MethodGet, base+"/duplicates", orgTok, nil).want(t, "duplicates", http.StatusOK, &dup)
	idA, idB := pathA[strings.LastIndex(pathA, "/")+1:], pathB[strings.LastIndex(pathB, "/")+1:]
	found := false
	for _, p := range dup.Items {
		if (p.A.ID == idA && p.B.ID == idB) || (p.A.ID == idB && p.B.ID == idA) {
			found = true
			if p.Distance != 0 || p.AssetA == "" || p.AssetB == "" || len(p.A.Assets) == 0 || p.A.Assets[0].ThumbURL == "" {
				t.Errorf("duplicate pair: %+v", p)
			}
		}
	}
	if !found {
		t.Errorf("duplicates: the same photo entered twice is not listed: %+v", dup.Items)
	}
	c.json(t, http.MethodGet, base+"/duplicates", entTok, nil).wantProblem(t, "duplicates as entrant", http.StatusForbidden)
	c.json(t, http.MethodGet, base+"/duplicates", judgeTok, nil).wantProblem(t, "duplicates as judge", http.StatusForbidden)
	c.json(t, http.MethodGet, base+"/duplicates", "", nil).wantProblem(t, "duplicates anonymously", http.StatusUnauthorized)
}
