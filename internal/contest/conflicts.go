package contest

import "strings"

// ConflictSource says where a conflict comes from.
type ConflictSource string

// Conflict sources. A recusal is set by an organizer and its reason is never
// shown to the judge.
const (
	ConflictDeclared  ConflictSource = "declared"
	ConflictRecusal   ConflictSource = "recusal"
	ConflictAutomatic ConflictSource = "automatic"
)

// ConflictStatus is where a conflict stands. A judge's declaration is
// pending until an organizer confirms or declines it; a recusal is
// confirmed from the start. Only a confirmed conflict is in effect: were a
// declaration to hide entries at once, a judge in a blind round could
// declare a country, watch which entries leave their queue, withdraw and
// try the next.
type ConflictStatus string

// Conflict statuses.
const (
	ConflictPending   ConflictStatus = "pending"
	ConflictConfirmed ConflictStatus = "confirmed"
	ConflictDeclined  ConflictStatus = "declined"
)

// Conflict is one declared conflict or recusal: with an entry, an entrant,
// an organisation or a country (exactly one is set).
type Conflict struct {
	ID            string
	CompetitionID string
	JudgeID       string
	EntryID       string
	EntrantID     string
	Organisation  string
	Country       string
	Source        ConflictSource
	Reason        string
	Status        ConflictStatus
	// Note is the organizer's word to the judge on confirming or
	// declining a declaration.
	Note string
}

// InEffect reports whether the conflict keeps its judge from entries: only
// once confirmed.
func (c Conflict) InEffect() bool { return c.Status == ConflictConfirmed }

// Matches reports whether the conflict names entry e: the entry itself,
// its entrant, or the entrant's organisation or country (whatever its
// status).
func (c Conflict) Matches(e ConflictEntry) bool {
	return (c.EntryID != "" && c.EntryID == e.ID) ||
		(c.EntrantID != "" && c.EntrantID == e.EntrantID) ||
		sameText(c.Organisation, e.Organisation) ||
		sameText(c.Country, e.Country)
}

// Validate checks that exactly one target is named.
func (c Conflict) Validate() error {
	n := 0
	for _, s := range []string{c.EntryID, c.EntrantID, c.Organisation, c.Country} {
		if strings.TrimSpace(s) != "" {
			n++
		}
	}
	if n != 1 {
		return &FieldError{Fields: map[string]string{"target": "conflict.target_invalid"}}
	}
	return nil
}

// ConflictJudge is what conflict detection knows about a judge: their
// organisation and country as they were when they joined the competition,
// not as their profile says now (a judge who could change their country
// and watch their queue would learn where blind entries come from).
type ConflictJudge struct {
	ID           string
	Organisation string
	Country      string
}

// ConflictEntry is what conflict detection knows about an entry.
type ConflictEntry struct {
	ID           string
	EntrantID    string
	Organisation string // the entrant's
	Country      string // the entrant's
	NominatedBy  string
}

// ConflictReason names why a judge may not see an entry; "" means none.
type ConflictReason string

// Conflict reasons.
const (
	ReasonNone         ConflictReason = ""
	ReasonOwnEntry     ConflictReason = "own_entry"
	ReasonNominated    ConflictReason = "nominated"
	ReasonOrganisation ConflictReason = "organisation"
	ReasonCountry      ConflictReason = "country"
	ReasonDeclared     ConflictReason = "declared"
	ReasonRecused      ConflictReason = "recused"
)

// FindConflict decides whether judge j is conflicted with entry e, from the
// declared conflicts and recusals (of any judges; only j's confirmed ones
// are considered) and the automatic rules: the judge's own entry, an entry
// they nominated, the same organisation, and the same country when
// sameCountry is set.
func FindConflict(j ConflictJudge, e ConflictEntry, declared []Conflict, sameCountry bool) ConflictReason {
	switch {
	case e.EntrantID != "" && e.EntrantID == j.ID:
		return ReasonOwnEntry
	case e.NominatedBy != "" && e.NominatedBy == j.ID:
		return ReasonNominated
	case sameText(j.Organisation, e.Organisation):
		return ReasonOrganisation
	case sameCountry && sameText(j.Country, e.Country):
		return ReasonCountry
	}
	for _, c := range declared {
		if c.JudgeID != j.ID || !c.InEffect() || !c.Matches(e) {
			continue
		}
		if c.Source == ConflictRecusal {
			return ReasonRecused
		}
		return ReasonDeclared
	}
	return ReasonNone
}

// sameText compares two non-empty names ignoring case and surrounding space.
func sameText(a, b string) bool {
	a, b = strings.TrimSpace(a), strings.TrimSpace(b)
	return a != "" && strings.EqualFold(a, b)
}
