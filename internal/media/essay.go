package media

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	xunicode "golang.org/x/text/encoding/unicode"
	"golang.org/x/text/unicode/norm"
)

// ContentTypeDOCX is the type Sniff gives Word documents.
const ContentTypeDOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

// Essay limits.
const (
	// MaxTextBytes caps a plain-text or Markdown essay file.
	MaxTextBytes = 4 << 20
	// maxDocxEntries caps the number of files inside a DOCX.
	maxDocxEntries = 5000
	// maxDocxXML caps word/document.xml once unpacked: a ZIP bomb stops
	// here, whatever the archive claims.
	maxDocxXML = 32 << 20
	// maxEssayText caps the extracted text of any essay.
	maxEssayText = 4 << 20
	// MaxEssayTextBytes caps an essay's stored text (the "text"
	// derivative, its final newline included): the most pdftotext may
	// return, and what readers load to show an essay.
	MaxEssayTextBytes = 8 << 20
)

// IsEssayType reports whether a sniffed content type is one an essay may
// be: plain text (any charset Sniff names), PDF or DOCX (a ZIP whose
// first entries do not show it is one is checked when it is opened).
func IsEssayType(ct string) bool {
	return strings.HasPrefix(ct, "text/plain") || ct == "text/markdown" || ct == "application/pdf" || ct == ContentTypeDOCX || ct == "application/zip"
}

// IsMarkdownName reports whether a file name says Markdown.
func IsMarkdownName(name string) bool {
	n := strings.ToLower(name)
	return strings.HasSuffix(n, ".md") || strings.HasSuffix(n, ".markdown")
}

// EssayText extracts the text of the essay at path, of sniffed type ct:
// plain text or Markdown (decoded from UTF-8, UTF-16 with a byte-order mark
// or Windows-1252), DOCX (only the body, word/document.xml: never its
// properties, comments or authors) or PDF (pdftotext, at most maxPages
// pages). The text comes back normalised (see NormaliseText).
func EssayText(ctx context.Context, path, ct string, maxPages int, opt Options) (string, error) {
	var (
		text string
		err  error
	)
	switch {
	case strings.HasPrefix(ct, "text/plain"), ct == "text/markdown":
		text, err = readTextFile(path)
	case ct == ContentTypeDOCX, ct == "application/zip":
		text, err = DOCXText(path)
	case ct == "application/pdf":
		if _, err = PDFPages(ctx, path, maxPages, opt.PDFTimeout); err == nil {
			text, err = PDFText(ctx, path, maxPages, opt.PDFTimeout)
		}
	default:
		return "", reject("This file is not an essay Tessera can read (it looks like %s). Please upload a text, Markdown, Word (.docx) or PDF file.", ct)
	}
	if err != nil {
		return "", err
	}
	text = NormaliseText(text)
	if text == "" {
		return "", reject("No text could be found in this file. If it is a scanned PDF, please upload the text itself (Word, PDF with text, or plain text).")
	}
	return text, nil
}

func readTextFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("media: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, MaxTextBytes+1))
	if err != nil {
		return "", fmt.Errorf("media: reading text: %w", err)
	}
	if len(b) > MaxTextBytes {
		return "", reject("This text file is larger than %d MB; an essay should be far smaller. Please check you chose the right file.", MaxTextBytes>>20)
	}
	return DecodeText(b)
}

// DecodeText turns the bytes of a text file into a string: UTF-8 (a
// byte-order mark is dropped), UTF-16 with a byte-order mark, and
// otherwise Windows-1252, the usual encoding of older Western files. Text
// with NUL bytes is refused as not text.
func DecodeText(b []byte) (string, error) {
	switch {
	case bytes.HasPrefix(b, []byte{0xEF, 0xBB, 0xBF}):
		b = b[3:]
	case bytes.HasPrefix(b, []byte{0xFF, 0xFE}), bytes.HasPrefix(b, []byte{0xFE, 0xFF}):
		out, err := xunicode.UTF16(xunicode.LittleEndian, xunicode.ExpectBOM).NewDecoder().Bytes(b)
		if err != nil {
			return "", rejectCause(err, "This text file's encoding could not be read. Please save it as UTF-8 and upload it again.")
		}
		return string(out), nil
	}
	if bytes.IndexByte(b, 0) >= 0 {
		return "", reject("This file is not plain text. Please upload a text, Markdown, Word (.docx) or PDF file.")
	}
	if utf8.Valid(b) {
		return string(b), nil
	}
	out, err := charmap.Windows1252.NewDecoder().Bytes(b)
	if err != nil {
		return "", rejectCause(err, "This text file's encoding could not be read. Please save it as UTF-8 and upload it again.")
	}
	return string(out), nil
}

