// Package app holds Tessera's use cases: the operations that touch the
// database, the object store and the queue together. The JSON API and the
// HTML pages both call these, so they cannot drift apart.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/hibiken/asynq"

	"github.com/tessera/tessera/internal/auth"
	"github.com/tessera/tessera/internal/blob"
	"github.com/tessera/tessera/internal/contest"
	"github.com/tessera/tessera/internal/db"
	"github.com/tessera/tessera/internal/essay"
)

// Enqueuer puts a task on the queue; a task already queued is not an error.
type Enqueuer interface {
	Enqueue(ctx context.Context, t *asynq.Task) error
}

// URLSigner makes short-lived URLs for stored objects.
type URLSigner interface {
	URL(key string, ttl time.Duration, now time.Time) string
}

// App is the set of use cases with their dependencies.
type App struct {
	DB     *db.DB
	Blobs  blob.Store
	Signer URLSigner
	// Cursors seals the keyset cursors of the judge queue and the gallery
	// with a key derived from the server secret.
	Cursors *Cursors
	Queue   Enqueuer
	Auth    *auth.Service
	Now     func() time.Time
	// MaxUploadBytes caps a single file when a category sets no lower limit.
	MaxUploadBytes int64
	// URLTTL is how long signed media URLs stay valid.
	URLTTL time.Duration
	// UploadMaxAge is how long a resumable upload may stay incomplete.
	UploadMaxAge time.Duration
	// Mailer sends outcome mail; nil keeps it in the outbox for organizers
	// to read (the embedded mode). Messages translates mail text.
	Mailer   Mailer
	Messages func(lang, key string, args ...any) string
	// Essays renders essays for reading.
	Essays *essay.Renderer
	// Logger records what goes wrong without failing the request: work
	// the queue refused that the sweeper will pick up.
	Logger *slog.Logger
}

// New returns an App with its defaults filled in; a nil logger discards.
// cursors is made from the server secret (NewCursors) so that every
// replica opens the cursors of the others; nil makes a random key that only
// this process knows (a single process, or a test).
func New(d *db.DB, blobs blob.Store, signer URLSigner, cursors *Cursors, q Enqueuer, a *auth.Service, maxUpload int64, logger *slog.Logger) *App {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if cursors == nil {
		cursors = processCursors()
	}
	return &App{DB: d, Blobs: blobs, Signer: signer, Cursors: cursors, Queue: q, Auth: a, Now: time.Now, MaxUploadBytes: maxUpload, URLTTL: 2 * time.Hour, UploadMaxAge: 72 * time.Hour,
		Essays: essay.NewRenderer(), Logger: logger}
}

// Access is what one user may do in one competition.
type Access struct {
	User        *contest.User // nil when signed out
	Competition contest.Competition
	Roles       []contest.Role
}

// Has reports whether the user holds role in the competition.
func (a Access) Has(r contest.Role) bool { return slices.Contains(a.Roles, r) }

// SignedIn reports whether there is a user.
func (a Access) SignedIn() bool { return a.User != nil }

// Require returns ErrUnauthorized when signed out, ErrForbidden when the
// user holds none of roles.
func (a Access) Require(roles ...contest.Role) error {
	if a.User == nil {
		return contest.ErrUnauthorized
	}
	for _, r := range roles {
		if a.Has(r) {
			return nil
		}
	}
	return fmt.Errorf("needs role %v in this competition: %w", roles, contest.ErrForbidden)
}

// AccessFor loads the competition by slug and the user's roles in it.
func (a *App) AccessFor(ctx context.Context, u *contest.User, slug string) (Access, error) {
	c, err := a.DB.CompetitionBySlug(ctx, slug)
	if err != nil {
		return Access{}, err
	}
	acc := Access{User: u, Competition: c}
	if u != nil {
		acc.Roles, err = a.DB.Roles(ctx, c.ID, u.ID)
		if err != nil {
			return acc, err
		}
	}
	return acc, nil
}

