package db

import (
	"cmp"
	"context"
	"fmt"
	"math/bits"
	"slices"
	"strconv"
	"strings"

	"github.com/tessera/tessera/internal/contest"
)

// MediaRules is what the media pipeline needs to know about an asset
// besides the asset itself: its category's medium and limits, and its
// entry's title (drawn on an essay's cover).
type MediaRules struct {
	AssetID       string
	EntryID       string
	CompetitionID string
	CategoryID    string
	Medium        contest.Medium
	Title         string
	MediaLimits
}

// MediaLimits are a category's media rules; 0 means no limit.
type MediaLimits struct {
	MaxDurationSeconds int
	MinWords           int
	MaxWords           int
}

// MediaRules returns the rules that apply to an asset, or
// contest.ErrNotFound.
func (db *DB) MediaRules(ctx context.Context, assetID string) (MediaRules, error) {
	var r MediaRules
	err := db.x.QueryRowxContext(ctx, db.q(`SELECT a.id, e.id, e.competition_id, c.id, c.medium, e.title, c.max_duration_seconds, c.min_words, c.max_words
		FROM assets a JOIN entries e ON e.id = a.entry_id JOIN categories c ON c.id = e.category_id WHERE a.id = ?`), assetID).
		Scan(&r.AssetID, &r.EntryID, &r.CompetitionID, &r.CategoryID, &r.Medium, &r.Title, &r.MaxDurationSeconds, &r.MinWords, &r.MaxWords)
	if err != nil {
		return r, notFound(err, "media rules")
	}
	return r, nil
}

// CategoryMediaLimits returns a category's media limits, or
// contest.ErrNotFound.
func (db *DB) CategoryMediaLimits(ctx context.Context, categoryID string) (MediaLimits, error) {
	var l MediaLimits
	err := db.x.QueryRowxContext(ctx, db.q(`SELECT max_duration_seconds, min_words, max_words FROM categories WHERE id = ?`), categoryID).
		Scan(&l.MaxDurationSeconds, &l.MinWords, &l.MaxWords)
	if err != nil {
		return l, notFound(err, "category media limits")
	}
	return l, nil
}

