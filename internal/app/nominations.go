package app

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"unicode/utf8"

	"github.com/tessera/tessera/internal/auth"
	"github.com/tessera/tessera/internal/contest"
	"github.com/tessera/tessera/internal/db"
)

// NominationInput is what a nominator sends to nominate someone.
type NominationInput struct {
	Email     string `json:"email"`
	Name      string `json:"name"`
	Statement string `json:"statement"`
}

// NominationView is one nomination as the organizer or its nominator sees it.
type NominationView struct {
	ID           string `json:"id"`
	NominatorID  string `json:"nominator_id"`
	Nominator    string `json:"nominator"`
	NomineeEmail string `json:"nominee_email"`
	NomineeName  string `json:"nominee_name"`
	Statement    string `json:"statement"`
	Status       string `json:"status"`
	CreatedAt    string `json:"created_at"`
}

// NominatorView is one nominator with their quota and how much of it is used.
type NominatorView struct {
	ID           string `json:"id"`
	Name         string `json:"name"`
	Organisation string `json:"organisation"`
	Email        string `json:"email"`
	Quota        int    `json:"quota"`
	Used         int    `json:"used"`
}

// NominationsOverview is the nominations page: the setting, the nominators
// (organizer only) and the nominations the caller may see.
type NominationsOverview struct {
	Enabled     bool             `json:"enabled"`
	Nominators  []NominatorView  `json:"nominators"`
	Nominations []NominationView `json:"nominations"`
	// Quota and Used are the calling nominator's own.
	Quota int `json:"quota"`
	Used  int `json:"used"`
}

// nominatorLabel is how a nominator is named: organisation, else name.
func nominatorLabel(org, name string) string {
	if org != "" {
		return org
	}
	return name
}

// Nominations returns the overview: every nomination for the organizer, a
// nominator's own for a nominator.
func (a *App) Nominations(ctx context.Context, acc Access) (NominationsOverview, error) {
	if err := acc.Require(contest.RoleOrganizer, contest.RoleNominator); err != nil {
		return NominationsOverview{}, err
	}
	ov := NominationsOverview{Nominators: []NominatorView{}, Nominations: []NominationView{}}
	var err error
	if ov.Enabled, err = a.DB.NominationsEnabled(ctx, acc.Competition.ID); err != nil {
		return ov, err
	}
	org := acc.Has(contest.RoleOrganizer)
	by := ""
	if !org {
		by = acc.User.ID
	}
	ns, err := a.DB.Nominations(ctx, acc.Competition.ID, by)
	if err != nil {
		return ov, err
	}
	used := map[string]int{}
	for _, n := range ns {
		used[n.NominatorID]++
		ov.Nominations = append(ov.Nominations, NominationView{ID: n.ID, NominatorID: n.NominatorID, Nominator: nominatorLabel(n.NominatorOrg, n.NominatorName),
			NomineeEmail: n.NomineeEmail, NomineeName: n.NomineeName, Statement: n.Statement, Status: n.Status(), CreatedAt: n.CreatedAt.Format("2006-01-02T15:04:05Z")})
	}
	quotas, err := a.DB.NominatorQuotas(ctx, acc.Competition.ID)
	if err != nil {
		return ov, err
	}
	if org {
		us, err := a.DB.Members(ctx, acc.Competition.ID, contest.RoleNominator)
		if err != nil {
			return ov, err
		}
		for _, u := range us {
			ov.Nominators = append(ov.Nominators, NominatorView{ID: u.ID, Name: u.Name, Organisation: u.Organisation, Email: u.Email, Quota: quotas[u.ID], Used: used[u.ID]})
		}
	} else {
		ov.Quota, ov.Used = quotas[acc.User.ID], used[acc.User.ID]
	}
	return ov, nil
}

// SetNominations turns nominations on or off (organizer only).
func (a *App) SetNominations(ctx context.Context, acc Access, on bool) error {
	if err := acc.Require(contest.RoleOrganizer); err != nil {
		return err
	}
	return a.DB.SetNominationsEnabled(ctx, acc.Competition.ID, on)
}

// SetNominatorQuota sets how many nominees a nominator may nominate
// (0: no limit; organizer only).
func (a *App) SetNominatorQuota(ctx context.Context, acc Access, userID string, quota int) error {
	if err := acc.Require(contest.RoleOrganizer); err != nil {
		return err
	}
	if quota < 0 || quota > 10000 {
		return &contest.FieldError{Fields: map[string]string{"quota": "nomination.quota_invalid"}}
	}
	roles, err := a.DB.Roles(ctx, acc.Competition.ID, userID)
	if err != nil {
		return err
	}
	isNominator := false
	for _, r := range roles {
		isNominator = isNominator || r == contest.RoleNominator
	}
	if !isNominator {
		return &contest.FieldError{Fields: map[string]string{"user_id": "nomination.not_nominator"}}
	}
	return a.DB.SetNominatorQuota(ctx, acc.Competition.ID, userID, quota)
}

// Nominate records a nomination by the calling nominator and returns the
// token of the entrant invitation that carries it; a mail with the link
// (baseURL + "/invite/" + token) is queued for the nominee.
func (a *App) Nominate(ctx context.Context, acc Access, in NominationInput, baseURL string) (string, error) {
	if err := acc.Require(contest.RoleNominator); err != nil {
		return "", err
	}
	on, err := a.DB.NominationsEnabled(ctx, acc.Competition.ID)
	if err != nil {
		return "", err
	}
	if !on {
		return "", &contest.FieldError{Fields: map[string]string{"competition": "nomination.disabled"}}
	}
	in.Email, in.Name, in.Statement = trim(in.Email), trim(in.Name), trim(in.Statement)
	var fe contest.FieldError
	if addr, err := mail.ParseAddress(in.Email); err != nil || addr.Address != in.Email {
		fe.Add("email", "field.email_invalid")
	}
	if utf8.RuneCountInString(in.Name) > 200 {
		fe.Add("name", "field.too_long")
	}
	if in.Statement == "" {
		fe.Add("statement", "field.required")
	} else if utf8.RuneCountInString(in.Statement) > 5000 {
		fe.Add("statement", "field.too_long")
	}
	if err := fe.Err(); err != nil {
		return "", err
	}
	token, hash := auth.NewToken()
	from := nominatorLabel(acc.User.Organisation, acc.User.Name)
	link := baseURL + "/invite/" + token
	m := &db.Mail{ToAddress: in.Email,
		Subject: fmt.Sprintf("Nomination for %s", acc.Competition.Title),
		Body: fmt.Sprintf("%s has nominated you for %s.\n\n%s\n\nAccept the nomination and enter: %s\n",
			from, acc.Competition.Title, in.Statement, link)}
	ttl := a.Auth.InviteTTL
	_, err = a.DB.CreateNomination(ctx, db.NewNomination{CompetitionID: acc.Competition.ID, NominatorID: acc.User.ID, Email: in.Email, Name: in.Name,
		Statement: in.Statement, TokenHash: hash, ExpiresAt: a.Now().Add(ttl), Mail: m})
	if errors.Is(err, db.ErrQuotaReached) {
		return "", &contest.FieldError{Fields: map[string]string{"email": "nomination.quota_reached"}}
	}
	if err != nil {
		return "", err
	}
	return token, nil
}
