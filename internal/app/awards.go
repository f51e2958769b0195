package app

import (
	"context"
	"errors"
	"fmt"

	"github.com/tessera/tessera/internal/contest"
)

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
