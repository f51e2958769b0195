package httpapi

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/tessera/tessera/internal/app"
	"github.com/tessera/tessera/internal/auth"
	"github.com/tessera/tessera/internal/contest"
	"github.com/tessera/tessera/web"
)

// maxJSONBody caps JSON request bodies.
const maxJSONBody = 1 << 20

// Handler serves the JSON API.
type Handler struct {
	App     *app.App
	Auth    *auth.Service
	Catalog *web.Catalog
	Logger  *slog.Logger
	Secure  bool   // send Secure cookies
	BaseURL string // for absolute links (invitations)
	OpenAPI []byte // the OpenAPI document served at /api/v1/openapi.yaml
}

// Register lists every API route in one place (docs/API.md,
// openapi.yaml); the handlers live in files named for their resource.
func (h *Handler) Register(r *gin.Engine) {
	g := r.Group("/api/v1")
	g.GET("/openapi.yaml", h.openAPI)

	// Accounts and profiles.
	g.POST("/users", h.signUp)
	g.POST("/session", h.signIn)
	g.DELETE("/session", h.signOut)
	g.GET("/me", h.me)
	g.GET("/me/profile", h.profile)
	g.PUT("/me/profile", h.setProfile)

	// Competitions, invitations and nominations.
	g.GET("/competitions", h.listCompetitions)
	g.POST("/competitions", h.createCompetition)
	c := g.Group("/competitions/:slug")
	c.GET("", h.getCompetition)
	c.POST("/invitations", h.createInvitation)
	g.POST("/invitations/:token/accept", h.acceptInvitation)
	c.GET("/nominations", h.listNominations)
	c.POST("/nominations", h.nominate)
	c.PUT("/nominations/settings", h.nominationSettings)
	c.PUT("/nominators/:user/quota", h.nominatorQuota)
	c.GET("/categories/:category/rules", h.categoryRules)
	c.PUT("/categories/:category/rules", h.setCategoryRules)

	// Entering (entries.go, entrants.go, essay.go) and resumable uploads
	// (uploads.go, docs/UPLOADS.md).
	c.GET("/entries", h.myEntries)
	c.POST("/entries", h.createEntry)
	c.GET("/entries/:id", h.getEntry)
	c.PATCH("/entries/:id", h.updateEntry)
	c.GET("/entries/:id/essay", h.getEssay)
	c.PUT("/entries/:id/files", h.uploadFile)
	c.POST("/entries/:id/submit", h.submitEntry)
	c.POST("/entries/:id/withdraw", h.withdrawEntry)
	c.POST("/entries/:id/uploads", h.startUpload)
	c.GET("/uploads/:upload", h.getUpload)
	c.PUT("/uploads/:upload/parts/:part", h.putPart)
	c.POST("/uploads/:upload/complete", h.completeUpload)
	c.DELETE("/uploads/:upload", h.abortUpload)
	c.GET("/duplicates", h.duplicates)

	// Judging (judging.go, docs/JUDGING.md): every operation names its
	// round, but conflicts, which follow a judge across rounds.
	c.GET("/rounds", h.listRounds)
	c.POST("/rounds", h.createRound)
	c.GET("/rounds/:round", h.getRound)
	c.PATCH("/rounds/:round", h.updateRound)
	c.PUT("/rounds/:round/criteria", h.setRubric)
	c.POST("/rounds/:round/advance", h.advance)
	c.PUT("/rounds/:round/judges", h.setPanel)
	c.DELETE("/rounds/:round/judges/:judge", h.dropJudge)
	c.GET("/rounds/:round/assignments", h.listAssignments)
	c.POST("/rounds/:round/assignments", h.addAssignment)
	c.POST("/rounds/:round/assignments/auto", h.autoAssign)
	c.DELETE("/rounds/:round/assignments/:entry/:judge", h.removeAssignment)
	c.GET("/rounds/:round/queue", h.roundQueue)
	c.GET("/rounds/:round/entries/:id/review", h.getReview)
	c.PUT("/rounds/:round/entries/:id/review", h.saveReview)
	c.GET("/conflicts", h.listConflicts)
	c.POST("/conflicts", h.declareConflict)
	c.DELETE("/conflicts/:conflict", h.deleteConflict)
	c.POST("/conflicts/:conflict/confirm", h.confirmConflict)
	c.POST("/conflicts/:conflict/decline", h.declineConflict)
	c.POST("/recusals", h.recuse)
	c.PUT("/conflict-rules", h.conflictRules)

	// Results, prizes, the announcement and the public gallery.
	c.GET("/rounds/:round/results", h.roundResults)
	c.POST("/rounds/:round/tie-decisions", h.decideTie)
	c.POST("/rounds/:round/awards", h.giveAward)
	c.DELETE("/rounds/:round/awards/:entry/:kind", h.withdrawAward)
	c.POST("/rounds/:round/announcement", h.announce)
	c.GET("/gallery", h.gallery)

	// The organizer's records: mail, audit, exports.
	c.GET("/outbox", h.outbox)
	c.GET("/audit", h.audit)
	c.GET("/exports/entries.csv", h.exportEntries)
	c.GET("/exports/audit.csv", h.exportAudit)
	c.GET("/rounds/:round/exports/scores.csv", h.exportScores)
	c.GET("/rounds/:round/exports/results.csv", h.exportResults)
	c.GET("/rounds/:round/exports/media.zip", h.exportMedia)
}

