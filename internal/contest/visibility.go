package contest

// Viewer describes who is looking at an entry and the circumstances that
// decide what they may see. Every page and API response about an entry is
// built from the Visibility it yields.
type Viewer struct {
	SignedIn   bool
	Owner      bool // the entrant who made the entry
	Organizer  bool
	Judge      bool // holds the judge role in the entry's competition
	Conflicted bool // judge has a conflict with this entry
	Blind      bool // the current round is blind
	Announced  bool // results are public now
	Awarded    bool // the entry won a prize
	Published  bool // the entrant consented to publication (or the default allows it)
	Submitted  bool // the entry is submitted (judges see nothing else)
}

// Visibility is what a viewer may see of one entry.
type Visibility struct {
	Entry       bool // title, statement, category
	Entrant     bool // entrant's name, organisation, country
	Original    bool // the untouched uploaded file
	Derivatives bool // thumbnails and previews with metadata removed
	Scores      bool // marks and ranking
	Outcome     bool // awards
	Score       bool // may record a score
}

// See is the visibility policy: the one place that decides who sees what of
// an entry.
func See(v Viewer) Visibility {
	switch {
	case v.Organizer:
		return Visibility{Entry: true, Entrant: true, Original: true, Derivatives: true, Scores: true, Outcome: true}
	case v.Owner:
		return Visibility{Entry: true, Entrant: true, Original: true, Derivatives: true, Outcome: v.Announced}
	case v.Judge:
		if v.Conflicted || !v.Submitted {
			return Visibility{}
		}
		return Visibility{Entry: true, Entrant: !v.Blind, Derivatives: true, Score: true, Outcome: v.Announced}
	default:
		if v.Announced && v.Awarded && v.Published {
			return Visibility{Entry: true, Entrant: true, Derivatives: true, Outcome: true}
		}
		return Visibility{}
	}
}
