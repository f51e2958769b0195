package app

import (
	"context"
	"errors"
	"slices"

	"github.com/tessera/tessera/internal/contest"
	"github.com/tessera/tessera/internal/db"
)

// judging is what the visibility policy needs about the caller as a judge
// of the active round, for a batch of entries. The zero value gives a
// judge nothing.
type judging struct {
	eligible   map[string]bool // on the judge's queue: assigned (or open panel), in the round
	conflicted map[string]bool
	submitted  map[string]bool // the judge submitted their review
	peerOpen   bool            // the round shows peers' marks after one's own submission
	finalists  map[string]bool
}

// apply fills the judging part of a policy input.
func (j judging) apply(e contest.Entry, v *contest.Viewer) {
	v.Assigned = j.eligible[e.ID]
	v.Conflicted = v.Conflicted || j.conflicted[e.ID]
	v.ReviewSubmitted = j.submitted[e.ID]
	v.PeerScoresOpened = j.peerOpen
	v.Finalist = j.finalists[e.ID]
}

// loadJudging fills ec.judging for the caller and es in the active round.
func (a *App) loadJudging(ctx context.Context, acc Access, ec *entryContext, es []contest.Entry) error {
	var err error
	j := judging{}
	if j.finalists, err = a.DB.Finalists(ctx, acc.Competition.ID); err != nil {
		return err
	}
	if acc.User != nil && acc.Has(contest.RoleJudge) && ec.round.ID != "" {
		if j.eligible, j.conflicted, err = a.eligibility(ctx, acc, ec.round, es); err != nil {
			return err
		}
		ids := entryIDs(es)
		if j.submitted, err = a.DB.ReviewStates(ctx, ec.round.ID, acc.User.ID, ids); err != nil {
			return err
		}
		for id, sub := range j.submitted {
			if !sub {
				delete(j.submitted, id)
			}
		}
		j.peerOpen = ec.round.ScoreVisibility == contest.PeerScoresAfterSubmit
	}
	ec.judging = j
	return nil
}

func entryIDs(es []contest.Entry) []string {
	ids := make([]string, len(es))
	for i, e := range es {
		ids[i] = e.ID
	}
	return ids
}

// panel returns whether a judge sits on a round and for which categories
// (nil: all). Until an organizer names a round's judges, every judge of the
// competition sits on every panel.
func (a *App) panel(ctx context.Context, r contest.Round, judgeID string) (bool, []string, error) {
	js, err := a.DB.RoundJudges(ctx, r.ID)
	if err != nil {
		return false, nil, err
	}
	if len(js) == 0 {
		return true, nil, nil
	}
	for _, j := range js {
		if j.JudgeID == judgeID {
			return j.Active, j.CategoryIDs, nil
		}
	}
	return false, nil, nil
}

// eligibility decides, for the calling judge and es in round r, which
// entries are theirs to judge and which they are conflicted with. Until a
// round has assignments, every panel judge judges every entry of the
// round's categories.
func (a *App) eligibility(ctx context.Context, acc Access, r contest.Round, es []contest.Entry) (eligible, conflicted map[string]bool, err error) {
	eligible, conflicted = map[string]bool{}, map[string]bool{}
	if len(es) == 0 {
		return eligible, conflicted, nil
	}
	ids := entryIDs(es)
	ci, err := a.loadConflicts(ctx, acc.Competition.ID, acc.User.ID, ids)
	if err != nil {
		return nil, nil, err
	}
	for _, e := range es {
		if ci.reason(e.ID) != contest.ReasonNone {
			conflicted[e.ID] = true
		}
	}
	has, err := a.DB.HasAssignments(ctx, r.ID)
	if err != nil {
		return nil, nil, err
	}
	var in map[string]bool
	if has {
		if in, err = a.DB.AssignedTo(ctx, r.ID, acc.User.ID, ids); err != nil {
			return nil, nil, err
		}
	} else {
		on, cats, err := a.panel(ctx, r, acc.User.ID)
		if err != nil {
			return nil, nil, err
		}
		in = map[string]bool{}
		if on {
			member, err := a.roundMembers(ctx, r, es)
			if err != nil {
				return nil, nil, err
			}
			for _, e := range es {
				if member[e.ID] && (len(cats) == 0 || slices.Contains(cats, e.CategoryID)) {
					in[e.ID] = true
				}
			}
		}
	}
	for _, e := range es {
		if in[e.ID] && !conflicted[e.ID] && e.Status == contest.EntrySubmitted {
			eligible[e.ID] = true
		}
	}
	return eligible, conflicted, nil
}

