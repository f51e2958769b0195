package httpapi_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"net/http"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/tessera/tessera/internal/auth"
	"github.com/tessera/tessera/internal/config"
	"github.com/tessera/tessera/internal/contest"
)

// TestBlindMeansBlind plays a judge of a blind round who tries to learn
// who made which entry, or when, from what the API gives back: the queue's
// cursors, conflict declarations (declare a country, watch the queue,
// withdraw, try the next) and their own profile (change your country or
// organisation, watch the queue). Each attempt must show nothing. It also
// drives the organizer's side of declarations: they see what a pending one
// would touch, and only their confirmation puts it into effect.
func TestBlindMeansBlind(t *testing.T) {
	shapes := map[string]func(*testing.T) config.Config{"embedded": embeddedConfig, "real": realConfig}
	for _, shape := range []string{"embedded", "real"} {
		t.Run(shape, func(t *testing.T) {
			runBlindMeansBlind(t, startStack(t, shapes[shape](t)))
		})
	}
}

// blindWorld is a blind round with five entrants' entries and two judges.
type blindWorld struct {
	env     *testEnv
	base    string
	round   string
	tok     map[string]string // person → session token
	ids     map[string]string // person → user id
	entries map[string]string // entrant → entry id
}

func (w *blindWorld) call(t *testing.T, who, method, path string, body any) response {
	t.Helper()
	return w.env.client.json(t, method, path, w.tok[who], body)
}

// queueBytes is the judge's queue page as sent, with what differs between
// two identical requests made the same: the cursor (sealed with a random
// nonce each time) and signed URLs' expiry and signature.
var (
	cursorField = regexp.MustCompile(`"next_cursor":"[^"]*"`)
	signedQuery = regexp.MustCompile(`e=[0-9]+(&|\\u0026)s=[A-Za-z0-9_-]+`)
)

func (w *blindWorld) queueBytes(t *testing.T, who, query string) []byte {
	t.Helper()
	r := w.call(t, who, http.MethodGet, w.base+"/rounds/"+w.round+"/queue"+query, nil)
	r.want(t, "queue"+query, http.StatusOK, nil)
	b := cursorField.ReplaceAll(r.body, []byte(`"next_cursor":"(sealed)"`))
	return signedQuery.ReplaceAll(b, []byte("e=(expiry)&s=(signature)"))
}

// walk pages through a judge's queue two at a time and returns the entry
// ids in order, and the cursors it was given.
func (w *blindWorld) walk(t *testing.T, who string) (ids, cursors []string) {
	t.Helper()
	query := ""
	for range 20 {
		var q queueJSON
		w.call(t, who, http.MethodGet, w.base+"/rounds/"+w.round+"/queue?limit=2"+query, nil).want(t, "queue page", http.StatusOK, &q)
		for _, it := range q.Items {
			ids = append(ids, it.ID)
		}
		if q.NextCursor == "" {
			return ids, cursors
		}
		query = "&cursor=" + q.NextCursor
		cursors = append(cursors, q.NextCursor)
	}
	t.Fatal("the queue never ends")
	return nil, nil
}

