package app

import (
	"context"
	"errors"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/tessera/tessera/internal/contest"
	"github.com/tessera/tessera/internal/db"
)

// ConflictInput declares a conflict: with an entry, an entrant, an
// organisation or a country (exactly one).
type ConflictInput struct {
	EntryID      string `json:"entry_id"`
	EntrantID    string `json:"entrant_id"`
	Organisation string `json:"organisation"`
	Country      string `json:"country"`
}

// ConflictView is a conflict as its viewer may see it: a judge sees only
// their own declarations with where they stand (and the organizer's note on
// the decision), never a recusal or its reason, nor which or how many
// entries a declaration touches. Organizers see every conflict and, for a
// declaration awaiting them, the entries it would take from the judge.
type ConflictView struct {
	ID           string                 `json:"id"`
	JudgeID      string                 `json:"judge_id"`
	EntryID      string                 `json:"entry_id,omitempty"`
	EntrantID    string                 `json:"entrant_id,omitempty"`
	Organisation string                 `json:"organisation,omitempty"`
	Country      string                 `json:"country,omitempty"`
	Source       contest.ConflictSource `json:"source"`
	Status       contest.ConflictStatus `json:"status"`
	Note         string                 `json:"note,omitempty"`
	Reason       string                 `json:"reason,omitempty"`
	// Affects lists, for organizers, the entries a pending declaration
	// would take from its judge once confirmed.
	Affects []ConflictEntryView `json:"affects,omitempty"`
}

// ConflictEntryView names an entry a declaration would touch.
type ConflictEntryView struct {
	ID    string `json:"id"`
	Title string `json:"title"`
}

func toConflictView(c contest.Conflict, withReason bool) ConflictView {
	v := ConflictView{ID: c.ID, JudgeID: c.JudgeID, EntryID: c.EntryID, EntrantID: c.EntrantID, Organisation: c.Organisation, Country: c.Country,
		Source: c.Source, Status: c.Status, Note: c.Note}
	if withReason {
		v.Reason = c.Reason
	}
	return v
}

// DeclareConflict records a conflict the calling judge declares, pending:
// it changes nothing (queue, entries, assignment) until an organizer
// confirms it, so that declaring and watching what leaves the queue tells
// a judge nothing. Naming an entry or entrant the judge cannot otherwise
// see is allowed and reveals nothing about whether it exists.
func (a *App) DeclareConflict(ctx context.Context, acc Access, in ConflictInput) (ConflictView, error) {
	if err := acc.Require(contest.RoleJudge); err != nil {
		return ConflictView{}, err
	}
	c := contest.Conflict{CompetitionID: acc.Competition.ID, JudgeID: acc.User.ID, EntryID: strings.TrimSpace(in.EntryID), EntrantID: strings.TrimSpace(in.EntrantID),
		Organisation: strings.TrimSpace(in.Organisation), Country: strings.ToUpper(strings.TrimSpace(in.Country)), Source: contest.ConflictDeclared,
		Status: contest.ConflictPending}
	if err := c.Validate(); err != nil {
		return ConflictView{}, err
	}
	if len(c.Organisation) > 200 || len(c.Country) > 2 {
		return ConflictView{}, &contest.FieldError{Fields: map[string]string{"target": "conflict.target_invalid"}}
	}
	// An entry must be of this competition and an entrant must exist; both
	// are refused the same way otherwise.
	if c.EntryID != "" {
		e, err := a.DB.Entry(ctx, c.EntryID)
		if err != nil || e.CompetitionID != acc.Competition.ID {
			return ConflictView{}, &contest.FieldError{Fields: map[string]string{"entry_id": "conflict.target_invalid"}}
		}
	}
	if c.EntrantID != "" {
		if _, err := a.DB.UserByID(ctx, c.EntrantID); err != nil {
			return ConflictView{}, &contest.FieldError{Fields: map[string]string{"entrant_id": "conflict.target_invalid"}}
		}
	}
	if err := a.DB.AddConflict(ctx, &c, acc.User.ID); err != nil {
		return ConflictView{}, err
	}
	return toConflictView(c, false), nil
}

