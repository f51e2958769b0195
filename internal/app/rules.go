package app

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/tessera/tessera/internal/contest"
	"github.com/tessera/tessera/internal/db"
)

// RequirableFields are the entry fields an organizer may make required.
var RequirableFields = []string{"statement"}

// CategoryRules are what a category accepts, as shown to entrants before
// they upload and enforced on the server.
type CategoryRules struct {
	CategoryID         string   `json:"category_id"`
	Medium             string   `json:"medium"`
	Formats            []string `json:"formats"`
	AcceptedTypes      []string `json:"accepted_types"`
	Accept             string   `json:"accept"`
	MaxFileBytes       int64    `json:"max_file_bytes"`
	MaxEntries         int      `json:"max_entries"`
	MaxDurationSeconds int      `json:"max_duration_seconds"`
	MinWords           int      `json:"min_words"`
	MaxWords           int      `json:"max_words"`
	RequiredFields     []string `json:"required_fields"`
}

// rulesDoc is the JSON kept in categories.rules.
type rulesDoc struct {
	Required []string `json:"required,omitempty"`
}

// RulesOf returns a category's rules.
func (a *App) RulesOf(ctx context.Context, cat contest.Category) (CategoryRules, error) {
	lim, err := a.DB.CategoryMediaLimits(ctx, cat.ID)
	if err != nil {
		return CategoryRules{}, err
	}
	raw, err := a.DB.CategoryRulesDoc(ctx, cat.ID)
	if err != nil {
		return CategoryRules{}, err
	}
	var doc rulesDoc
	_ = json.Unmarshal([]byte(raw), &doc) // an unreadable document means no extra rules
	r := CategoryRules{CategoryID: cat.ID, Medium: string(cat.Medium), Formats: contest.FormatLabels(cat.Medium), AcceptedTypes: contest.AcceptedTypes(cat.Medium),
		Accept: contest.AcceptAttr(cat.Medium), MaxFileBytes: a.UploadLimit(cat), MaxEntries: cat.MaxEntries,
		MaxDurationSeconds: lim.MaxDurationSeconds, MinWords: lim.MinWords, MaxWords: lim.MaxWords, RequiredFields: doc.Required}
	if r.RequiredFields == nil {
		r.RequiredFields = []string{}
	}
	return r, nil
}

// CategoryRulesInput changes a category's rules; nil fields stay.
type CategoryRulesInput struct {
	MaxFileBytes       *int64   `json:"max_file_bytes"`
	MaxEntries         *int     `json:"max_entries"`
	MaxDurationSeconds *int     `json:"max_duration_seconds"`
	MinWords           *int     `json:"min_words"`
	MaxWords           *int     `json:"max_words"`
	RequiredFields     []string `json:"required_fields"`
}

// maxCategoryFileBytes is the largest per-file limit an organizer may set.
const maxCategoryFileBytes = 50 << 30

// SetCategoryRules lets an organizer change a category's rules. Every
// problem is reported at once and nothing changes then.
func (a *App) SetCategoryRules(ctx context.Context, acc Access, categoryID string, in CategoryRulesInput) (CategoryRules, error) {
	if err := acc.Require(contest.RoleOrganizer); err != nil {
		return CategoryRules{}, err
	}
	cats, err := a.DB.Categories(ctx, acc.Competition.ID)
	if err != nil {
		return CategoryRules{}, err
	}
	i := slices.IndexFunc(cats, func(c contest.Category) bool { return c.ID == categoryID })
	if i < 0 {
		return CategoryRules{}, fmt.Errorf("category: %w", contest.ErrNotFound)
	}
	cat := cats[i]
	cur, err := a.RulesOf(ctx, cat)
	if err != nil {
		return CategoryRules{}, err
	}
	lim := db.MediaLimits{MaxDurationSeconds: cur.MaxDurationSeconds, MinWords: cur.MinWords, MaxWords: cur.MaxWords}
	var fe contest.FieldError
	if in.MaxFileBytes != nil {
		if *in.MaxFileBytes < 0 || *in.MaxFileBytes > maxCategoryFileBytes {
			fe.Add("max_file_bytes", "category.limits_invalid")
		}
		cat.MaxFileBytes = *in.MaxFileBytes
	}
	if in.MaxEntries != nil {
		if *in.MaxEntries < 0 || *in.MaxEntries > 1000 {
			fe.Add("max_entries", "category.limits_invalid")
		}
		cat.MaxEntries = *in.MaxEntries
	}
	set := func(dst *int, v *int, field string) {
		if v != nil {
			if *v < 0 {
				fe.Add(field, "category.limits_invalid")
			}
			*dst = *v
		}
	}
	set(&lim.MaxDurationSeconds, in.MaxDurationSeconds, "max_duration_seconds")
	set(&lim.MinWords, in.MinWords, "min_words")
	set(&lim.MaxWords, in.MaxWords, "max_words")
	if lim.MaxWords > 0 && lim.MinWords > lim.MaxWords {
		fe.Add("min_words", "category.words_invalid")
	}
	doc := rulesDoc{Required: cur.RequiredFields}
	if in.RequiredFields != nil {
		doc.Required = nil
		for _, f := range in.RequiredFields {
			if !slices.Contains(RequirableFields, f) {
				fe.Add("required_fields", "category.field_unknown")
			} else if !slices.Contains(doc.Required, f) {
				doc.Required = append(doc.Required, f)
			}
		}
	}
	if err := fe.Err(); err != nil {
		return CategoryRules{}, err
	}
	raw, err := json.Marshal(doc)
	if err != nil {
		return CategoryRules{}, err
	}
	if err := a.DB.SetCategoryMediaLimits(ctx, cat.ID, lim); err != nil {
		return CategoryRules{}, err
	}
	if err := a.DB.SetCategoryLimits(ctx, cat.ID, cat.MaxFileBytes, cat.MaxEntries, string(raw)); err != nil {
		return CategoryRules{}, err
	}
	return a.RulesOf(ctx, cat)
}

// requiredProblems adds a problem for every field the category requires
// that the entry leaves empty.
func (a *App) requiredProblems(ctx context.Context, e contest.Entry, fe *contest.FieldError) error {
	raw, err := a.DB.CategoryRulesDoc(ctx, e.CategoryID)
	if err != nil {
		return err
	}
	var doc rulesDoc
	_ = json.Unmarshal([]byte(raw), &doc)
	for _, f := range doc.Required {
		if f == "statement" && trim(e.Statement) == "" {
			fe.Add("statement", "field.required")
		}
	}
	return nil
}
