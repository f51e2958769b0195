package contest

import (
	"fmt"
	"math"
	"sort"
	"time"
)

// Deadline errors; each wraps ErrClosed.
var (
	ErrNotYetOpen     = fmt.Errorf("submissions have not opened yet: %w", ErrClosed)
	ErrDeadlinePassed = fmt.Errorf("the submission deadline has passed: %w", ErrClosed)
	ErrJudgingNotOpen = fmt.Errorf("judging has not opened yet: %w", ErrClosed)
	ErrJudgingClosed  = fmt.Errorf("judging for this round has closed: %w", ErrClosed)
)

// WindowState says where now falls in a competition's submission window.
type WindowState int

// Submission window states.
const (
	WindowNotYetOpen WindowState = iota
	WindowOpen
	WindowGrace // past the deadline but within the grace period
	WindowClosed
)

// SubmissionWindow tells whether entrants may write at now. The grace period
// only lets work that started before the deadline finish; callers decide
// what counts as started.
func SubmissionWindow(c Competition, now time.Time) WindowState {
	switch {
	case now.Before(c.OpensAt):
		return WindowNotYetOpen
	case now.Before(c.ClosesAt):
		return WindowOpen
	case now.Before(c.ClosesAt.Add(time.Duration(c.GraceMin) * time.Minute)):
		return WindowGrace
	default:
		return WindowClosed
	}
}

// CheckEntrantWrite returns ErrClosed (wrapped with the reason) unless an
// entrant may create or change entries at now.
func CheckEntrantWrite(c Competition, now time.Time) error {
	switch SubmissionWindow(c, now) {
	case WindowOpen:
		return nil
	case WindowNotYetOpen:
		return ErrNotYetOpen
	default:
		return ErrDeadlinePassed
	}
}

// CheckScoringOpen returns ErrClosed unless judges may score in round r at now.
func CheckScoringOpen(r Round, now time.Time) error {
	if now.Before(r.OpensAt) {
		return ErrJudgingNotOpen
	}
	if !now.Before(r.ClosesAt) {
		return ErrJudgingClosed
	}
	return nil
}

// WeightedTotal returns a judge's total for one entry on a 0–100 scale: the
// weighted mean of each criterion's mark rescaled from its scale to 0–100.
// Every criterion must be marked within its scale; a FieldError names the
// ones that are not. Excluded ("does not count") criteria may be left blank
// and never enter the total.
func WeightedTotal(criteria []Criterion, values map[string]int) (float64, error) {
	var fe FieldError
	var sum, weights float64
	for _, c := range criteria {
		v, ok := values[c.ID]
		switch {
		case !ok && c.Excluded:
			continue // optional: recorded when given, never in the total
		case !ok:
			fe.Add(c.ID, "score.missing")
			continue
		case v < c.ScaleMin || v > c.ScaleMax:
			fe.Add(c.ID, "score.out_of_range")
			continue
		}
		if c.Excluded {
			continue
		}
		span := float64(c.ScaleMax - c.ScaleMin)
		frac := 1.0
		if span > 0 {
			frac = float64(v-c.ScaleMin) / span
		}
		sum += c.Weight * frac
		weights += c.Weight
	}
	if err := fe.Err(); err != nil {
		return 0, err
	}
	if weights == 0 {
		return 0, nil
	}
	return sum / weights * 100, nil
}

// ValidateRubric checks a rubric's criteria: names, positive total weight,
// sane scales.
func ValidateRubric(criteria []Criterion) error {
	var fe FieldError
	if len(criteria) == 0 {
		fe.Add("criteria", "rubric.empty")
	}
	var total float64
	for i, c := range criteria {
		f := fmt.Sprintf("criteria[%d]", i)
		if c.Name == "" {
			fe.Add(f+".name", "field.required")
		}
		if c.Weight < 0 || math.IsNaN(c.Weight) || math.IsInf(c.Weight, 0) {
			fe.Add(f+".weight", "rubric.weight_invalid")
		}
		if c.ScaleMin >= c.ScaleMax || c.ScaleMin < 0 || c.ScaleMax > 100 {
			fe.Add(f+".scale", "rubric.scale_invalid")
		}
		if !c.Excluded {
			total += c.Weight
		}
	}
	if len(criteria) > 0 && total <= 0 {
		fe.Add("criteria", "rubric.weight_zero")
	}
	return fe.Err()
}

// Standing is one entry's place in a ranking.
type Standing struct {
	EntryID string
	Mean    float64 // mean of the judges' totals, 0–100
	Scores  int     // judges who scored it
	Rank    int     // 1-based; tied entries share a rank
}

// Rank turns per-judge totals into standings: entries by mean total,
// highest first; equal means share a rank (1, 1, 3); entries with no score
// come last, unranked (Rank 0). Ties list in entry-id order so the output is
// stable.
func Rank(totals map[string][]float64) []Standing {
	out := make([]Standing, 0, len(totals))
	for id, ts := range totals {
		s := Standing{EntryID: id, Scores: len(ts)}
		for _, t := range ts {
			s.Mean += t
		}
		if len(ts) > 0 {
			s.Mean /= float64(len(ts))
		}
		s.Mean = math.Round(s.Mean*100) / 100
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if (a.Scores > 0) != (b.Scores > 0) {
			return a.Scores > 0
		}
		if a.Mean != b.Mean {
			return a.Mean > b.Mean
		}
		return a.EntryID < b.EntryID
	})
	for i := range out {
		switch {
		case out[i].Scores == 0:
			out[i].Rank = 0
		case i > 0 && out[i-1].Scores > 0 && out[i-1].Mean == out[i].Mean:
			out[i].Rank = out[i-1].Rank
		default:
			out[i].Rank = i + 1
		}
	}
	return out
}