// SetCategoryMediaLimits sets a category's media limits. Negative values
// and a minimum above the maximum are refused with a contest.FieldError.
func (db *DB) SetCategoryMediaLimits(ctx context.Context, categoryID string, l MediaLimits) error {
	fields := map[string]string{}
	if l.MaxDurationSeconds < 0 {
		fields["max_duration_seconds"] = "negative"
	}
	if l.MinWords < 0 {
		fields["min_words"] = "negative"
	}
	if l.MaxWords < 0 {
		fields["max_words"] = "negative"
	}
	if l.MaxWords > 0 && l.MinWords > l.MaxWords {
		fields["min_words"] = "above_max"
	}
	if len(fields) > 0 {
		return &contest.FieldError{Fields: fields}
	}
	res, err := db.x.ExecContext(ctx, db.q(`UPDATE categories SET max_duration_seconds = ?, min_words = ?, max_words = ? WHERE id = ?`),
		l.MaxDurationSeconds, l.MinWords, l.MaxWords, categoryID)
	if err != nil {
		return fmt.Errorf("set category media limits: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return fmt.Errorf("set category media limits: %w", contest.ErrNotFound)
	}
	return nil
}

// MediaFacts are what processing found out about an asset.
type MediaFacts struct {
	Width, Height int
	DurationMS    int64
	WordCount     int
	// PHash is the perceptual hash, 16 hex digits ("" when none).
	PHash      string
	VideoCodec string
	AudioCodec string
	Rotation   int
	Pages      int
}

// AssetMedia is an asset's media facts and progress, for pages.
type AssetMedia struct {
	AssetID string
	MediaFacts
	// Progress is the video preview's percent done while the asset is
	// processing (100 once ready).
	Progress int
}

const mediaFactColumns = `width = ?, height = ?, duration_ms = ?, word_count = ?, phash = ?, video_codec = ?, audio_codec = ?, rotation = ?, pages = ?`

func factArgs(f MediaFacts) []any {
	return []any{f.Width, f.Height, f.DurationMS, f.WordCount, f.PHash, f.VideoCodec, f.AudioCodec, f.Rotation, f.Pages}
}

func (db *DB) putDerivatives(ctx context.Context, tx *sqlxTx, id string, ds []contest.Derivative) error {
	for _, d := range ds {
		if _, err := tx.ExecContext(ctx, db.q(`INSERT INTO derivatives (asset_id, name, object_key, content_type, width, height, size) VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (asset_id, name) DO UPDATE SET object_key = excluded.object_key, content_type = excluded.content_type,
			width = excluded.width, height = excluded.height, size = excluded.size`),
			id, d.Name, d.Key, d.ContentType, d.Width, d.Height, d.Size); err != nil {
			return fmt.Errorf("record derivative %s: %w", d.Name, err)
		}
	}
	return nil
}

// SaveMediaFacts records facts and derivatives of an asset that is still
// processing (a video whose preview is yet to be made), in one transaction,
// and resets its progress to 0. It fails with contest.ErrConflict when the
// asset is no longer processing.
func (db *DB) SaveMediaFacts(ctx context.Context, id string, f MediaFacts, ds []contest.Derivative) error {
	return db.tx(ctx, func(tx *sqlxTx) error {
		args := append(factArgs(f), db.now(), id)
		res, err := tx.ExecContext(ctx, db.q(`UPDATE assets SET `+mediaFactColumns+`, progress = 0, updated_at = ? WHERE id = ? AND state = 'processing'`), args...)
		if err != nil {
			return fmt.Errorf("save media facts: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return fmt.Errorf("save media facts: asset is not processing: %w", contest.ErrConflict)
		}
		return db.putDerivatives(ctx, tx, id, ds)
	})
}

// FinishMedia records the derivatives, and the facts when f is not nil,
// and marks the asset ready with progress 100, in one transaction, only
// while it is processing (else contest.ErrConflict).
func (db *DB) FinishMedia(ctx context.Context, id string, f *MediaFacts, ds []contest.Derivative) error {
	return db.tx(ctx, func(tx *sqlxTx) error {
		if err := db.putDerivatives(ctx, tx, id, ds); err != nil {
			return err
		}
		q := `UPDATE assets SET state = 'ready', fail_reason = '', progress = 100, updated_at = ?`
		args := []any{db.now()}
		if f != nil {
			q += `, ` + mediaFactColumns
			args = append(args, factArgs(*f)...)
		}
		args = append(args, id)
		res, err := tx.ExecContext(ctx, db.q(q+` WHERE id = ? AND state = 'processing'`), args...)
		if err != nil {
			return fmt.Errorf("mark ready: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return fmt.Errorf("mark ready: asset is no longer processing: %w", contest.ErrConflict)
		}
		return nil
	})
}

// SetProgress records how far a processing asset's slow step (the video
// preview) has gone, in percent, and touches it so the sweeper sees it is
// alive. It reports false when the asset is not processing.
func (db *DB) SetProgress(ctx context.Context, id string, percent int) (bool, error) {
	percent = min(max(percent, 0), 100)
	res, err := db.x.ExecContext(ctx, db.q(`UPDATE assets SET progress = ?, updated_at = ? WHERE id = ? AND state = 'processing'`), percent, db.now(), id)
	if err != nil {
		return false, fmt.Errorf("set progress: %w", err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// AssetMedia returns the media facts and progress of the given assets, in
// the order of ids (missing ones are left out).
func (db *DB) AssetMedia(ctx context.Context, ids ...string) ([]AssetMedia, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	rows, err := db.x.QueryxContext(ctx, db.q(`SELECT id, width, height, duration_ms, word_count, phash, video_codec, audio_codec, rotation, pages, progress
		FROM assets WHERE id IN (?`+strings.Repeat(", ?", len(ids)-1)+`)`), anys(ids)...)
	if err != nil {
		return nil, fmt.Errorf("asset media: %w", err)
	}
	defer rows.Close()
	byID := map[string]AssetMedia{}
	for rows.Next() {
		var m AssetMedia
		if err := rows.Scan(&m.AssetID, &m.Width, &m.Height, &m.DurationMS, &m.WordCount, &m.PHash, &m.VideoCodec, &m.AudioCodec, &m.Rotation, &m.Pages, &m.Progress); err != nil {
			return nil, fmt.Errorf("asset media: %w", err)
		}
		byID[m.AssetID] = m
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("asset media: %w", err)
	}
	out := make([]AssetMedia, 0, len(byID))
	for _, id := range ids {
		if m, ok := byID[id]; ok {
			out = append(out, m)
		}
	}
	return out, nil
}

// DuplicatePair is two assets of different entries of one competition whose
// pictures look alike: their perceptual hashes differ in Distance bits.
type DuplicatePair struct {
	AssetA, EntryA string
	AssetB, EntryB string
	Distance       int
}

// DuplicateCandidates lists the pairs of assets in different, not
// withdrawn entries of a competition whose perceptual hashes are at most
// maxDistance bits apart (0: identical; about 10 catches resized and
// recompressed copies), closest first. Hashes of featureless pictures
// (all bits equal) are left out: every blank frame would match.
func (db *DB) DuplicateCandidates(ctx context.Context, competitionID string, maxDistance int) ([]DuplicatePair, error) {
	type row struct {
		ID, EntryID, PHash string
		h                  uint64
	}
	rows, err := db.x.QueryxContext(ctx, db.q(`SELECT a.id, a.entry_id, a.phash FROM assets a JOIN entries e ON e.id = a.entry_id
		WHERE e.competition_id = ? AND e.status <> 'withdrawn' AND a.phash <> '' AND a.state IN ('processing', 'ready') ORDER BY a.id`), competitionID)
	if err != nil {
		return nil, fmt.Errorf("duplicate candidates: %w", err)
	}
	defer rows.Close()
	var rs []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.ID, &r.EntryID, &r.PHash); err != nil {
			return nil, fmt.Errorf("duplicate candidates: %w", err)
		}
		h, err := strconv.ParseUint(r.PHash, 16, 64)
		if err != nil || h == 0 || h == ^uint64(0) {
			continue
		}
		r.h = h
		rs = append(rs, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("duplicate candidates: %w", err)
	}
	var out []DuplicatePair
	for i := range rs {
		for j := i + 1; j < len(rs); j++ {
			if rs[i].EntryID == rs[j].EntryID {
				continue
			}
			if d := bits.OnesCount64(rs[i].h ^ rs[j].h); d <= maxDistance {
				out = append(out, DuplicatePair{AssetA: rs[i].ID, EntryA: rs[i].EntryID, AssetB: rs[j].ID, EntryB: rs[j].EntryID, Distance: d})
			}
		}
	}
	slices.SortFunc(out, func(a, b DuplicatePair) int {
		return cmp.Or(cmp.Compare(a.Distance, b.Distance), cmp.Compare(a.AssetA, b.AssetA), cmp.Compare(a.AssetB, b.AssetB))
	})
	return out, nil
}
