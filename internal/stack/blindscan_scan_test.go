package stack

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"golang.org/x/net/html"
)

// leakScanner looks for anything that identifies the entrant in what a
// judge receives: words (name, email, organisation, file names, GPS…),
// her country as a value, and times: those of her own activity (sign-up
// to submission) and the dates planted in her files.
type leakScanner struct {
	words []scanWord
	// from and to bound the entrant's activity; nothing else happens on
	// the site between them, so a time inside is hers.
	from, to time.Time
	zones    []*time.Location
	planted  map[string]string // "2019-07-14" → where it was planted
	found    map[string]scanFinding
}

type scanWord struct {
	what, lower string
	// family groups words of one fact (name, first name, surname): a
	// place is reported for the first of them only.
	family string
}

// scanFinding is one leak: what leaked, where (URL and part of the
// response) and a short excerpt around it.
type scanFinding struct {
	What, Where, Excerpt string
}

func newLeakScanner(from, to time.Time, zone *time.Location) *leakScanner {
	return &leakScanner{from: from.Truncate(time.Second), to: to.Truncate(time.Second).Add(time.Second),
		zones: []*time.Location{time.UTC, zone}, planted: scanPlanted, found: map[string]scanFinding{}}
}

// word adds a word to look for, case-insensitively; words of one family
// (the most telling first) are reported once per place.
func (s *leakScanner) word(family, what, w string) {
	if w != "" {
		s.words = append(s.words, scanWord{what, strings.ToLower(w), family})
	}
}

func (s *leakScanner) report(what, where string, data []byte, at, n int) {
	key := what + "\x00" + where
	if _, ok := s.found[key]; ok {
		return
	}
	s.found[key] = scanFinding{What: what, Where: where, Excerpt: excerpt(data, at, n)}
}

// excerpt is up to 40 bytes either side of data[at:at+n], printable.
func excerpt(data []byte, at, n int) string {
	lo, hi := max(at-40, 0), min(at+n+40, len(data))
	var b strings.Builder
	for _, r := range string(data[lo:hi]) {
		if r == utf8.RuneError || !unicode.IsPrint(r) {
			b.WriteByte('.')
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// findings lists what was found, grouped by what leaked.
func (s *leakScanner) findings() []scanFinding {
	out := make([]scanFinding, 0, len(s.found))
	for _, f := range s.found {
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].What != out[j].What {
			return out[i].What < out[j].What
		}
		return out[i].Where < out[j].Where
	})
	return out
}

// text searches any bytes for the words and times; binary also tries the
// UTF-16 forms of the words (ICC v4, QuickTime and Office write those).
func (s *leakScanner) text(where string, data []byte, isBinary bool) {
	lower := bytes.ToLower(data)
	done := map[string]bool{}
	for _, w := range s.words {
		if done[w.family] {
			continue
		}
		if i := bytes.Index(lower, []byte(w.lower)); i >= 0 {
			s.report(w.what, where, data, i, len(w.lower))
			done[w.family] = true
			continue
		}
		if isBinary {
			for _, enc := range utf16Forms(w.lower) {
				if i := bytes.Index(lower, enc); i >= 0 {
					s.report(w.what+" (UTF-16)", where, data, i, len(enc))
					done[w.family] = true
					break
				}
			}
		}
	}
	s.times(where, data)
}

func utf16Forms(s string) [][]byte {
	u := utf16.Encode([]rune(s))
	be, le := make([]byte, 2*len(u)), make([]byte, 2*len(u))
	for i, c := range u {
		binary.BigEndian.PutUint16(be[2*i:], c)
		binary.LittleEndian.PutUint16(le[2*i:], c)
	}
	return [][]byte{be, le}
}

var months = []string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}

