package webui_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/tessera/tessera/internal/contest"
	"github.com/tessera/tessera/internal/media"
	"github.com/tessera/tessera/internal/testenv"
)

// readerEssay is a Markdown essay as an entrant might upload it, with
// things a judge's browser must never get: a script, an image from a
// tracking address, raw HTML with a style.
const readerEssay = "# Threads of light\n\nThe loom *hums* at dusk.\n\n<script>alert('judge')</script>\n\n" +
	"![me at the loom](http://tracker.example/pixel.gif?who=judge)\n\n" +
	"<div style=\"position:fixed\">boxed</div>\n\n" +
	"Read [my notes](https://notes.example/loom) later.\n\n## The second part\n\n- warp\n- weft\n"

// TestEssayReader uploads a Markdown essay and a Word essay, lets the real
// media worker prepare them, and reads them as each person: the entrant
// and organizer read them rendered; a judge assigned in a blind round reads
// the same on the reader page and inline on the review page, with nothing
// naming the entrant; everyone else gets 404. Essays still being prepared
// or failed say so.
func TestEssayReader(t *testing.T) {
	s := newStack(t, true)
	ctx := context.Background()
	org := s.organizer("olga@example.org")
	want(t, org.post("/new", competitionForm("Woven Words")), http.StatusOK)
	comp, err := s.db.CompetitionBySlug(ctx, "woven-words")
	if err != nil {
		t.Fatal(err)
	}
	cats, err := s.db.Categories(ctx, comp.ID)
	if err != nil {
		t.Fatal(err)
	}
	byMedium := map[contest.Medium]string{}
	for _, c := range cats {
		byMedium[c.Medium] = c.ID
	}
	people := map[string]*browser{"organizer": org, "public": s.browser()}
	ids := map[string]string{}
	for _, p := range []struct{ key, name string }{{"owner", "Amina Wanjiru"}, {"other", "Bo Mensah"}, {"judge", "Jo Judge"}, {"unassigned", "Uma Unassigned"}} {
		b := s.browser()
		want(t, b.signUp(p.name, p.key+"@example.org", "reader-pass-123", "/"), http.StatusOK)
		u, err := s.db.UserByEmail(ctx, p.key+"@example.org")
		if err != nil {
			t.Fatal(err)
		}
		people[p.key], ids[p.key] = b, u.ID
	}
	ent := people["owner"]
	mk := func(title string) string {
		e := contest.Entry{CompetitionID: comp.ID, CategoryID: byMedium[contest.MediumEssay], EntrantID: ids["owner"], Title: title, Consent: true, ConsentRules: true}
		if err := s.db.CreateEntry(ctx, &e, 0); err != nil {
			t.Fatal(err)
		}
		return e.ID
	}
	base := "/c/woven-words/entries/"
	mdEntry, docxEntry := mk("Threads"), mk("The Weaver")
	want(t, ent.upload(base+mdEntry+"/upload", "amina-threads.md", []byte(readerEssay)), http.StatusOK)
	want(t, ent.upload(base+docxEntry+"/upload", "amina-weaver.docx", testenv.DOCX(t, "The Weaver", "Her hands remember every pattern her grandmother taught.")), http.StatusOK)
	for _, id := range []string{mdEntry, docxEntry} {
		waitReady(t, s, id)
		if err := s.db.SubmitEntry(ctx, id, ids["owner"]); err != nil {
			t.Fatal(err)
		}
	}
	words := fmt.Sprintf("%d words", media.CountWords(media.NormaliseText(readerEssay), true))

	// Jo judges essays in the blind round; Uma sits on the photo panel only.
	for _, j := range []string{"judge", "unassigned"} {
		if err := s.db.AddMember(ctx, comp.ID, ids[j], contest.RoleJudge); err != nil {
			t.Fatal(err)
		}
	}
	r, _, err := s.db.ActiveRound(ctx, comp.ID, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if !r.Blind {
		t.Fatal("the round should be blind")
	}
	for j, cat := range map[string]contest.Medium{"judge": contest.MediumEssay, "unassigned": contest.MediumPhoto} {
		if err := s.db.SetRoundJudge(ctx, comp.ID, r.ID, ids[j], []string{byMedium[cat]}, ids["judge"]); err != nil {
			t.Fatal(err)
		}
	}
	round := "/c/woven-words/rounds/" + r.ID
	want(t, org.post(round+"/assign", nil), http.StatusOK, "Entries assigned.")

	rendered := []string{"<h2>Threads of light</h2>", "<em>hums</em>", "<h3>The second part</h3>", "<li>warp</li>", "me at the loom",
		`<a href="https://notes.example/loom" rel="nofollow noopener noreferrer">my notes</a>`}
	stripped := []string{"<script>alert", "alert(&#39;judge&#39;)", "tracker.example", "<img src=\"http", "position:fixed", "# Threads"}
	blind := []string{"Amina Wanjiru", "amina-threads.md", "amina-weaver.docx", "Submitted on", "Secret Author", "Secret Company"}
	for _, role := range []string{"owner", "organizer", "judge"} {
		t.Run("reader as "+role, func(t *testing.T) {
			p := people[role].get(base + mdEntry + "/essay")
			want(t, p, http.StatusOK, append(rendered, "Essay: Threads", "Woven Words", words)...)
			lacks(t, p, stripped...)
			d := people[role].get(base + docxEntry + "/essay")
			want(t, d, http.StatusOK, "<h1 id=\"essay-title\">The Weaver</h1>", "<p>Her hands remember every pattern her grandmother taught.</p>")
			lacks(t, d, "Secret Author", "Secret Company")
			if role == "judge" {
				lacks(t, p, blind...)
				lacks(t, d, blind...)
			}
		})
	}
	t.Run("entry page links the reader", func(t *testing.T) {
		for _, role := range []string{"owner", "judge"} {
			want(t, people[role].get(base+mdEntry), http.StatusOK, `href="/c/woven-words/entries/`+mdEntry+`/essay">Read the essay</a> · `+words)
		}
	})
	t.Run("judge reads inline on the review page", func(t *testing.T) {
		p := people["judge"].get(round + "/review/" + mdEntry)
		want(t, p, http.StatusOK, append(rendered, `<h2 id="essay-h">The essay</h2>`, words, "Submit scores")...)
		lacks(t, p, stripped...)
		lacks(t, p, blind...)
		lacks(t, p, "<iframe", "text.md")
		d := people["judge"].get(round + "/review/" + docxEntry)
		want(t, d, http.StatusOK, "grandmother taught")
		lacks(t, d, blind...)
	})
	t.Run("everyone else gets 404, signed out: sign in", func(t *testing.T) {
		for _, role := range []string{"public", "other", "unassigned"} {
			for _, id := range []string{mdEntry, docxEntry} {
				p := people[role].noRedirects().get(base + id + "/essay")
				wantStatus := http.StatusNotFound
				if role == "public" {
					wantStatus = http.StatusSeeOther // to the sign-in page, as for the entry
				}
				if p.Status != wantStatus {
					t.Errorf("%s reads %s: %d, want %d", role, id, p.Status, wantStatus)
				}
				lacks(t, p, "Threads of light", "grandmother", "Amina Wanjiru")
			}
		}
	})
	t.Run("in French", func(t *testing.T) {
		want(t, ent.get(base+mdEntry+"/essay?lang=fr"), http.StatusOK, "Texte : Threads", " mots", "Retour à la participation")
		ent.get(base + mdEntry + "?lang=en")
	})

	// An essay still being prepared, and one that failed.
	waiting, failing := mk("Still weaving"), mk("Torn")
	mediaAsset(t, s, waiting, "draft.md", "text/plain")
	bad := mediaAsset(t, s, failing, "torn.txt", "text/plain")
	if err := s.db.FailProcessing(ctx, bad, "This essay has 3 words; this category asks for at least 300."); err != nil {
		t.Fatal(err)
	}
	t.Run("still being prepared", func(t *testing.T) {
		for _, role := range []string{"owner", "organizer"} {
			p := people[role].get(base + waiting + "/essay")
			want(t, p, http.StatusOK, "The essay is being prepared; reload in a moment.", `<meta http-equiv="refresh" content="3">`)
			lacks(t, p, `class="essay-text"`)
		}
	})
	t.Run("failed", func(t *testing.T) {
		for _, role := range []string{"owner", "organizer"} {
			p := people[role].get(base + failing + "/essay")
			want(t, p, http.StatusOK, "This essay could not be prepared.", "asks for at least 300.")
			lacks(t, p, `http-equiv="refresh"`)
		}
	})
	t.Run("drafts stay with their entrant", func(t *testing.T) {
		for _, role := range []string{"judge", "other"} {
			for _, id := range []string{waiting, failing} {
				if p := people[role].noRedirects().get(base + id + "/essay"); p.Status != http.StatusNotFound {
					t.Errorf("%s opens %s: %d, want 404", role, id, p.Status)
				}
			}
		}
	})
}

// waitReady waits for the workers to prepare an entry's only file.
func waitReady(t *testing.T, s *stack, entryID string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		as, err := s.db.Assets(context.Background(), entryID)
		if err != nil {
			t.Fatal(err)
		}
		if len(as) == 1 && as[0].State == contest.AssetReady {
			return
		}
		if len(as) == 1 && as[0].State == contest.AssetFailed {
			t.Fatalf("entry %s failed: %s", entryID, as[0].FailReason)
		}
		if time.Now().After(deadline) {
			t.Fatalf("entry %s not processed: %+v", entryID, as)
		}
		time.Sleep(25 * time.Millisecond)
	}
}
