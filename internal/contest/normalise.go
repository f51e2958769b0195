package contest

import (
	"math"
	"sort"
)

// JudgeTotal is one judge's submitted total for one entry.
type JudgeTotal struct {
	EntryID  string
	JudgeID  string
	Total    float64 // 0–100
	TopMarks int     // criteria marked at the top of their scale
}

// ResultEntry is an entry being ranked, in its category.
type ResultEntry struct {
	ID         string
	CategoryID string
}

// ResultOptions are a round's result settings.
type ResultOptions struct {
	Quorum       int
	MinScores    int     // judges with fewer totals are left out of normalisation
	Disagreement float64 // spread (max − min) of totals above which an entry is flagged
	RankBy       RankBy
	TieBreaks    []TieBreak
	// Decisions orders entries the rules leave tied: a lower number ranks
	// higher. Only used when TieBreaks holds TieDecision.
	Decisions map[string]int
}

// Result is one entry's line in a round's results.
type Result struct {
	EntryID    string
	CategoryID string
	Raw        float64  // mean of the judges' totals, 0–100, rounded to 0.01
	Normalised *float64 // mean of the judges' z-scores rescaled to 0–100; nil when no judge qualifies
	Scores     int      // judges who submitted
	Quorum     int
	Spread     float64 // max − min of the totals
	Disagree   bool
	TopMarks   int
	// Rank is the place within the category (1-based; entries the rules
	// cannot separate share it); 0 when unscored. CategoryRank is the same
	// number, kept for readability at call sites that mix categories.
	Rank         int
	CategoryRank int
	Tied         bool   // shares its rank with another entry
	RankedBy     RankBy // the score the rank follows
}

// RankingScore is the score the round ranks by, and whether there is one.
func (r Result) RankingScore() (float64, bool) {
	return r.score(RankRaw, r.RankedBy)
}

func (r Result) score(def RankBy, by RankBy) (float64, bool) {
	if by == "" {
		by = def
	}
	if by == RankNormalised {
		if r.Normalised == nil {
			return 0, false
		}
		return *r.Normalised, true
	}
	return r.Raw, r.Scores > 0
}

// ComputeResults turns submitted totals into per-category results: the raw
// weighted mean, the normalised score (each qualifying judge's totals as
// z-scores against that judge's own mean and spread, averaged per entry and
// rescaled to the round's overall mean and spread of totals), the count
// against the quorum, and the disagreement flag; then ranks each category by
// opts.RankBy with the declared tie-breaks. Results come category by
// category in the order of entries, best first within each.
func ComputeResults(entries []ResultEntry, totals []JudgeTotal, opts ResultOptions) []Result {
	idx := make(map[string]int, len(entries))
	res := make([]Result, len(entries))
	for i, e := range entries {
		idx[e.ID] = i
		res[i] = Result{EntryID: e.ID, CategoryID: e.CategoryID, Quorum: opts.Quorum, RankedBy: opts.RankBy}
	}
	type acc struct {
		sum, sq float64
		n       int
	}
	judges := map[string]*acc{}
	var all acc
	mins := make([]float64, len(entries))
	maxs := make([]float64, len(entries))
	sums := make([]float64, len(entries))
	for _, t := range totals {
		i, ok := idx[t.EntryID]
		if !ok {
			continue
		}
		r := &res[i]
		if r.Scores == 0 || t.Total < mins[i] {
			mins[i] = t.Total
		}
		if r.Scores == 0 || t.Total > maxs[i] {
			maxs[i] = t.Total
		}
		r.Scores++
		r.TopMarks += t.TopMarks
		sums[i] += t.Total
		a := judges[t.JudgeID]
		if a == nil {
			a = &acc{}
			judges[t.JudgeID] = a
		}
		a.sum += t.Total
		a.sq += t.Total * t.Total
		a.n++
		all.sum += t.Total
		all.sq += t.Total * t.Total
		all.n++
	}
	// Per-judge mean and spread; z-scores averaged per entry.
	zsum := make([]float64, len(entries))
	zn := make([]int, len(entries))
	for _, t := range totals {
		i, ok := idx[t.EntryID]
		if !ok {
			continue
		}
		a := judges[t.JudgeID]
		if a.n < max(opts.MinScores, 1) {
			continue
		}
		mean := a.sum / float64(a.n)
		sd := math.Sqrt(math.Max(a.sq/float64(a.n)-mean*mean, 0))
		z := 0.0
		if sd > 1e-9 {
			z = (t.Total - mean) / sd
		}
		zsum[i] += z
		zn[i]++
	}
	var gMean, gSD float64
	if all.n > 0 {
		gMean = all.sum / float64(all.n)
		gSD = math.Sqrt(math.Max(all.sq/float64(all.n)-gMean*gMean, 0))
	}
	for i := range res {
		r := &res[i]
		if r.Scores > 0 {
			r.Raw = round2(sums[i] / float64(r.Scores))
			r.Spread = round2(maxs[i] - mins[i])
			r.Disagree = r.Scores > 1 && r.Spread > opts.Disagreement
		}
		if zn[i] > 0 {
			n := round2(math.Min(100, math.Max(0, gMean+gSD*zsum[i]/float64(zn[i]))))
			r.Normalised = &n
		}
	}
	rankResults(res, opts)
	return res
}