// NotFound answers an unknown /api/v1 path (the server routes it here).
func (h *Handler) NotFound(c *gin.Context) {
	h.fail(c, fmt.Errorf("no such endpoint: %w", contest.ErrNotFound))
}

func (h *Handler) openAPI(c *gin.Context) {
	c.Data(http.StatusOK, "application/yaml", h.OpenAPI)
}

// bind decodes a JSON body strictly into dst.
func bind(c *gin.Context, dst any) error {
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, maxJSONBody)
	dec := json.NewDecoder(c.Request.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		if _, ok := err.(*http.MaxBytesError); ok {
			return err
		}
		return &contest.FieldError{Fields: map[string]string{"body": "error.bad_json"}}
	}
	if dec.More() {
		return &contest.FieldError{Fields: map[string]string{"body": "error.bad_json"}}
	}
	return nil
}

func user(c *gin.Context) *contest.User { return auth.UserFrom(c.Request.Context()) }

// access loads the competition named in the path and the caller's roles in
// it; on a route that names no competition (the caller's own account) it is
// the caller alone, with no competition and no roles.
func (h *Handler) access(c *gin.Context) (app.Access, bool) {
	if c.Param("slug") == "" { // a route without :slug (a path segment is never empty)
		return app.Access{User: user(c)}, true
	}
	acc, err := h.App.AccessFor(c.Request.Context(), user(c), c.Param("slug"))
	if err != nil {
		h.fail(c, err)
		return acc, false
	}
	return acc, true
}

// page reads ?limit= and ?offset= with sane bounds.
func page(c *gin.Context) (limit, offset int) {
	limit, offset = 50, 0
	if v, err := strconv.Atoi(c.Query("limit")); err == nil && v > 0 {
		limit = min(v, 200)
	}
	if v, err := strconv.Atoi(c.Query("offset")); err == nil && v > 0 {
		offset = v
	}
	return limit, offset
}

// userJSON is a user as the API shows them to themselves.
type userJSON struct {
	ID           string `json:"id"`
	Email        string `json:"email"`
	Name         string `json:"name"`
	Organisation string `json:"organisation"`
	Country      string `json:"country"`
	CanOrganize  bool   `json:"can_organize"`
}

func toUserJSON(u contest.User) userJSON {
	return userJSON{ID: u.ID, Email: u.Email, Name: u.Name, Organisation: u.Organisation, Country: u.Country, CanOrganize: u.CanOrganize}
}

func (h *Handler) signUp(c *gin.Context) {
	var in struct {
		Email        string `json:"email"`
		Name         string `json:"name"`
		Password     string `json:"password"`
		Organisation string `json:"organisation"`
		Country      string `json:"country"`
	}
	if err := bind(c, &in); err != nil {
		h.fail(c, err)
		return
	}
	u, err := h.Auth.SignUp(c.Request.Context(), auth.SignUpInput{Email: in.Email, Name: in.Name, Password: in.Password, Organisation: in.Organisation, Country: in.Country})
	if err != nil {
		h.fail(c, err)
		return
	}
	h.startSession(c, u, http.StatusCreated)
}

func (h *Handler) startSession(c *gin.Context, u contest.User, status int) {
	token, exp, err := h.Auth.StartSession(c.Request.Context(), u.ID)
	if err != nil {
		h.fail(c, err)
		return
	}
	auth.SetSessionCookie(c.Writer, token, exp, h.Secure)
	c.JSON(status, gin.H{"token": token, "expires_at": exp.UTC(), "user": toUserJSON(u)})
}

func (h *Handler) signIn(c *gin.Context) {
	var in struct {
		Email    string `json:"email"`
		Password string `json:"password"`
	}
	if err := bind(c, &in); err != nil {
		h.fail(c, err)
		return
	}
	u, err := h.Auth.Authenticate(c.Request.Context(), in.Email, in.Password)
	if err != nil {
		h.fail(c, err)
		return
	}
	h.startSession(c, u, http.StatusOK)
}

func (h *Handler) signOut(c *gin.Context) {
	if tok := auth.TokenFrom(c.Request.Context()); tok != "" {
		if err := h.Auth.EndSession(c.Request.Context(), tok); err != nil {
			h.fail(c, err)
			return
		}
	}
	auth.ClearSessionCookie(c.Writer, h.Secure)
	c.Status(http.StatusNoContent)
}