var (
	monthAlt = strings.Join(months, "|")
	// 2006-01-02T15:04:05.999Z07:00 and 2006-01-02 15:04[:05]
	reISO = regexp.MustCompile(`(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?(Z|[+-]\d{2}:?\d{2})?`)
	// 2006:01:02 15:04:05 (EXIF, QuickTime)
	reEXIF = regexp.MustCompile(`(\d{4}):(\d{2}):(\d{2}) (\d{2}):(\d{2}):(\d{2})`)
	// 20060102150405 and 20060102T150405 (PDF, compact ISO)
	reCompact = regexp.MustCompile(`(?:^|\D)(\d{4})(\d{2})(\d{2})T?(\d{2})(\d{2})(\d{2})`)
	// Mon, 02 Jan 2006 15:04:05 GMT
	reHTTP = regexp.MustCompile(`(\d{2}) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT`)
	// 2 January 2006, 15:04 (the pages' own rendering) and 2 January 2006
	reHuman     = regexp.MustCompile(`(\d{1,2}) (` + monthAlt + `) (\d{4}),? (?:at )?(\d{1,2}):(\d{2})`)
	reHumanDate = regexp.MustCompile(`(\d{1,2}) (` + monthAlt + `),? (\d{4})|(` + monthAlt + `) (\d{1,2}),? (\d{4})`)
	// Unix seconds or milliseconds
	reUnix = regexp.MustCompile(`(?:^|\D)(1\d{9})(\d{3})?(?:\D|$)`)
	// dates alone: 2006-01-02, 2006:01:02, 2006/01/02, 02/01/2006
	reDate      = regexp.MustCompile(`(\d{4})[-:/.](\d{2})[-:/.](\d{2})`)
	reSlashDate = regexp.MustCompile(`(\d{2})[/.](\d{2})[/.](\d{4})`)
)

func atoi(b []byte) int { n, _ := strconv.Atoi(string(b)); return n }

func monthNumber(name string) int {
	for i, m := range months {
		if strings.HasPrefix(m, name) {
			return i + 1
		}
	}
	return 0
}

// activity names the finding of a time of the entrant's activity.
func (s *leakScanner) activity() string {
	return fmt.Sprintf("a time of the entrant's activity (sign-up to submission, %s to %s UTC)", s.from.UTC().Format("15:04:05"), s.to.UTC().Format("15:04:05"))
}

