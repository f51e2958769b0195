package app

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tessera/tessera/internal/contest"
	"github.com/tessera/tessera/internal/db"
)

// ---------------------------------------------------------------- cursors

// EncodeCursor makes an opaque keyset cursor after an entry.
func EncodeCursor(e contest.Entry) string {
	return base64.RawURLEncoding.EncodeToString([]byte(e.CreatedAt.UTC().Format(time.RFC3339Nano) + "|" + e.ID))
}

// DecodeCursor reads a cursor; "" means the first page.
func DecodeCursor(s string) (*db.QueueCursor, error) {
	if s == "" {
		return nil, nil
	}
	bad := &contest.FieldError{Fields: map[string]string{"cursor": "cursor.invalid"}}
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, bad
	}
	ts, id, ok := strings.Cut(string(raw), "|")
	if !ok || id == "" || len(id) > 64 {
		return nil, bad
	}
	t, err := time.Parse(time.RFC3339Nano, ts)
	if err != nil {
		return nil, bad
	}
	return &db.QueueCursor{CreatedAt: t, ID: id}, nil
}

// ---------------------------------------------------------------- queue

// QueuePage is one page of a judge's queue in a round.
type QueuePage struct {
	Round      RoundView   `json:"round"`
	Items      []QueueItem `json:"items"`
	Scored     int         `json:"scored"` // submitted reviews, whole queue
	Total      int         `json:"total"`
	NextCursor string      `json:"next_cursor,omitempty"`
}

// judgeRound loads a round for a judge of the competition.
func (a *App) judgeRound(ctx context.Context, acc Access, roundID string) (contest.Round, []contest.Criterion, error) {
	if err := acc.Require(contest.RoleJudge); err != nil {
		return contest.Round{}, nil, err
	}
	if roundID == "" {
		return a.DB.ActiveRound(ctx, acc.Competition.ID, a.Now())
	}
	return a.DB.Round(ctx, acc.Competition.ID, roundID)
}

// JudgeQueuePage lists, a keyset page at a time, the entries a judge has in a round
// (the active one when roundID is empty), with progress over the whole
// queue. Conflicted entries never appear.
func (a *App) JudgeQueuePage(ctx context.Context, acc Access, roundID, cursor string, limit int) (QueuePage, error) {
	r, crit, err := a.judgeRound(ctx, acc, roundID)
	if err != nil {
		return QueuePage{}, err
	}
	after, err := DecodeCursor(cursor)
	if err != nil {
		return QueuePage{}, err
	}
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	open, cats, err := a.openPanel(ctx, r, acc.User.ID)
	if err != nil {
		return QueuePage{}, err
	}
	page := QueuePage{Round: a.roundView(r, crit), Items: []QueueItem{}}
	onPanel := open || cats != nil
	if !onPanel && !a.hasAssignments(ctx, r.ID) {
		return page, nil
	}
	es, err := a.DB.JudgeQueuePage(ctx, r, acc.User.ID, open, after, limit)
	if err != nil {
		return QueuePage{}, err
	}
	ec, err := a.loadContext(ctx, acc.Competition, es, !r.Blind)
	if err != nil {
		return QueuePage{}, err
	}
	ec.round = r
	if err := a.loadJudging(ctx, acc, &ec, es); err != nil {
		return QueuePage{}, err
	}
	for _, e := range es {
		v, ok := a.view(acc, ec, e)
		if !ok || !contest.See(a.viewer(acc, ec, e)).Score {
			continue
		}
		_, started := ec.judging.submitted[e.ID]
		page.Items = append(page.Items, QueueItem{EntryView: v, Scored: started})
	}
	if len(es) == limit {
		page.NextCursor = EncodeCursor(es[len(es)-1])
	}
	if page.Total, page.Scored, err = a.DB.QueueCounts(ctx, r, acc.User.ID, open); err != nil {
		return QueuePage{}, err
	}
	return page, nil
}

// openPanel reports whether a round still judges without assignments with
// the judge on it (open: every entry is theirs), and the judge's categories
// when they sit on a panel with assignments.
func (a *App) openPanel(ctx context.Context, r contest.Round, judgeID string) (bool, []string, error) {
	has, err := a.DB.HasAssignments(ctx, r.ID)
	if err != nil {
		return false, nil, err
	}
	on, cats, err := a.panel(ctx, r, judgeID)
	if err != nil {
		return false, nil, err
	}
	if has {
		if on && cats == nil {
			cats = []string{}
		}
		return false, cats, nil
	}
	return on && len(cats) == 0, cats, nil
}

