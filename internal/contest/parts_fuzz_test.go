package contest

import (
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// FuzzParsePartNumber: whatever the segment, a number is returned only when
// it is in range and written canonically.
func FuzzParsePartNumber(f *testing.F) {
	for _, s := range []string{"1", "10000", "0", "01", "-1", "+1", "1 ", "99999999999999999999", "１", "0x1", ""} {
		f.Add(s, 10)
	}
	f.Fuzz(func(t *testing.T, s string, count int) {
		n, err := ParsePartNumber(s, count)
		if err != nil {
			return
		}
		if n < 1 || n > count || n > MaxUploadParts || strconv.Itoa(n) != s {
			t.Fatalf("ParsePartNumber(%q, %d) = %d", s, count, n)
		}
	})
}

// FuzzParseContentRange: an accepted range is well ordered and prints back
// to the same header.
func FuzzParseContentRange(f *testing.F) {
	for _, s := range []string{"bytes 0-9/10", "bytes 8388608-9449240/9449241", "bytes */10", "bytes 0-9/*", "bytes 9-0/10", "bytes 0-0/1", "bytes  0-1/2"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseContentRange(s)
		if err != nil {
			return
		}
		if r.First < 0 || r.First > r.Last || r.Last >= r.Total {
			t.Fatalf("ParseContentRange(%q) = %+v", s, r)
		}
		back := "bytes " + strconv.FormatInt(r.First, 10) + "-" + strconv.FormatInt(r.Last, 10) + "/" + strconv.FormatInt(r.Total, 10)
		if _, err := ParseContentRange(back); err != nil {
			t.Fatalf("%q parsed to %+v, which does not parse back: %v", s, r, err)
		}
	})
}

// FuzzParseFileName: an accepted name is valid UTF-8, short enough, has no
// separator or control character, and is a fixed point.
func FuzzParseFileName(f *testing.F) {
	for _, s := range []string{"loom.jpg", "../x", `a\b`, "a\x00b", "\u202e", strings.Repeat("é", 300), "..", " . ", "Ñandutí.png"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		name, err := ParseFileName(s)
		if err != nil {
			return
		}
		if name == "" || len(name) > MaxFileNameBytes || !utf8.ValidString(name) || strings.ContainsAny(name, `/\`) {
			t.Fatalf("ParseFileName(%q) accepted %q", s, name)
		}
		for _, r := range name {
			if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
				t.Fatalf("ParseFileName(%q) kept control %U", s, r)
			}
		}
		if again, err := ParseFileName(name); err != nil || again != name {
			t.Fatalf("ParseFileName is not idempotent on %q: %q, %v", name, again, err)
		}
	})
}