// CategoryInput is one category of a new competition.
type CategoryInput struct {
	Medium       contest.Medium `json:"medium"`
	Name         string         `json:"name"`
	Description  string         `json:"description"`
	MaxEntries   int            `json:"max_entries"`
	MaxFileBytes int64          `json:"max_file_bytes"`
}

// CriterionInput is one line of a rubric.
type CriterionInput struct {
	Name     string  `json:"name"`
	Guidance string  `json:"guidance"`
	Weight   float64 `json:"weight"`
	ScaleMin int     `json:"scale_min"`
	ScaleMax int     `json:"scale_max"`
}

// CompetitionInput creates a competition.
type CompetitionInput struct {
	Title       string           `json:"title"`
	Slug        string           `json:"slug"`
	Description string           `json:"description"`
	TimeZone    string           `json:"time_zone"`
	OpensAt     time.Time        `json:"opens_at"`
	ClosesAt    time.Time        `json:"closes_at"`
	GraceMin    int              `json:"grace_minutes"`
	JudgingEnds time.Time        `json:"judging_closes_at"`
	Blind       *bool            `json:"blind"`
	Categories  []CategoryInput  `json:"categories"`
	Criteria    []CriterionInput `json:"criteria"`
}

// DefaultCategories returns one category per medium.
func DefaultCategories() []CategoryInput {
	return []CategoryInput{
		{Medium: contest.MediumPhoto, Name: "Photography", MaxEntries: 3},
		{Medium: contest.MediumVideo, Name: "Video", MaxEntries: 1},
		{Medium: contest.MediumMural, Name: "Mural design", MaxEntries: 2},
		{Medium: contest.MediumEssay, Name: "Essay", MaxEntries: 1},
	}
}

// Validate lists every problem with the input, filling defaults first.
func (in *CompetitionInput) Validate(now time.Time) error {
	var fe contest.FieldError
	in.Title = trim(in.Title)
	if in.Title == "" {
		fe.Add("title", "field.required")
	} else if len(in.Title) > 200 {
		fe.Add("title", "field.too_long")
	}
	if in.Slug == "" {
		in.Slug = contest.Slugify(in.Title)
	}
	if in.Slug == "" || in.Slug != contest.Slugify(in.Slug) {
		fe.Add("slug", "slug.invalid")
	}
	if in.TimeZone == "" {
		in.TimeZone = "UTC"
	}
	if contest.ValidateTimeZone(in.TimeZone) != nil {
		fe.Add("time_zone", "timezone.invalid")
	}
	if in.OpensAt.IsZero() {
		in.OpensAt = now
	}
	if in.ClosesAt.IsZero() {
		fe.Add("closes_at", "field.required")
	} else if !in.ClosesAt.After(in.OpensAt) {
		fe.Add("closes_at", "deadline.before_opening")
	}
	if in.GraceMin < 0 || in.GraceMin > 24*60 {
		fe.Add("grace_minutes", "grace.invalid")
	}
	if in.JudgingEnds.IsZero() {
		in.JudgingEnds = in.ClosesAt.Add(30 * 24 * time.Hour)
	} else if !in.JudgingEnds.After(in.ClosesAt) {
		fe.Add("judging_closes_at", "judging.before_deadline")
	}
	if len(in.Categories) == 0 {
		in.Categories = DefaultCategories()
	}
	names := map[string]bool{}
	for i, c := range in.Categories {
		f := fmt.Sprintf("categories[%d]", i)
		if !c.Medium.Valid() {
			fe.Add(f+".medium", "medium.invalid")
		}
		c.Name = trim(c.Name)
		if c.Name == "" {
			fe.Add(f+".name", "field.required")
		} else if names[c.Name] {
			fe.Add(f+".name", "category.duplicate")
		}
		names[c.Name] = true
		if c.MaxEntries < 0 || c.MaxFileBytes < 0 {
			fe.Add(f, "category.limits_invalid")
		}
		in.Categories[i] = c
	}
	if err := contest.ValidateRubric(in.criteria("")); err != nil {
		var rfe *contest.FieldError
		if errors.As(err, &rfe) {
			for k, v := range rfe.Fields {
				fe.Add(k, v)
			}
		}
	}
	return fe.Err()
}

