package webui

import (
	"encoding/json"
	"errors"
	"io/fs"
	"regexp"
	"testing"
	"time"

	"github.com/tessera/tessera/internal/app"
	"github.com/tessera/tessera/internal/contest"
	"github.com/tessera/tessera/web"
)

func TestLocalPath(t *testing.T) {
	for next, ok := range map[string]bool{
		"/":                      true,
		"/c/hands?x=1":           true,
		"/invite/abc_DEF-123":    true,
		"":                       false,
		"//evil.example":         false,
		"/\\evil.example":        false,
		"https://evil.example/":  false,
		"javascript:alert(1)":    false,
		"/ok\r\nSet-Cookie: x=1": false,
		"c/relative":             false,
	} {
		if got := localPath(next); got != ok {
			t.Errorf("localPath(%q) = %v, want %v", next, got, ok)
		}
	}
}

func TestFieldID(t *testing.T) {
	for in, want := range map[string]string{"title": "f-title", "criteria[0].name": "f-criteria-0--name", "score_01ABC": "f-score_01ABC"} {
		if got := fieldID(in); got != want {
			t.Errorf("fieldID(%q) = %q, want %q", in, got, want)
		}
	}
}

func testHandler(t *testing.T) *Handler {
	t.Helper()
	cat, err := web.LoadCatalog(web.Translations())
	if err != nil {
		t.Fatal(err)
	}
	h, err := New(nil, nil, cat, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestFormatTime(t *testing.T) {
	h := testHandler(t)
	at := time.Date(2026, 3, 31, 14, 0, 0, 0, time.UTC)
	nairobi, err := time.LoadLocation("Africa/Nairobi")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		lang string
		loc  *time.Location
		want string
	}{
		{"en", nairobi, "Tuesday 31 March 2026, 17:00 (Africa/Nairobi)"},
		{"en", time.UTC, "Tuesday 31 March 2026, 14:00 (UTC)"},
		{"fr", nairobi, "mardi 31 mars 2026 à 17:00 (Africa/Nairobi)"},
	} {
		if got := h.formatTime(tt.lang, at, tt.loc); got != tt.want {
			t.Errorf("formatTime(%s, %s) = %q, want %q", tt.lang, tt.loc, got, tt.want)
		}
	}
}

func TestRemaining(t *testing.T) {
	h := testHandler(t)
	for d, want := range map[time.Duration]string{
		30 * time.Second:                  "less than a minute left",
		time.Minute:                       "1 minute left",
		2*time.Hour + 5*time.Minute:       "2 hours, 5 minutes left",
		24 * time.Hour:                    "1 day left",
		3*24*time.Hour + 1*time.Hour + 59: "3 days, 1 hour left",
	} {
		if got := h.remaining("en", d); got != want {
			t.Errorf("remaining(%s) = %q, want %q", d, got, want)
		}
	}
	if got := h.remaining("fr", 49*time.Hour); got != "encore 2 jours, 1 heure" {
		t.Errorf("remaining in French = %q", got)
	}
}

func TestRemapRubricErrors(t *testing.T) {
	err := remapRubricErrors(&contest.FieldError{Fields: map[string]string{
		"criteria[1].weight": "rubric.weight_invalid", "criteria[0].scale": "rubric.scale_invalid", "title": "field.required",
	}}, []int{0, 2})
	var fe *contest.FieldError
	if !errors.As(err, &fe) {
		t.Fatal(err)
	}
	want := map[string]string{"criteria[2].weight": "rubric.weight_invalid", "scale": "rubric.scale_invalid", "title": "field.required"}
	if len(fe.Fields) != len(want) {
		t.Fatalf("got %v", fe.Fields)
	}
	for k, v := range want {
		if fe.Fields[k] != v {
			t.Errorf("%s = %q, want %q (%v)", k, fe.Fields[k], v, fe.Fields)
		}
	}
}

// TestCatalogKeys checks that every message the pages use exists in English
// and French, so no page shows a bare key.
func TestCatalogKeys(t *testing.T) {
	keys := map[string]bool{}
	re := regexp.MustCompile(`\bt "([a-z_.0-9]+)"`)
	files, err := fs.Glob(web.Templates(), "*.html")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		b, err := fs.ReadFile(web.Templates(), f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			keys[m[1]] = true
		}
	}
	dynamic := []string{"error.summary_item", "lang.name", "list.separator", "date.format", "time.left", "time.under_a_minute",
		"field.datetime_invalid", "field.number_invalid", "category.choose_one", "upload.no_file",
		"closed.not_open", "closed.deadline", "closed.judging", "closed.announced", "error.closed", "auth.bad_credentials"}
	for _, s := range []contest.EntryStatus{contest.EntryDraft, contest.EntrySubmitted, contest.EntryWithdrawn} {
		dynamic = append(dynamic, "status."+string(s))
	}
	for _, s := range []contest.AssetState{contest.AssetUploading, contest.AssetPending, contest.AssetProcessing, contest.AssetReady, contest.AssetFailed} {
		dynamic = append(dynamic, "asset."+string(s))
	}
	for _, k := range []contest.AwardKind{contest.AwardWinner, contest.AwardFirst, contest.AwardSecond, contest.AwardThird, contest.AwardHonour, contest.AwardGrand} {
		dynamic = append(dynamic, "award."+string(k))
	}
	for _, m := range contest.Media {
		dynamic = append(dynamic, "medium."+string(m), "medium."+string(m)+".category", "window.open")
	}
	for _, r := range []contest.Role{contest.RoleOrganizer, contest.RoleJudge, contest.RoleEntrant, contest.RoleNominator} {
		dynamic = append(dynamic, "role."+string(r))
	}
	for i := range 7 {
		dynamic = append(dynamic, "date.weekday."+string(rune('0'+i)))
	}
	for _, m := range []string{"1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12"} {
		dynamic = append(dynamic, "date.month."+m)
	}
	for _, s := range []string{"400", "401", "403", "404", "409", "413", "422", "500"} {
		dynamic = append(dynamic, "error.title."+s)
	}
	for _, u := range []string{"competition.max_entries", "new.category_limit"} {
		dynamic = append(dynamic, u+".one", u+".other")
	}
	for _, st := range []app.ReviewState{app.ReviewNotStarted, app.ReviewDraft, app.ReviewSubmitted} {
		dynamic = append(dynamic, "queue.state."+string(st))
	}
	for _, u := range []string{"day", "hour", "minute"} {
		dynamic = append(dynamic, "unit."+u+".one", "unit."+u+".other")
	}
	for _, k := range dynamic {
		keys[k] = true
	}
	for _, f := range newCompetitionFields() {
		keys[f.Label] = true
	}
	for _, lang := range []string{"en", "fr"} {
		b, err := fs.ReadFile(web.Translations(), lang+".json")
		if err != nil {
			t.Fatal(err)
		}
		msgs := map[string]string{}
		if err := json.Unmarshal(b, &msgs); err != nil {
			t.Fatal(err)
		}
		for k := range keys {
			if msgs[k] == "" {
				t.Errorf("%s.json: no message for %q", lang, k)
			}
		}
	}
}
