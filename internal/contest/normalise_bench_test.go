package contest

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// BenchmarkComputeResults is the pure part of a round's results: 10,000
// entries × 5 judges in two categories.
func BenchmarkComputeResults(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	var es []ResultEntry
	var ts []JudgeTotal
	for i := 0; i < 10_000; i++ {
		id := fmt.Sprintf("e%05d", i)
		es = append(es, ResultEntry{ID: id, CategoryID: fmt.Sprintf("c%d", i%2)})
		for j := 0; j < 5; j++ {
			ts = append(ts, JudgeTotal{EntryID: id, JudgeID: fmt.Sprintf("j%d", (i+j)%20), Total: float64(rng.IntN(101)), TopMarks: rng.IntN(3)})
		}
	}
	opts := ResultOptions{Quorum: 5, MinScores: 3, Disagreement: 30, RankBy: RankNormalised, TieBreaks: []TieBreak{TieOtherScore, TieTopMarks}}
	for b.Loop() {
		ComputeResults(es, ts, opts)
	}
}