func (h *Handler) me(c *gin.Context) {
	u := user(c)
	if u == nil {
		h.fail(c, contest.ErrUnauthorized)
		return
	}
	c.JSON(http.StatusOK, toUserJSON(*u))
}

// competitionJSON is a competition's public description.
type competitionJSON struct {
	ID          string     `json:"id"`
	Slug        string     `json:"slug"`
	Title       string     `json:"title"`
	Description string     `json:"description"`
	TimeZone    string     `json:"time_zone"`
	OpensAt     time.Time  `json:"opens_at"`
	ClosesAt    time.Time  `json:"closes_at"`
	GraceMin    int        `json:"grace_minutes"`
	Status      string     `json:"status"`
	AnnouncedAt *time.Time `json:"announced_at,omitempty"`
}

func toCompetitionJSON(c contest.Competition, now time.Time) competitionJSON {
	out := competitionJSON{ID: c.ID, Slug: c.Slug, Title: c.Title, Description: c.Description, TimeZone: c.TimeZone,
		OpensAt: c.OpensAt.UTC(), ClosesAt: c.ClosesAt.UTC(), GraceMin: c.GraceMin, Status: string(c.Status)}
	if c.Announced(now) {
		out.Status = string(contest.StatusAnnounced)
		t := c.AnnouncedAt.UTC()
		out.AnnouncedAt = &t
	}
	return out
}

func (h *Handler) listCompetitions(c *gin.Context) {
	limit, offset := page(c)
	cs, err := h.App.DB.Competitions(c.Request.Context(), limit, offset)
	if err != nil {
		h.fail(c, err)
		return
	}
	out := make([]competitionJSON, len(cs))
	for i, x := range cs {
		out[i] = toCompetitionJSON(x, h.App.Now())
	}
	c.JSON(http.StatusOK, gin.H{"items": out, "limit": limit, "offset": offset})
}

func (h *Handler) createCompetition(c *gin.Context) {
	mayCreate := func(acc app.Access) error { return app.MayCreateCompetition(acc.User) }
	call(h, c, http.StatusCreated, mayCreate, func(ctx context.Context, acc app.Access, in app.CompetitionInput) (competitionJSON, error) {
		comp, err := h.App.CreateCompetition(ctx, acc.User, in)
		return toCompetitionJSON(comp, h.App.Now()), err
	})
}

func (h *Handler) getCompetition(c *gin.Context) {
	answer(h, c, http.StatusOK, func(ctx context.Context, acc app.Access) (gin.H, error) {
		ov, err := h.App.Overview(ctx, acc)
		if err != nil {
			return nil, err
		}
		return h.overviewJSON(acc, ov), nil
	})
}

// overviewJSON is the competition page's data as the API shows it.
func (h *Handler) overviewJSON(acc app.Access, ov app.Overview) gin.H {
	type categoryJSON struct {
		ID            string   `json:"id"`
		Medium        string   `json:"medium"`
		Name          string   `json:"name"`
		Description   string   `json:"description"`
		MaxEntries    int      `json:"max_entries"`
		MaxFileBytes  int64    `json:"max_file_bytes"`
		AcceptedTypes []string `json:"accepted_types"`
	}
	type criterionJSON struct {
		ID       string  `json:"id"`
		Name     string  `json:"name"`
		Guidance string  `json:"guidance"`
		Weight   float64 `json:"weight"`
		ScaleMin int     `json:"scale_min"`
		ScaleMax int     `json:"scale_max"`
	}
	cats := make([]categoryJSON, len(ov.Categories))
	for i, x := range ov.Categories {
		maxBytes := h.App.UploadLimit(x)
		types := app.AcceptedTypes(x.Medium)
		if types == nil {
			types = []string{}
		}
		cats[i] = categoryJSON{ID: x.ID, Medium: string(x.Medium), Name: x.Name, Description: x.Description, MaxEntries: x.MaxEntries, MaxFileBytes: maxBytes, AcceptedTypes: types}
	}
	crit := make([]criterionJSON, len(ov.Criteria))
	for i, x := range ov.Criteria {
		crit[i] = criterionJSON{ID: x.ID, Name: x.Name, Guidance: x.Guidance, Weight: x.Weight, ScaleMin: x.ScaleMin, ScaleMax: x.ScaleMax}
	}
	roles := make([]string, len(acc.Roles))
	for i, r := range acc.Roles {
		roles[i] = string(r)
	}
	windows := map[contest.WindowState]string{contest.WindowNotYetOpen: "not_open", contest.WindowOpen: "open", contest.WindowGrace: "grace", contest.WindowClosed: "closed"}
	return gin.H{
		"competition":       toCompetitionJSON(acc.Competition, h.App.Now()),
		"categories":        cats,
		"round":             gin.H{"id": ov.Round.ID, "name": ov.Round.Name, "blind": ov.Round.Blind, "opens_at": ov.Round.OpensAt.UTC(), "closes_at": ov.Round.ClosesAt.UTC()},
		"criteria":          crit,
		"my_roles":          roles,
		"submission_window": windows[ov.Window],
	}
}