// roundMembers tells which of es round r judges.
func (a *App) roundMembers(ctx context.Context, r contest.Round, es []contest.Entry) (map[string]bool, error) {
	out := map[string]bool{}
	if r.Position <= 1 {
		for _, e := range es {
			if e.Status == contest.EntrySubmitted && e.CompetitionID == r.CompetitionID && r.Covers(e.CategoryID) {
				out[e.ID] = true
			}
		}
		return out, nil
	}
	all, err := a.DB.RoundEntries(ctx, r)
	if err != nil {
		return nil, err
	}
	for _, e := range all {
		out[e.ID] = true
	}
	return out, nil
}

// organizerRound loads a round of the caller's competition for an organizer.
func (a *App) organizerRound(ctx context.Context, acc Access, roundID string) (contest.Round, []contest.Criterion, error) {
	if err := acc.Require(contest.RoleOrganizer); err != nil {
		return contest.Round{}, nil, err
	}
	return a.DB.Round(ctx, acc.Competition.ID, roundID)
}

// PanelInput puts a judge on a round for some categories (none: all).
type PanelInput struct {
	JudgeID     string   `json:"judge_id"`
	CategoryIDs []string `json:"category_ids"`
}

// SetPanel puts a judge of the competition on a round's panels.
func (a *App) SetPanel(ctx context.Context, acc Access, roundID string, in PanelInput) error {
	r, _, err := a.organizerRound(ctx, acc, roundID)
	if err != nil {
		return err
	}
	var fe contest.FieldError
	if !a.isJudge(ctx, acc.Competition.ID, in.JudgeID) {
		fe.Add("judge_id", "judge.unknown")
	}
	for _, c := range in.CategoryIDs {
		if !r.Covers(c) || !a.categoryOf(ctx, acc.Competition.ID, c) {
			fe.Add("category_ids", "category.unknown")
		}
	}
	if err := fe.Err(); err != nil {
		return err
	}
	return a.DB.SetRoundJudge(ctx, acc.Competition.ID, r.ID, in.JudgeID, in.CategoryIDs, acc.User.ID)
}

func (a *App) categoryOf(ctx context.Context, competitionID, categoryID string) bool {
	cats, err := a.DB.Categories(ctx, competitionID)
	if err != nil {
		return false
	}
	for _, c := range cats {
		if c.ID == categoryID {
			return true
		}
	}
	return false
}

// AssignSummary reports an automatic assignment.
type AssignSummary struct {
	Added   int      `json:"added"`
	Short   []string `json:"short"` // entries left below quorum
	Judges  int      `json:"judges"`
	Entries int      `json:"entries"`
}

// autoAssignAttempts bounds how often AutoAssign computes again when the
// round moved on while it was computing; after that it answers
// ErrConflict ("try again").
const autoAssignAttempts = 5

// AutoAssign gives every entry of a round its quorum of judges, keeping
// every assignment already made and every submitted review (a review
// submitted before the round had assignments becomes its judge's
// assignment). It is computed from one state of the round and stored only
// if the round is still in that state, else computed again: runs that
// overlap each other, a removal, a drop-out or a submission never add
// pairs for a gap that is already filled.
func (a *App) AutoAssign(ctx context.Context, acc Access, roundID string) (AssignSummary, error) {
	r, _, err := a.organizerRound(ctx, acc, roundID)
	if err != nil {
		return AssignSummary{}, err
	}
	if r.State(a.Now()) == contest.RoundClosed {
		return AssignSummary{}, contest.ErrJudgingClosed
	}
	for attempt := 1; ; attempt++ {
		in, basis, err := a.assignInput(ctx, acc.Competition, r)
		if err != nil {
			return AssignSummary{}, err
		}
		out := contest.Assign(in)
		pairs := append(adoptedReviews(in, basis), out.Added...)
		if len(pairs) > 0 {
			err = a.DB.AddAutoAssignments(ctx, acc.Competition.ID, r.ID, pairs, basis, acc.User.ID)
			if errors.Is(err, db.ErrAssignmentsChanged) && attempt < autoAssignAttempts {
				continue
			}
			if err != nil {
				return AssignSummary{}, err
			}
		}
		short := out.Short
		if short == nil {
			short = []string{}
		}
		return AssignSummary{Added: len(pairs), Short: short, Judges: len(in.Judges), Entries: len(in.Entries)}, nil
	}
}