// MyConflicts lists the calling judge's own declarations with their status
// (recusals are not shown to the judge).
func (a *App) MyConflicts(ctx context.Context, acc Access) ([]ConflictView, error) {
	if err := acc.Require(contest.RoleJudge); err != nil {
		return nil, err
	}
	cs, err := a.DB.Conflicts(ctx, acc.Competition.ID, acc.User.ID)
	if err != nil {
		return nil, err
	}
	out := []ConflictView{}
	for _, c := range cs {
		if c.Source == contest.ConflictDeclared {
			out = append(out, toConflictView(c, false))
		}
	}
	return out, nil
}

// WithdrawConflict removes one of the calling judge's declarations while it
// awaits the organizer. A confirmed or declined one is only lifted by an
// organizer (ErrForbidden); any other id is ErrNotFound.
func (a *App) WithdrawConflict(ctx context.Context, acc Access, id string) error {
	if err := acc.Require(contest.RoleJudge); err != nil {
		return err
	}
	return a.DB.WithdrawConflict(ctx, acc.Competition.ID, id, acc.User.ID)
}

// ConflictDecision is an organizer's word on a judge's declaration.
type ConflictDecision struct {
	Note string `json:"note"`
}

// ConfirmConflict puts a judge's pending declaration into effect: from now
// on the judge is never assigned, shown or allowed to score the entries it
// names. Organizers only; audited.
func (a *App) ConfirmConflict(ctx context.Context, acc Access, id string, in ConflictDecision) (ConflictView, error) {
	return a.decideConflict(ctx, acc, id, contest.ConflictConfirmed, in)
}

// DeclineConflict refuses a judge's pending declaration with a note the
// judge sees; it never takes effect. Organizers only; audited.
func (a *App) DeclineConflict(ctx context.Context, acc Access, id string, in ConflictDecision) (ConflictView, error) {
	return a.decideConflict(ctx, acc, id, contest.ConflictDeclined, in)
}

func (a *App) decideConflict(ctx context.Context, acc Access, id string, status contest.ConflictStatus, in ConflictDecision) (ConflictView, error) {
	if err := acc.Require(contest.RoleOrganizer); err != nil {
		return ConflictView{}, err
	}
	note := strings.TrimSpace(in.Note)
	if utf8.RuneCountInString(note) > 1000 {
		return ConflictView{}, &contest.FieldError{Fields: map[string]string{"note": "field.too_long"}}
	}
	c, err := a.DB.DecideConflict(ctx, acc.Competition.ID, id, status, note, acc.User.ID)
	if err != nil {
		return ConflictView{}, err
	}
	return toConflictView(c, true), nil
}

// RecuseInput takes a judge off an entry without telling them why.
type RecuseInput struct {
	JudgeID string `json:"judge_id"`
	EntryID string `json:"entry_id"`
	Reason  string `json:"reason"`
}

// Recuse records an organizer's recusal of a judge from an entry and
// releases the judge's unsubmitted assignment to it.
func (a *App) Recuse(ctx context.Context, acc Access, in RecuseInput) (ConflictView, error) {
	if err := acc.Require(contest.RoleOrganizer); err != nil {
		return ConflictView{}, err
	}
	var fe contest.FieldError
	e, err := a.DB.Entry(ctx, in.EntryID)
	if err != nil || e.CompetitionID != acc.Competition.ID {
		fe.Add("entry_id", "conflict.target_invalid")
	}
	if !a.isJudge(ctx, acc.Competition.ID, in.JudgeID) {
		fe.Add("judge_id", "judge.unknown")
	}
	if err := fe.Err(); err != nil {
		return ConflictView{}, err
	}
	c := contest.Conflict{CompetitionID: acc.Competition.ID, JudgeID: in.JudgeID, EntryID: e.ID, Source: contest.ConflictRecusal, Reason: strings.TrimSpace(in.Reason)}
	if err := a.DB.AddConflict(ctx, &c, acc.User.ID); err != nil {
		return ConflictView{}, err
	}
	rs, err := a.DB.Rounds(ctx, acc.Competition.ID)
	if err != nil {
		return ConflictView{}, err
	}
	for _, r := range rs {
		if r.State(a.Now()) == contest.RoundClosed {
			continue
		}
		if err := a.DB.RemoveAssignment(ctx, acc.Competition.ID, r.ID, e.ID, in.JudgeID, acc.User.ID); err != nil && !isNotFoundOrConflict(err) {
			return ConflictView{}, err
		}
	}
	return toConflictView(c, true), nil
}

