package main

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/color"
	"image/jpeg"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestMediaProcessCommand(t *testing.T) {
	dir := t.TempDir()
	img := image.NewRGBA(image.Rect(0, 0, 1000, 500))
	for i := range img.Pix {
		img.Pix[i] = uint8(i)
	}
	img.Set(0, 0, color.RGBA{255, 0, 0, 255})
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	photo := filepath.Join(dir, "photo.jpg")
	if err := os.WriteFile(photo, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")

	var stdout bytes.Buffer
	// Flags may follow the file.
	if err := run(context.Background(), []string{"media", "process", photo, "--kind", "photo", "--out", out}, &stdout, &stdout); err != nil {
		t.Fatalf("process: %v\n%s", err, stdout.String())
	}
	var res struct {
		OK     bool `json:"ok"`
		Report struct {
			Width   int `json:"width"`
			Height  int `json:"height"`
			Outputs []struct {
				Name  string `json:"name"`
				File  string `json:"file"`
				Width int    `json:"width"`
				Size  int64  `json:"size"`
			} `json:"outputs"`
			PHash string `json:"phash"`
		} `json:"report"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &res); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, stdout.String())
	}
	if !res.OK || res.Report.Width != 1000 || res.Report.Height != 500 || len(res.Report.Outputs) != 4 || res.Report.PHash == "" {
		t.Fatalf("result %+v", res)
	}
	for _, o := range res.Report.Outputs {
		st, err := os.Stat(filepath.Join(out, o.File))
		if err != nil || st.Size() != o.Size {
			t.Errorf("%s: %v (%d bytes reported)", o.File, err, o.Size)
		}
	}

	// A refusal prints why, as JSON, and fails.
	html := filepath.Join(dir, "page.jpg")
	if err := os.WriteFile(html, []byte("<html><body>hi</body></html>"), 0o644); err != nil {
		t.Fatal(err)
	}
	stdout.Reset()
	err := run(context.Background(), []string{"media", "process", "--kind", "photo", "--out", out, html}, &stdout, &stdout)
	if err == nil || !strings.Contains(err.Error(), "refused") {
		t.Fatalf("html as photo: %v", err)
	}
	var refused struct {
		OK      bool   `json:"ok"`
		Refused string `json:"refused"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &refused); err != nil || refused.OK || !strings.Contains(refused.Refused, "not an image") {
		t.Fatalf("refusal output %q (%v)", stdout.String(), err)
	}

	// Usage errors.
	for _, args := range [][]string{{"media"}, {"media", "process", photo, "--out", out}, {"media", "process", photo, "--kind", "sculpture", "--out", out}} {
		stdout.Reset()
		if err := run(context.Background(), args, &stdout, &stdout); err == nil {
			t.Errorf("%v: no error", args)
		}
	}
}
