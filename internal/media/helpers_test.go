package media

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/tessera/tessera/internal/testenv"
)

// needTools skips the test when a tool is missing, or fails it when make
// test (TESSERA_TEST_REQUIRE_SERVICES=1) promised every tool would be there
// (scripts/services.sh installs them).
func needTools(t testing.TB, names ...string) {
	t.Helper()
	for _, n := range names {
		if _, err := exec.LookPath(n); err != nil {
			if os.Getenv("TESSERA_TEST_REQUIRE_SERVICES") == "1" {
				t.Fatalf("%s is not installed; scripts/services.sh installs it", n)
			}
			t.Skipf("%s is not installed (scripts/services.sh installs it)", n)
		}
	}
}

// run runs a command for a test fixture and fails the test on error.
func run(t testing.TB, name string, args ...string) []byte {
	t.Helper()
	cmd := exec.CommandContext(context.Background(), name, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, stderr.String())
	}
	return out
}

// ffmpegFixture makes a file with ffmpeg's test sources into the test's
// temporary directory and returns its path.
func ffmpegFixture(t testing.TB, name string, args ...string) string {
	t.Helper()
	needTools(t, "ffmpeg", "ffprobe")
	p := filepath.Join(t.TempDir(), name)
	run(t, "ffmpeg", append(append([]string{"-nostdin", "-v", "error", "-y"}, args...), p)...)
	return p
}

// writeFile writes data into the test's temporary directory.
func writeFile(t testing.TB, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// makePDF writes a PDF of pages pages, each showing the given lines of
// text over a coloured band, with Author, Creator and Producer set in its
// document information.
func makePDF(pages int, lines []string, author string) []byte {
	var content strings.Builder
	content.WriteString("0.2 0.4 0.8 rg 50 600 500 150 re f\n0 0 0 rg BT /F1 18 Tf 60 560 Td 22 TL\n")
	for _, l := range lines {
		fmt.Fprintf(&content, "(%s) '\n", strings.NewReplacer(`\`, `\\`, "(", `\(`, ")", `\)`).Replace(l))
	}
	content.WriteString("ET\n")
	var objs []string
	// 1 catalog, 2 pages, 3 font, 4 content, 5 info, 6.. pages
	kids := make([]string, pages)
	for i := range pages {
		kids[i] = fmt.Sprintf("%d 0 R", 6+i)
	}
	objs = append(objs,
		"<< /Type /Catalog /Pages 2 0 R >>",
		fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", strings.Join(kids, " "), pages),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%sendstream", content.Len(), content.String()),
		fmt.Sprintf("<< /Author (%s) /Creator (Secret Creator App) /Producer (Secret Producer 9.1) /Title (Private Title) >>", author),
	)
	for range pages {
		objs = append(objs, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> /Contents 4 0 R >>")
	}
	return testenv.PDF(objs, 5)
}

// allocatedDuring returns how many bytes fn allocated on the heap.
func allocatedDuring(fn func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	fn()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// processFile runs Process on path into a fresh directory.
func processFile(t testing.TB, path string, kind Kind, opt Options) (Report, string, error) {
	t.Helper()
	out := t.TempDir()
	rep, err := Process(context.Background(), Input{Path: path, Kind: kind, FileName: filepath.Base(path)}, out, opt)
	return rep, out, err
}
