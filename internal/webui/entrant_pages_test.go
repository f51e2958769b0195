package webui_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestProfilePage: the header links to the profile; the form shows the
// saved values, lists every problem at once beside its field, and saves.
func TestProfilePage(t *testing.T) {
	s := newStack(t, false)
	b := s.browser()

	nr := b.noRedirects()
	p := nr.get("/me/profile")
	if p.Status != http.StatusSeeOther || p.Header.Get("Location") != "/signin?next=%2Fme%2Fprofile" {
		t.Fatalf("signed-out profile: %d %q", p.Status, p.Header.Get("Location"))
	}

	p = b.signUp("Amina Wanjiru", "amina@coop.example", "weaving-is-life", "/")
	want(t, p, http.StatusOK, `href="/me/profile"`, "My profile")
	p = b.get("/me/profile")
	want(t, p, http.StatusOK, "<h1>My profile</h1>", `value="Amina Wanjiru"`, `value="Amina Wanjiru Cooperative"`,
		`<datalist id="countries">`, `<option value="KE">`, `list="countries"`, `type="tel"`, `<label for="f-country">`, `aria-current="page"`)
	lacks(t, p, "style=", "<script>", "onclick")

	bad := url.Values{"name": {" "}, "organisation": {"Coop"}, "country": {"XX"}, "phone": {"call me"}, "address": {"1 Loom Street"}}
	p = b.post("/me/profile", bad)
	want(t, p, http.StatusUnprocessableEntity, `id="error-summary"`, "This field is required.", "Use a two-letter country code, such as KE or FR.",
		"Write the phone number with digits", `aria-describedby="country-hint f-country-error"`, `value="XX"`, "1 Loom Street")
	if n := strings.Count(p.Body, `class="field-error"`); n != 3 {
		t.Fatalf("want 3 field errors, got %d\n%s", n, p.Body)
	}

	p = b.post("/me/profile", url.Values{"name": {"Amina W."}, "organisation": {"Kisumu Weavers"}, "country": {"ke"}, "phone": {"+254 712 345 678"}, "address": {"PO Box 1, Kisumu"}})
	want(t, p, http.StatusOK, "Your profile is saved.", `value="Amina W."`, `value="Kisumu Weavers"`, `value="KE"`, `712 345 678"`, "PO Box 1, Kisumu")
	if p.URL.Path != "/me/profile" {
		t.Fatalf("after saving: at %s", p.URL.Path)
	}

	// French.
	p = b.get("/me/profile?lang=fr")
	want(t, p, http.StatusOK, "Mon profil", "Pays", "Enregistrer le profil")
}

// TestCategoryRulesPage: the organizer's form for a category's rules,
// linked from the competition page, refused to others, with messages
// beside the fields, and enforced afterwards.
func TestCategoryRulesPage(t *testing.T) {
	s := newStack(t, false)
	org := s.organizer("olga@org.example")
	p := org.post("/new", competitionForm("Rules Test"))
	want(t, p, http.StatusOK)
	slug := "rules-test"
	photo := find(t, p, `<h3>Photography</h3>[\s\S]*?href="/c/`+slug+`/categories/([^/"]+)/rules"`)
	video := find(t, p, `<h3>Video</h3>[\s\S]*?href="/c/`+slug+`/categories/([^/"]+)/rules"`)
	essay := find(t, p, `<h3>Essay</h3>[\s\S]*?href="/c/`+slug+`/categories/([^/"]+)/rules"`)
	want(t, p, http.StatusOK, "Rules for Photography")

	// Not for entrants; not for strangers.
	ent := s.browser()
	want(t, ent.signUp("Amina", "amina@coop.example", "weaving-is-life", "/"), http.StatusOK)
	lacks(t, ent.get("/c/"+slug), "/rules\"")
	want(t, ent.get("/c/"+slug+"/categories/"+photo+"/rules"), http.StatusForbidden)
	want(t, ent.post("/c/"+slug+"/categories/"+photo+"/rules", url.Values{"max_entries": {"9"}}), http.StatusForbidden)
	want(t, org.get("/c/"+slug+"/categories/nope/rules"), http.StatusNotFound)

	// The photo form: formats from the medium, no duration or word boxes.
	rp := "/c/" + slug + "/categories/" + photo + "/rules"
	p = org.get(rp)
	want(t, p, http.StatusOK, "Rules for the category Photography", "JPEG, PNG, WebP", `name="max_file_mb"`, `name="max_entries"`, `name="required_statement"`)
	lacks(t, p, `name="max_duration_minutes"`, `name="min_words"`)

	p = org.post(rp, url.Values{"max_file_mb": {"lots"}, "max_entries": {"-1"}})
	want(t, p, http.StatusUnprocessableEntity, `id="error-summary"`, "Enter a whole number.", "Limits cannot be negative.",
		`aria-describedby="max-file-mb-hint f-max_file_mb-error"`, `value="lots"`)
	p = org.post(rp, url.Values{"max_file_mb": {"5"}, "max_entries": {"1"}, "required_statement": {"yes"}})
	want(t, p, http.StatusOK, "The category&#39;s rules are saved.", `name="max_file_mb" class="short" inputmode="numeric" value="5"`, `value="1"`, `value="yes" checked`)

	// Video: the duration in minutes.
	vp := "/c/" + slug + "/categories/" + video + "/rules"
	p = org.get(vp)
	want(t, p, http.StatusOK, "MP4", `name="max_duration_minutes"`)
	want(t, org.post(vp, url.Values{"max_duration_minutes": {"soon"}}), http.StatusUnprocessableEntity, "Enter a whole number.")
	p = org.post(vp, url.Values{"max_file_mb": {"2048"}, "max_duration_minutes": {"2,5"}})
	want(t, p, http.StatusOK, `value="2.5"`, `value="2048"`)

	// Essay: word limits, with the minimum above the maximum refused.
	epath := "/c/" + slug + "/categories/" + essay + "/rules"
	want(t, org.get(epath), http.StatusOK, `name="min_words"`, `name="max_words"`)
	p = org.post(epath, url.Values{"min_words": {"500"}, "max_words": {"100"}})
	want(t, p, http.StatusUnprocessableEntity, "The minimum number of words is above the maximum.", `aria-describedby="min-words-hint f-min_words-error"`)
	want(t, org.post(epath, url.Values{"min_words": {"100"}, "max_words": {"500"}}), http.StatusOK, `value="100"`, `value="500"`)

	// The rules are shown to the entrant and enforced.
	p = ent.post("/c/"+slug+"/entries/new", url.Values{"category_id": {photo}, "title": {"One"}})
	want(t, p, http.StatusOK, "5 MiB")
	p = ent.post("/c/"+slug+"/entries/new", url.Values{"category_id": {photo}, "title": {"Two"}})
	want(t, p, http.StatusUnprocessableEntity, "You already have the maximum number of entries in this category.")

	// French.
	want(t, org.get(rp+"?lang=fr"), http.StatusOK, "Règles de la catégorie", "Enregistrer les règles")
}