// adoptedReviews are the submitted reviews of the round's entries that are
// not assignments yet (made while every panel judge judged every entry):
// they become assignments, so their judges keep them.
func adoptedReviews(in contest.AssignInput, b db.AssignmentBasis) []contest.Pair {
	inRound := make(map[string]bool, len(in.Entries))
	for _, e := range in.Entries {
		inRound[e.ID] = true
	}
	assigned := make(map[contest.Pair]bool, len(b.Assigned))
	for _, p := range b.Assigned {
		assigned[p] = true
	}
	var out []contest.Pair
	for _, p := range b.Submitted {
		if inRound[p.EntryID] && !assigned[p] {
			out = append(out, p)
		}
	}
	return out
}

// assignInput gathers a round's entries, active judges, conflicts, and
// existing assignments and submitted reviews (the basis, kept as fixed
// pairs).
func (a *App) assignInput(ctx context.Context, comp contest.Competition, r contest.Round) (contest.AssignInput, db.AssignmentBasis, error) {
	in := contest.AssignInput{Quorum: r.Quorum}
	// The basis is read first: whatever changes after it makes the
	// assignment computed again (AddAutoAssignments compares it).
	basis, err := a.DB.AssignmentBasis(ctx, comp.ID, r.ID)
	if err != nil {
		return in, basis, err
	}
	es, err := a.DB.RoundEntries(ctx, r)
	if err != nil {
		return in, basis, err
	}
	for _, e := range es {
		if r.Covers(e.CategoryID) {
			in.Entries = append(in.Entries, contest.AssignEntry{ID: e.ID, CategoryID: e.CategoryID})
		}
	}
	rjs, err := a.DB.RoundJudges(ctx, r.ID)
	if err != nil {
		return in, basis, err
	}
	var judges []contest.User
	panels := map[string][]string{}
	if len(rjs) == 0 {
		if judges, err = a.DB.Members(ctx, comp.ID, contest.RoleJudge); err != nil {
			return in, basis, err
		}
	} else {
		for _, rj := range rjs {
			if !rj.Active {
				continue
			}
			u, err := a.DB.UserByID(ctx, rj.JudgeID)
			if err != nil {
				return in, basis, err
			}
			judges = append(judges, u)
			panels[u.ID] = rj.CategoryIDs
		}
	}
	for _, j := range judges {
		in.Judges = append(in.Judges, contest.AssignJudge{ID: j.ID, CategoryIDs: panels[j.ID]})
	}
	declared, err := a.DB.Conflicts(ctx, comp.ID, "")
	if err != nil {
		return in, basis, err
	}
	byJudge := map[string][]contest.Conflict{}
	for _, c := range declared {
		byJudge[c.JudgeID] = append(byJudge[c.JudgeID], c)
	}
	sameCountry, err := a.DB.ConflictCountry(ctx, comp.ID)
	if err != nil {
		return in, basis, err
	}
	ces, err := a.DB.ConflictEntries(ctx, entryIDs(es))
	if err != nil {
		return in, basis, err
	}
	// Judges as they joined the competition, not as their profiles say now.
	joined, err := a.DB.JudgeProfiles(ctx, comp.ID)
	if err != nil {
		return in, basis, err
	}
	for _, j := range judges {
		cj, ok := joined[j.ID]
		if !ok {
			cj = contest.ConflictJudge{ID: j.ID}
		}
		for _, ce := range ces {
			if contest.FindConflict(cj, ce, byJudge[j.ID], sameCountry) != contest.ReasonNone {
				in.Conflicts = append(in.Conflicts, contest.Pair{EntryID: ce.ID, JudgeID: j.ID})
			}
		}
	}
	seen := map[contest.Pair]bool{}
	for _, p := range append(slices.Clip(basis.Assigned), basis.Submitted...) {
		if !seen[p] {
			seen[p] = true
			in.Fixed = append(in.Fixed, p)
		}
	}
	return in, basis, nil
}

// DropJudge takes a judge off a round: their submitted reviews stay, their
// unscored entries go to other judges at once.
func (a *App) DropJudge(ctx context.Context, acc Access, roundID, judgeID string) (AssignSummary, error) {
	r, _, err := a.organizerRound(ctx, acc, roundID)
	if err != nil {
		return AssignSummary{}, err
	}
	if !a.isJudge(ctx, acc.Competition.ID, judgeID) {
		return AssignSummary{}, &contest.FieldError{Fields: map[string]string{"judge_id": "judge.unknown"}}
	}
	if _, err := a.DB.DropJudge(ctx, acc.Competition.ID, r.ID, judgeID, acc.User.ID); err != nil {
		return AssignSummary{}, err
	}
	if has, err := a.DB.HasAssignments(ctx, r.ID); err != nil || !has {
		return AssignSummary{}, err
	}
	return a.AutoAssign(ctx, acc, roundID)
}

