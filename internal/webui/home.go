package webui

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/tessera/tessera/internal/contest"
)

// homePageSize is how many competitions the home page lists at once.
const homePageSize = 20

// homeData is the home page.
type homeData struct {
	Competitions []competitionItem
	Prev, Next   string // pagination links, empty at either end
	CanOrganize  bool
}

// competitionItem is one competition in a list.
type competitionItem struct {
	Slug, Title, Description string
	State                    string // translated window state
	ClosesAt                 time.Time
	Loc                      *time.Location
	Remaining                string // time left while open, else ""
}

func (h *Handler) home(c *gin.Context) {
	p := h.newPage(c, "home", "home.title")
	n, _ := strconv.Atoi(c.Query("page"))
	n = min(max(n, 1), 100000)
	comps, err := h.App.DB.Competitions(c.Request.Context(), homePageSize+1, (n-1)*homePageSize)
	if err != nil {
		h.fail(c, nil, err)
		return
	}
	d := homeData{CanOrganize: p.User != nil && p.User.CanOrganize}
	if len(comps) > homePageSize {
		comps = comps[:homePageSize]
		d.Next = "/?page=" + strconv.Itoa(n+1)
	}
	if n > 1 {
		d.Prev = "/?page=" + strconv.Itoa(n-1)
	}
	now := h.App.Now()
	for _, comp := range comps {
		d.Competitions = append(d.Competitions, competitionItem{
			Slug: comp.Slug, Title: comp.Title, Description: excerpt(comp.Description, 240),
			State: h.t(p, windowKey(contest.SubmissionWindow(comp, now))), ClosesAt: comp.ClosesAt, Loc: comp.Location(),
			Remaining: h.deadline(p.Lang, comp, now).Remaining,
		})
	}
	p.Data = d
	h.render(c, http.StatusOK, p)
}

// windowKey is the catalog key naming a submission window state.
func windowKey(w contest.WindowState) string {
	switch w {
	case contest.WindowNotYetOpen:
		return "window.not_open"
	case contest.WindowOpen:
		return "window.open"
	case contest.WindowGrace:
		return "window.grace"
	}
	return "window.closed"
}

// excerpt shortens s to at most n characters at a word boundary.
func excerpt(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	cut := n
	for i := n; i > n/2; i-- {
		if r[i] == ' ' || r[i] == '\n' {
			cut = i
			break
		}
	}
	return string(r[:cut]) + "…"
}
