package media

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// makeDOCX builds a Word document whose body holds paragraphs and whose
// properties name an author and a company; bodyXML, when set, replaces the
// body.
func makeDOCX(t testing.TB, paragraphs []string, bodyXML io.Reader) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) { return flate.NewWriter(w, flate.BestSpeed) })
	add := func(name string, r io.Reader) {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(w, r); err != nil {
			t.Fatal(err)
		}
	}
	add("[Content_Types].xml", strings.NewReader(`<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>`))
	add("docProps/core.xml", strings.NewReader(`<cp:coreProperties xmlns:cp="x" xmlns:dc="y"><dc:creator>Secret Author</dc:creator><cp:lastModifiedBy>Secret Editor</cp:lastModifiedBy></cp:coreProperties>`))
	add("docProps/app.xml", strings.NewReader(`<Properties><Company>Secret Company Ltd</Company></Properties>`))
	add("word/comments.xml", strings.NewReader(`<w:comments xmlns:w="w"><w:comment w:author="Secret Reviewer"><w:p><w:r><w:t>hidden</w:t></w:r></w:p></w:comment></w:comments>`))
	if bodyXML == nil {
		var body strings.Builder
		body.WriteString(`<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>`)
		for _, p := range paragraphs {
			body.WriteString(`<w:p><w:r><w:t xml:space="preserve">` + p + `</w:t></w:r><w:del><w:r><w:delText>deleted words</w:delText></w:r></w:del></w:p>`)
		}
		body.WriteString(`</w:body></w:document>`)
		bodyXML = strings.NewReader(body.String())
	}
	add("word/document.xml", bodyXML)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestNormaliseText(t *testing.T) {
	for in, want := range map[string]string{
		"\ufeffHello\r\nworld  \r\n\r\n\r\n\r\nEnd\x00\x07": "Hello\nworld\n\nEnd",
		"cafe\u0301":                   "café",
		"a\u200bb\u00adc\tc":           "abc\tc",
		"\n\n  indented\n":             "  indented",
		"می\u200cخواهم":                "می\u200cخواهم",
		"line\u2028next\fpage":         "line\nnext\npage",
		string([]byte{'o', 0xff, 'k'}): "o\uFFFDk",
	} {
		if got := NormaliseText(in); got != want {
			t.Errorf("NormaliseText(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCountWords(t *testing.T) {
	for _, tt := range []struct {
		text string
		md   bool
		want int
	}{
		{"One two  three.\nFour — five", false, 5},
		{"# Title\n\n- a list item\n- [a link](https://example.org/very/long)\n\n```\ncode\n```", true, 7},
		{"日本語の文章", false, 6},
		{"l'été 2026, c'est-à-dire", false, 3},
		{"", false, 0},
	} {
		if got := CountWords(tt.text, tt.md); got != tt.want {
			t.Errorf("CountWords(%q) = %d, want %d", tt.text, got, tt.want)
		}
	}
	if rej, ok := IsReject(CheckWords(1234, 0, 1000)); !ok || rej.Reason != "This essay has 1,234 words; this category allows at most 1,000." {
		t.Errorf("too long: %v", rej)
	}
	if rej, ok := IsReject(CheckWords(120, 500, 0)); !ok || rej.Reason != "This essay has 120 words; this category asks for at least 500." {
		t.Errorf("too short: %v", rej)
	}
	if err := CheckWords(700, 500, 1000); err != nil {
		t.Error(err)
	}
}

func TestDecodeText(t *testing.T) {
	utf16 := []byte{0xFF, 0xFE, 'H', 0, 'i', 0, ' ', 0, 0xE9, 0}
	cp1252 := []byte("caf\xe9 \x93quoted\x94")
	for name, tt := range map[string]struct {
		in   []byte
		want string
	}{
		"utf-8 with bom": {[]byte("\xef\xbb\xbfHi é"), "Hi é"},
		"utf-16":         {utf16, "Hi é"},
		"windows-1252":   {cp1252, "café “quoted”"},
	} {
		got, err := DecodeText(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("%s: %q, %v; want %q", name, got, err, tt.want)
		}
	}
	if _, err := DecodeText([]byte("MZ\x00\x00binary")); err == nil {
		t.Error("binary decoded as text")
	}
}

func TestEssays(t *testing.T) {
	words := strings.Repeat("light and shadow ", 100) // 300 words
	docx := writeFile(t, "essay.docx", makeDOCX(t, []string{"The Title", words}, nil))
	md := writeFile(t, "essay.md", []byte("# The Title\n\n"+words+"\n\nSee [the source](https://example.org/x).\n"))
	txt := writeFile(t, "essay.txt", []byte("The Title\r\n\r\n"+words))
	tests := []struct {
		name, path string
		words      int
		markdown   bool
		needs      []string
	}{
		{"docx", docx, 302, false, nil},
		{"markdown", md, 305, true, nil},
		{"text", txt, 302, false, nil},
	}
	if _, err := os.Stat("/usr/bin/pdftotext"); err == nil || os.Getenv("TESSERA_TEST_REQUIRE_SERVICES") == "1" {
		pdf := writeFile(t, "essay.pdf", makePDF(2, []string{"The Title", "light and shadow light and shadow"}, "Secret Author"))
		tests = append(tests, struct {
			name, path string
			words      int
			markdown   bool
			needs      []string
		}{"pdf", pdf, 16, false, []string{"pdftotext", "pdftoppm", "pdfinfo"}})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			needTools(t, tt.needs...)
			rep, out, err := processFile(t, tt.path, KindEssay, Options{MinWords: 10, MaxWords: 1000})
			if err != nil {
				t.Fatal(err)
			}
			if rep.WordCount != tt.words || rep.Markdown != tt.markdown {
				t.Errorf("words %d markdown %v, want %d %v", rep.WordCount, rep.Markdown, tt.words, tt.markdown)
			}
			text, err := os.ReadFile(filepath.Join(out, map[bool]string{true: "text.md", false: "text.txt"}[tt.markdown]))
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(strings.TrimPrefix(string(text), "# "), "The Title") || !strings.Contains(string(text), "light and shadow") {
				t.Errorf("text starts %q", string(text[:min(60, len(text))]))
			}
			for _, secret := range []string{"Secret", "deleted words", "hidden", "\r"} {
				if strings.Contains(string(text), secret) {
					t.Errorf("text holds %q", secret)
				}
			}
			for _, name := range []string{NamePreview, NameCard, NameThumb} {
				if _, ok := rep.Output(name); !ok {
					t.Errorf("no %s cover", name)
				}
			}
			th, _ := rep.Output(NameThumb)
			if th.Height != 320 || th.Width >= th.Height {
				t.Errorf("cover thumb %d×%d, want a portrait page 320 high", th.Width, th.Height)
			}
		})
	}
	t.Run("too long", func(t *testing.T) {
		_, _, err := processFile(t, txt, KindEssay, Options{MaxWords: 250})
		if rej, ok := IsReject(err); !ok || rej.Reason != "This essay has 302 words; this category allows at most 250." {
			t.Fatalf("err %v", err)
		}
	})
	t.Run("text that grows past the stored cap", func(t *testing.T) {
		// Within the file cap, but each Windows-1252 "€" becomes three
		// bytes of UTF-8: the stored text would pass MaxEssayTextBytes.
		p := filepath.Join(t.TempDir(), "euros.txt")
		if err := os.WriteFile(p, bytes.Repeat([]byte("\x80\x80\x80 "), MaxTextBytes/4), 0o600); err != nil {
			t.Fatal(err)
		}
		_, _, err := processFile(t, p, KindEssay, Options{})
		if rej, ok := IsReject(err); !ok || !strings.Contains(rej.Reason, "larger than 8 MB") {
			t.Fatalf("err %v", err)
		}
	})
}
