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
	// Judging: a judge sees and scores only the entries assigned to them in
	// the current round; after submitting their own review they may see the
	// other judges' marks when the round allows it.
	Assigned         bool
	ReviewSubmitted  bool // the judge has submitted their own review of the entry
	PeerScoresOpened bool // the round lets judges see others' marks after submitting
	Finalist         bool // the entry reached the last round (shown in the gallery after the announcement)
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
	PeerScores  bool // the other judges' marks on the entry
}

// See is the visibility policy: the one place that decides who sees what of
// an entry.
func See(v Viewer) Visibility {
	// What the public sees: announced prize-winners and finalists whose
	// entrants consented. Nobody sees less than that.
	var public Visibility
	if v.Announced && (v.Awarded || v.Finalist) && v.Published {
		public = Visibility{Entry: true, Entrant: true, Derivatives: true, Outcome: true}
	}
	switch {
	case v.Organizer:
		return Visibility{Entry: true, Entrant: true, Original: true, Derivatives: true, Scores: true, Outcome: true}
	case v.Owner:
		return Visibility{Entry: true, Entrant: true, Original: true, Derivatives: true, Outcome: v.Announced}
	case v.Judge && !v.Conflicted && v.Submitted && v.Assigned:
		// A blind round hides the entrant from its judges until the
		// results name them publicly.
		return Visibility{Entry: true, Entrant: !v.Blind || public.Entrant, Derivatives: true, Score: true, Outcome: v.Announced,
			PeerScores: v.ReviewSubmitted && v.PeerScoresOpened}
	default:
		// Everyone else, judges without this entry included, sees what the
		// public sees.
		return public
	}
}