func (a *App) hasAssignments(ctx context.Context, roundID string) bool {
	has, err := a.DB.HasAssignments(ctx, roundID)
	return err == nil && has
}

// ---------------------------------------------------------------- reviews

// ReviewInput is a judge's marks, note and feedback. Submit false saves a
// draft (autosave); true submits, which needs every counted criterion.
type ReviewInput struct {
	Scores   map[string]int `json:"scores"`
	Note     string         `json:"note"`
	Feedback string         `json:"feedback"`
	Submit   bool           `json:"submit"`
}

// PeerReview is another judge's submitted total, shown when the round
// allows it; judges are numbered, never named.
type PeerReview struct {
	Judge  int            `json:"judge"`
	Total  float64        `json:"total"`
	Scores map[string]int `json:"scores"`
}

// ReviewView is a judge's review of one entry with the entry as they may
// see it.
type ReviewView struct {
	Entry       EntryView      `json:"entry"`
	Round       RoundView      `json:"round"`
	Scores      map[string]int `json:"scores"`
	Note        string         `json:"note"`
	Feedback    string         `json:"feedback"`
	Total       *float64       `json:"total,omitempty"`
	Submitted   bool           `json:"submitted"`
	SubmittedAt *time.Time     `json:"submitted_at,omitempty"`
	Editable    bool           `json:"editable"`
	Peers       []PeerReview   `json:"peers,omitempty"`
}

// judgeEntry loads an entry a judge may score in round r, or ErrNotFound
// (the same answer for an entry that does not exist, is elsewhere, is not
// theirs or is conflicted, so nothing leaks).
func (a *App) judgeEntry(ctx context.Context, acc Access, r contest.Round, entryID string) (contest.Entry, entryContext, error) {
	nf := fmt.Errorf("entry: %w", contest.ErrNotFound)
	e, err := a.DB.Entry(ctx, entryID)
	if errors.Is(err, contest.ErrNotFound) || (err == nil && e.CompetitionID != acc.Competition.ID) {
		return e, entryContext{}, nf
	}
	if err != nil {
		return e, entryContext{}, err
	}
	ec, err := a.loadContext(ctx, acc.Competition, []contest.Entry{e}, !r.Blind)
	if err != nil {
		return e, ec, err
	}
	ec.round = r
	if err := a.loadJudging(ctx, acc, &ec, []contest.Entry{e}); err != nil {
		return e, ec, err
	}
	if !contest.See(a.viewer(acc, ec, e)).Score {
		return e, ec, nf
	}
	return e, ec, nil
}

// Review returns the calling judge's review of an entry in a round.
func (a *App) Review(ctx context.Context, acc Access, roundID, entryID string) (ReviewView, error) {
	r, crit, err := a.judgeRound(ctx, acc, roundID)
	if err != nil {
		return ReviewView{}, err
	}
	e, ec, err := a.judgeEntry(ctx, acc, r, entryID)
	if err != nil {
		return ReviewView{}, err
	}
	v, _ := a.view(acc, ec, e)
	rv, err := a.DB.Review(ctx, r.ID, e.ID, acc.User.ID)
	if err != nil && !errors.Is(err, contest.ErrNotFound) {
		return ReviewView{}, err
	}
	out := ReviewView{Entry: v, Round: a.roundView(r, crit), Scores: rv.Scores, Note: rv.Note, Feedback: rv.Feedback, Submitted: rv.SubmittedAt != nil,
		SubmittedAt: rv.SubmittedAt, Editable: r.State(a.Now()) == contest.RoundOpen}
	if out.Scores == nil {
		out.Scores = map[string]int{}
	}
	if t, err := contest.WeightedTotal(crit, out.Scores); err == nil && len(out.Scores) > 0 {
		out.Total = &t
	}
	if contest.See(a.viewer(acc, ec, e)).PeerScores {
		ss, err := a.DB.EntrySubmittedScores(ctx, r.ID, e.ID)
		if err != nil {
			return ReviewView{}, err
		}
		byJudge := map[string]map[string]int{}
		var order []string
		for _, s := range ss {
			if s.JudgeID == acc.User.ID {
				continue
			}
			if byJudge[s.JudgeID] == nil {
				byJudge[s.JudgeID] = map[string]int{}
				order = append(order, s.JudgeID)
			}
			byJudge[s.JudgeID][s.CriterionID] = s.Value
		}
		for i, j := range order {
			t, _ := contest.WeightedTotal(crit, byJudge[j])
			out.Peers = append(out.Peers, PeerReview{Judge: i + 1, Total: math.Round(t*100) / 100, Scores: byJudge[j]})
		}
	}
	return out, nil
}

