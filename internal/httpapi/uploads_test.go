package httpapi_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tessera/tessera/internal/auth"
)

// TestUploads drives the resumable upload protocol and every bad input of
// issue #3 item 7 through the real HTTP stack, on both deployment shapes.
// Every response is checked against openapi.yaml by the client.
func TestUploads(t *testing.T) {
	t.Run("embedded", func(t *testing.T) { runUploads(t, startStack(t, embeddedConfig(t))) })
	t.Run("real", func(t *testing.T) { runUploads(t, startStack(t, realConfig(t))) })
}

type uploadStatusJSON struct {
	ID        string `json:"id"`
	AssetID   string `json:"asset_id"`
	Size      int64  `json:"size"`
	PartSize  int64  `json:"part_size"`
	PartCount int    `json:"part_count"`
	Received  []struct {
		Number int   `json:"number"`
		Size   int64 `json:"size"`
	} `json:"received"`
	Complete  bool      `json:"complete"`
	CreatedAt time.Time `json:"created_at"`
}

type uploadWorld struct {
	env      *testEnv
	base     string // /api/v1/competitions/<slug>
	compID   string
	orgTok   string
	aliceTok string
	bobTok   string
	aliceEnt string // Alice's photo entry
	bobEnt   string
	photoCat string
}

const mib = 1 << 20

func setupUploads(t *testing.T, env *testEnv) *uploadWorld {
	c := env.client
	s := env.stack
	ctx := context.Background()
	w := &uploadWorld{env: env}
	org, err := s.Auth.SignUp(ctx, auth.SignUpInput{Email: "up-org@example.org", Name: "Upload Organizer", Password: password})
	if err != nil {
		t.Fatalf("sign up organizer: %v", err)
	}
	if err := s.DB.SetCanOrganize(ctx, org.ID, true); err != nil {
		t.Fatal(err)
	}
	var sess sessionJSON
	c.json(t, http.MethodPost, "/api/v1/session", "", map[string]string{"email": "up-org@example.org", "password": password}).want(t, "sign in", http.StatusOK, &sess)
	w.orgTok = sess.Token
	now := time.Now().UTC()
	var comp competitionJSON
	c.json(t, http.MethodPost, "/api/v1/competitions", w.orgTok, map[string]any{
		"title": "Uploads under test", "time_zone": "Asia/Kathmandu", "opens_at": now.Add(-time.Hour), "closes_at": now.Add(24 * time.Hour), "grace_minutes": 30,
		"categories": []map[string]any{{"medium": "photo", "name": "Photos", "max_entries": 1, "max_file_bytes": 64 * mib}},
		"criteria":   []map[string]any{{"name": "Overall", "weight": 1}},
	}).want(t, "create competition", http.StatusCreated, &comp)
	w.compID = comp.ID
	w.base = "/api/v1/competitions/" + comp.Slug
	var ov overviewJSON
	c.json(t, http.MethodGet, w.base, w.orgTok, nil).want(t, "overview", http.StatusOK, &ov)
	w.photoCat = ov.Categories[0].ID
	for i, name := range []string{"alice", "bob"} {
		c.json(t, http.MethodPost, "/api/v1/users", "", map[string]string{"email": name + "@example.org", "name": name, "password": password, "organisation": "Coop", "country": "np"}).
			want(t, "sign up "+name, http.StatusCreated, &sess)
		var e entryJSON
		c.json(t, http.MethodPost, w.base+"/entries", sess.Token, map[string]any{"category_id": w.photoCat, "title": name + "'s work", "consent_publish": true, "consent_rules": true}).
			want(t, "create entry", http.StatusCreated, &e)
		if i == 0 {
			w.aliceTok, w.aliceEnt = sess.Token, e.ID
		} else {
			w.bobTok, w.bobEnt = sess.Token, e.ID
		}
	}
	return w
}

