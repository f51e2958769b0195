package app

import (
	"context"
	"errors"
	"strings"

	"github.com/tessera/tessera/internal/contest"
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
// their own declarations, never a recusal or its reason.
type ConflictView struct {
	ID           string                 `json:"id"`
	JudgeID      string                 `json:"judge_id"`
	EntryID      string                 `json:"entry_id,omitempty"`
	EntrantID    string                 `json:"entrant_id,omitempty"`
	Organisation string                 `json:"organisation,omitempty"`
	Country      string                 `json:"country,omitempty"`
	Source       contest.ConflictSource `json:"source"`
	Reason       string                 `json:"reason,omitempty"`
}

func toConflictView(c contest.Conflict, withReason bool) ConflictView {
	v := ConflictView{ID: c.ID, JudgeID: c.JudgeID, EntryID: c.EntryID, EntrantID: c.EntrantID, Organisation: c.Organisation, Country: c.Country, Source: c.Source}
	if withReason {
		v.Reason = c.Reason
	}
	return v
}

// DeclareConflict records a conflict the calling judge declares. Naming an
// entry or entrant the judge cannot otherwise see is allowed (it only ever
// hides things) and reveals nothing about whether it exists.
func (a *App) DeclareConflict(ctx context.Context, acc Access, in ConflictInput) (ConflictView, error) {
	if err := acc.Require(contest.RoleJudge); err != nil {
		return ConflictView{}, err
	}
	c := contest.Conflict{CompetitionID: acc.Competition.ID, JudgeID: acc.User.ID, EntryID: strings.TrimSpace(in.EntryID), EntrantID: strings.TrimSpace(in.EntrantID),
		Organisation: strings.TrimSpace(in.Organisation), Country: strings.ToUpper(strings.TrimSpace(in.Country)), Source: contest.ConflictDeclared}
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

// MyConflicts lists the calling judge's own declarations (recusals are not
// shown to the judge).
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

// WithdrawConflict removes one of the calling judge's declarations.
func (a *App) WithdrawConflict(ctx context.Context, acc Access, id string) error {
	if err := acc.Require(contest.RoleJudge); err != nil {
		return err
	}
	return a.DB.DeleteConflict(ctx, acc.Competition.ID, id, acc.User.ID, acc.User.ID)
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

// Conflicts lists every declaration and recusal. Organizers only.
func (a *App) Conflicts(ctx context.Context, acc Access) ([]ConflictView, error) {
	if err := acc.Require(contest.RoleOrganizer); err != nil {
		return nil, err
	}
	cs, err := a.DB.Conflicts(ctx, acc.Competition.ID, "")
	if err != nil {
		return nil, err
	}
	out := make([]ConflictView, len(cs))
	for i, c := range cs {
		out[i] = toConflictView(c, true)
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
	declared    []contest.Conflict
	entries     map[string]contest.ConflictEntry
	sameCountry bool
}

func (a *App) loadConflicts(ctx context.Context, competitionID, judgeID string, entryIDs []string) (conflictIndex, error) {
	ci := conflictIndex{entries: map[string]contest.ConflictEntry{}}
	var err error
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

func (ci conflictIndex) reason(j contest.User, entryID string) contest.ConflictReason {
	ce, ok := ci.entries[entryID]
	if !ok {
		ce = contest.ConflictEntry{ID: entryID}
	}
	return contest.FindConflict(contest.ConflictJudge{ID: j.ID, Organisation: j.Organisation, Country: j.Country}, ce, ci.declared, ci.sameCountry)
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