func runBlindMeansBlind(t *testing.T, env *testEnv) {
	ctx := context.Background()
	s := env.stack
	w := &blindWorld{env: env, tok: map[string]string{}, ids: map[string]string{}, entries: map[string]string{}}
	person := func(who, org, country string) {
		t.Helper()
		u, err := s.Auth.SignUp(ctx, auth.SignUpInput{Email: who + "@blind.example.org", Name: "Person " + who, Password: password, Organisation: org, Country: country})
		if err != nil {
			t.Fatal(err)
		}
		tok, _, err := s.Auth.StartSession(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		w.tok[who], w.ids[who] = tok, u.ID
	}
	person("organizer", "", "")
	if err := s.DB.SetCanOrganize(ctx, w.ids["organizer"], true); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	var comp competitionJSON
	w.call(t, "organizer", http.MethodPost, "/api/v1/competitions", map[string]any{
		"title": "Blind Weaves", "time_zone": "Africa/Nairobi", "opens_at": now.Add(-time.Hour), "closes_at": now.Add(48 * time.Hour),
		"criteria": []map[string]any{{"name": "Craft", "weight": 1, "scale_min": 1, "scale_max": 10}},
	}).want(t, "create competition", http.StatusCreated, &comp)
	w.base = "/api/v1/competitions/" + comp.Slug
	var ov struct {
		Categories []struct{ ID, Medium string } `json:"categories"`
		Round      struct {
			ID    string `json:"id"`
			Blind bool   `json:"blind"`
		} `json:"round"`
	}
	w.call(t, "organizer", http.MethodGet, w.base, nil).want(t, "overview", http.StatusOK, &ov)
	if !ov.Round.Blind {
		t.Fatal("the round must be blind")
	}
	w.round = ov.Round.ID
	photo := ov.Categories[slices.IndexFunc(ov.Categories, func(c struct{ ID, Medium string }) bool { return c.Medium == "photo" })].ID

	// Two Kenyan entrants, one each from Ghana, Nigeria and France; two
	// judges who sit on every panel (no assignments yet), so every entry is
	// on both queues.
	entrants := []struct{ who, org, country, title string }{
		{"ke1", "Nairobi Looms", "KE", "Indigo river"},
		{"gh", "Accra Studio", "GH", "Kente dawn"},
		{"ke2", "Mombasa Weavers", "KE", "Salt and thread"},
		{"ng", "Lagos Dyers", "NG", "Adire night"},
		{"fr", "Lyon Soie", "FR", "Silk rain"},
	}
	for _, e := range entrants {
		person(e.who, e.org, e.country)
		entry := contest.Entry{CompetitionID: comp.ID, CategoryID: photo, EntrantID: w.ids[e.who], Title: e.title, Consent: true}
		if err := s.DB.CreateEntry(ctx, &entry, 0); err != nil {
			t.Fatal(err)
		}
		if err := s.DB.SubmitEntry(ctx, entry.ID, entry.EntrantID); err != nil {
			t.Fatal(err)
		}
		w.entries[e.who] = entry.ID
	}
	person("judge", "Judges Guild", "UG")
	person("judge2", "Second Guild", "FR")
	for _, j := range []string{"judge", "judge2"} {
		if err := s.DB.AddMember(ctx, comp.ID, w.ids[j], contest.RoleJudge); err != nil {
			t.Fatal(err)
		}
	}
	allIDs := []string{w.entries["ke1"], w.entries["gh"], w.entries["ke2"], w.entries["ng"], w.entries["fr"]}

	t.Run("cursors", func(t *testing.T) {
		ids, cursors := w.walk(t, "judge")
		got, want := slices.Clone(ids), slices.Clone(allIDs)
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Fatalf("paging two at a time gave %v, want every entry once: %v", ids, allIDs)
		}
		if len(cursors) != 2 {
			t.Fatalf("five entries two at a time: %d cursors, want 2", len(cursors))
		}
		var leaks [][]byte
		for _, id := range allIDs {
			e, err := s.DB.Entry(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			leaks = append(leaks, []byte(id), []byte(e.CreatedAt.UTC().Format(time.RFC3339Nano)), []byte(e.CreatedAt.UTC().Format("2006-01-02")))
		}
		for _, c := range cursors {
			raw, err := base64.RawURLEncoding.DecodeString(c)
			if err != nil {
				t.Fatalf("cursor %q is not URL-safe base64: %v", c, err)
			}
			for _, leak := range leaks {
				if bytes.Contains(raw, leak) || bytes.Contains([]byte(c), leak) {
					t.Errorf("cursor %q shows %q", raw, leak)
				}
			}
		}
		// The same position twice gives two different cursors.
		var a, b queueJSON
		w.call(t, "judge", http.MethodGet, w.base+"/rounds/"+w.round+"/queue?limit=2", nil).want(t, "first page", http.StatusOK, &a)
		w.call(t, "judge", http.MethodGet, w.base+"/rounds/"+w.round+"/queue?limit=2", nil).want(t, "first page again", http.StatusOK, &b)
		if a.NextCursor == b.NextCursor {
			t.Errorf("two cursors for the same position are equal: %s", a.NextCursor)
		}
		// Tampered, made-up, old-style and other people's cursors are refused.
		flipped := []byte(cursors[0])
		flipped[len(flipped)/2] ^= 'A' ^ 'B'
		e0, _ := s.DB.Entry(ctx, ids[1])
		oldStyle := base64.RawURLEncoding.EncodeToString([]byte(e0.CreatedAt.UTC().Format(time.RFC3339Nano) + "|" + e0.ID))
		var other queueJSON
		w.call(t, "judge2", http.MethodGet, w.base+"/rounds/"+w.round+"/queue?limit=2", nil).want(t, "judge2's page", http.StatusOK, &other)
		for name, c := range map[string]string{
			"tampered":         string(flipped),
			"old readable one": oldStyle,
			"another judge's":  other.NextCursor,
			"made up":          "bm90IGEgY3Vyc29y",
		} {
			p := w.call(t, "judge", http.MethodGet, w.base+"/rounds/"+w.round+"/queue?limit=2&cursor="+c, nil).wantProblem(t, name+" cursor", http.StatusUnprocessableEntity)
			wantField(t, name+" cursor", p, "cursor", "cursor.invalid")
		}
	})

	t.Run("declarations wait for the organizer", func(t *testing.T) {
		full, page := w.queueBytes(t, "judge", ""), w.queueBytes(t, "judge", "?limit=2")
		if !bytes.Contains(full, []byte("Indigo river")) || !bytes.Contains(full, []byte(`"total":5`)) {
			t.Fatalf("the queue should hold all five entries: %s", full)
		}
		unchanged := func(t *testing.T, after string) {
			t.Helper()
			if got := w.queueBytes(t, "judge", ""); !bytes.Equal(got, full) {
				t.Errorf("after %s the queue changed:\nbefore %s\nafter  %s", after, full, got)
			}
			if got := w.queueBytes(t, "judge", "?limit=2"); !bytes.Equal(got, page) {
				t.Errorf("after %s the first page changed:\nbefore %s\nafter  %s", after, page, got)
			}
		}
		type conflictJSON struct {
			ID      string `json:"id"`
			Status  string `json:"status"`
			Note    string `json:"note"`
			Country string `json:"country"`
			Affects []struct {
				ID    string `json:"id"`
				Title string `json:"title"`
			} `json:"affects"`
		}
		declare := func(body map[string]any) conflictJSON {
			t.Helper()
			var c conflictJSON
			r := w.call(t, "judge", http.MethodPost, w.base+"/conflicts", body)
			r.want(t, "declare", http.StatusCreated, &c)
			if c.Status != "pending" || bytes.Contains(r.body, []byte("affects")) {
				t.Fatalf("a new declaration is pending and names no entry: %s", r.body)
			}
			return c
		}
		// The judge's own list: where each declaration stands, never which
		// or how many entries it touches.
		judgeList := func(t *testing.T) []conflictJSON {
			t.Helper()
			var l struct{ Items []conflictJSON }
			r := w.call(t, "judge", http.MethodGet, w.base+"/conflicts", nil)
			r.want(t, "judge's conflicts", http.StatusOK, &l)
			for _, e := range entrants {
				// ke2's id is in the list only as what the judge named.
				if bytes.Contains(r.body, []byte(e.title)) || e.who != "ke2" && bytes.Contains(r.body, []byte(w.entries[e.who])) {
					t.Errorf("the judge's list names entry %q: %s", e.title, r.body)
				}
			}
			if bytes.Contains(r.body, []byte("affects")) {
				t.Errorf("the judge's list tells what a declaration affects: %s", r.body)
			}
			return l.Items
		}

		// Guess after guess: declare, look, withdraw. Nothing moves.
		for _, guess := range []map[string]any{{"country": "KE"}, {"country": "GH"}, {"organisation": "Lagos Dyers"}, {"entrant_id": w.ids["fr"]}, {"entry_id": w.entries["ke2"]}} {
			c := declare(guess)
			unchanged(t, "declaring "+c.ID)
			if l := judgeList(t); len(l) != 1 || l[0].Status != "pending" {
				t.Fatalf("the judge's list: %+v", l)
			}
			w.call(t, "judge", http.MethodDelete, w.base+"/conflicts/"+c.ID, nil).want(t, "withdraw a pending declaration", http.StatusNoContent, nil)
			unchanged(t, "withdrawing "+c.ID)
		}
		if l := judgeList(t); len(l) != 0 {
			t.Fatalf("withdrawn declarations are gone: %+v", l)
		}

		// The organizer sees what a pending declaration would take.
		ke, gh := declare(map[string]any{"country": "ke"}), declare(map[string]any{"organisation": "accra studio"})
		unchanged(t, "two pending declarations")
		var org struct{ Items []conflictJSON }
		w.call(t, "organizer", http.MethodGet, w.base+"/conflicts", nil).want(t, "organizer's conflicts", http.StatusOK, &org)
		affects := map[string][]string{}
		for _, c := range org.Items {
			for _, a := range c.Affects {
				affects[c.ID] = append(affects[c.ID], a.Title)
			}
		}
		if !slices.Equal(affects[ke.ID], []string{"Indigo river", "Salt and thread"}) || !slices.Equal(affects[gh.ID], []string{"Kente dawn"}) {
			t.Fatalf("the organizer sees pending declarations affect %v", affects)
		}

		// Confirmed: the Kenyan entries leave the queue, and only the
		// organizer can lift it now.
		var got conflictJSON
		w.call(t, "organizer", http.MethodPost, w.base+"/conflicts/"+ke.ID+"/confirm", nil).want(t, "confirm", http.StatusOK, &got)
		if got.Status != "confirmed" {
			t.Fatalf("confirm: %+v", got)
		}
		var q queueJSON
		w.call(t, "judge", http.MethodGet, w.base+"/rounds/"+w.round+"/queue", nil).want(t, "queue after confirm", http.StatusOK, &q)
		var left []string
		for _, it := range q.Items {
			left = append(left, it.ID)
		}
		if slices.Contains(left, w.entries["ke1"]) || slices.Contains(left, w.entries["ke2"]) || len(left) != 3 {
			t.Fatalf("after the confirmation the queue holds %v", left)
		}
		w.call(t, "judge", http.MethodGet, w.base+"/rounds/"+w.round+"/entries/"+w.entries["ke1"]+"/review", nil).wantProblem(t, "review a confirmed conflict", http.StatusNotFound)
		w.call(t, "judge", http.MethodDelete, w.base+"/conflicts/"+ke.ID, nil).wantProblem(t, "withdraw a confirmed declaration", http.StatusForbidden)
		w.call(t, "organizer", http.MethodPost, w.base+"/conflicts/"+ke.ID+"/confirm", nil).wantProblem(t, "confirm twice", http.StatusConflict)
		w.call(t, "organizer", http.MethodPost, w.base+"/conflicts/"+ke.ID+"/decline", nil).wantProblem(t, "decline a confirmed declaration", http.StatusConflict)
		w.call(t, "organizer", http.MethodPost, w.base+"/conflicts/00000000000000000000000000/confirm", nil).wantProblem(t, "confirm a made-up declaration", http.StatusNotFound)
		w.call(t, "judge", http.MethodPost, w.base+"/conflicts/"+gh.ID+"/confirm", nil).wantProblem(t, "a judge confirms", http.StatusForbidden)

		// Declined with a note: the judge reads it, nothing else changes.
		const note = "Accra Studio is a different workshop from yours."
		w.call(t, "organizer", http.MethodPost, w.base+"/conflicts/"+gh.ID+"/decline", map[string]any{"note": note}).want(t, "decline", http.StatusOK, &got)
		if got.Status != "declined" || got.Note != note {
			t.Fatalf("decline: %+v", got)
		}
		w.call(t, "judge", http.MethodDelete, w.base+"/conflicts/"+gh.ID, nil).wantProblem(t, "withdraw a declined declaration", http.StatusForbidden)
		status := map[string]string{}
		for _, c := range judgeList(t) {
			status[c.ID] = c.Status + " " + c.Note
		}
		if status[ke.ID] != "confirmed " || status[gh.ID] != "declined "+note {
			t.Fatalf("the judge sees their declarations as %v", status)
		}
		w.call(t, "judge", http.MethodGet, w.base+"/rounds/"+w.round+"/queue", nil).want(t, "queue after decline", http.StatusOK, &q)
		if len(q.Items) != 3 {
			t.Fatalf("a declined declaration changed the queue: %+v", q.Items)
		}

		audit := w.call(t, "organizer", http.MethodGet, w.base+"/exports/audit.csv", nil)
		audit.want(t, "audit", http.StatusOK, nil)
		for _, action := range []string{"conflict.declare", "conflict.withdraw", "conflict.confirm", "conflict.decline"} {
			if !bytes.Contains(audit.body, []byte(action)) {
				t.Errorf("the audit log lacks %s", action)
			}
		}
		// The organizer lifts the confirmed one: the entries come back.
		w.call(t, "organizer", http.MethodDelete, w.base+"/conflicts/"+ke.ID, nil).want(t, "organizer lifts", http.StatusNoContent, nil)
		if got := w.queueBytes(t, "judge", ""); !bytes.Equal(got, full) {
			t.Errorf("after the organizer lifted the conflict the queue is not what it was:\n%s", got)
		}
	})

	t.Run("profile changes are no oracle", func(t *testing.T) {
		w.call(t, "organizer", http.MethodPut, w.base+"/conflict-rules", map[string]any{"same_country": true}).want(t, "same-country rule", http.StatusOK, nil)
		full := w.queueBytes(t, "judge", "")
		for _, change := range []map[string]any{{"country": "KE"}, {"organisation": "Accra Studio"}, {"country": "NG", "organisation": "Lyon Soie"}} {
			w.call(t, "judge", http.MethodPut, "/api/v1/me/profile", change).want(t, "profile", http.StatusOK, nil)
			if got := w.queueBytes(t, "judge", ""); !bytes.Equal(got, full) {
				t.Errorf("after the profile change %v the queue changed:\nbefore %s\nafter  %s", change, full, got)
			}
		}
		// Automatic conflicts still hold, from the profile as it was on
		// joining: judge2 joined from France.
		var q queueJSON
		w.call(t, "judge2", http.MethodGet, w.base+"/rounds/"+w.round+"/queue", nil).want(t, "judge2's queue", http.StatusOK, &q)
		for _, it := range q.Items {
			if it.ID == w.entries["fr"] {
				t.Errorf("judge2 joined from France and sees the French entry")
			}
		}
		if len(q.Items) != 4 {
			t.Errorf("judge2's queue holds %d entries, want the four not from France", len(q.Items))
		}
	})
}
