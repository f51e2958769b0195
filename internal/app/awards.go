package app

import (
	"context"
	"errors"
	"time"

	"github.com/tessera/tessera/internal/contest"
)

// AwardInput names an entry of a round and the prize it gets.
type AwardInput struct {
	EntryID string            `json:"entry_id"`
	Kind    contest.AwardKind `json:"kind"`
}

// GiveAward gives an entry of a round a prize in its category (first,
// second, third, honourable mention, winner) or the grand prize, from that
// round's results. Organizers only, before the announcement is scheduled.
func (a *App) GiveAward(ctx context.Context, acc Access, roundID string, in AwardInput) error {
	r, _, err := a.organizerRound(ctx, acc, roundID)
	if err != nil {
		return err
	}
	switch in.Kind {
	case contest.AwardWinner, contest.AwardFirst, contest.AwardSecond, contest.AwardThird, contest.AwardHonour, contest.AwardGrand:
	default:
		return &contest.FieldError{Fields: map[string]string{"kind": "award.kind_invalid"}}
	}
	if acc.Competition.AnnouncedAt != nil {
		return contest.ErrAnnounced
	}
	invalid := &contest.FieldError{Fields: map[string]string{"entry_id": "award.entry_invalid"}}
	e, err := a.DB.Entry(ctx, in.EntryID)
	if errors.Is(err, contest.ErrNotFound) {
		return invalid
	}
	if err != nil {
		return err
	}
	if e.CompetitionID != acc.Competition.ID || e.Status != contest.EntrySubmitted {
		return invalid
	}
	if ok, err := a.DB.InRound(ctx, r, e.ID); err != nil {
		return err
	} else if !ok {
		return invalid
	}
	aw := contest.Award{CompetitionID: acc.Competition.ID, EntryID: e.ID, Kind: in.Kind, CategoryID: e.CategoryID}
	if in.Kind == contest.AwardGrand {
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

// WithdrawAward takes a prize back from an entry of a round before the
// announcement.
func (a *App) WithdrawAward(ctx context.Context, acc Access, roundID string, in AwardInput) error {
	if _, _, err := a.organizerRound(ctx, acc, roundID); err != nil {
		return err
	}
	if acc.Competition.AnnouncedAt != nil {
		return contest.ErrAnnounced
	}
	return a.DB.RemoveAward(ctx, acc.Competition.ID, in.EntryID, in.Kind, acc.User.ID)
}

// AnnouncementInput is when results become public: Now, or At (never
// both; neither is refused, since an announcement cannot be undone).
type AnnouncementInput struct {
	Now bool       `json:"now"`
	At  *time.Time `json:"at"`
}

// Announce schedules the announcement from a round's results page: at
// once, or at the time given (ScheduleAnnouncement in announce.go).
func (a *App) Announce(ctx context.Context, acc Access, roundID string, in AnnouncementInput) (time.Time, error) {
	if _, _, err := a.organizerRound(ctx, acc, roundID); err != nil {
		return time.Time{}, err
	}
	switch {
	case in.Now && in.At != nil:
		return time.Time{}, &contest.FieldError{Fields: map[string]string{"at": "announce.now_or_at"}}
	case in.Now:
		return a.scheduleAnnouncement(ctx, acc, a.Now())
	case in.At == nil || in.At.IsZero():
		return time.Time{}, &contest.FieldError{Fields: map[string]string{"at": "field.required"}}
	}
	return a.scheduleAnnouncement(ctx, acc, *in.At)
}