func round2(x float64) float64 { return math.Round(x*100) / 100 }

// rankResults sorts res by category (first appearance), then by ranking
// score with the tie-breaks, and numbers each category.
func rankResults(res []Result, opts ResultOptions) {
	type key struct {
		cat          int
		has          bool
		score, other float64
		top          int
		dec          int
		hasDec       bool
	}
	catOrder := map[string]int{}
	keys := make([]key, len(res))
	for i, r := range res {
		c, ok := catOrder[r.CategoryID]
		if !ok {
			c = len(catOrder)
			catOrder[r.CategoryID] = c
		}
		k := key{cat: c, top: r.TopMarks}
		k.score, k.has = r.score(RankRaw, opts.RankBy)
		if opts.RankBy == RankNormalised {
			k.other, _ = r.score(RankRaw, RankRaw)
		} else {
			k.other, _ = r.score(RankRaw, RankNormalised)
		}
		k.dec, k.hasDec = opts.Decisions[r.EntryID]
		keys[i] = k
	}
	// cmp returns <0 when a ranks above b, 0 when the rules cannot separate them.
	cmpKeys := func(a, b key) int {
		switch {
		case a.has != b.has:
			if a.has {
				return -1
			}
			return 1
		case a.score != b.score:
			if a.score > b.score {
				return -1
			}
			return 1
		case !a.has:
			return 0
		}
		for _, tb := range opts.TieBreaks {
			switch tb {
			case TieOtherScore:
				if a.other != b.other {
					if a.other > b.other {
						return -1
					}
					return 1
				}
			case TieTopMarks:
				if a.top != b.top {
					if a.top > b.top {
						return -1
					}
					return 1
				}
			case TieDecision:
				if a.hasDec && b.hasDec && a.dec != b.dec {
					if a.dec < b.dec {
						return -1
					}
					return 1
				}
			}
		}
		return 0
	}
	idx := make([]int, len(res))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(i, j int) bool {
		a, b := keys[idx[i]], keys[idx[j]]
		if a.cat != b.cat {
			return a.cat < b.cat
		}
		if c := cmpKeys(a, b); c != 0 {
			return c < 0
		}
		return res[idx[i]].EntryID < res[idx[j]].EntryID
	})
	sorted := make([]Result, len(res))
	sk := make([]key, len(res))
	for i, j := range idx {
		sorted[i], sk[i] = res[j], keys[j]
	}
	copy(res, sorted)
	start := 0 // index of the first result of the current category
	for i := range res {
		r := &res[i]
		if i > 0 && sk[i-1].cat != sk[i].cat {
			start = i
		}
		if !sk[i].has {
			r.Rank, r.CategoryRank = 0, 0
			continue
		}
		if i > start && res[i-1].Rank > 0 && cmpKeys(sk[i-1], sk[i]) == 0 {
			r.Rank = res[i-1].Rank
			r.Tied = true
			res[i-1].Tied = true
		} else {
			r.Rank = i - start + 1
		}
		r.CategoryRank = r.Rank
	}
}
