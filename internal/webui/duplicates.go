package webui

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/tessera/tessera/internal/app"
	"github.com/tessera/tessera/internal/contest"
)

// duplicatesData is the organizer's list of look-alike entries.
type duplicatesData struct {
	Competition contest.Competition
	Pairs       []duplicateRow
}

// duplicateRow is one pair, its two sides shown next to each other.
type duplicateRow struct {
	Distance int
	Sides    [2]duplicateSide
}

type duplicateSide struct {
	Entry app.EntryView
	Thumb string // the thumbnail of the look-alike picture
}

func (h *Handler) duplicatesPage(c *gin.Context) {
	acc, err := h.access(c)
	if err != nil {
		h.fail(c, nil, err)
		return
	}
	ps, err := h.App.Duplicates(c.Request.Context(), acc)
	if err != nil {
		h.fail(c, nil, err)
		return
	}
	p := h.newPage(c, "duplicates", "duplicates.page_title", acc.Competition.Title)
	d := duplicatesData{Competition: acc.Competition, Pairs: make([]duplicateRow, len(ps))}
	for i, dp := range ps {
		d.Pairs[i] = duplicateRow{Distance: dp.Distance, Sides: [2]duplicateSide{
			{Entry: dp.A, Thumb: dp.A.AssetThumb(dp.AssetA)},
			{Entry: dp.B, Thumb: dp.B.AssetThumb(dp.AssetB)},
		}}
	}
	p.Data = d
	h.render(c, http.StatusOK, p)
}
