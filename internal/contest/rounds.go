package contest

import (
	"fmt"
	"math"
	"strings"
	"time"
)

// ScoringMode is how judges mark entries in a round.
type ScoringMode string

// Scoring modes: a weighted rubric, or a yes/no screening (one criterion on
// a 0–1 scale, so the total is the share of judges who said yes).
const (
	ScoringRubric    ScoringMode = "rubric"
	ScoringScreening ScoringMode = "screening"
)

// ScoreVisibility is when a judge may see the other judges' marks.
type ScoreVisibility string

// Score visibility settings.
const (
	PeerScoresNever       ScoreVisibility = "never"
	PeerScoresAfterSubmit ScoreVisibility = "after_submit"
)

// RankBy names the score that orders results.
type RankBy string

// Ranking scores.
const (
	RankRaw        RankBy = "raw"
	RankNormalised RankBy = "normalised"
)

// TieBreak is one rule that orders entries whose ranking scores are equal.
type TieBreak string

// Tie-break rules, applied in the order the organizer declares them.
const (
	TieOtherScore TieBreak = "other_score" // the score not used for ranking (normalised when ranking raw, and back)
	TieTopMarks   TieBreak = "top_marks"   // more marks at the top of their scale
	TieDecision   TieBreak = "decision"    // the organizer's recorded decision
)

// Round defaults.
const (
	DefaultQuorum       = 3
	DefaultMinScores    = 3
	DefaultDisagreement = 30.0
)

// RoundInput is what an organizer sets on a round.
type RoundInput struct {
	Name            string          `json:"name"`
	OpensAt         time.Time       `json:"opens_at"`
	ClosesAt        time.Time       `json:"closes_at"`
	CategoryIDs     []string        `json:"category_ids"`
	ScoringMode     ScoringMode     `json:"scoring_mode"`
	Quorum          int             `json:"quorum"`
	Blind           *bool           `json:"blind"`
	ScoreVisibility ScoreVisibility `json:"score_visibility"`
	MinScores       int             `json:"min_scores"`
	Disagreement    float64         `json:"disagreement"`
	RankBy          RankBy          `json:"rank_by"`
	TieBreaks       []TieBreak      `json:"tie_breaks"`
}

// ParseTieBreaks splits a stored rule list.
func ParseTieBreaks(s string) []TieBreak {
	var out []TieBreak
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, TieBreak(p))
		}
	}
	return out
}

// JoinTieBreaks is the stored form of a rule list.
func JoinTieBreaks(ts []TieBreak) string {
	ss := make([]string, len(ts))
	for i, t := range ts {
		ss[i] = string(t)
	}
	return strings.Join(ss, ",")
}

// Apply validates in against the competition's categories and fills r,
// applying defaults for the unset settings. Every problem is reported with
// its field name.
func (in RoundInput) Apply(r *Round, categories []Category) error {
	var fe FieldError
	in.Name = strings.TrimSpace(in.Name)
	if in.Name == "" {
		fe.Add("name", "field.required")
	} else if len(in.Name) > 120 {
		fe.Add("name", "field.too_long")
	}
	if in.OpensAt.IsZero() {
		fe.Add("opens_at", "field.required")
	}
	if in.ClosesAt.IsZero() {
		fe.Add("closes_at", "field.required")
	} else if !in.ClosesAt.After(in.OpensAt) {
		fe.Add("closes_at", "round.closes_before_opens")
	}
	known := map[string]bool{}
	for _, c := range categories {
		known[c.ID] = true
	}
	var cats []string
	seen := map[string]bool{}
	for _, id := range in.CategoryIDs {
		if !known[id] {
			fe.Add("category_ids", "category.unknown")
			continue
		}
		if !seen[id] {
			seen[id] = true
			cats = append(cats, id)
		}
	}
	if len(in.CategoryIDs) == 0 {
		for _, c := range categories {
			cats = append(cats, c.ID)
		}
	}
	switch in.ScoringMode {
	case "":
		in.ScoringMode = ScoringRubric
	case ScoringRubric, ScoringScreening:
	default:
		fe.Add("scoring_mode", "round.mode_invalid")
	}
	switch {
	case in.Quorum == 0:
		in.Quorum = DefaultQuorum
	case in.Quorum < 1 || in.Quorum > 50:
		fe.Add("quorum", "round.quorum_invalid")
	}
	switch in.ScoreVisibility {
	case "":
		in.ScoreVisibility = PeerScoresNever
	case PeerScoresNever, PeerScoresAfterSubmit:
	default:
		fe.Add("score_visibility", "round.visibility_invalid")
	}
	switch {
	case in.MinScores == 0:
		in.MinScores = DefaultMinScores
	case in.MinScores < 1:
		fe.Add("min_scores", "round.min_scores_invalid")
	}
	switch {
	case in.Disagreement == 0:
		in.Disagreement = DefaultDisagreement
	case in.Disagreement < 0 || in.Disagreement > 100 || math.IsNaN(in.Disagreement):
		fe.Add("disagreement", "round.disagreement_invalid")
	}
	switch in.RankBy {
	case "":
		in.RankBy = RankRaw
	case RankRaw, RankNormalised:
	default:
		fe.Add("rank_by", "round.rank_by_invalid")
	}
	if err := ValidateTieBreaks(in.TieBreaks); err != nil {
		fe.Add("tie_breaks", "round.tie_breaks_invalid")
	}
	if err := fe.Err(); err != nil {
		return err
	}
	r.Name, r.OpensAt, r.ClosesAt = in.Name, in.OpensAt.UTC(), in.ClosesAt.UTC()
	r.CategoryIDs = cats
	r.ScoringMode, r.Quorum, r.ScoreVisibility = in.ScoringMode, in.Quorum, in.ScoreVisibility
	r.MinScores, r.Disagreement, r.RankBy = in.MinScores, in.Disagreement, in.RankBy
	r.TieBreaks = JoinTieBreaks(in.TieBreaks)
	r.Blind = in.Blind == nil || *in.Blind
	return nil
}