// Conflicts lists every declaration and recusal, with the entries each
// pending declaration would take from its judge. Organizers only.
func (a *App) Conflicts(ctx context.Context, acc Access) ([]ConflictView, error) {
	if err := acc.Require(contest.RoleOrganizer); err != nil {
		return nil, err
	}
	cs, err := a.DB.Conflicts(ctx, acc.Competition.ID, "")
	if err != nil {
		return nil, err
	}
	var candidates []db.ConflictCandidate
	if slices.ContainsFunc(cs, func(c contest.Conflict) bool { return c.Status == contest.ConflictPending }) {
		if candidates, err = a.DB.ConflictCandidates(ctx, acc.Competition.ID); err != nil {
			return nil, err
		}
	}
	out := make([]ConflictView, len(cs))
	for i, c := range cs {
		out[i] = toConflictView(c, true)
		if c.Status != contest.ConflictPending {
			continue
		}
		for _, e := range candidates {
			if c.Matches(e.ConflictEntry) {
				out[i].Affects = append(out[i].Affects, ConflictEntryView{ID: e.ID, Title: e.Title})
			}
		}
	}
	return out, nil
}

// RemoveConflict lifts any conflict or recusal. Organizers only.
func (a *App) RemoveConflict(ctx context.Context, acc Access, id string) error {
	if err := acc.Require(contest.RoleOrganizer); err != nil {
		return err
	}
	return a.DB.DeleteConflict(ctx, acc.Competition.ID, id, "", acc.User.ID)
}

// SetConflictCountry turns the same-country rule on or off. Organizers only.
func (a *App) SetConflictCountry(ctx context.Context, acc Access, on bool) error {
	if err := acc.Require(contest.RoleOrganizer); err != nil {
		return err
	}
	return a.DB.SetConflictCountry(ctx, acc.Competition.ID, on, acc.User.ID)
}

// conflictIndex answers "is this judge conflicted with this entry" for a
// batch of entries.
type conflictIndex struct {
	judge       contest.ConflictJudge
	declared    []contest.Conflict
	entries     map[string]contest.ConflictEntry
	sameCountry bool
}

// loadConflicts gathers what deciding the judge's conflicts with the
// entries needs: the judge as they joined the competition (their profile
// now would let them probe by editing it), their conflicts, the rule.
func (a *App) loadConflicts(ctx context.Context, competitionID, judgeID string, entryIDs []string) (conflictIndex, error) {
	ci := conflictIndex{judge: contest.ConflictJudge{ID: judgeID}, entries: map[string]contest.ConflictEntry{}}
	judges, err := a.DB.JudgeProfiles(ctx, competitionID)
	if err != nil {
		return ci, err
	}
	if j, ok := judges[judgeID]; ok {
		ci.judge = j
	}
	if ci.declared, err = a.DB.Conflicts(ctx, competitionID, judgeID); err != nil {
		return ci, err
	}
	if ci.sameCountry, err = a.DB.ConflictCountry(ctx, competitionID); err != nil {
		return ci, err
	}
	ces, err := a.DB.ConflictEntries(ctx, entryIDs)
	if err != nil {
		return ci, err
	}
	for _, ce := range ces {
		ci.entries[ce.ID] = ce
	}
	return ci, nil
}

func (ci conflictIndex) reason(entryID string) contest.ConflictReason {
	ce, ok := ci.entries[entryID]
	if !ok {
		ce = contest.ConflictEntry{ID: entryID}
	}
	return contest.FindConflict(ci.judge, ce, ci.declared, ci.sameCountry)
}

func (a *App) isJudge(ctx context.Context, competitionID, userID string) bool {
	if userID == "" {
		return false
	}
	roles, err := a.DB.Roles(ctx, competitionID, userID)
	if err != nil {
		return false
	}
	for _, r := range roles {
		if r == contest.RoleJudge {
			return true
		}
	}
	return false
}

func isNotFoundOrConflict(err error) bool {
	return errors.Is(err, contest.ErrNotFound) || errors.Is(err, contest.ErrConflict)
}