// AssignmentInput names one judge and one entry.
type AssignmentInput struct {
	JudgeID string `json:"judge_id"`
	EntryID string `json:"entry_id"`
}

// Assign puts a judge on an entry by hand; a conflicted judge is refused.
func (a *App) Assign(ctx context.Context, acc Access, roundID string, in AssignmentInput) error {
	r, _, err := a.organizerRound(ctx, acc, roundID)
	if err != nil {
		return err
	}
	if r.State(a.Now()) == contest.RoundClosed {
		return contest.ErrJudgingClosed
	}
	var fe contest.FieldError
	judge, err := a.DB.UserByID(ctx, in.JudgeID)
	if err != nil || !a.isJudge(ctx, acc.Competition.ID, in.JudgeID) {
		fe.Add("judge_id", "judge.unknown")
	}
	e, err := a.DB.Entry(ctx, in.EntryID)
	inRound := false
	if err == nil && e.CompetitionID == acc.Competition.ID {
		inRound, err = a.DB.InRound(ctx, r, e.ID)
		if err != nil {
			return err
		}
	}
	if !inRound {
		fe.Add("entry_id", "assign.entry_invalid")
	}
	if err := fe.Err(); err != nil {
		return err
	}
	ci, err := a.loadConflicts(ctx, acc.Competition.ID, judge.ID, []string{e.ID})
	if err != nil {
		return err
	}
	if ci.reason(e.ID) != contest.ReasonNone {
		return &contest.FieldError{Fields: map[string]string{"judge_id": "assign.conflicted"}}
	}
	return a.DB.AddAssignments(ctx, acc.Competition.ID, r.ID, []contest.Pair{{EntryID: e.ID, JudgeID: judge.ID}}, "manual", acc.User.ID)
}

// Unassign takes a judge off an entry by hand; refused once the judge has
// submitted their review.
func (a *App) Unassign(ctx context.Context, acc Access, roundID string, in AssignmentInput) error {
	r, _, err := a.organizerRound(ctx, acc, roundID)
	if err != nil {
		return err
	}
	return a.DB.RemoveAssignment(ctx, acc.Competition.ID, r.ID, in.EntryID, in.JudgeID, acc.User.ID)
}

// AssignmentView is one assignment as organizers see it.
type AssignmentView struct {
	EntryID   string `json:"entry_id"`
	JudgeID   string `json:"judge_id"`
	JudgeName string `json:"judge_name"`
	Source    string `json:"source"`
	Submitted bool   `json:"submitted"`
}

// JudgeLoad is one judge's work in a round.
type JudgeLoad struct {
	JudgeID    string   `json:"judge_id"`
	Name       string   `json:"name"`
	Active     bool     `json:"active"`
	Categories []string `json:"category_ids"`
	Assigned   int      `json:"assigned"`
	Submitted  int      `json:"submitted"`
}

// Assignments lists a round's assignments and each judge's load.
// Organizers only.
func (a *App) Assignments(ctx context.Context, acc Access, roundID string) ([]AssignmentView, []JudgeLoad, error) {
	r, _, err := a.organizerRound(ctx, acc, roundID)
	if err != nil {
		return nil, nil, err
	}
	as, err := a.DB.Assignments(ctx, r.ID)
	if err != nil {
		return nil, nil, err
	}
	judges, err := a.DB.Members(ctx, acc.Competition.ID, contest.RoleJudge)
	if err != nil {
		return nil, nil, err
	}
	rjs, err := a.DB.RoundJudges(ctx, r.ID)
	if err != nil {
		return nil, nil, err
	}
	names := map[string]string{}
	loads := map[string]*JudgeLoad{}
	var order []string
	for _, j := range judges {
		names[j.ID] = j.Name
		loads[j.ID] = &JudgeLoad{JudgeID: j.ID, Name: j.Name, Active: len(rjs) == 0, Categories: []string{}}
		order = append(order, j.ID)
	}
	for _, rj := range rjs {
		if l := loads[rj.JudgeID]; l != nil {
			l.Active = rj.Active
			if rj.CategoryIDs != nil {
				l.Categories = rj.CategoryIDs
			}
		}
	}
	out := make([]AssignmentView, len(as))
	for i, x := range as {
		out[i] = AssignmentView{EntryID: x.EntryID, JudgeID: x.JudgeID, JudgeName: names[x.JudgeID], Source: x.Source, Submitted: x.Submitted}
		if l := loads[x.JudgeID]; l != nil {
			l.Assigned++
			if x.Submitted {
				l.Submitted++
			}
		}
	}
	ls := make([]JudgeLoad, 0, len(order))
	for _, id := range order {
		ls = append(ls, *loads[id])
	}
	return out, ls, nil
}
