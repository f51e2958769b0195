// Package contest holds Tessera's domain types and its pure rules: deadlines,
// the visibility policy, rubric maths and ranking. It performs no I/O.
package contest

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Sentinel errors returned by domain and storage code; the HTTP edge maps
// each of them to one status.
var (
	ErrNotFound     = errors.New("not found")
	ErrForbidden    = errors.New("forbidden")
	ErrUnauthorized = errors.New("sign-in required")
	ErrClosed       = errors.New("closed")
	ErrConflict     = errors.New("conflict")
)

// FieldError is a validation failure on named input fields. Its keys are the
// field names and its values message-catalog keys, so pages and the API can
// show each problem beside the field it concerns.
type FieldError struct {
	Fields map[string]string
}

// Error lists the failing fields in a stable order.
func (e *FieldError) Error() string {
	keys := make([]string, 0, len(e.Fields))
	for k, v := range e.Fields {
		keys = append(keys, k+": "+v)
	}
	slices.Sort(keys)
	return "invalid input: " + strings.Join(keys, "; ")
}

// Add records a problem with field; the first problem per field wins.
func (e *FieldError) Add(field, msgKey string) {
	if e.Fields == nil {
		e.Fields = map[string]string{}
	}
	if _, ok := e.Fields[field]; !ok {
		e.Fields[field] = msgKey
	}
}

// Err returns e when it holds at least one problem, else nil.
func (e *FieldError) Err() error {
	if e == nil || len(e.Fields) == 0 {
		return nil
	}
	return e
}

// Role is what a user is within one competition.
type Role string

// The roles a membership can hold.
const (
	RoleOrganizer Role = "organizer"
	RoleJudge     Role = "judge"
	RoleEntrant   Role = "entrant"
	RoleNominator Role = "nominator"
)

// Valid reports whether r is one of the known roles.
func (r Role) Valid() bool {
	switch r {
	case RoleOrganizer, RoleJudge, RoleEntrant, RoleNominator:
		return true
	}
	return false
}

// Medium is the kind of work a category accepts.
type Medium string

// The media Tessera handles.
const (
	MediumPhoto Medium = "photo"
	MediumVideo Medium = "video"
	MediumMural Medium = "mural"
	MediumEssay Medium = "essay"
)

// Media lists every medium in display order.
var Media = []Medium{MediumPhoto, MediumVideo, MediumMural, MediumEssay}

// Valid reports whether m is a known medium.
func (m Medium) Valid() bool {
	for _, x := range Media {
		if x == m {
			return true
		}
	}
	return false
}

// User is a person with an account.
type User struct {
	ID           string
	Email        string
	Name         string
	Organisation string
	Country      string
	PasswordHash string
	Locale       string
	CanOrganize  bool // may create competitions
	CreatedAt    time.Time
}

// CompetitionStatus is where a competition is in its life.
type CompetitionStatus string

// Competition states.
const (
	StatusDraft     CompetitionStatus = "draft"
	StatusOpen      CompetitionStatus = "open"
	StatusJudging   CompetitionStatus = "judging"
	StatusAnnounced CompetitionStatus = "announced"
)

// Competition is one contest with its categories and rounds.
type Competition struct {
	ID          string
	Slug        string
	Title       string
	Description string
	TimeZone    string // IANA name
	OpensAt     time.Time
	ClosesAt    time.Time
	GraceMin    int
	Status      CompetitionStatus
	AnnouncedAt *time.Time
	CreatedAt   time.Time
}