// bigJPEG is a real JPEG followed by padding up to size bytes.
func bigJPEG(t *testing.T, size int) []byte {
	b := testJPEG(t, 64, 48)
	out := make([]byte, size)
	copy(out, b)
	for i := len(b); i < size; i++ {
		out[i] = byte(i * 7)
	}
	return out
}

func smallPNG(t *testing.T) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 8, 8))
	img.Set(1, 1, color.RGBA{200, 10, 10, 255})
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func (w *uploadWorld) start(t *testing.T, tok, entry string, body map[string]any) response {
	t.Helper()
	return w.env.client.json(t, http.MethodPost, w.base+"/entries/"+entry+"/uploads", tok, body)
}

func (w *uploadWorld) put(t *testing.T, tok, upload, part string, data []byte, hdr ...string) response {
	t.Helper()
	return w.env.client.do(t, http.MethodPut, w.base+"/uploads/"+upload+"/parts/"+part, tok, "application/octet-stream", data, hdr...)
}

func (w *uploadWorld) assetCount(t *testing.T, tok, entry string) int {
	t.Helper()
	var e entryJSON
	w.env.client.json(t, http.MethodGet, w.base+"/entries/"+entry, tok, nil).want(t, "get entry", http.StatusOK, &e)
	return len(e.Assets)
}

