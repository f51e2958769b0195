package contest

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

// assignCase builds a random assignment problem.
type assignCase struct {
	entries, judges, cats, quorum int
	conflictRate                  float64
	multiPanel                    bool // judges sit on one or two category panels
	fixedRate                     float64
}

func (c assignCase) build(rng *rand.Rand) AssignInput {
	in := AssignInput{Quorum: c.quorum}
	for i := 0; i < c.entries; i++ {
		in.Entries = append(in.Entries, AssignEntry{ID: fmt.Sprintf("e%05d", i), CategoryID: fmt.Sprintf("c%d", i%c.cats)})
	}
	for j := 0; j < c.judges; j++ {
		aj := AssignJudge{ID: fmt.Sprintf("j%03d", j)}
		if c.cats > 1 {
			aj.CategoryIDs = []string{fmt.Sprintf("c%d", j%c.cats)}
			if c.multiPanel && j%3 == 0 {
				aj.CategoryIDs = append(aj.CategoryIDs, fmt.Sprintf("c%d", (j+1)%c.cats))
			}
		}
		in.Judges = append(in.Judges, aj)
	}
	for _, e := range in.Entries {
		for _, j := range in.Judges {
			if rng.Float64() < c.conflictRate {
				in.Conflicts = append(in.Conflicts, Pair{EntryID: e.ID, JudgeID: j.ID})
			}
		}
	}
	return in
}

// checkInvariants verifies every promise of Assign on one input/output.
func checkInvariants(t *testing.T, in AssignInput, out AssignOutput, wantBalance bool) {
	t.Helper()
	panels := map[string]map[string]bool{} // category → judges
	cats := map[string]string{}
	for _, e := range in.Entries {
		cats[e.ID] = e.CategoryID
		if panels[e.CategoryID] == nil {
			panels[e.CategoryID] = map[string]bool{}
		}
	}
	for _, j := range in.Judges {
		for cat := range panels {
			if len(j.CategoryIDs) == 0 || containsString(j.CategoryIDs, cat) {
				panels[cat][j.ID] = true
			}
		}
	}
	conflict := map[Pair]bool{}
	for _, p := range in.Conflicts {
		conflict[p] = true
	}
	on := map[string]map[string]bool{}
	load := map[string]map[string]int{} // category → judge → load
	for cat, js := range panels {
		load[cat] = map[string]int{}
		for j := range js {
			load[cat][j] = 0
		}
	}
	add := func(p Pair, fixed bool) {
		if on[p.EntryID] == nil {
			on[p.EntryID] = map[string]bool{}
		}
		if on[p.EntryID][p.JudgeID] {
			t.Fatalf("judge %s twice on entry %s", p.JudgeID, p.EntryID)
		}
		on[p.EntryID][p.JudgeID] = true
		if _, ok := load[cats[p.EntryID]][p.JudgeID]; ok {
			load[cats[p.EntryID]][p.JudgeID]++
		}
		if fixed {
			return
		}
		if conflict[p] {
			t.Fatalf("conflicted pair assigned: %+v", p)
		}
		if !panels[cats[p.EntryID]][p.JudgeID] {
			t.Fatalf("judge %s assigned outside their panel (entry %s in %s)", p.JudgeID, p.EntryID, cats[p.EntryID])
		}
	}
	for _, p := range in.Fixed {
		add(p, true)
	}
	for _, p := range out.Added {
		add(p, false)
	}
	short := map[string]bool{}
	for _, id := range out.Short {
		short[id] = true
	}
	for _, e := range in.Entries {
		n := len(on[e.ID])
		eligible := 0
		for j := range panels[e.CategoryID] {
			if !conflict[Pair{e.ID, j}] || on[e.ID][j] {
				eligible++
			}
		}
		switch {
		case n > in.Quorum && n > countFixed(in.Fixed, e.ID):
			t.Fatalf("entry %s has %d judges, quorum %d", e.ID, n, in.Quorum)
		case n < in.Quorum && !short[e.ID]:
			t.Fatalf("entry %s has %d judges below quorum %d and is not reported short", e.ID, n, in.Quorum)
		case short[e.ID] && n < in.Quorum && eligible > n:
			t.Fatalf("entry %s reported short with %d of %d eligible judges used", e.ID, n, eligible)
		}
	}
	if wantBalance {
		for cat, ls := range load {
			lo, hi := -1, -1
			for _, l := range ls {
				if lo < 0 || l < lo {
					lo = l
				}
				if l > hi {
					hi = l
				}
			}
			if hi-lo > 1 {
				t.Fatalf("category %s: loads range %d..%d, want within one", cat, lo, hi)
			}
		}
	}
	// Co-judging graph per category is connected when the quorum allows it.
	if in.Quorum >= 2 {
		for cat, js := range panels {
			if len(js) < 2 {
				continue
			}
			adj := map[string]map[string]bool{}
			used := map[string]bool{}
			for eid, jset := range on {
				if cats[eid] != cat {
					continue
				}
				var list []string
				for j := range jset {
					if js[j] {
						list = append(list, j)
						used[j] = true
					}
				}
				for _, a := range list {
					for _, b := range list {
						if a != b {
							if adj[a] == nil {
								adj[a] = map[string]bool{}
							}
							adj[a][b] = true
						}
					}
				}
			}
			if len(used) == 0 {
				continue
			}
			var start string
			for j := range used {
				start = j
				break
			}
			seen := map[string]bool{start: true}
			stack := []string{start}
			for len(stack) > 0 {
				x := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				for y := range adj[x] {
					if !seen[y] {
						seen[y] = true
						stack = append(stack, y)
					}
				}
			}
			if len(seen) != len(used) {
				t.Fatalf("category %s: co-judging graph has %d of %d judges connected", cat, len(seen), len(used))
			}
		}
	}
}

