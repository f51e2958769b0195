package contest

import (
	"math"
	"testing"
	"time"
)

func TestComputeResultsRawNormalisedDisagreement(t *testing.T) {
	entries := []ResultEntry{{"a", "c1"}, {"b", "c1"}, {"c", "c1"}, {"d", "c2"}}
	// Judge "hard" marks low, judge "easy" marks high; both order a > b > c.
	// Judge "once" has a single total and is left out of normalisation.
	totals := []JudgeTotal{
		{EntryID: "a", JudgeID: "hard", Total: 40}, {EntryID: "b", JudgeID: "hard", Total: 30}, {EntryID: "c", JudgeID: "hard", Total: 20},
		{EntryID: "a", JudgeID: "easy", Total: 95}, {EntryID: "b", JudgeID: "easy", Total: 90}, {EntryID: "c", JudgeID: "easy", Total: 85},
		{EntryID: "c", JudgeID: "once", Total: 100},
	}
	res := ComputeResults(entries, totals, ResultOptions{Quorum: 2, MinScores: 2, Disagreement: 60, RankBy: RankNormalised})
	by := map[string]Result{}
	for _, r := range res {
		by[r.EntryID] = r
	}
	if got := by["a"].Raw; got != 67.5 {
		t.Errorf("raw a = %v, want 67.5", got)
	}
	if got := by["c"].Raw; math.Abs(got-68.33) > 0.001 {
		t.Errorf("raw c = %v, want 68.33 (the lenient single mark lifts it)", got)
	}
	if by["c"].Scores != 3 || by["c"].Quorum != 2 {
		t.Errorf("c: %d scores of quorum %d", by["c"].Scores, by["c"].Quorum)
	}
	if !by["c"].Disagree || by["a"].Disagree {
		t.Errorf("disagreement: a %v (spread %v), c %v (spread %v)", by["a"].Disagree, by["a"].Spread, by["c"].Disagree, by["c"].Spread)
	}
	// Normalised: a has z = +1.22 from both qualifying judges, c −1.22.
	if by["a"].Normalised == nil || by["c"].Normalised == nil || *by["a"].Normalised <= *by["b"].Normalised || *by["b"].Normalised <= *by["c"].Normalised {
		t.Fatalf("normalised order wrong: a %v b %v c %v", by["a"].Normalised, by["b"].Normalised, by["c"].Normalised)
	}
	if by["d"].Normalised != nil || by["d"].Rank != 0 || by["d"].Scores != 0 {
		t.Errorf("unscored d: %+v", by["d"])
	}
	// Ranked by normalised: a, b, c in c1; raw would put c first.
	if res[0].EntryID != "a" || res[1].EntryID != "b" || res[2].EntryID != "c" || res[3].EntryID != "d" {
		t.Errorf("order %v %v %v %v", res[0].EntryID, res[1].EntryID, res[2].EntryID, res[3].EntryID)
	}
	raw := ComputeResults(entries, totals, ResultOptions{Quorum: 2, MinScores: 2, Disagreement: 60, RankBy: RankRaw})
	if raw[0].EntryID != "c" || raw[0].Rank != 1 {
		t.Errorf("ranked raw: first %v rank %d, want c 1", raw[0].EntryID, raw[0].Rank)
	}
}

func TestComputeResultsTieBreaks(t *testing.T) {
	entries := []ResultEntry{{"x", "c"}, {"y", "c"}, {"z", "c"}}
	totals := []JudgeTotal{
		{EntryID: "x", JudgeID: "j1", Total: 80, TopMarks: 1},
		{EntryID: "y", JudgeID: "j1", Total: 80, TopMarks: 2},
		{EntryID: "z", JudgeID: "j1", Total: 80, TopMarks: 2},
	}
	tests := []struct {
		name  string
		tb    []TieBreak
		dec   map[string]int
		order string
		ranks []int
	}{
		{"no rules: all tied", nil, nil, "xyz", []int{1, 1, 1}},
		{"top marks", []TieBreak{TieTopMarks}, nil, "yzx", []int{1, 1, 3}},
		{"top marks then decision", []TieBreak{TieTopMarks, TieDecision}, map[string]int{"z": 1, "y": 2}, "zyx", []int{1, 2, 3}},
		{"decision ignored when not declared", []TieBreak{TieTopMarks}, map[string]int{"z": 1, "y": 2}, "yzx", []int{1, 1, 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := ComputeResults(entries, totals, ResultOptions{Quorum: 1, MinScores: 1, Disagreement: 30, RankBy: RankRaw, TieBreaks: tt.tb, Decisions: tt.dec})
			var order string
			for i, r := range res {
				order += r.EntryID
				if r.Rank != tt.ranks[i] {
					t.Errorf("%s rank %d, want %d", r.EntryID, r.Rank, tt.ranks[i])
				}
			}
			if order != tt.order {
				t.Errorf("order %s, want %s", order, tt.order)
			}
		})
	}
}