// SaveReview stores the calling judge's marks on an entry in a round: a
// draft, or a submission once every counted criterion is marked. Changes
// are accepted until the round closes and never after (the database
// enforces it too).
func (a *App) SaveReview(ctx context.Context, acc Access, roundID, entryID string, in ReviewInput) (ReviewView, error) {
	r, crit, err := a.judgeRound(ctx, acc, roundID)
	if err != nil {
		return ReviewView{}, err
	}
	e, _, err := a.judgeEntry(ctx, acc, r, entryID)
	if err != nil {
		return ReviewView{}, err
	}
	if err := contest.CheckScoringOpen(r, a.Now()); err != nil {
		return ReviewView{}, err
	}
	var fe contest.FieldError
	known := map[string]contest.Criterion{}
	for _, c := range crit {
		known[c.ID] = c
	}
	for id, v := range in.Scores {
		c, ok := known[id]
		switch {
		case !ok:
			fe.Add(id, "score.unknown_criterion")
		case v < c.ScaleMin || v > c.ScaleMax:
			fe.Add(id, "score.out_of_range")
		}
	}
	in.Note, in.Feedback = strings.TrimSpace(in.Note), strings.TrimSpace(in.Feedback)
	if utf8.RuneCountInString(in.Note) > 5000 {
		fe.Add("note", "field.too_long")
	}
	if utf8.RuneCountInString(in.Feedback) > 5000 {
		fe.Add("feedback", "field.too_long")
	}
	if err := fe.Err(); err != nil {
		return ReviewView{}, err
	}
	prev, err := a.DB.Review(ctx, r.ID, e.ID, acc.User.ID)
	if err != nil && !errors.Is(err, contest.ErrNotFound) {
		return ReviewView{}, err
	}
	submit := in.Submit || prev.SubmittedAt != nil
	if submit {
		// A submission (or a change to one) must be complete.
		if _, err := contest.WeightedTotal(crit, in.Scores); err != nil {
			return ReviewView{}, err
		}
	}
	if in.Scores == nil {
		in.Scores = map[string]int{}
	}
	rv := db.Review{RoundID: r.ID, EntryID: e.ID, JudgeID: acc.User.ID, Note: in.Note, Feedback: in.Feedback, Scores: in.Scores}
	if _, err := a.DB.SaveReview(ctx, acc.Competition.ID, rv, submit); err != nil {
		return ReviewView{}, err
	}
	return a.Review(ctx, acc, r.ID, e.ID)
}

// ---------------------------------------------------------------- results

// ResultLine is one entry's line in the results.
type ResultLine struct {
	contest.Result
	Entry    EntryView `json:"-"`
	Decision string    `json:"-"` // the recorded tie decision's reason
}

// CategoryResults is one category's ranking.
type CategoryResults struct {
	Category contest.Category
	Lines    []ResultLine
}

// RoundResults is a round's results, category by category.
type RoundResults struct {
	Round      RoundView
	RankBy     contest.RankBy
	Categories []CategoryResults
}

// Results computes a round's results; rankBy overrides the round's
// setting for this view ("" keeps it). Organizers only.
func (a *App) RoundResults(ctx context.Context, acc Access, roundID string, rankBy contest.RankBy) (RoundResults, error) {
	r, _, err := a.organizerRound(ctx, acc, roundID)
	if err != nil {
		return RoundResults{}, err
	}
	switch rankBy {
	case "", contest.RankRaw, contest.RankNormalised:
	default:
		return RoundResults{}, &contest.FieldError{Fields: map[string]string{"rank_by": "round.rank_by_invalid"}}
	}
	return a.computeResults(ctx, acc, r, rankBy)
}