func countFixed(fixed []Pair, entryID string) int {
	n := 0
	for _, p := range fixed {
		if p.EntryID == entryID {
			n++
		}
	}
	return n
}

// TestAssignProperties checks every invariant over many random problems:
// quorum (or reported short only when the eligible judges run out), no
// conflicts, panels respected, no judge twice, loads within one per
// category, a connected co-judging graph.
func TestAssignProperties(t *testing.T) {
	cases := []assignCase{
		{entries: 40, judges: 7, cats: 1, quorum: 3},
		{entries: 97, judges: 12, cats: 3, quorum: 2},
		{entries: 200, judges: 20, cats: 4, quorum: 3, conflictRate: 0.05},
		{entries: 150, judges: 15, cats: 3, quorum: 3, conflictRate: 0.02, multiPanel: true},
		{entries: 31, judges: 4, cats: 1, quorum: 4, conflictRate: 0.1}, // some entries must go short
		{entries: 10, judges: 30, cats: 2, quorum: 5},
		{entries: 1, judges: 1, cats: 1, quorum: 3},
		{entries: 0, judges: 5, cats: 1, quorum: 3},
		{entries: 5, judges: 0, cats: 1, quorum: 3},
	}
	for ci, c := range cases {
		for seed := uint64(0); seed < 20; seed++ {
			t.Run(fmt.Sprintf("case%d/seed%d", ci, seed), func(t *testing.T) {
				rng := rand.New(rand.NewPCG(seed, uint64(ci)))
				in := c.build(rng)
				out := Assign(in)
				// Balance is promised whenever conflicts allow it; with
				// multi-panel judges it holds per category.
				checkInvariants(t, in, out, c.conflictRate <= 0.05 && c.quorum < c.judges/max(c.cats, 1))
				// Deterministic.
				again := Assign(in)
				if fmt.Sprint(again) != fmt.Sprint(out) {
					t.Fatalf("Assign is not deterministic")
				}
			})
		}
	}
}

// TestAssignDropOut removes a judge after part of the work was submitted:
// their submitted pairs stay (fixed, counted toward the quorum), their
// unscored entries go to others, and nothing already made is moved.
func TestAssignDropOut(t *testing.T) {
	for seed := uint64(0); seed < 20; seed++ {
		rng := rand.New(rand.NewPCG(seed, 99))
		c := assignCase{entries: 120, judges: 10, cats: 2, quorum: 3, conflictRate: 0.03}
		in := c.build(rng)
		first := Assign(in)
		drop := in.Judges[int(seed)%len(in.Judges)].ID
		var fixed []Pair
		submitted := map[Pair]bool{}
		for _, p := range first.Added {
			scored := rng.IntN(2) == 0
			if p.JudgeID == drop && !scored {
				continue // unscored work of the leaving judge is released
			}
			if scored {
				submitted[p] = true
			}
			fixed = append(fixed, p)
		}
		var judges []AssignJudge
		for _, j := range in.Judges {
			if j.ID != drop {
				judges = append(judges, j)
			}
		}
		in2 := in
		in2.Judges, in2.Fixed = judges, fixed
		second := Assign(in2)
		for _, p := range second.Added {
			if p.JudgeID == drop {
				t.Fatalf("dropped judge reassigned: %+v", p)
			}
		}
		checkInvariants(t, in2, second, false)
		for _, e := range in.Entries {
			n := 0
			for _, p := range append(append([]Pair{}, fixed...), second.Added...) {
				if p.EntryID == e.ID {
					n++
				}
			}
			if n < in.Quorum && !contains(second.Short, e.ID) {
				t.Fatalf("entry %s left with %d judges after the drop-out", e.ID, n)
			}
		}
	}
}

func contains(ss []string, s string) bool { return containsString(ss, s) }

// TestAssignSpeed is the bar as a test: 10,000 entries × 100 judges
// with quorum 5 in under a second (generous under -race).
func TestAssignSpeed(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	in := assignCase{entries: 10000, judges: 100, cats: 4, quorum: 5, conflictRate: 0.01}.build(rand.New(rand.NewPCG(1, 2)))
	start := time.Now()
	out := Assign(in)
	took := time.Since(start)
	if len(out.Added) != 10000*5 {
		t.Fatalf("added %d pairs, want 50000 (short %d)", len(out.Added), len(out.Short))
	}
	limit := time.Second
	if raceEnabled {
		limit = 10 * time.Second
	}
	if took > limit {
		t.Fatalf("Assign took %v for 10,000 × 100 × 5, want < %v", took, limit)
	}
	t.Logf("Assign 10,000 entries × 100 judges, quorum 5: %v", took)
}

func BenchmarkAssign(b *testing.B) {
	for _, c := range []struct {
		name string
		c    assignCase
	}{
		{"10000x100_q5_one_panel", assignCase{entries: 10000, judges: 100, cats: 1, quorum: 5, conflictRate: 0.01}},
		{"10000x100_q5_four_panels", assignCase{entries: 10000, judges: 100, cats: 4, quorum: 5, conflictRate: 0.01}},
	} {
		in := c.c.build(rand.New(rand.NewPCG(1, 2)))
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				Assign(in)
			}
		})
	}
}