func TestAdvanceRule(t *testing.T) {
	entries := []ResultEntry{{"a", "c1"}, {"b", "c1"}, {"c", "c1"}, {"d", "c2"}, {"e", "c2"}}
	totals := []JudgeTotal{{EntryID: "a", JudgeID: "j", Total: 90}, {EntryID: "b", JudgeID: "j", Total: 70}, {EntryID: "c", JudgeID: "j", Total: 50},
		{EntryID: "d", JudgeID: "j", Total: 60}, {EntryID: "e", JudgeID: "j", Total: 65}}
	res := ComputeResults(entries, totals, ResultOptions{Quorum: 1, MinScores: 1, RankBy: RankRaw})
	th := 64.0
	tests := []struct {
		name string
		rule AdvanceRule
		want string
		bad  bool
	}{
		{"top 1 per category", AdvanceRule{TopN: 1}, "ae", false},
		{"top 2", AdvanceRule{TopN: 2}, "abed", false},
		{"threshold", AdvanceRule{Threshold: &th}, "abe", false},
		{"hand-picked", AdvanceRule{EntryIDs: []string{"c", "d", "c"}}, "cd", false},
		{"unknown entry", AdvanceRule{EntryIDs: []string{"zz"}}, "", true},
		{"two forms", AdvanceRule{TopN: 1, Threshold: &th}, "", true},
		{"none", AdvanceRule{}, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.rule.Select(res)
			if (err != nil) != tt.bad {
				t.Fatalf("err %v", err)
			}
			s := ""
			for _, id := range got {
				s += id
			}
			if s != tt.want {
				t.Errorf("advanced %q, want %q", s, tt.want)
			}
		})
	}
}

func TestWeightedTotalExcluded(t *testing.T) {
	crit := []Criterion{{ID: "a", Weight: 1, ScaleMin: 0, ScaleMax: 10}, {ID: "n", Weight: 5, ScaleMin: 0, ScaleMax: 10, Excluded: true}}
	for _, vals := range []map[string]int{{"a": 5, "n": 10}, {"a": 5, "n": 0}, {"a": 5}} {
		got, err := WeightedTotal(crit, vals)
		if err != nil || got != 50 {
			t.Errorf("WeightedTotal(%v) = %v, %v; want 50 (the excluded criterion never counts)", vals, got, err)
		}
	}
	if _, err := WeightedTotal(crit, map[string]int{"a": 5, "n": 11}); err == nil {
		t.Errorf("an excluded mark out of range must still be refused")
	}
	if err := ValidateRubric([]Criterion{{Name: "only", Weight: 1, ScaleMin: 1, ScaleMax: 5, Excluded: true}}); err == nil {
		t.Errorf("a rubric where nothing counts must be refused")
	}
}

