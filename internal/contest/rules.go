package contest

import (
	"fmt"
	"math"
	"slices"
	"time"
)

// Deadline errors; each wraps ErrClosed.
var (
	ErrNotYetOpen     = fmt.Errorf("submissions have not opened yet: %w", ErrClosed)
	ErrDeadlinePassed = fmt.Errorf("the submission deadline has passed: %w", ErrClosed)
	ErrJudgingNotOpen = fmt.Errorf("judging has not opened yet: %w", ErrClosed)
	ErrJudgingClosed  = fmt.Errorf("judging for this round has closed: %w", ErrClosed)
	// ErrAnnounced: the results are announced (or scheduled), so awards
	// and the announcement itself can no longer change.
	ErrAnnounced = fmt.Errorf("results are already announced: %w", ErrClosed)
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

// CheckMarks is the one rule for a judge's marks on a rubric: every mark
// names a criterion of the rubric and lies within its scale; complete (a
// submission, or a change to a submitted review) also needs every counted
// criterion marked. Excluded ("does not count") criteria may stay blank. A
// FieldError names each offending criterion.
func CheckMarks(criteria []Criterion, values map[string]int, complete bool) error {
	return checkMarks(criteria, values, complete, true)
}

// checkMarks is CheckMarks; strict false lets marks of criteria no longer
// in the rubric pass (they never count), for totals of stored marks. It
// allocates only when it finds a problem.
func checkMarks(criteria []Criterion, values map[string]int, complete, strict bool) error {
	var fe FieldError
	known := 0
	for _, c := range criteria {
		v, ok := values[c.ID]
		switch {
		case ok:
			known++
			if v < c.ScaleMin || v > c.ScaleMax {
				fe.Add(c.ID, "score.out_of_range")
			}
		case complete && !c.Excluded:
			fe.Add(c.ID, "score.missing")
		}
	}
	if strict && known < len(values) {
		for id := range values {
			if !slices.ContainsFunc(criteria, func(c Criterion) bool { return c.ID == id }) {
				fe.Add(id, "score.unknown_criterion")
			}
		}
	}
	return fe.Err()
}

// WeightedTotal returns a judge's total for one entry on a 0–100 scale: the
// weighted mean of each criterion's mark rescaled from its scale to 0–100.
// The marks must pass CheckMarks as complete (its FieldError otherwise).
// Excluded ("does not count") criteria never enter the total.
func WeightedTotal(criteria []Criterion, values map[string]int) (float64, error) {
	if err := checkMarks(criteria, values, true, false); err != nil {
		return 0, err
	}
	var sum, weights float64
	for _, c := range criteria {
		v, ok := values[c.ID]
		if !ok || c.Excluded {
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