// Location returns the competition's time zone, UTC when unknown.
func (c Competition) Location() *time.Location {
	loc, err := time.LoadLocation(c.TimeZone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// Announced reports whether results are public at now.
func (c Competition) Announced(now time.Time) bool {
	return c.AnnouncedAt != nil && !now.Before(*c.AnnouncedAt)
}

// Category is one medium's section of a competition.
type Category struct {
	ID            string
	CompetitionID string
	Medium        Medium
	Name          string
	Description   string
	MaxFileBytes  int64
	MaxEntries    int
	Position      int
}

// EntryStatus is an entry's life-cycle state.
type EntryStatus string

// Entry states.
const (
	EntryDraft     EntryStatus = "draft"
	EntrySubmitted EntryStatus = "submitted"
	EntryWithdrawn EntryStatus = "withdrawn"
)

// Entry is one work submitted to a category.
type Entry struct {
	ID            string
	CompetitionID string
	CategoryID    string
	EntrantID     string
	Title         string
	Statement     string
	Status        EntryStatus
	Consent       bool   // agreed to publication of the entry if it wins
	ConsentRules  bool   // agreed to the competition's rules
	NominatedBy   string // the nominator's user id, when the entry came from a nomination
	SubmittedAt   *time.Time
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// AssetState is an uploaded file's processing state.
type AssetState string

// Asset states: uploading until the bytes are complete, pending until a
// worker picks it up, then processing, then ready or failed.
const (
	AssetUploading  AssetState = "uploading"
	AssetPending    AssetState = "pending"
	AssetProcessing AssetState = "processing"
	AssetReady      AssetState = "ready"
	AssetFailed     AssetState = "failed"
)

// Asset is one uploaded file of an entry. Its original is kept untouched and
// is never shown to judges or the public.
type Asset struct {
	ID          string
	EntryID     string
	FileName    string
	ContentType string
	Size        int64
	OriginalKey string
	State       AssetState
	FailReason  string
	Width       int
	Height      int
	Attempts    int
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Derivative names a processed rendition of an asset.
type Derivative struct {
	AssetID     string
	Name        string // "thumb", "preview", ...
	Key         string
	ContentType string
	Width       int
	Height      int
	Size        int64
}

// Round is one stage of judging.
type Round struct {
	ID            string
	CompetitionID string
	Name          string
	Position      int
	Blind         bool
	OpensAt       time.Time
	ClosesAt      time.Time
	// Judging settings (see rounds.go): how entries are marked, how many
	// judges each needs, when judges see each other's marks, and how results
	// are computed and ranked.
	ScoringMode     ScoringMode
	Quorum          int
	ScoreVisibility ScoreVisibility
	MinScores       int     // normalisation uses only judges with at least this many totals
	Disagreement    float64 // a spread of judges' totals (0–100) above this flags an entry
	RankBy          RankBy
	TieBreaks       string   // comma-separated TieBreak rules, fixed once the round closes
	CategoryIDs     []string `db:"-"`
}

// Criterion is one line of a round's rubric.
type Criterion struct {
	ID       string
	RoundID  string
	Name     string
	Guidance string
	Weight   float64
	ScaleMin int
	ScaleMax int
	Position int
	Excluded bool // "does not count": recorded and shown, left out of the total
}

// Score is one judge's mark on one criterion of one entry.
type Score struct {
	RoundID     string
	EntryID     string
	JudgeID     string
	CriterionID string
	Value       int
	UpdatedAt   time.Time
}

// AwardKind names a prize.
type AwardKind string

// Award kinds.
const (
	AwardWinner AwardKind = "winner"
	AwardFirst  AwardKind = "first"
	AwardSecond AwardKind = "second"
	AwardThird  AwardKind = "third"
	AwardHonour AwardKind = "honourable"
	AwardGrand  AwardKind = "grand"
)

// Award is a prize given to an entry.
type Award struct {
	ID            string
	CompetitionID string
	EntryID       string
	Kind          AwardKind
	CategoryID    string // the category the prize is for; "" for the grand prize
	CreatedAt     time.Time
}

// Invitation lets the holder of its token join a competition with a role.
type Invitation struct {
	Token         string
	CompetitionID string
	Role          Role
	Email         string
	Statement     string // a nomination's statement, when the invitation nominates
	CreatedBy     string
	ExpiresAt     time.Time
	UsedAt        *time.Time
}

// AuditEvent is one append-only line of the audit log.
type AuditEvent struct {
	ID            int64
	CompetitionID string
	ActorID       string
	Action        string
	Subject       string
	Detail        string
	At            time.Time
}

// Slugify makes a URL-safe lower-case slug from a title.
func Slugify(title string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(title) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
			dash = false
		default:
			if !dash && b.Len() > 0 {
				b.WriteByte('-')
				dash = true
			}
		}
	}
	s := strings.TrimSuffix(b.String(), "-")
	if len(s) > 60 {
		s = strings.TrimSuffix(s[:60], "-")
	}
	return s
}

// ValidateTimeZone checks an IANA zone name.
func ValidateTimeZone(name string) error {
	if name == "" || name == "Local" {
		return fmt.Errorf("time zone %q: want an IANA name such as Africa/Nairobi", name)
	}
	if _, err := time.LoadLocation(name); err != nil {
		return fmt.Errorf("unknown time zone %q: %w", name, err)
	}
	return nil
}