func (in *CompetitionInput) criteria(roundID string) []contest.Criterion {
	out := make([]contest.Criterion, len(in.Criteria))
	for i, c := range in.Criteria {
		out[i] = contest.Criterion{RoundID: roundID, Name: trim(c.Name), Guidance: trim(c.Guidance), Weight: c.Weight, ScaleMin: c.ScaleMin, ScaleMax: c.ScaleMax, Position: i}
	}
	return out
}

// MayCreateCompetition says whether u may create a competition: signed in
// (else ErrUnauthorized) and allowed to organize (else ErrForbidden).
func MayCreateCompetition(u *contest.User) error {
	if u == nil {
		return contest.ErrUnauthorized
	}
	if !u.CanOrganize {
		return fmt.Errorf("only organizers may create competitions: %w", contest.ErrForbidden)
	}
	return nil
}

// CreateCompetition makes a competition with its categories and a one-round
// rubric; the creator becomes its organizer. Only users allowed to organize
// may create one (MayCreateCompetition).
func (a *App) CreateCompetition(ctx context.Context, u *contest.User, in CompetitionInput) (contest.Competition, error) {
	if err := MayCreateCompetition(u); err != nil {
		return contest.Competition{}, err
	}
	for i := range in.Criteria {
		if in.Criteria[i].ScaleMin == 0 && in.Criteria[i].ScaleMax == 0 {
			in.Criteria[i].ScaleMin, in.Criteria[i].ScaleMax = 1, 10
		}
	}
	if err := in.Validate(a.Now()); err != nil {
		return contest.Competition{}, err
	}
	blind := true
	if in.Blind != nil {
		blind = *in.Blind
	}
	n := db.NewCompetition{
		Competition: contest.Competition{Slug: in.Slug, Title: in.Title, Description: trim(in.Description), TimeZone: in.TimeZone,
			OpensAt: in.OpensAt, ClosesAt: in.ClosesAt, GraceMin: in.GraceMin},
		Round:       contest.Round{Name: "Judging", Blind: blind, OpensAt: in.OpensAt, ClosesAt: in.JudgingEnds},
		Criteria:    in.criteria(""),
		OrganizerID: u.ID,
	}
	for _, c := range in.Categories {
		n.Categories = append(n.Categories, contest.Category{Medium: c.Medium, Name: c.Name, Description: trim(c.Description), MaxEntries: c.MaxEntries, MaxFileBytes: c.MaxFileBytes})
	}
	if err := a.DB.CreateCompetition(ctx, &n); err != nil {
		if errors.Is(err, contest.ErrConflict) {
			return contest.Competition{}, &contest.FieldError{Fields: map[string]string{"slug": "slug.taken"}}
		}
		return contest.Competition{}, err
	}
	return n.Competition, nil
}

// Overview is what the competition page shows.
type Overview struct {
	Access
	Categories []contest.Category
	Round      contest.Round
	Criteria   []contest.Criterion
	Window     contest.WindowState
}

// Overview loads the competition's public description.
func (a *App) Overview(ctx context.Context, acc Access) (Overview, error) {
	cats, err := a.DB.Categories(ctx, acc.Competition.ID)
	if err != nil {
		return Overview{}, err
	}
	r, crit, err := a.DB.CurrentRound(ctx, acc.Competition.ID)
	if err != nil {
		return Overview{}, err
	}
	return Overview{Access: acc, Categories: cats, Round: r, Criteria: crit, Window: contest.SubmissionWindow(acc.Competition, a.Now())}, nil
}

// Invite creates a link that makes its holder a judge (or another role).
func (a *App) Invite(ctx context.Context, acc Access, role contest.Role, email string) (string, error) {
	if err := acc.Require(contest.RoleOrganizer); err != nil {
		return "", err
	}
	return a.Auth.Invite(ctx, acc.Competition.ID, role, email, acc.User.ID)
}

func trim(s string) string { return strings.TrimSpace(s) }