func TestFindConflict(t *testing.T) {
	j := ConflictJudge{ID: "j", Organisation: "Weavers Co-op", Country: "KE"}
	e := ConflictEntry{ID: "e", EntrantID: "u", Organisation: "Loom Ltd", Country: "UG"}
	tests := []struct {
		name        string
		e           ConflictEntry
		declared    []Conflict
		sameCountry bool
		want        ConflictReason
	}{
		{"none", e, nil, true, ReasonNone},
		{"own entry", ConflictEntry{ID: "e", EntrantID: "j"}, nil, false, ReasonOwnEntry},
		{"nominated", ConflictEntry{ID: "e", EntrantID: "u", NominatedBy: "j"}, nil, false, ReasonNominated},
		{"same organisation, any case", ConflictEntry{ID: "e", EntrantID: "u", Organisation: " weavers co-op"}, nil, false, ReasonOrganisation},
		{"same country when enabled", ConflictEntry{ID: "e", EntrantID: "u", Country: "ke"}, nil, true, ReasonCountry},
		{"same country when disabled", ConflictEntry{ID: "e", EntrantID: "u", Country: "KE"}, nil, false, ReasonNone},
		{"declared entrant", e, []Conflict{{JudgeID: "j", EntrantID: "u", Source: ConflictDeclared, Status: ConflictConfirmed}}, false, ReasonDeclared},
		{"declared organisation", e, []Conflict{{JudgeID: "j", Organisation: "LOOM LTD", Source: ConflictDeclared, Status: ConflictConfirmed}}, false, ReasonDeclared},
		{"declared country", e, []Conflict{{JudgeID: "j", Country: "UG", Source: ConflictDeclared, Status: ConflictConfirmed}}, false, ReasonDeclared},
		{"declared entry", e, []Conflict{{JudgeID: "j", EntryID: "e", Source: ConflictDeclared, Status: ConflictConfirmed}}, false, ReasonDeclared},
		{"declaration awaiting the organizer", e, []Conflict{{JudgeID: "j", Country: "UG", Source: ConflictDeclared, Status: ConflictPending}}, false, ReasonNone},
		{"declined declaration", e, []Conflict{{JudgeID: "j", EntryID: "e", Source: ConflictDeclared, Status: ConflictDeclined}}, false, ReasonNone},
		{"declaration without a status", e, []Conflict{{JudgeID: "j", EntryID: "e", Source: ConflictDeclared}}, false, ReasonNone},
		{"recusal", e, []Conflict{{JudgeID: "j", EntryID: "e", Source: ConflictRecusal, Status: ConflictConfirmed}}, false, ReasonRecused},
		{"another judge's declaration", e, []Conflict{{JudgeID: "k", EntryID: "e", Source: ConflictDeclared, Status: ConflictConfirmed}}, false, ReasonNone},
		{"empty organisations never match", ConflictEntry{ID: "e", EntrantID: "u"}, nil, true, ReasonNone},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			jj := j
			if tt.name == "empty organisations never match" {
				jj = ConflictJudge{ID: "j"}
			}
			if got := FindConflict(jj, tt.e, tt.declared, tt.sameCountry); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
	if (Conflict{JudgeID: "j"}).Validate() == nil || (Conflict{JudgeID: "j", EntryID: "e", Country: "KE"}).Validate() == nil {
		t.Errorf("a conflict must name exactly one target")
	}
}

func TestRoundInputApply(t *testing.T) {
	cats := []Category{{ID: "c1"}, {ID: "c2"}}
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	var r Round
	err := RoundInput{Name: "Shortlist", OpensAt: now, ClosesAt: now.Add(time.Hour), CategoryIDs: []string{"c2"}, TieBreaks: []TieBreak{TieTopMarks, TieDecision}}.Apply(&r, cats)
	if err != nil {
		t.Fatal(err)
	}
	if r.Quorum != DefaultQuorum || r.ScoringMode != ScoringRubric || !r.Blind || r.RankBy != RankRaw || r.ScoreVisibility != PeerScoresNever || r.TieBreaks != "top_marks,decision" {
		t.Errorf("defaults: %+v", r)
	}
	if !r.Covers("c2") || r.Covers("c1") {
		t.Errorf("covers: %v", r.CategoryIDs)
	}
	if r.State(now.Add(-time.Second)) != RoundPending || r.State(now) != RoundOpen || r.State(now.Add(time.Hour)) != RoundClosed {
		t.Errorf("states wrong")
	}
	bad := RoundInput{ClosesAt: now, OpensAt: now, CategoryIDs: []string{"zz"}, ScoringMode: "x", Quorum: -1, ScoreVisibility: "x", RankBy: "x", TieBreaks: []TieBreak{"coin"}, Disagreement: 200}
	err = bad.Apply(&r, cats)
	fe, ok := err.(*FieldError)
	if !ok {
		t.Fatalf("want FieldError, got %v", err)
	}
	for _, f := range []string{"name", "closes_at", "category_ids", "scoring_mode", "quorum", "score_visibility", "rank_by", "tie_breaks", "disagreement"} {
		if fe.Fields[f] == "" {
			t.Errorf("no problem reported for %s (%v)", f, fe.Fields)
		}
	}
}