type invitationInput struct {
	Role  contest.Role `json:"role"`
	Email string       `json:"email"`
}

func (h *Handler) createInvitation(c *gin.Context) {
	call(h, c, http.StatusCreated, role(contest.RoleOrganizer), func(ctx context.Context, acc app.Access, in invitationInput) (gin.H, error) {
		token, err := h.App.Invite(ctx, acc, in.Role, in.Email)
		if err != nil {
			return nil, err
		}
		return gin.H{"token": token, "url": h.BaseURL + "/invite/" + token, "role": in.Role}, nil
	})
}

func (h *Handler) acceptInvitation(c *gin.Context) {
	u := user(c)
	if u == nil {
		h.fail(c, contest.ErrUnauthorized)
		return
	}
	inv, err := h.Auth.AcceptInvitation(c.Request.Context(), c.Param("token"), u.ID)
	if err != nil {
		h.fail(c, err)
		return
	}
	comp, err := h.App.DB.CompetitionByID(c.Request.Context(), inv.CompetitionID)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"competition": toCompetitionJSON(comp, h.App.Now()), "role": inv.Role})
}

func (h *Handler) myEntries(c *gin.Context) {
	answer(h, c, http.StatusOK, func(ctx context.Context, acc app.Access) (gin.H, error) {
		es, err := h.App.MyEntries(ctx, acc)
		return gin.H{"items": es}, err
	})
}

func (h *Handler) createEntry(c *gin.Context) {
	call(h, c, http.StatusCreated, signedIn, func(ctx context.Context, acc app.Access, in app.EntryInput) (app.EntryView, error) {
		e, err := h.App.CreateEntry(ctx, acc, in)
		if err != nil {
			return app.EntryView{}, err
		}
		return h.App.Entry(ctx, acc, e.ID)
	})
}

func (h *Handler) getEntry(c *gin.Context) {
	answer(h, c, http.StatusOK, func(ctx context.Context, acc app.Access) (app.EntryView, error) {
		return h.App.Entry(ctx, acc, c.Param("id"))
	})
}

// assetJSON is a stored upload as its uploader sees it.
func assetJSON(a contest.Asset) gin.H {
	return gin.H{"id": a.ID, "state": a.State, "content_type": a.ContentType, "size": a.Size, "file_name": a.FileName}
}

// uploadFile streams the request body (exactly Content-Length bytes) as one
// file of the entry; ?name= carries the file's name.
func (h *Handler) uploadFile(c *gin.Context) {
	answer(h, c, http.StatusCreated, func(ctx context.Context, acc app.Access) (gin.H, error) {
		size := c.Request.ContentLength
		body := io.Reader(c.Request.Body)
		if size > 0 {
			body = http.MaxBytesReader(c.Writer, c.Request.Body, size)
		}
		a, err := h.App.Upload(ctx, acc, app.UploadInput{EntryID: c.Param("id"), FileName: c.Query("name"), Size: size, Body: body})
		return assetJSON(a), err
	})
}

func (h *Handler) submitEntry(c *gin.Context) {
	answer(h, c, http.StatusOK, func(ctx context.Context, acc app.Access) (app.EntryView, error) {
		if err := h.App.SubmitEntry(ctx, acc, c.Param("id")); err != nil {
			return app.EntryView{}, err
		}
		return h.App.Entry(ctx, acc, c.Param("id"))
	})
}

func (h *Handler) audit(c *gin.Context) {
	type eventJSON struct {
		ID      int64     `json:"id"`
		ActorID string    `json:"actor_id"`
		Action  string    `json:"action"`
		Subject string    `json:"subject"`
		Detail  string    `json:"detail"`
		At      time.Time `json:"at"`
	}
	call(h, c, http.StatusOK, role(contest.RoleOrganizer), func(ctx context.Context, acc app.Access, _ none) (gin.H, error) {
		after, _ := strconv.ParseInt(c.Query("after"), 10, 64)
		limit, _ := page(c)
		evs, err := h.App.DB.Audit(ctx, acc.Competition.ID, after, limit)
		if err != nil {
			return nil, err
		}
		out := make([]eventJSON, len(evs))
		for i, e := range evs {
			out[i] = eventJSON{ID: e.ID, ActorID: e.ActorID, Action: e.Action, Subject: e.Subject, Detail: e.Detail, At: e.At.UTC()}
		}
		return gin.H{"items": out}, nil
	})
}