// JudgeTotals turns a round's submitted marks into per-judge totals.
func JudgeTotals(crit []contest.Criterion, ss []contest.Score) []contest.JudgeTotal {
	type key struct{ e, j string }
	vals := map[key]map[string]int{}
	var order []key
	for _, s := range ss {
		k := key{s.EntryID, s.JudgeID}
		if vals[k] == nil {
			vals[k] = make(map[string]int, len(crit))
			order = append(order, k)
		}
		vals[k][s.CriterionID] = s.Value
	}
	out := make([]contest.JudgeTotal, 0, len(order))
	for _, k := range order {
		t, err := contest.WeightedTotal(crit, vals[k])
		if err != nil {
			continue // an incomplete set never counts
		}
		top := 0
		for _, c := range crit {
			if !c.Excluded && vals[k][c.ID] == c.ScaleMax {
				top++
			}
		}
		out = append(out, contest.JudgeTotal{EntryID: k.e, JudgeID: k.j, Total: t, TopMarks: top})
	}
	return out
}

func (a *App) computeResults(ctx context.Context, acc Access, r contest.Round, rankBy contest.RankBy) (RoundResults, error) {
	crit, err := a.DB.Criteria(ctx, r.ID)
	if err != nil {
		return RoundResults{}, err
	}
	es, err := a.DB.RoundEntries(ctx, r)
	if err != nil {
		return RoundResults{}, err
	}
	totals, err := a.DB.SubmittedTotals(ctx, r.ID, crit)
	if err != nil {
		return RoundResults{}, err
	}
	decisions, err := a.DB.TieDecisions(ctx, r.ID)
	if err != nil {
		return RoundResults{}, err
	}
	if rankBy == "" {
		rankBy = r.RankBy
	}
	opts := contest.ResultOptions{Quorum: r.Quorum, MinScores: r.MinScores, Disagreement: r.Disagreement, RankBy: rankBy, TieBreaks: contest.ParseTieBreaks(r.TieBreaks), Decisions: map[string]int{}}
	reasons := map[string]string{}
	for _, d := range decisions {
		opts.Decisions[d.EntryID] = d.Position
		reasons[d.EntryID] = d.Reason
	}
	cats, err := a.DB.Categories(ctx, acc.Competition.ID)
	if err != nil {
		return RoundResults{}, err
	}
	catPos := map[string]int{}
	for i, c := range cats {
		catPos[c.ID] = i
	}
	entries := make([]contest.ResultEntry, 0, len(es))
	// Category order first, so results come category by category.
	for _, c := range cats {
		for _, e := range es {
			if e.CategoryID == c.ID {
				entries = append(entries, contest.ResultEntry{ID: e.ID, CategoryID: e.CategoryID})
			}
		}
	}
	res := contest.ComputeResults(entries, totals, opts)
	ec, err := a.loadContext(ctx, acc.Competition, es, true)
	if err != nil {
		return RoundResults{}, err
	}
	byID := make(map[string]contest.Entry, len(es))
	for _, e := range es {
		byID[e.ID] = e
	}
	out := RoundResults{Round: a.roundView(r, crit), RankBy: rankBy}
	idx := map[string]int{}
	for _, x := range res {
		i, ok := idx[x.CategoryID]
		if !ok {
			i = len(out.Categories)
			idx[x.CategoryID] = i
			out.Categories = append(out.Categories, CategoryResults{Category: cats[catPos[x.CategoryID]]})
		}
		v, _ := a.view(acc, ec, byID[x.EntryID])
		out.Categories[i].Lines = append(out.Categories[i].Lines, ResultLine{Result: x, Entry: v, Decision: reasons[x.EntryID]})
	}
	return out, nil
}

// TieDecisionInput orders entries the declared rules leave tied.
type TieDecisionInput struct {
	EntryIDs []string `json:"entry_ids"` // best first
	Reason   string   `json:"reason"`
}

// DecideTie records the organizer's order for tied entries, with the
// reason. The round's rules must include the organizer's decision.
func (a *App) DecideTie(ctx context.Context, acc Access, roundID string, in TieDecisionInput) error {
	r, _, err := a.organizerRound(ctx, acc, roundID)
	if err != nil {
		return err
	}
	var fe contest.FieldError
	hasDecision := false
	for _, t := range contest.ParseTieBreaks(r.TieBreaks) {
		hasDecision = hasDecision || t == contest.TieDecision
	}
	if !hasDecision {
		fe.Add("entry_ids", "tie.not_declared")
	}
	in.Reason = strings.TrimSpace(in.Reason)
	if in.Reason == "" {
		fe.Add("reason", "field.required")
	}
	if len(in.EntryIDs) < 2 {
		fe.Add("entry_ids", "tie.too_few")
	}
	seen := map[string]bool{}
	for _, id := range in.EntryIDs {
		ok, err := a.DB.InRound(ctx, r, id)
		if err != nil {
			return err
		}
		if !ok || seen[id] {
			fe.Add("entry_ids", "tie.entry_invalid")
		}
		seen[id] = true
	}
	if err := fe.Err(); err != nil {
		return err
	}
	return a.DB.SetTieDecision(ctx, acc.Competition.ID, r.ID, in.EntryIDs, in.Reason, acc.User.ID)
}