func runUploads(t *testing.T, env *testEnv) {
	w := setupUploads(t, env)
	c := env.client
	file := bigJPEG(t, 9*mib+12345)
	sum := sha256.Sum256(file)
	hexSum := hex.EncodeToString(sum[:])

	t.Run("resumable_happy_path", func(t *testing.T) {
		var st uploadStatusJSON
		w.start(t, w.aliceTok, w.aliceEnt, map[string]any{"name": "river.jpg", "size": len(file), "type": "image/jpeg", "sha256": hexSum}).
			want(t, "start", http.StatusCreated, &st)
		if st.PartSize != 8*mib || st.PartCount != 2 || len(st.Received) != 0 || st.Complete {
			t.Fatalf("start: %+v", st)
		}
		// Last part first, then the first part twice (idempotent).
		w.put(t, w.aliceTok, st.ID, "2", file[8*mib:], "Content-Range", fmt.Sprintf("bytes %d-%d/%d", 8*mib, len(file)-1, len(file))).want(t, "part 2", http.StatusOK, nil)
		var got uploadStatusJSON
		c.json(t, http.MethodGet, w.base+"/uploads/"+st.ID, w.aliceTok, nil).want(t, "status", http.StatusOK, &got)
		if len(got.Received) != 1 || got.Received[0].Number != 2 {
			t.Fatalf("received after part 2: %+v", got.Received)
		}
		w.put(t, w.aliceTok, st.ID, "1", file[:8*mib]).want(t, "part 1", http.StatusOK, nil)
		w.put(t, w.aliceTok, st.ID, "1", file[:8*mib]).want(t, "part 1 again", http.StatusOK, nil)
		var up uploadJSON
		c.json(t, http.MethodPost, w.base+"/uploads/"+st.ID+"/complete", w.aliceTok, nil).want(t, "complete", http.StatusOK, &up)
		if up.ID != st.AssetID || up.ContentType != "image/jpeg" || up.Size != int64(len(file)) || up.FileName != "river.jpg" {
			t.Fatalf("complete: %+v", up)
		}
		c.json(t, http.MethodPost, w.base+"/uploads/"+st.ID+"/complete", w.aliceTok, nil).want(t, "complete again", http.StatusOK, &up)
		a := waitReady(t, c, w.base+"/entries/"+w.aliceEnt, w.aliceTok, st.AssetID)
		r := c.do(t, http.MethodGet, a.OriginalURL, "", "", nil)
		if r.status != http.StatusOK || sha256.Sum256(r.body) != sum {
			t.Fatalf("original: status %d, %d bytes, checksum differs", r.status, len(r.body))
		}
	})

	before := w.assetCount(t, w.aliceTok, w.aliceEnt)
	startOK := func(t *testing.T, name string, size int) uploadStatusJSON {
		var st uploadStatusJSON
		w.start(t, w.aliceTok, w.aliceEnt, map[string]any{"name": name, "size": size, "type": "image/jpeg"}).want(t, "start", http.StatusCreated, &st)
		return st
	}
	long := strings.Repeat("a", 496) + ".jpg"
	startCases := []struct {
		name        string
		tok, entry  string
		body        map[string]any
		status      int
		field, code string
	}{
		{"empty file", w.aliceTok, w.aliceEnt, map[string]any{"name": "a.jpg", "size": 0}, 422, "size", "upload.empty"},
		{"negative size", w.aliceTok, w.aliceEnt, map[string]any{"name": "a.jpg", "size": -5}, 422, "size", "upload.size_invalid"},
		{"size over the category limit", w.aliceTok, w.aliceEnt, map[string]any{"name": "a.jpg", "size": 65 * mib}, 422, "size", "upload.too_large"},
		{"name with a slash", w.aliceTok, w.aliceEnt, map[string]any{"name": "../../etc/passwd.jpg", "size": 10}, 422, "name", "upload.name_separator"},
		{"name with a backslash", w.aliceTok, w.aliceEnt, map[string]any{"name": `C:\photos\a.jpg`, "size": 10}, 422, "name", "upload.name_separator"},
		{"name with a control character", w.aliceTok, w.aliceEnt, map[string]any{"name": "a\x07b.jpg", "size": 10}, 422, "name", "upload.name_control"},
		{"name with a bidi override", w.aliceTok, w.aliceEnt, map[string]any{"name": "a\u202egpj.exe", "size": 10}, 422, "name", "upload.name_control"},
		{"name of 500 characters", w.aliceTok, w.aliceEnt, map[string]any{"name": long, "size": 10}, 422, "name", "upload.name_too_long"},
		{"no name", w.aliceTok, w.aliceEnt, map[string]any{"name": "  ", "size": 10}, 422, "name", "upload.name_missing"},
		{"name the category refuses", w.aliceTok, w.aliceEnt, map[string]any{"name": "essay.docx", "size": 10}, 422, "type", "upload.type_not_accepted"},
		{"declared type the category refuses", w.aliceTok, w.aliceEnt, map[string]any{"name": "a.jpg", "size": 10, "type": "video/mp4"}, 422, "type", "upload.type_not_accepted"},
		{"HEIC photo", w.aliceTok, w.aliceEnt, map[string]any{"name": "IMG_0001.HEIC", "size": 10, "type": "image/heic"}, 422, "type", "upload.heic"},
		{"bad checksum", w.aliceTok, w.aliceEnt, map[string]any{"name": "a.jpg", "size": 10, "sha256": "xyz"}, 422, "sha256", "upload.sha256_invalid"},
		{"unknown field", w.aliceTok, w.aliceEnt, map[string]any{"name": "a.jpg", "size": 10, "path": "/tmp"}, 422, "body", "error.bad_json"},
		{"someone else's entry", w.bobTok, w.aliceEnt, map[string]any{"name": "a.jpg", "size": 10}, 404, "", ""},
		{"signed out", "", w.aliceEnt, map[string]any{"name": "a.jpg", "size": 10}, 401, "", ""},
		{"no such entry", w.aliceTok, "nope", map[string]any{"name": "a.jpg", "size": 10}, 404, "", ""},
	}
	for _, tc := range startCases {
		t.Run("start/"+tc.name, func(t *testing.T) {
			p := w.start(t, tc.tok, tc.entry, tc.body).wantProblem(t, tc.name, tc.status)
			if tc.field != "" {
				wantField(t, tc.name, p, tc.field, tc.code)
			}
		})
	}

	// One two-part upload (8 MiB + 1 MiB + 12345 bytes) for the part checks.
	st := startOK(t, "bad-parts.jpg", len(file))
	partCases := []struct {
		name        string
		tok, part   string
		data        []byte
		hdr         []string
		status      int
		field, code string
	}{
		{"part zero", w.aliceTok, "0", file[:10], nil, 422, "part", "upload.part_out_of_range"},
		{"part past the end", w.aliceTok, "3", file[:10], nil, 422, "part", "upload.part_out_of_range"},
		{"part with a leading zero", w.aliceTok, "01", file[:8*mib], nil, 422, "part", "upload.part_out_of_range"},
		{"part not a number", w.aliceTok, "x1", file[:10], nil, 422, "part", "upload.part_out_of_range"},
		{"huge part number", w.aliceTok, "99999999999999999999", file[:10], nil, 422, "part", "upload.part_out_of_range"},
		{"part of the wrong size", w.aliceTok, "1", file[:mib], nil, 422, "part", "upload.part_size"},
		{"more bytes than declared", w.aliceTok, "2", file[8*mib-1:], nil, 422, "part", "upload.part_size"},
		{"range that is not the part", w.aliceTok, "2", file[8*mib:], []string{"Content-Range", "bytes 0-1044440/9449241"}, 422, "part", "upload.part_range"},
		{"garbled range", w.aliceTok, "2", file[8*mib:], []string{"Content-Range", "bytes=1-2"}, 422, "part", "upload.part_range"},
		{"bytes that are not the named type", w.aliceTok, "1", append(smallPNG(t), make([]byte, 8*mib-len(smallPNG(t)))...), nil, 422, "file", "upload.type_mismatch"},
		{"someone else's upload", w.bobTok, "1", file[:8*mib], nil, 404, "", ""},
	}
	for _, tc := range partCases {
		t.Run("part/"+tc.name, func(t *testing.T) {
			p := w.put(t, tc.tok, st.ID, tc.part, tc.data, tc.hdr...).wantProblem(t, tc.name, tc.status)
			if tc.field != "" {
				wantField(t, tc.name, p, tc.field, tc.code)
			}
		})
	}
	t.Run("part/nothing stored by refused parts", func(t *testing.T) {
		var got uploadStatusJSON
		c.json(t, http.MethodGet, w.base+"/uploads/"+st.ID, w.aliceTok, nil).want(t, "status", http.StatusOK, &got)
		if len(got.Received) != 0 {
			t.Errorf("refused parts were kept: %+v", got.Received)
		}
	})
	t.Run("complete/with parts missing", func(t *testing.T) {
		w.put(t, w.aliceTok, st.ID, "2", file[8*mib:]).want(t, "part 2", http.StatusOK, nil)
		p := c.json(t, http.MethodPost, w.base+"/uploads/"+st.ID+"/complete", w.aliceTok, nil).wantProblem(t, "complete early", 422)
		wantField(t, "complete early", p, "parts", "upload.parts_missing")
	})
	t.Run("complete/someone else's upload", func(t *testing.T) {
		c.json(t, http.MethodPost, w.base+"/uploads/"+st.ID+"/complete", w.bobTok, nil).wantProblem(t, "complete someone else's", 404)
		c.json(t, http.MethodGet, w.base+"/uploads/"+st.ID, w.bobTok, nil).wantProblem(t, "status of someone else's", 404)
		c.json(t, http.MethodDelete, w.base+"/uploads/"+st.ID, w.bobTok, nil).wantProblem(t, "abort someone else's", 404)
		// The refusal is the very answer a made-up id gets: it tells nothing.
		theirs := c.json(t, http.MethodGet, w.base+"/uploads/"+st.ID, w.bobTok, nil)
		none := c.json(t, http.MethodGet, w.base+"/uploads/00000000000000000000000000", w.bobTok, nil)
		if theirs.status != none.status || !bytes.Equal(theirs.body, none.body) {
			t.Errorf("someone else's upload (%d %s) is told apart from a made-up one (%d %s)", theirs.status, theirs.body, none.status, none.body)
		}
	})
	t.Run("complete/checksum mismatch discards the file", func(t *testing.T) {
		small := bigJPEG(t, 4000)
		var s2 uploadStatusJSON
		w.start(t, w.aliceTok, w.aliceEnt, map[string]any{"name": "c.jpg", "size": len(small), "sha256": strings.Repeat("ab", 32)}).want(t, "start", http.StatusCreated, &s2)
		w.put(t, w.aliceTok, s2.ID, "1", small).want(t, "part", http.StatusOK, nil)
		p := c.json(t, http.MethodPost, w.base+"/uploads/"+s2.ID+"/complete", w.aliceTok, nil).wantProblem(t, "checksum", 422)
		wantField(t, "checksum", p, "file", "upload.checksum_mismatch")
		c.json(t, http.MethodGet, w.base+"/uploads/"+s2.ID, w.aliceTok, nil).wantProblem(t, "discarded upload", 404)
	})
	t.Run("abort", func(t *testing.T) {
		c.json(t, http.MethodDelete, w.base+"/uploads/"+st.ID, w.aliceTok, nil).want(t, "abort", http.StatusNoContent, nil)
		c.json(t, http.MethodGet, w.base+"/uploads/"+st.ID, w.aliceTok, nil).wantProblem(t, "aborted upload", 404)
	})
	t.Run("bad input changed nothing", func(t *testing.T) {
		if n := w.assetCount(t, w.aliceTok, w.aliceEnt); n != before {
			t.Errorf("entry has %d assets after refused uploads, want %d", n, before)
		}
	})
	t.Run("category at its entry limit", func(t *testing.T) {
		p := c.json(t, http.MethodPost, w.base+"/entries", w.aliceTok, map[string]any{"category_id": w.photoCat, "title": "Second"}).wantProblem(t, "limit", 422)
		wantField(t, "limit", p, "category_id", "category.limit_reached")
	})
	t.Run("life cycle", func(t *testing.T) {
		ep := w.base + "/entries/" + w.bobEnt
		c.json(t, http.MethodPatch, ep, w.bobTok, map[string]any{"consent_rules": false, "title": "  Bob's loom  "}).want(t, "edit draft", http.StatusOK, nil)
		p := c.json(t, http.MethodPost, ep+"/submit", w.bobTok, nil).wantProblem(t, "incomplete submit", 422)
		wantField(t, "incomplete submit", p, "consent_rules", "submit.consent_rules")
		wantField(t, "incomplete submit", p, "files", "submit.no_file")
		p = c.json(t, http.MethodPatch, ep, w.bobTok, map[string]any{"title": ""}).wantProblem(t, "empty title", 422)
		wantField(t, "empty title", p, "title", "field.required")
		c.json(t, http.MethodPatch, ep, w.aliceTok, map[string]any{"title": "Mine now"}).wantProblem(t, "edit someone else's", 404)
		c.json(t, http.MethodPost, ep+"/withdraw", w.aliceTok, nil).wantProblem(t, "withdraw someone else's", 404)
		theirs := c.json(t, http.MethodPatch, ep, w.aliceTok, map[string]any{"title": "Mine now"})
		none := c.json(t, http.MethodPatch, w.base+"/entries/00000000000000000000000000", w.aliceTok, map[string]any{"title": "Mine now"})
		if theirs.status != none.status || !bytes.Equal(theirs.body, none.body) {
			t.Errorf("editing someone else's entry (%d %s) is told apart from a made-up one (%d %s)", theirs.status, theirs.body, none.status, none.body)
		}
		var e entryJSON
		c.json(t, http.MethodGet, ep, w.bobTok, nil).want(t, "get", http.StatusOK, &e)
		if e.Title != "Bob's loom" || e.Status != "draft" {
			t.Errorf("after edits: %+v", e)
		}
		c.json(t, http.MethodPost, ep+"/withdraw", w.bobTok, nil).want(t, "withdraw", http.StatusOK, &e)
		if e.Status != "withdrawn" {
			t.Errorf("withdraw: status %q", e.Status)
		}
		c.json(t, http.MethodPost, ep+"/withdraw", w.bobTok, nil).wantProblem(t, "withdraw twice", 409)
		c.json(t, http.MethodPatch, ep, w.bobTok, map[string]any{"title": "Back"}).wantProblem(t, "edit withdrawn", 409)
		w.start(t, w.bobTok, w.bobEnt, map[string]any{"name": "a.jpg", "size": 10}).wantProblem(t, "upload to withdrawn", 409)
		// A withdrawn entry frees its place in the category.
		c.json(t, http.MethodPost, w.base+"/entries", w.bobTok, map[string]any{"category_id": w.photoCat, "title": "Again"}).want(t, "enter again", http.StatusCreated, &e)
		w.bobEnt = e.ID
	})
	t.Run("category rules", func(t *testing.T) {
		rp := w.base + "/categories/" + w.photoCat + "/rules"
		var r struct {
			Formats        []string `json:"formats"`
			Accept         string   `json:"accept"`
			MaxFileBytes   int64    `json:"max_file_bytes"`
			MaxEntries     int      `json:"max_entries"`
			RequiredFields []string `json:"required_fields"`
		}
		c.json(t, http.MethodGet, rp, "", nil).want(t, "rules", http.StatusOK, &r)
		if strings.Join(r.Formats, ",") != "JPEG,PNG,WebP" || r.MaxFileBytes != 64*mib || r.MaxEntries != 1 || !strings.Contains(r.Accept, ".jpg") {
			t.Errorf("rules: %+v", r)
		}
		c.json(t, http.MethodPut, rp, w.bobTok, map[string]any{"max_entries": 5}).wantProblem(t, "entrant sets rules", 403)
		p := c.json(t, http.MethodPut, rp, w.orgTok, map[string]any{"min_words": 5, "max_words": 2, "required_fields": []string{"colour"}, "max_file_bytes": -1}).wantProblem(t, "bad rules", 422)
		wantField(t, "bad rules", p, "min_words", "category.words_invalid")
		wantField(t, "bad rules", p, "required_fields", "category.field_unknown")
		wantField(t, "bad rules", p, "max_file_bytes", "category.limits_invalid")
		c.json(t, http.MethodPut, rp, w.orgTok, map[string]any{"required_fields": []string{"statement"}, "max_file_bytes": 1000}).want(t, "set rules", http.StatusOK, &r)
		if r.MaxFileBytes != 1000 || len(r.RequiredFields) != 1 {
			t.Errorf("rules after the change: %+v", r)
		}
		p = w.start(t, w.bobTok, w.bobEnt, map[string]any{"name": "a.jpg", "size": 2000}).wantProblem(t, "over the new limit", 422)
		wantField(t, "over the new limit", p, "size", "upload.too_large")
		p = c.json(t, http.MethodPost, w.base+"/entries/"+w.bobEnt+"/submit", w.bobTok, nil).wantProblem(t, "required statement", 422)
		wantField(t, "required statement", p, "statement", "field.required")
		c.json(t, http.MethodPut, rp, w.orgTok, map[string]any{"required_fields": []string{}, "max_file_bytes": 64 * mib}).want(t, "reset rules", http.StatusOK, nil)
	})
	t.Run("profile", func(t *testing.T) {
		var pr struct {
			Organisation string `json:"organisation"`
			Country      string `json:"country"`
			Phone        string `json:"phone"`
		}
		c.json(t, http.MethodGet, "/api/v1/me/profile", w.aliceTok, nil).want(t, "profile", http.StatusOK, &pr)
		if pr.Country != "NP" || pr.Organisation != "Coop" {
			t.Errorf("profile: %+v", pr)
		}
		p := c.json(t, http.MethodPut, "/api/v1/me/profile", w.aliceTok, map[string]any{"country": "XX", "phone": "call me", "name": " "}).wantProblem(t, "bad profile", 422)
		wantField(t, "bad profile", p, "country", "country.invalid")
		wantField(t, "bad profile", p, "phone", "profile.phone_invalid")
		wantField(t, "bad profile", p, "name", "field.required")
		c.json(t, http.MethodPut, "/api/v1/me/profile", w.aliceTok, map[string]any{"country": "pe", "phone": "+51 (1) 555-0100", "organisation": "Awana Coop"}).want(t, "set profile", http.StatusOK, &pr)
		if pr.Country != "PE" || pr.Phone != "+51 (1) 555-0100" || pr.Organisation != "Awana Coop" {
			t.Errorf("profile after change: %+v", pr)
		}
		c.json(t, http.MethodPut, "/api/v1/me/profile", "", map[string]any{"country": "PE"}).wantProblem(t, "signed out", 401)
	})
	t.Run("sweeper aborts stale uploads", func(t *testing.T) {
		s3 := startOK(t, "stale.jpg", 100)
		n, err := env.stack.App.SweepUploads(context.Background(), -time.Second, 100)
		if err != nil || n < 1 {
			t.Fatalf("sweep: %d, %v", n, err)
		}
		c.json(t, http.MethodGet, w.base+"/uploads/"+s3.ID, w.aliceTok, nil).wantProblem(t, "swept upload", 404)
	})
	t.Run("deadline", func(t *testing.T) {
		ctx := context.Background()
		small := bigJPEG(t, 5000)
		early := startOK(t, "early.jpg", len(small))
		// The deadline falls just after the upload began; the grace period
		// runs 30 minutes.
		closes := early.CreatedAt.Add(300 * time.Millisecond)
		if err := env.stack.DB.SetSubmissionWindow(ctx, w.compID, closes.Add(-time.Hour), closes, 30); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Until(closes) + 10*time.Millisecond)
		now := time.Now().UTC()
		p := w.start(t, w.aliceTok, w.aliceEnt, map[string]any{"name": "late.jpg", "size": 10}).wantProblem(t, "start after the deadline", 403)
		if !strings.Contains(p.Detail, "deadline") {
			t.Errorf("late start: detail %q", p.Detail)
		}
		c.json(t, http.MethodPost, w.base+"/entries", w.bobTok, map[string]any{"category_id": w.photoCat, "title": "Late"}).wantProblem(t, "entry after the deadline", 403)
		c.json(t, http.MethodPatch, w.base+"/entries/"+w.bobEnt, w.bobTok, map[string]any{"title": "Late edit"}).wantProblem(t, "edit after the deadline", 403)
		c.json(t, http.MethodPost, w.base+"/entries/"+w.bobEnt+"/withdraw", w.bobTok, nil).wantProblem(t, "withdraw after the deadline", 403)
		// An upload begun before the deadline finishes within the grace period.
		w.put(t, w.aliceTok, early.ID, "1", small).want(t, "part in grace", http.StatusOK, nil)
		c.json(t, http.MethodPost, w.base+"/uploads/"+early.ID+"/complete", w.aliceTok, nil).want(t, "complete in grace", http.StatusOK, nil)
		// Past the grace period, nothing more.
		late := startOKAt(t, w, env, now)
		if err := env.stack.DB.SetSubmissionWindow(ctx, w.compID, now.Add(-2*time.Hour), now.Add(-time.Hour), 30); err != nil {
			t.Fatal(err)
		}
		w.put(t, w.aliceTok, late.ID, "1", small).wantProblem(t, "part after grace", 403)
		c.json(t, http.MethodPost, w.base+"/uploads/"+late.ID+"/complete", w.aliceTok, nil).wantProblem(t, "complete after grace", 403)
	})
}

// startOKAt reopens submissions briefly to start an upload, so that the
// test can then move the deadline past it.
func startOKAt(t *testing.T, w *uploadWorld, env *testEnv, now time.Time) uploadStatusJSON {
	if err := env.stack.DB.SetSubmissionWindow(context.Background(), w.compID, now.Add(-time.Hour), now.Add(time.Hour), 30); err != nil {
		t.Fatal(err)
	}
	var st uploadStatusJSON
	w.start(t, w.aliceTok, w.aliceEnt, map[string]any{"name": "late.jpg", "size": 5000}).want(t, "start", http.StatusCreated, &st)
	return st
}