// times finds every rendering of a time in data and reports those inside
// the entrant's activity, and every date planted in her files.
func (s *leakScanner) times(where string, data []byte) {
	// stamp checks one time: sec tells whether seconds were written,
	// zone is nil when the rendering names none (then UTC and the
	// competition's zone are both tried).
	stamp := func(at, n, y, mo, d, h, mi, sec int, hasSec bool, zone *time.Location) {
		zones := s.zones
		if zone != nil {
			zones = []*time.Location{zone}
		}
		for _, z := range zones {
			t := time.Date(y, time.Month(mo), d, h, mi, sec, 0, z)
			in := !t.Before(s.from) && t.Before(s.to)
			if !hasSec {
				in = !t.Before(s.from.Truncate(time.Minute)) && !t.After(s.to)
			}
			if in {
				s.report(s.activity(), where, data, at, n)
				return
			}
		}
	}
	date := func(at, n, y, mo, d int) {
		key := fmt.Sprintf("%04d-%02d-%02d", y, mo, d)
		if src, ok := s.planted[key]; ok {
			s.report("the date planted in the "+src+" ("+key+")", where, data, at, n)
		}
	}
	for _, m := range reISO.FindAllSubmatchIndex(data, -1) {
		g := func(i int) []byte { return data[m[2*i]:m[2*i+1]] }
		var zone *time.Location
		if m[14] >= 0 {
			z := string(g(7))
			if z == "Z" {
				zone = time.UTC
			} else {
				z = strings.ReplaceAll(z, ":", "")
				off := (atoi([]byte(z[1:3]))*60 + atoi([]byte(z[3:5]))) * 60
				if z[0] == '-' {
					off = -off
				}
				zone = time.FixedZone(z, off)
			}
		}
		sec, hasSec := 0, m[12] >= 0
		if hasSec {
			sec = atoi(g(6))
		}
		stamp(m[0], m[1]-m[0], atoi(g(1)), atoi(g(2)), atoi(g(3)), atoi(g(4)), atoi(g(5)), sec, hasSec, zone)
	}
	for _, re := range []*regexp.Regexp{reEXIF, reCompact} {
		for _, m := range re.FindAllSubmatchIndex(data, -1) {
			g := func(i int) []byte { return data[m[2*i]:m[2*i+1]] }
			stamp(m[0], m[1]-m[0], atoi(g(1)), atoi(g(2)), atoi(g(3)), atoi(g(4)), atoi(g(5)), atoi(g(6)), true, nil)
			date(m[0], m[1]-m[0], atoi(g(1)), atoi(g(2)), atoi(g(3)))
		}
	}
	for _, m := range reHTTP.FindAllSubmatchIndex(data, -1) {
		g := func(i int) []byte { return data[m[2*i]:m[2*i+1]] }
		stamp(m[0], m[1]-m[0], atoi(g(3)), monthNumber(string(g(2))), atoi(g(1)), atoi(g(4)), atoi(g(5)), atoi(g(6)), true, time.UTC)
		date(m[0], m[1]-m[0], atoi(g(3)), monthNumber(string(g(2))), atoi(g(1)))
	}
	for _, m := range reHuman.FindAllSubmatchIndex(data, -1) {
		g := func(i int) []byte { return data[m[2*i]:m[2*i+1]] }
		stamp(m[0], m[1]-m[0], atoi(g(3)), monthNumber(string(g(2))), atoi(g(1)), atoi(g(4)), atoi(g(5)), 0, false, nil)
	}
	for _, m := range reHumanDate.FindAllSubmatchIndex(data, -1) {
		g := func(i int) []byte { return data[m[2*i]:m[2*i+1]] }
		if m[2] >= 0 {
			date(m[0], m[1]-m[0], atoi(g(3)), monthNumber(string(g(2))), atoi(g(1)))
		} else {
			date(m[0], m[1]-m[0], atoi(g(6)), monthNumber(string(g(4))), atoi(g(5)))
		}
	}
	for _, m := range reDate.FindAllSubmatchIndex(data, -1) {
		g := func(i int) []byte { return data[m[2*i]:m[2*i+1]] }
		date(m[0], m[1]-m[0], atoi(g(1)), atoi(g(2)), atoi(g(3)))
	}
	for _, m := range reSlashDate.FindAllSubmatchIndex(data, -1) {
		g := func(i int) []byte { return data[m[2*i]:m[2*i+1]] }
		date(m[0], m[1]-m[0], atoi(g(3)), atoi(g(2)), atoi(g(1))) // day first
		date(m[0], m[1]-m[0], atoi(g(3)), atoi(g(1)), atoi(g(2))) // month first
	}
	for _, m := range reUnix.FindAllSubmatchIndex(data, -1) {
		sec, _ := strconv.ParseInt(string(data[m[2]:m[3]]), 10, 64)
		t := time.Unix(sec, 0)
		if !t.Before(s.from) && t.Before(s.to) {
			s.report(s.activity()+" as Unix time", where, data, m[2], m[3]-m[2])
		}
		u := t.UTC()
		date(m[2], m[3]-m[2], u.Year(), int(u.Month()), u.Day())
	}
}

// country reports value when it is exactly the entrant's country code.
func (s *leakScanner) country(where, value string) {
	if strings.EqualFold(strings.TrimSpace(value), scanCountry) {
		s.report("the entrant's country code "+scanCountry, where, []byte(value), 0, len(value))
	}
}

// tokens decodes cursor-like values (base64 and base64url, padded or
// not) and searches what they hide.
var reToken = regexp.MustCompile(`[A-Za-z0-9_\-+/]{12,}={0,2}`)

func (s *leakScanner) tokens(where, value string) {
	for _, tok := range reToken.FindAllString(value, -1) {
		for _, enc := range []*base64.Encoding{base64.RawURLEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.StdEncoding} {
			b, err := enc.DecodeString(tok)
			if err != nil || !printable(b) {
				continue
			}
			s.text(fmt.Sprintf("%s (base64 of %q decoded)", where, shorten(tok)), b, false)
			break
		}
	}
}

func shorten(s string) string {
	if len(s) > 24 {
		return s[:24] + "…"
	}
	return s
}

// printable tells decoded text from the noise random ids decode to.
func printable(b []byte) bool {
	if len(b) < 6 || !utf8.Valid(b) {
		return false
	}
	n := 0
	for _, r := range string(b) {
		if unicode.IsPrint(r) {
			n++
		}
	}
	return n*10 >= utf8.RuneCount(b)*9
}

