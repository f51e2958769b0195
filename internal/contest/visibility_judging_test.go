package contest

import (
	"fmt"
	"testing"
)

// TestSeeJudgingMatrix walks every combination of the judging inputs of
// the policy and checks the rules the issue states, so no combination is
// left undecided.
func TestSeeJudgingMatrix(t *testing.T) {
	bools := []bool{false, true}
	n := 0
	for _, judge := range bools {
		for _, assigned := range bools {
			for _, conflicted := range bools {
				for _, blind := range bools {
					for _, submitted := range bools {
						for _, announced := range bools {
							for _, awarded := range bools {
								for _, published := range bools {
									for _, reviewed := range bools {
										for _, peers := range bools {
											v := Viewer{SignedIn: judge, Judge: judge, Assigned: assigned, Conflicted: conflicted, Blind: blind, Submitted: submitted,
												Announced: announced, Awarded: awarded, Published: published, ReviewSubmitted: reviewed, PeerScoresOpened: peers}
											checkJudgingRules(t, v, See(v))
											n++
										}
									}
								}
							}
						}
					}
				}
			}
		}
	}
	if n != 1024 {
		t.Fatalf("walked %d combinations", n)
	}
}

func checkJudgingRules(t *testing.T, v Viewer, got Visibility) {
	t.Helper()
	where := fmt.Sprintf("%+v → %+v", v, got)
	public := v.Announced && v.Awarded && v.Published
	eligible := v.Judge && v.Assigned && !v.Conflicted && v.Submitted
	switch {
	case eligible:
		if !got.Entry || !got.Derivatives || !got.Score {
			t.Errorf("an assigned, unconflicted judge must see and score a submitted entry: %s", where)
		}
		if got.Entrant != (!v.Blind || public) {
			t.Errorf("entrant shown to a judge unless the round is blind, and once the results name them publicly: %s", where)
		}
		if got.PeerScores != (v.ReviewSubmitted && v.PeerScoresOpened) {
			t.Errorf("peer marks only after the judge's own review and when the round allows: %s", where)
		}
		if got.Outcome != v.Announced {
			t.Errorf("outcome to a judge only after the announcement: %s", where)
		}
	case public:
		if got != (Visibility{Entry: true, Entrant: true, Derivatives: true, Outcome: true}) {
			t.Errorf("announced, awarded, consenting entry must be public: %s", where)
		}
	default:
		if got != (Visibility{}) {
			t.Errorf("nothing may be visible (unassigned, conflicted, draft or not announced): %s", where)
		}
	}
	if got.Original || got.Scores {
		t.Errorf("judges and the public never get originals or the ranking: %s", where)
	}
	if got.Score && (v.Conflicted || !v.Assigned) {
		t.Errorf("a conflicted or unassigned judge may not score: %s", where)
	}
}
