package contest

import (
	"errors"
	"math"
	"testing"
	"time"
)

func TestSubmissionWindow(t *testing.T) {
	opens := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	closes := opens.Add(30 * 24 * time.Hour)
	c := Competition{OpensAt: opens, ClosesAt: closes, GraceMin: 15}
	tests := []struct {
		name    string
		now     time.Time
		want    WindowState
		wantErr bool
	}{
		{"before opening", opens.Add(-time.Second), WindowNotYetOpen, true},
		{"at opening", opens, WindowOpen, false},
		{"last second", closes.Add(-time.Second), WindowOpen, false},
		{"at deadline", closes, WindowGrace, true},
		{"inside grace", closes.Add(14 * time.Minute), WindowGrace, true},
		{"after grace", closes.Add(15 * time.Minute), WindowClosed, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := SubmissionWindow(c, tt.now); got != tt.want {
				t.Errorf("SubmissionWindow = %v, want %v", got, tt.want)
			}
			err := CheckEntrantWrite(c, tt.now)
			if (err != nil) != tt.wantErr || (err != nil && !errors.Is(err, ErrClosed)) {
				t.Errorf("CheckEntrantWrite = %v, wantErr %v", err, tt.wantErr)
			}
		})
	}
}

func TestWeightedTotal(t *testing.T) {
	crit := []Criterion{
		{ID: "story", Weight: 2, ScaleMin: 1, ScaleMax: 10},
		{ID: "craft", Weight: 1, ScaleMin: 1, ScaleMax: 10},
	}
	tests := []struct {
		name    string
		values  map[string]int
		want    float64
		badKeys []string
	}{
		{"all top marks", map[string]int{"story": 10, "craft": 10}, 100, nil},
		{"all bottom marks", map[string]int{"story": 1, "craft": 1}, 0, nil},
		{"weights count", map[string]int{"story": 10, "craft": 1}, 200.0 / 3, nil},
		{"missing mark", map[string]int{"story": 5}, 0, []string{"craft"}},
		{"out of scale", map[string]int{"story": 11, "craft": 0}, 0, []string{"story", "craft"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := WeightedTotal(crit, tt.values)
			if tt.badKeys != nil {
				var fe *FieldError
				if !errors.As(err, &fe) {
					t.Fatalf("err = %v, want FieldError", err)
				}
				for _, k := range tt.badKeys {
					if _, ok := fe.Fields[k]; !ok {
						t.Errorf("FieldError lacks %q: %v", k, fe.Fields)
					}
				}
				return
			}
			if err != nil || math.Abs(got-tt.want) > 1e-9 {
				t.Fatalf("WeightedTotal = %v, %v; want %v", got, err, tt.want)
			}
		})
	}
}

func TestValidateRubric(t *testing.T) {
	ok := []Criterion{{Name: "Craft", Weight: 1, ScaleMin: 1, ScaleMax: 10}}
	if err := ValidateRubric(ok); err != nil {
		t.Fatalf("valid rubric: %v", err)
	}
	for name, c := range map[string][]Criterion{
		"empty":       nil,
		"no name":     {{Weight: 1, ScaleMin: 1, ScaleMax: 10}},
		"zero weight": {{Name: "a", Weight: 0, ScaleMin: 1, ScaleMax: 10}},
		"bad scale":   {{Name: "a", Weight: 1, ScaleMin: 5, ScaleMax: 5}},
		"neg weight":  {{Name: "a", Weight: -1, ScaleMin: 1, ScaleMax: 5}},
	} {
		if err := ValidateRubric(c); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestRank(t *testing.T) {
	got := Rank(map[string][]float64{
		"a": {80, 90},  // 85
		"b": {85},      // 85, ties with a
		"c": {95, 100}, // 97.5
		"d": nil,       // unscored
		"e": {10},
	})
	want := []Standing{
		{EntryID: "c", Mean: 97.5, Scores: 2, Rank: 1},
		{EntryID: "a", Mean: 85, Scores: 2, Rank: 2},
		{EntryID: "b", Mean: 85, Scores: 1, Rank: 2},
		{EntryID: "e", Mean: 10, Scores: 1, Rank: 4},
		{EntryID: "d", Mean: 0, Scores: 0, Rank: 0},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d standings", len(got))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("standing %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestSee(t *testing.T) {
	none := Visibility{}
	tests := []struct {
		name string
		v    Viewer
		want Visibility
	}{
		{"organizer sees everything", Viewer{Organizer: true, Blind: true}, Visibility{Entry: true, Entrant: true, Original: true, Derivatives: true, Scores: true, Outcome: true}},
		{"owner before announcement", Viewer{Owner: true}, Visibility{Entry: true, Entrant: true, Original: true, Derivatives: true}},
		{"owner after announcement", Viewer{Owner: true, Announced: true}, Visibility{Entry: true, Entrant: true, Original: true, Derivatives: true, Outcome: true}},
		{"blind judge", Viewer{Judge: true, Blind: true, Submitted: true, Assigned: true}, Visibility{Entry: true, Derivatives: true, Score: true}},
		{"open judge", Viewer{Judge: true, Submitted: true, Assigned: true}, Visibility{Entry: true, Entrant: true, Derivatives: true, Score: true}},
		{"blind judge after the winner is announced", Viewer{Judge: true, Blind: true, Submitted: true, Assigned: true, Announced: true, Awarded: true, Published: true},
			Visibility{Entry: true, Entrant: true, Derivatives: true, Score: true, Outcome: true}},
		{"blind judge, announced, no consent", Viewer{Judge: true, Blind: true, Submitted: true, Assigned: true, Announced: true, Awarded: true},
			Visibility{Entry: true, Derivatives: true, Score: true, Outcome: true}},
		{"conflicted judge", Viewer{Judge: true, Conflicted: true, Submitted: true}, none},
		{"judge and draft", Viewer{Judge: true, Blind: true}, none},
		{"public before announcement", Viewer{Awarded: true, Published: true}, none},
		{"public, winner announced", Viewer{Announced: true, Awarded: true, Published: true}, Visibility{Entry: true, Entrant: true, Derivatives: true, Outcome: true}},
		{"public, no consent", Viewer{Announced: true, Awarded: true}, none},
		{"public, not awarded", Viewer{Announced: true, Published: true}, none},
		{"signed-in stranger", Viewer{SignedIn: true, Announced: true}, none},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := See(tt.v); got != tt.want {
				t.Errorf("See(%+v) = %+v, want %+v", tt.v, got, tt.want)
			}
		})
	}
}

func TestSlugify(t *testing.T) {
	for in, want := range map[string]string{"Artisans in Focus 2026": "artisans-in-focus-2026", "  --Hé llo!! ": "h-llo", "": ""} {
		if got := Slugify(in); got != want {
			t.Errorf("Slugify(%q) = %q, want %q", in, got, want)
		}
	}
}
