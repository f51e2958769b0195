package app

import (
	"context"
	"fmt"

	"github.com/tessera/tessera/internal/contest"
)

// DuplicateDistance is how many bits of two perceptual hashes may differ for
// their pictures to count as the same: resized and recompressed copies stay
// well within it, different pictures rarely come this close.
const DuplicateDistance = 10

// maxDuplicatePairs bounds the list an organizer gets.
const maxDuplicatePairs = 200

// DuplicatePair is two entries of a competition holding pictures that look
// alike (the same photo entered twice, or by two entrants), as an organizer
// sees them.
type DuplicatePair struct {
	A        EntryView `json:"a"`
	B        EntryView `json:"b"`
	AssetA   string    `json:"asset_a"`
	AssetB   string    `json:"asset_b"`
	Distance int       `json:"distance"`
}

// Duplicates lists the pairs of entries in the competition whose images or
// video posters have close perceptual hashes, closest first. Organizers
// only.
func (a *App) Duplicates(ctx context.Context, acc Access) ([]DuplicatePair, error) {
	if err := acc.Require(contest.RoleOrganizer); err != nil {
		return nil, err
	}
	ps, err := a.DB.DuplicateCandidates(ctx, acc.Competition.ID, DuplicateDistance)
	if err != nil {
		return nil, err
	}
	if len(ps) > maxDuplicatePairs {
		ps = ps[:maxDuplicatePairs]
	}
	var es []contest.Entry
	seen := map[string]bool{}
	for _, p := range ps {
		for _, id := range []string{p.EntryA, p.EntryB} {
			if seen[id] {
				continue
			}
			seen[id] = true
			e, err := a.DB.Entry(ctx, id)
			if err != nil {
				return nil, fmt.Errorf("duplicates: %w", err)
			}
			es = append(es, e)
		}
	}
	out := []DuplicatePair{}
	if len(es) == 0 {
		return out, nil
	}
	ec, err := a.loadContext(ctx, acc.Competition, es, true)
	if err != nil {
		return nil, err
	}
	views := map[string]EntryView{}
	for _, e := range es {
		if v, ok := a.view(acc, ec, e); ok {
			views[e.ID] = v
		}
	}
	for _, p := range ps {
		va, okA := views[p.EntryA]
		vb, okB := views[p.EntryB]
		if !okA || !okB {
			continue
		}
		out = append(out, DuplicatePair{A: va, B: vb, AssetA: p.AssetA, AssetB: p.AssetB, Distance: p.Distance})
	}
	return out, nil
}

// AssetThumb returns the thumbnail of one of the entry's assets, or "".
func (v EntryView) AssetThumb(assetID string) string {
	for _, a := range v.Assets {
		if a.ID == assetID {
			return a.ThumbURL
		}
	}
	return ""
}
