package contest

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestPartSizeFor(t *testing.T) {
	for _, tc := range []struct {
		size, want int64
		count      int
	}{
		{1, 8 << 20, 1},
		{8 << 20, 8 << 20, 1},
		{8<<20 + 1, 8 << 20, 2},
		{2 << 30, 8 << 20, 256},
		{100 << 30, 11 << 20, 9310},
	} {
		ps := PartSizeFor(tc.size)
		if ps != tc.want || PartCount(tc.size, ps) != tc.count {
			t.Errorf("PartSizeFor(%d) = %d (%d parts), want %d (%d parts)", tc.size, ps, PartCount(tc.size, ps), tc.want, tc.count)
		}
		if PartCount(tc.size, ps) > MaxUploadParts {
			t.Errorf("size %d: %d parts", tc.size, PartCount(tc.size, ps))
		}
	}
	if got := PartLength(9<<20+5, 8<<20, 2); got != 1<<20+5 {
		t.Errorf("last part length %d", got)
	}
}

func TestParsePartNumber(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int
		ok   bool
	}{
		{"1", 1, true}, {"10", 10, true}, {"11", 0, false}, {"0", 0, false}, {"01", 0, false},
		{"", 0, false}, {"-1", 0, false}, {"+1", 0, false}, {" 1", 0, false}, {"1e1", 0, false},
		{"99999999999999999999", 0, false}, {"٣", 0, false},
	} {
		n, err := ParsePartNumber(tc.in, 10)
		if (err == nil) != tc.ok || n != tc.want {
			t.Errorf("ParsePartNumber(%q) = %d, %v", tc.in, n, err)
		}
	}
}

func TestParseContentRange(t *testing.T) {
	good, err := ParseContentRange("bytes 8388608-9449240/9449241")
	if err != nil || good != (ByteRange{8388608, 9449240, 9449241}) {
		t.Fatalf("good range: %+v, %v", good, err)
	}
	if err := CheckPartRange(good, 9449241, 8<<20, 2); err != nil {
		t.Errorf("part 2: %v", err)
	}
	if err := CheckPartRange(good, 9449241, 8<<20, 1); err == nil {
		t.Errorf("part 1 accepted the range of part 2")
	}
	for _, bad := range []string{"", "bytes */10", "bytes 0-9/*", "bytes=0-9/10", "bytes 5-4/10", "bytes 0-10/10", "bytes -1-2/10", "bytes 0-1/10/", "bytes 1234567890123456789-1/2"} {
		if _, err := ParseContentRange(bad); !errors.Is(err, ErrBadPart) {
			t.Errorf("ParseContentRange(%q) = %v, want ErrBadPart", bad, err)
		}
	}
}

func TestCheckUploadWrite(t *testing.T) {
	closes := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	c := Competition{OpensAt: closes.Add(-time.Hour), ClosesAt: closes, GraceMin: 15}
	for _, tc := range []struct {
		name         string
		started, now time.Time
		ok           bool
	}{
		{"open", closes.Add(-time.Minute), closes.Add(-time.Second), true},
		{"grace, begun before", closes.Add(-time.Minute), closes.Add(10 * time.Minute), true},
		{"grace, begun after", closes.Add(time.Second), closes.Add(10 * time.Minute), false},
		{"after grace", closes.Add(-time.Minute), closes.Add(15 * time.Minute), false},
		{"not yet open", closes.Add(-2 * time.Hour), closes.Add(-2 * time.Hour), false},
	} {
		if err := CheckUploadWrite(c, tc.started, tc.now); (err == nil) != tc.ok {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
}

func TestParseFileName(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		err      error
	}{
		{"loom.jpg", "loom.jpg", nil},
		{"  spaced name.png ", "spaced name.png", nil},
		{"Ñandutí – 2026.jpeg", "Ñandutí – 2026.jpeg", nil},
		{"", "", ErrFileNameMissing},
		{"a/b.jpg", "", ErrFileNameSeparator},
		{`a\b.jpg`, "", ErrFileNameSeparator},
		{"a\x00b.jpg", "", ErrFileNameControl},
		{"a\nb.jpg", "", ErrFileNameControl},
		{"a\u202eb.jpg", "", ErrFileNameControl},
		{strings.Repeat("x", 500), "", ErrFileNameTooLong},
		{"..", "", ErrFileNameInvalid},
		{"\xff.jpg", "", ErrFileNameInvalid},
	} {
		got, err := ParseFileName(tc.in)
		if got != tc.want || !errors.Is(err, tc.err) && !(err == nil && tc.err == nil) {
			t.Errorf("ParseFileName(%q) = %q, %v; want %q, %v", tc.in, got, err, tc.want, tc.err)
		}
	}
}

func TestCheckSniffed(t *testing.T) {
	for _, tc := range []struct {
		m           Medium
		name, sniff string
		want        string
	}{
		{MediumPhoto, "a.jpg", "image/jpeg", ""},
		{MediumPhoto, "a.JPEG", "image/jpeg", ""},
		{MediumPhoto, "a.jpg", "image/png", "upload.type_mismatch"},
		{MediumPhoto, "a.jpg", "text/plain; charset=utf-8", "upload.type_mismatch"},
		{MediumPhoto, "a.heic", "image/heic", "upload.heic"},
		{MediumPhoto, "a.pdf", "application/pdf", "upload.type_not_accepted"},
		{MediumMural, "plan.pdf", "application/pdf", ""},
		{MediumMural, "plan.tif", "image/tiff", ""},
		{MediumVideo, "clip.mov", "video/quicktime", ""},
		{MediumVideo, "clip.webm", "video/webm", ""},
		{MediumEssay, "essay.md", "text/plain; charset=utf-8", ""},
		{MediumEssay, "essay.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", ""},
	} {
		if got := CheckSniffed(tc.m, tc.name, tc.sniff); got != tc.want {
			t.Errorf("CheckSniffed(%s, %q, %q) = %q, want %q", tc.m, tc.name, tc.sniff, got, tc.want)
		}
	}
	if got := AcceptAttr(MediumPhoto); got != ".jpg,.jpeg,image/jpeg,.png,image/png,.webp,image/webp" {
		t.Errorf("AcceptAttr(photo) = %q", got)
	}
}