// ValidateTieBreaks checks a rule list: known rules, each once.
func ValidateTieBreaks(ts []TieBreak) error {
	seen := map[TieBreak]bool{}
	for _, t := range ts {
		switch t {
		case TieOtherScore, TieTopMarks, TieDecision:
		default:
			return fmt.Errorf("unknown tie-break %q", t)
		}
		if seen[t] {
			return fmt.Errorf("tie-break %q twice", t)
		}
		seen[t] = true
	}
	return nil
}

// RoundState is where now falls in a round's judging window.
type RoundState string

// Round states.
const (
	RoundPending RoundState = "pending"
	RoundOpen    RoundState = "open"
	RoundClosed  RoundState = "closed"
)

// State reports the round's state at now.
func (r Round) State(now time.Time) RoundState {
	switch {
	case now.Before(r.OpensAt):
		return RoundPending
	case now.Before(r.ClosesAt):
		return RoundOpen
	default:
		return RoundClosed
	}
}

// Covers reports whether the round judges entries of category id.
func (r Round) Covers(categoryID string) bool {
	if len(r.CategoryIDs) == 0 {
		return true
	}
	for _, c := range r.CategoryIDs {
		if c == categoryID {
			return true
		}
	}
	return false
}

// ScreeningCriterion is the one criterion of a yes/no round: 0 no, 1 yes.
func ScreeningCriterion() Criterion {
	return Criterion{Name: "Advance", Weight: 1, ScaleMin: 0, ScaleMax: 1}
}

// AdvanceRule picks which entries of a round go on to the next one.
type AdvanceRule struct {
	TopN      int      `json:"top_n"`     // the best N of each category
	Threshold *float64 `json:"threshold"` // every entry whose ranking score is at least this
	EntryIDs  []string `json:"entry_ids"` // a hand-picked set
}

// Select returns the entry ids the rule advances from ranked results, in
// result order. Exactly one of the rule's forms must be set.
func (a AdvanceRule) Select(results []Result) ([]string, error) {
	forms := 0
	if a.TopN > 0 {
		forms++
	}
	if a.Threshold != nil {
		forms++
	}
	if len(a.EntryIDs) > 0 {
		forms++
	}
	if forms != 1 || a.TopN < 0 {
		return nil, &FieldError{Fields: map[string]string{"rule": "advance.rule_invalid"}}
	}
	var out []string
	switch {
	case a.TopN > 0:
		for _, r := range results {
			if r.Rank > 0 && r.CategoryRank <= a.TopN {
				out = append(out, r.EntryID)
			}
		}
	case a.Threshold != nil:
		for _, r := range results {
			if s, ok := r.RankingScore(); ok && s >= *a.Threshold {
				out = append(out, r.EntryID)
			}
		}
	default:
		in := map[string]bool{}
		for _, r := range results {
			in[r.EntryID] = true
		}
		seen := map[string]bool{}
		for _, id := range a.EntryIDs {
			if !in[id] {
				return nil, &FieldError{Fields: map[string]string{"entry_ids": "advance.entry_invalid"}}
			}
			if !seen[id] {
				seen[id] = true
				out = append(out, id)
			}
		}
	}
	return out, nil
}