// url searches a URL the judge was given, raw and decoded, its query
// values as country values, and its cursor-like parts decoded.
func (s *leakScanner) url(where, raw string) {
	s.text(where, []byte(raw), false)
	u, err := url.Parse(raw)
	if err != nil {
		return
	}
	if dec, err := url.PathUnescape(u.EscapedPath()); err == nil {
		s.text(where+" (path decoded)", []byte(dec), false)
	}
	for k, vs := range u.Query() {
		for _, v := range vs {
			s.text(where+" (query "+k+")", []byte(v), false)
			s.country(where+" (query "+k+")", v)
			s.tokens(where+" (query "+k+")", v)
		}
	}
	for _, seg := range strings.Split(u.Path, "/") {
		s.country(where+" (path segment)", seg)
		s.tokens(where+" (path segment)", seg)
	}
}

// headers searches every response header but Date (the time of the
// request, not of anything the entrant did).
func (s *leakScanner) headers(where string, h http.Header) {
	for k, vs := range h {
		if k == "Date" {
			continue
		}
		for _, v := range vs {
			s.text(where+" header "+k, []byte(v), false)
			s.tokens(where+" header "+k, v)
		}
	}
}

// json searches a JSON body as text, each string value as a country
// value and for cursor-like tokens.
func (s *leakScanner) json(where string, body []byte) {
	s.text(where+" body", body, false)
	var v any
	if json.Unmarshal(body, &v) != nil {
		return
	}
	walkJSON(v, "", func(path string, val any) {
		if str, ok := val.(string); ok {
			s.country(where+" body "+path, str)
			s.tokens(where+" body "+path, str)
		}
	})
}

// walkJSON calls fn on every value with its path (a.b[0].c).
func walkJSON(v any, path string, fn func(path string, v any)) {
	fn(path, v)
	switch x := v.(type) {
	case map[string]any:
		for k, c := range x {
			walkJSON(c, strings.TrimPrefix(path+"."+k, "."), fn)
		}
	case []any:
		for i, c := range x {
			walkJSON(c, fmt.Sprintf("%s[%d]", path, i), fn)
		}
	}
}

// reCountryWord is the country code as a word of its own.
var reCountryWord = regexp.MustCompile(`(^|[^\pL\pN])` + scanCountry + `([^\pL\pN]|$)`)

// html searches a page as text, then its text nodes for the country code
// as a word and its attributes for the code as a whole value (the list of
// every country offered by a country field is not a leak; a selected
// option would be).
func (s *leakScanner) html(where string, body []byte) {
	s.text(where+" body", body, false)
	doc, err := html.Parse(bytes.NewReader(body))
	if err != nil {
		return
	}
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		switch n.Type {
		case html.TextNode:
			if loc := reCountryWord.FindStringIndex(n.Data); loc != nil {
				s.report("the entrant's country code "+scanCountry, where+" body (text)", []byte(n.Data), loc[0], loc[1]-loc[0])
			}
		case html.ElementNode:
			if n.Data == "script" || n.Data == "style" {
				return
			}
			selected := n.Data != "option"
			for _, a := range n.Attr {
				if a.Key == "selected" {
					selected = true
				}
			}
			for _, a := range n.Attr {
				if selected || a.Key != "value" {
					s.country(where+" body (attribute "+a.Key+" of <"+n.Data+">)", a.Val)
				}
				if strings.HasPrefix(a.Key, "data-") || a.Key == "href" || a.Key == "value" {
					s.tokens(where+" body (attribute "+a.Key+" of <"+n.Data+">)", a.Val)
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
}

// metadata searches what exiftool read from a file: every tag's value,
// binary ones decoded.
func (s *leakScanner) metadata(where string, tags map[string]any) {
	for k, v := range tags {
		group, _, _ := strings.Cut(k, ":")
		if k == "SourceFile" || group == "System" || group == "ExifTool" {
			continue // about the test's copy of the file, not the file
		}
		str := fmt.Sprint(v)
		if b64, ok := strings.CutPrefix(str, "base64:"); ok {
			if b, err := base64.StdEncoding.DecodeString(b64); err == nil {
				s.text(where+" metadata "+k, b, true)
				continue
			}
		}
		s.text(where+" metadata "+k, []byte(str), false)
		s.country(where+" metadata "+k, str)
	}
}