// DOCXText returns the body text of the Word document at path: paragraphs,
// tabs and line breaks, without deleted revisions. Only word/document.xml
// is read, through size caps that stop ZIP bombs: document properties
// (author, company), comments and headers are never read.
func DOCXText(path string) (string, error) {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return "", rejectCause(err, "This Word document could not be opened; it may be damaged. Please save it again as .docx and upload it again.")
	}
	defer zr.Close()
	if len(zr.File) > maxDocxEntries {
		return "", reject("This Word document holds %d files; that is not a normal document. Please save it again as .docx and upload it again.", len(zr.File))
	}
	var doc *zip.File
	for _, f := range zr.File {
		if f.Name == "word/document.xml" {
			doc = f
			break
		}
	}
	if doc == nil {
		return "", reject("This file is a ZIP archive but not a Word document (.docx). Please upload a Word, PDF or text file.")
	}
	if doc.UncompressedSize64 > maxDocxXML {
		return "", reject("This Word document's text unpacks to more than %d MB; it looks like a ZIP bomb rather than an essay.", maxDocxXML>>20)
	}
	rc, err := doc.Open()
	if err != nil {
		return "", rejectCause(err, "This Word document could not be opened; it may be damaged. Please save it again as .docx and upload it again.")
	}
	defer rc.Close()
	lr := &io.LimitedReader{R: rc, N: maxDocxXML + 1}
	text, err := wordXMLText(lr)
	if lr.N <= 0 {
		return "", reject("This Word document's text unpacks to more than %d MB; it looks like a ZIP bomb rather than an essay.", maxDocxXML>>20)
	}
	if err != nil {
		return "", rejectCause(err, "This Word document's text could not be read; it may be damaged. Please save it again as .docx and upload it again.")
	}
	return text, nil
}

// wordXMLText pulls the text runs out of a WordprocessingML body.
func wordXMLText(r io.Reader) (string, error) {
	dec := xml.NewDecoder(r)
	dec.Strict = false
	var b strings.Builder
	inText := false
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return "", err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "t":
				inText = true
			case "tab":
				b.WriteByte('\t')
			case "br", "cr":
				b.WriteByte('\n')
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "t":
				inText = false
			case "p":
				b.WriteString("\n\n")
			}
		case xml.CharData:
			if inText {
				b.Write(t)
			}
		}
		if b.Len() > maxEssayText {
			return "", errors.New("text too long")
		}
	}
	return b.String(), nil
}

var blankLines = regexp.MustCompile(`\n{3,}`)

// NormaliseText returns s as clean UTF-8: Unicode NFC, LF line ends, no
// control or invisible formatting characters other than tabs, newlines and
// the joiners scripts need, no trailing spaces, at most one blank line in a
// row, and no blank lines at either end.
func NormaliseText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.NewReplacer("\r", "\n", "\f", "\n", "\v", "\n", "\u2028", "\n", "\u2029", "\n\n").Replace(s)
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\t':
			return r
		case r == '\u200c' || r == '\u200d': // ZWNJ, ZWJ
			return r
		case unicode.IsControl(r), r == '\ufeff', r == '\u00ad', r == '\u200b':
			return -1
		}
		return r
	}, s)
	s = norm.NFC.String(s)
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRightFunc(l, unicode.IsSpace)
	}
	s = blankLines.ReplaceAllString(strings.Join(lines, "\n"), "\n\n")
	return strings.Trim(s, "\n")
}

var markdownLink = regexp.MustCompile(`\]\([^)\s]*\)`)

// CountWords counts the words of an essay: runs of characters between
// spaces that hold at least one letter or digit, and each Chinese or
// Japanese character on its own. In Markdown, link targets are not
// counted (their text is).
func CountWords(s string, markdown bool) int {
	if markdown {
		s = markdownLink.ReplaceAllString(s, "]")
	}
	n := 0
	for _, f := range strings.FieldsFunc(s, unicode.IsSpace) {
		word, cjk := false, 0
		for _, r := range f {
			switch {
			case unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana):
				cjk++
			case unicode.IsLetter(r) || unicode.IsDigit(r):
				word = true
			}
		}
		n += cjk
		if word {
			n++
		}
	}
	return n
}

// CheckWords refuses a word count outside a category's limits (0: none).
func CheckWords(n, minWords, maxWords int) error {
	if maxWords > 0 && n > maxWords {
		return reject("This essay has %s words; this category allows at most %s.", thousands(n), thousands(maxWords))
	}
	if minWords > 0 && n < minWords {
		return reject("This essay has %s words; this category asks for at least %s.", thousands(n), thousands(minWords))
	}
	return nil
}

func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
