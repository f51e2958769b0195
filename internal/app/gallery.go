package app

import (
	"context"
)

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
	scope := galleryScope(acc.Competition.ID)
	after, err := a.Cursors.Open(scope, cursor)
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
		page.NextCursor = a.Cursors.Seal(scope, es[len(es)-1])
	}
	return page, nil
}
