package contest

import "sort"

// AssignEntry is an entry to be judged, in its category.
type AssignEntry struct {
	ID         string
	CategoryID string
}

// AssignJudge is a judge of the round and the categories (panels) they
// judge; no categories means every category of the round.
type AssignJudge struct {
	ID          string
	CategoryIDs []string
}

// Pair is one judge assigned to one entry.
type Pair struct {
	EntryID string
	JudgeID string
}

// AssignInput is everything automatic assignment considers.
type AssignInput struct {
	Entries []AssignEntry
	Judges  []AssignJudge
	Quorum  int
	// Conflicts are pairs that must never be made (declared, automatic and
	// recusals alike).
	Conflicts []Pair
	// Fixed pairs are kept as they are (judges who already scored, the
	// organizer's own choices); they count toward each entry's quorum and,
	// when their judge is in Judges, toward that judge's load. A fixed pair
	// whose judge is not in Judges (a judge who dropped out after submitting)
	// still counts toward the quorum.
	Fixed []Pair
}

// AssignOutput is what automatic assignment adds.
type AssignOutput struct {
	Added []Pair   // new pairs, entry by entry in input order
	Short []string // entries left below quorum: too few judges without a conflict
}

// Assign gives every entry its quorum of judges from its category's panel,
// never a conflicted judge and never the same judge twice, keeping every
// fixed pair. Within each category the judges' loads (fixed pairs included)
// differ by at most one whenever conflicts allow it, and judges are paired
// with as many different co-judges as possible so that every judge's marks
// can be compared with others' (the co-judging graph of a panel is connected
// when the quorum is at least two). The result depends only on the input
// order, never on chance.
//
// It is a pure function; the cost is about entries × panel size × quorum.
func Assign(in AssignInput) AssignOutput {
	var out AssignOutput
	if in.Quorum < 1 {
		return out
	}
	// Entries by category, keeping input order.
	var cats []string
	byCat := map[string][]int{}
	for i, e := range in.Entries {
		if _, ok := byCat[e.CategoryID]; !ok {
			cats = append(cats, e.CategoryID)
		}
		byCat[e.CategoryID] = append(byCat[e.CategoryID], i)
	}
	conflicts := make(map[string]map[string]bool, len(in.Conflicts))
	for _, p := range in.Conflicts {
		if conflicts[p.EntryID] == nil {
			conflicts[p.EntryID] = map[string]bool{}
		}
		conflicts[p.EntryID][p.JudgeID] = true
	}
	fixed := map[string][]string{}
	for _, p := range in.Fixed {
		fixed[p.EntryID] = append(fixed[p.EntryID], p.JudgeID)
	}
	added := make([][]string, len(in.Entries))
	short := make([]bool, len(in.Entries))
	for _, cat := range cats {
		var panel []string
		for _, j := range in.Judges {
			if len(j.CategoryIDs) == 0 || containsString(j.CategoryIDs, cat) {
				panel = append(panel, j.ID)
			}
		}
		assignPanel(in, byCat[cat], panel, conflicts, fixed, added, short)
	}
	for i, e := range in.Entries {
		for _, j := range added[i] {
			out.Added = append(out.Added, Pair{EntryID: e.ID, JudgeID: j})
		}
		if short[i] {
			out.Short = append(out.Short, e.ID)
		}
	}
	return out
}

// panelState is one category's assignment in progress, with judges as
// indexes into the panel.
type panelState struct {
	n      int
	load   []int
	pairs  []int32 // n×n co-judging counts
	on     [][]int // entry (position in the category) → judges, fixed first
	nfix   []int   // how many of on[k] are fixed
	banned []map[int]bool
}