// TestEntryEditAndDeadline: the owner edits an entry until the deadline;
// afterwards the page says changes are closed, the edit link is gone and a
// late POST changes nothing. The deadline shows in both zones.
func TestEntryEditAndDeadline(t *testing.T) {
	s := newStack(t, false)
	org := s.organizer("olga@org.example")
	want(t, org.post("/new", competitionForm("Edit Test")), http.StatusOK)
	slug := "edit-test"
	ent := s.browser()
	want(t, ent.signUp("Amina", "amina@coop.example", "weaving-is-life", "/"), http.StatusOK)
	// The home page lists the deadline in both zones with the time left.
	want(t, ent.get("/"), http.StatusOK, "Edit Test", "(Africa/Nairobi)", `data-local>`, "left</p>")
	p := ent.get("/c/" + slug + "/entries/new")
	want(t, p, http.StatusOK, "Deadline", "(Africa/Nairobi)", `<time datetime="`, "data-local", "left</p>")
	cat := find(t, p, `<option value="([^"]+)">Photography`)
	p = ent.post("/c/"+slug+"/entries/new", url.Values{"category_id": {cat}, "title": {"Indigo"}, "statement": {"First words."}})
	want(t, p, http.StatusOK, "Indigo", "(Africa/Nairobi)", `<time datetime="`, "left</p>")
	entry := p.URL.Path
	edit := entry + "/edit"
	want(t, p, http.StatusOK, `href="`+edit+`"`)

	// Others cannot edit; to them the entry is not found, as a made-up one.
	other := s.browser()
	want(t, other.signUp("Other", "other@coop.example", "weaving-is-life", "/"), http.StatusOK)
	want(t, other.get(edit), http.StatusNotFound)
	want(t, other.post(edit, url.Values{"title": {"Mine now"}}), http.StatusNotFound)
	want(t, org.get(edit), http.StatusNotFound)

	p = ent.get(edit)
	want(t, p, http.StatusOK, "Edit the entry", `value="Indigo"`, "First words.", `name="consent_publish"`, `name="consent_rules"`, `<label for="f-title">`)
	lacks(t, p, `value="yes" checked`, "style=")
	p = ent.post(edit, url.Values{"title": {" "}, "statement": {"x"}})
	want(t, p, http.StatusUnprocessableEntity, "This field is required.", `aria-describedby="f-title-error"`)
	p = ent.post(edit, url.Values{"title": {"Indigo Hands"}, "statement": {"Dyeing cloth in Kisumu."}, "consent_publish": {"yes"}, "consent_rules": {"yes"}})
	want(t, p, http.StatusOK, "<h1>Indigo Hands</h1>", "Dyeing cloth in Kisumu.")
	if p.URL.Path != entry {
		t.Fatalf("after editing: at %s", p.URL.Path)
	}
	want(t, ent.get(edit), http.StatusOK, `name="consent_publish" value="yes" checked`, `name="consent_rules" value="yes" checked`)

	// The deadline passes.
	comp, err := s.db.CompetitionBySlug(context.Background(), slug)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	if err := s.db.SetSubmissionWindow(context.Background(), comp.ID, now.Add(-48*time.Hour), now.Add(-time.Hour), 0); err != nil {
		t.Fatal(err)
	}
	closed := "The submission deadline has passed: entries can no longer be created or changed."
	p = ent.get(entry)
	want(t, p, http.StatusOK, closed, "(Africa/Nairobi)", `<time datetime="`)
	lacks(t, p, `href="`+edit+`"`, "Withdraw entry")
	p = ent.get(edit)
	want(t, p, http.StatusOK, closed)
	lacks(t, p, `<form method="post" action="`+edit+`"`)
	p = ent.post(edit, url.Values{"title": {"Too late"}})
	want(t, p, http.StatusForbidden, "The submission deadline has passed, so this change was not saved.")
	want(t, ent.get(entry), http.StatusOK, "<h1>Indigo Hands</h1>")
	p = ent.get("/c/" + slug + "/entries/new")
	want(t, p, http.StatusOK, closed)
	lacks(t, p, `name="title"`, "this change was not saved")
	want(t, ent.post("/c/"+slug+"/entries/new", url.Values{"category_id": {cat}, "title": {"Late"}}), http.StatusForbidden, "this change was not saved")
	want(t, ent.get(edit+"?lang=fr"), http.StatusOK, "La date limite de participation est passée")
}
