package app

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/tessera/tessera/internal/contest"
	"github.com/tessera/tessera/internal/db"
)

// scheduleAnnouncement makes results public at when and queues every
// entrant's outcome mail to leave at that moment. Before it, no page, API
// answer, mail or media URL reveals a result. At least one award must have
// been given. The caller has checked the organizer (Announce).
func (a *App) scheduleAnnouncement(ctx context.Context, acc Access, when time.Time) (time.Time, error) {
	now := a.Now()
	if when.Before(now.Add(-time.Minute)) {
		return time.Time{}, &contest.FieldError{Fields: map[string]string{"at": "announce.in_past"}}
	}
	aws, err := a.DB.Awards(ctx, acc.Competition.ID)
	if err != nil {
		return time.Time{}, err
	}
	if len(aws) == 0 {
		return time.Time{}, &contest.FieldError{Fields: map[string]string{"at": "announce.no_awards"}}
	}
	mails, err := a.outcomeMails(ctx, acc.Competition, aws)
	if err != nil {
		return time.Time{}, err
	}
	if err := a.DB.AnnounceWithMail(ctx, acc.Competition.ID, acc.User.ID, when, mails); err != nil {
		return time.Time{}, err
	}
	if !when.After(now) {
		if _, err := a.SendDueMail(ctx, 100); err != nil {
			// The announcement stands; the mail loop sends what is left.
			a.Logger.WarnContext(ctx, "announce: sending outcome mail now; the mail loop will retry", "err", err)
		}
	}
	return when.UTC(), nil
}

// outcomeMails writes one mail per entrant with a submitted entry, in the
// entrant's language, naming each entry's outcome.
func (a *App) outcomeMails(ctx context.Context, comp contest.Competition, aws []contest.Award) ([]db.Mail, error) {
	es, err := a.DB.EntriesByStatus(ctx, comp.ID, contest.EntrySubmitted, 1_000_000, 0)
	if err != nil {
		return nil, err
	}
	finalists, err := a.DB.Finalists(ctx, comp.ID)
	if err != nil {
		return nil, err
	}
	won := map[string][]contest.AwardKind{}
	for _, aw := range aws {
		won[aw.EntryID] = append(won[aw.EntryID], aw.Kind)
	}
	byEntrant := map[string][]contest.Entry{}
	var entrants []string
	for _, e := range es {
		if _, ok := byEntrant[e.EntrantID]; !ok {
			entrants = append(entrants, e.EntrantID)
		}
		byEntrant[e.EntrantID] = append(byEntrant[e.EntrantID], e)
	}
	sort.Strings(entrants)
	var out []db.Mail
	for _, id := range entrants {
		u, err := a.DB.UserByID(ctx, id)
		if err != nil {
			return nil, err
		}
		lang := u.Locale
		if lang == "" {
			lang = "en"
		}
		t := a.translate(lang)
		var b strings.Builder
		b.WriteString(t("mail.outcome.greeting", u.Name))
		b.WriteString("\n\n")
		b.WriteString(t("mail.outcome.intro", comp.Title))
		b.WriteString("\n\n")
		for _, e := range byEntrant[id] {
			var outcome string
			switch {
			case len(won[e.ID]) > 0:
				names := make([]string, len(won[e.ID]))
				for i, k := range won[e.ID] {
					names[i] = t("award." + string(k))
				}
				outcome = t("mail.outcome.awarded", strings.Join(names, ", "))
			case finalists[e.ID]:
				outcome = t("mail.outcome.finalist")
			default:
				outcome = t("mail.outcome.not_placed")
			}
			fmt.Fprintf(&b, "• %s — %s\n", e.Title, outcome)
		}
		b.WriteString("\n")
		b.WriteString(t("mail.outcome.thanks"))
		out = append(out, db.Mail{ToAddress: u.Email, Subject: t("mail.outcome.subject", comp.Title), Body: b.String()})
	}
	return out, nil
}

// translate returns a translator for lang; without a catalog, keys stand in.
func (a *App) translate(lang string) func(key string, args ...any) string {
	return func(key string, args ...any) string {
		if a.Messages != nil {
			return a.Messages(lang, key, args...)
		}
		if len(args) > 0 {
			return key + " " + fmt.Sprint(args...)
		}
		return key
	}
}