func assignPanel(in AssignInput, entries []int, panel []string, conflicts map[string]map[string]bool, fixed map[string][]string, added [][]string, short []bool) {
	n := len(panel)
	idx := make(map[string]int, n)
	for i, id := range panel {
		if _, dup := idx[id]; !dup {
			idx[id] = i
		}
	}
	st := panelState{n: n, load: make([]int, n), pairs: make([]int32, n*n), on: make([][]int, len(entries)), nfix: make([]int, len(entries)), banned: make([]map[int]bool, len(entries))}
	need := make([]int, len(entries))
	eligible := make([]int, len(entries))
	for k, ei := range entries {
		e := in.Entries[ei]
		for jid := range conflicts[e.ID] {
			if j, ok := idx[jid]; ok {
				if st.banned[k] == nil {
					st.banned[k] = map[int]bool{}
				}
				st.banned[k][j] = true
			}
		}
		have := 0
		seen := map[string]bool{}
		for _, jid := range fixed[e.ID] {
			if seen[jid] {
				continue
			}
			seen[jid] = true
			have++
			if j, ok := idx[jid]; ok {
				st.link(k, j)
				st.nfix[k]++
				if st.banned[k] == nil {
					st.banned[k] = map[int]bool{}
				}
				st.banned[k][j] = true // already on it
			}
		}
		need[k] = in.Quorum - have
		eligible[k] = n - len(st.banned[k])
	}
	// Most constrained entries first, so scarce judges go where they are needed.
	order := make([]int, len(entries))
	for k := range order {
		order[k] = k
	}
	sort.SliceStable(order, func(a, b int) bool { return eligible[order[a]] < eligible[order[b]] })

	cursor := 0
	for _, k := range order {
		for need[k] > 0 {
			best, bestLoad, bestPairs, bestRot := -1, 0, int32(0), 0
			for j := 0; j < n; j++ {
				if st.banned[k][j] {
					continue
				}
				l := st.load[j]
				if best >= 0 && l > bestLoad {
					continue
				}
				var p int32
				for _, o := range st.on[k] {
					p += st.pairs[j*n+o]
				}
				rot := (j - cursor + n) % n
				if best < 0 || l < bestLoad || (l == bestLoad && (p < bestPairs || (p == bestPairs && rot < bestRot))) {
					best, bestLoad, bestPairs, bestRot = j, l, p, rot
				}
			}
			if best < 0 {
				short[entries[k]] = true
				break
			}
			st.link(k, best)
			if st.banned[k] == nil {
				st.banned[k] = map[int]bool{}
			}
			st.banned[k][best] = true
			need[k]--
		}
		if n > 0 {
			cursor = (cursor + 1) % n
		}
	}
	st.rebalance(entries, in, conflicts, panel)
	for k, ei := range entries {
		for _, j := range st.on[k][st.nfix[k]:] {
			added[ei] = append(added[ei], panel[j])
		}
	}
}

func (st *panelState) link(k, j int) {
	for _, o := range st.on[k] {
		st.pairs[j*st.n+o]++
		st.pairs[o*st.n+j]++
	}
	st.on[k] = append(st.on[k], j)
	st.load[j]++
}

func (st *panelState) unlink(k, j int) {
	on := st.on[k]
	for i, o := range on {
		if o == j {
			st.on[k] = append(on[:i:i], on[i+1:]...)
			break
		}
	}
	for _, o := range st.on[k] {
		st.pairs[j*st.n+o]--
		st.pairs[o*st.n+j]--
	}
	st.load[j]--
}

// rebalance moves added (never fixed) pairs from the most to the least
// loaded judge while their loads differ by more than one and a move is
// allowed by the conflicts.
func (st *panelState) rebalance(entries []int, in AssignInput, conflicts map[string]map[string]bool, panel []string) {
	if st.n < 2 {
		return
	}
	for iter := 0; iter < len(entries)*st.n+1; iter++ {
		hi, lo := 0, 0
		for j := range st.load {
			if st.load[j] > st.load[hi] {
				hi = j
			}
			if st.load[j] < st.load[lo] {
				lo = j
			}
		}
		if st.load[hi]-st.load[lo] <= 1 {
			return
		}
		moved := false
		// Try every over-loaded judge against every under-loaded one.
		for _, from := range st.judgesAt(st.load[hi]) {
			for _, to := range st.judgesBelow(st.load[hi] - 1) {
				if st.move(entries, in, conflicts, panel, from, to) {
					moved = true
					break
				}
			}
			if moved {
				break
			}
		}
		if !moved {
			return // conflicts leave no allowed move
		}
	}
}

func (st *panelState) judgesAt(l int) []int {
	var js []int
	for j, x := range st.load {
		if x == l {
			js = append(js, j)
		}
	}
	return js
}

func (st *panelState) judgesBelow(l int) []int {
	var js []int
	for j, x := range st.load {
		if x < l {
			js = append(js, j)
		}
	}
	sort.SliceStable(js, func(a, b int) bool { return st.load[js[a]] < st.load[js[b]] })
	return js
}

func (st *panelState) move(entries []int, in AssignInput, conflicts map[string]map[string]bool, panel []string, from, to int) bool {
	for k, ei := range entries {
		added := st.on[k][st.nfix[k]:]
		has := false
		for _, j := range added {
			if j == from {
				has = true
			}
		}
		if !has {
			continue
		}
		if conflicts[in.Entries[ei].ID][panel[to]] {
			continue
		}
		already := false
		for _, j := range st.on[k] {
			if j == to {
				already = true
			}
		}
		if already {
			continue
		}
		st.unlink(k, from)
		delete(st.banned[k], from)
		st.link(k, to)
		st.banned[k][to] = true
		return true
	}
	return false
}

func containsString(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}