// ---------------------------------------------------------------- awards

// GiveAward gives an entry a prize in its category (first, second, third,
// honourable mention, winner) or the grand prize. Organizers only, before
// the announcement is scheduled.
func (a *App) GiveAward(ctx context.Context, acc Access, entryID string, kind contest.AwardKind) error {
	if err := acc.Require(contest.RoleOrganizer); err != nil {
		return err
	}
	switch kind {
	case contest.AwardWinner, contest.AwardFirst, contest.AwardSecond, contest.AwardThird, contest.AwardHonour, contest.AwardGrand:
	default:
		return &contest.FieldError{Fields: map[string]string{"kind": "award.kind_invalid"}}
	}
	if acc.Competition.AnnouncedAt != nil {
		return fmt.Errorf("results are already announced: %w", contest.ErrClosed)
	}
	e, err := a.DB.Entry(ctx, entryID)
	if err != nil && !errors.Is(err, contest.ErrNotFound) {
		return err
	}
	if err != nil || e.CompetitionID != acc.Competition.ID || e.Status != contest.EntrySubmitted {
		return &contest.FieldError{Fields: map[string]string{"entry_id": "award.entry_invalid"}}
	}
	aw := contest.Award{CompetitionID: acc.Competition.ID, EntryID: e.ID, Kind: kind, CategoryID: e.CategoryID}
	if kind == contest.AwardGrand {
		aw.CategoryID = ""
	}
	if err := a.DB.GiveAward(ctx, &aw, acc.User.ID); err != nil {
		if errors.Is(err, contest.ErrConflict) {
			return &contest.FieldError{Fields: map[string]string{"kind": "award.taken"}}
		}
		return err
	}
	return nil
}

// WithdrawAward takes a prize back before the announcement.
func (a *App) WithdrawAward(ctx context.Context, acc Access, entryID string, kind contest.AwardKind) error {
	if err := acc.Require(contest.RoleOrganizer); err != nil {
		return err
	}
	if acc.Competition.AnnouncedAt != nil {
		return fmt.Errorf("results are already announced: %w", contest.ErrClosed)
	}
	return a.DB.RemoveAward(ctx, acc.Competition.ID, entryID, kind, acc.User.ID)
}

// ---------------------------------------------------------------- gallery

// GalleryPage is one keyset page of the public gallery.
type GalleryPage struct {
	Announced  bool        `json:"announced"`
	Items      []EntryView `json:"items"`
	NextCursor string      `json:"next_cursor,omitempty"`
}

// GalleryPage lists the announced winners and finalists whose entrants
// consented to publication, as the public sees them. Before the moment of
// the announcement it is empty for everyone.
func (a *App) GalleryPage(ctx context.Context, acc Access, cursor string, limit int) (GalleryPage, error) {
	page := GalleryPage{Announced: acc.Competition.Announced(a.Now()), Items: []EntryView{}}
	if !page.Announced {
		return page, nil
	}
	after, err := DecodeCursor(cursor)
	if err != nil {
		return page, err
	}
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	es, err := a.DB.GalleryPage(ctx, acc.Competition.ID, after, limit)
	if err != nil {
		return page, err
	}
	ec, err := a.loadContext(ctx, acc.Competition, es, true)
	if err != nil {
		return page, err
	}
	public := Access{Competition: acc.Competition}
	if err := a.loadJudging(ctx, public, &ec, es); err != nil {
		return page, err
	}
	for _, e := range es {
		if v, ok := a.view(public, ec, e); ok {
			page.Items = append(page.Items, v)
		}
	}
	if len(es) == limit {
		page.NextCursor = EncodeCursor(es[len(es)-1])
	}
	return page, nil
}
