package contest

import (
	"errors"
	"maps"
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

func TestCheckMarks(t *testing.T) {
	crit := []Criterion{
		{ID: "story", Weight: 40, ScaleMin: 1, ScaleMax: 5},
		{ID: "craft", Weight: 60, ScaleMin: 0, ScaleMax: 100},
		{ID: "note", Weight: 1, ScaleMin: 0, ScaleMax: 10, Excluded: true},
	}
	tests := []struct {
		name     string
		values   map[string]int
		complete bool
		want     map[string]string // field → message key; nil: valid
	}{
		{"empty draft", map[string]int{}, false, nil},
		{"partial draft", map[string]int{"story": 3}, false, nil},
		{"partial submission", map[string]int{"story": 3}, true, map[string]string{"craft": "score.missing"}},
		{"complete without the excluded one", map[string]int{"story": 5, "craft": 0}, true, nil},
		{"scale edges", map[string]int{"story": 1, "craft": 100, "note": 10}, true, nil},
		{"below the scale", map[string]int{"story": 0}, false, map[string]string{"story": "score.out_of_range"}},
		{"above the scale", map[string]int{"craft": 101}, false, map[string]string{"craft": "score.out_of_range"}},
		{"excluded out of range", map[string]int{"note": 11}, false, map[string]string{"note": "score.out_of_range"}},
		{"unknown criterion", map[string]int{"story": 2, "colour": 3}, false, map[string]string{"colour": "score.unknown_criterion"}},
		{"everything wrong at once", map[string]int{"story": 9, "colour": 3}, true,
			map[string]string{"story": "score.out_of_range", "craft": "score.missing", "colour": "score.unknown_criterion"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckMarks(crit, tt.values, tt.complete)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("CheckMarks = %v, want nil", err)
				}
				return
			}
			var fe *FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("CheckMarks = %v, want a FieldError", err)
			}
			if !maps.Equal(fe.Fields, tt.want) {
				t.Errorf("fields = %v, want %v", fe.Fields, tt.want)
			}
		})
	}
	// Totals of stored marks ignore a criterion no longer in the rubric,
	// but never an out-of-range mark.
	if _, err := WeightedTotal(crit, map[string]int{"story": 5, "craft": 50, "gone": 7}); err != nil {
		t.Errorf("WeightedTotal with a stale criterion: %v", err)
	}
	if _, err := WeightedTotal(crit, map[string]int{"story": 6, "craft": 50}); err == nil {
		t.Error("WeightedTotal accepted a mark above the scale")
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
