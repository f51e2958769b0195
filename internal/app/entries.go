package app

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"time"
	"unicode/utf8"

	"github.com/tessera/tessera/internal/contest"
	"github.com/tessera/tessera/internal/db"
	"github.com/tessera/tessera/internal/media"
	"github.com/tessera/tessera/worker/tasks"
)

// EntryInput creates an entry.
type EntryInput struct {
	CategoryID string `json:"category_id"`
	Title      string `json:"title"`
	Statement  string `json:"statement"`
	Consent    bool   `json:"consent_publish"`
	// ConsentRules is the entrant's agreement to the competition's rules;
	// needed to submit, not to save a draft.
	ConsentRules bool `json:"consent_rules"`
}

// CreateEntry makes a draft entry for the signed-in user, who becomes an
// entrant of the competition if not one already.
func (a *App) CreateEntry(ctx context.Context, acc Access, in EntryInput) (contest.Entry, error) {
	if acc.User == nil {
		return contest.Entry{}, contest.ErrUnauthorized
	}
	if err := contest.CheckEntrantWrite(acc.Competition, a.Now()); err != nil {
		return contest.Entry{}, err
	}
	cats, err := a.DB.Categories(ctx, acc.Competition.ID)
	if err != nil {
		return contest.Entry{}, err
	}
	var fe contest.FieldError
	var cat *contest.Category
	for i := range cats {
		if cats[i].ID == in.CategoryID {
			cat = &cats[i]
		}
	}
	if cat == nil {
		fe.Add("category_id", "category.unknown")
	}
	in.Title, in.Statement = trim(in.Title), trim(in.Statement)
	if in.Title == "" {
		fe.Add("title", "field.required")
	} else if utf8.RuneCountInString(in.Title) > 200 {
		fe.Add("title", "field.too_long")
	}
	if utf8.RuneCountInString(in.Statement) > 5000 {
		fe.Add("statement", "field.too_long")
	}
	if err := fe.Err(); err != nil {
		return contest.Entry{}, err
	}
	if !acc.Has(contest.RoleEntrant) {
		if err := a.DB.AddMember(ctx, acc.Competition.ID, acc.User.ID, contest.RoleEntrant); err != nil {
			return contest.Entry{}, err
		}
	}
	e := contest.Entry{CompetitionID: acc.Competition.ID, CategoryID: cat.ID, EntrantID: acc.User.ID, Title: in.Title, Statement: in.Statement, Consent: in.Consent, ConsentRules: in.ConsentRules}
	// An entrant who accepted a nomination enters with it.
	if e.NominatedBy, err = a.DB.NominatorOf(ctx, acc.Competition.ID, acc.User.ID); err != nil {
		return e, err
	}
	if err := a.DB.CreateEntry(ctx, &e, cat.MaxEntries); err != nil {
		if errors.Is(err, db.ErrEntryLimit) {
			return e, &contest.FieldError{Fields: map[string]string{"category_id": "category.limit_reached"}}
		}
		return e, err
	}
	return e, nil
}

// OwnEntry loads an entry the caller owns in the competition of acc: the
// one check behind every entrant write (edit, upload, submit, withdraw).
// Signed out is ErrUnauthorized. An entry of someone else, of another
// competition or that does not exist is ErrNotFound alike, as for reads: a
// refusal never tells that an entry id exists.
func (a *App) OwnEntry(ctx context.Context, acc Access, entryID string) (contest.Entry, error) {
	if acc.User == nil {
		return contest.Entry{}, contest.ErrUnauthorized
	}
	e, err := a.DB.Entry(ctx, entryID)
	if err != nil {
		return contest.Entry{}, err
	}
	if e.CompetitionID != acc.Competition.ID || e.EntrantID != acc.User.ID {
		return contest.Entry{}, fmt.Errorf("entry: %w", contest.ErrNotFound)
	}
	return e, nil
}

// AcceptedTypes lists the content types a medium accepts for upload.
func AcceptedTypes(m contest.Medium) []string { return contest.AcceptedTypes(m) }

// CleanFileName validates a client's file name (see contest.ParseFileName)
// and returns it trimmed; a refused name is a FieldError on "file".
func CleanFileName(name string) (string, error) {
	n, err := contest.ParseFileName(name)
	if err != nil {
		return "", contest.FileNameField("file", err)
	}
	return n, nil
}

// UploadInput is a plain streamed upload of one file to an entry.
type UploadInput struct {
	EntryID  string
	FileName string
	Size     int64 // declared size; -1 when unknown (then capped)
	Body     io.Reader
}

// Upload stores the original file of an entry and queues its processing.
// The type comes from the bytes; an unaccepted type, an empty or oversized
// file is refused before anything is kept.
func (a *App) Upload(ctx context.Context, acc Access, in UploadInput) (contest.Asset, error) {
	e, err := a.OwnEntry(ctx, acc, in.EntryID)
	if err != nil {
		return contest.Asset{}, err
	}
	if err := contest.CheckEntrantWrite(acc.Competition, a.Now()); err != nil {
		return contest.Asset{}, err
	}
	if e.Status == contest.EntryWithdrawn {
		return contest.Asset{}, fmt.Errorf("entry is withdrawn: %w", contest.ErrConflict)
	}
	name, err := CleanFileName(in.FileName)
	if err != nil {
		return contest.Asset{}, err
	}
	cats, err := a.DB.Categories(ctx, acc.Competition.ID)
	if err != nil {
		return contest.Asset{}, err
	}
	var cat contest.Category
	for _, c := range cats {
		if c.ID == e.CategoryID {
			cat = c
		}
	}
	limit := a.UploadLimit(cat)
	if in.Size == 0 {
		return contest.Asset{}, &contest.FieldError{Fields: map[string]string{"file": "upload.empty"}}
	}
	if in.Size > limit {
		return contest.Asset{}, &contest.FieldError{Fields: map[string]string{"file": "upload.too_large"}}
	}
	if in.Size < 0 {
		return contest.Asset{}, &contest.FieldError{Fields: map[string]string{"file": "upload.size_unknown"}}
	}
	br := bufio.NewReaderSize(in.Body, 4096)
	head, _ := br.Peek(512)
	if len(head) == 0 {
		return contest.Asset{}, &contest.FieldError{Fields: map[string]string{"file": "upload.empty"}}
	}
	ct := media.Sniff(head)
	if key := contest.CheckSniffed(cat.Medium, name, ct); key != "" {
		return contest.Asset{}, &contest.FieldError{Fields: map[string]string{"file": key}}
	}
	asset := contest.Asset{ID: db.NewID(), EntryID: e.ID, FileName: name, ContentType: ct, Size: in.Size}
	asset.OriginalKey = OriginalKey(e.ID, asset.ID)
	if err := a.DB.CreateAsset(ctx, &asset); err != nil {
		return asset, err
	}
	if err := a.Blobs.Put(ctx, asset.OriginalKey, br, in.Size, ct); err != nil {
		// The caller hears "incomplete, send it again"; the cause (a cut
		// connection, or the store failing) is logged here, once.
		a.Logger.WarnContext(ctx, "upload: file not stored", "asset", asset.ID, "err", err)
		if derr := a.DB.DeleteAsset(context.WithoutCancel(ctx), asset.ID); derr != nil {
			a.Logger.ErrorContext(ctx, "upload: removing the asset of a file not stored", "asset", asset.ID, "err", derr)
		}
		return asset, &contest.FieldError{Fields: map[string]string{"file": "upload.incomplete"}}
	}
	if err := a.DB.MarkUploaded(ctx, asset.ID, in.Size, ct); err != nil {
		return asset, err
	}
	asset.State = contest.AssetPending
	a.enqueueMedia(ctx, asset.ID)
	return asset, nil
}

// enqueueMedia asks a worker to process an asset. A failure does not fail
// the upload: the asset row stays pending and the sweeper queues it again,
// so it is only logged (a warning: nothing is lost).
func (a *App) enqueueMedia(ctx context.Context, assetID string) {
	t, err := tasks.NewMediaProcessTask(assetID)
	if err == nil {
		err = a.Queue.Enqueue(ctx, t)
	}
	if err != nil {
		a.Logger.WarnContext(ctx, "media processing not queued; the sweeper will queue it again", "asset", assetID, "err", err)
	}
}

// OriginalKey is where an asset's untouched upload is stored.
func OriginalKey(entryID, assetID string) string {
	return "entries/" + entryID + "/" + assetID + "/original"
}

// SubmitEntry moves the caller's draft to submitted once it is complete:
// consent to the rules and to publication, at least one file processed
// successfully, none still uploading or processing, none failed, essays
// within the category's word limits. Every problem is listed at once, each
// on its own field.
func (a *App) SubmitEntry(ctx context.Context, acc Access, entryID string) error {
	e, err := a.OwnEntry(ctx, acc, entryID)
	if err != nil {
		return err
	}
	if err := contest.CheckEntrantWrite(acc.Competition, a.Now()); err != nil {
		return err
	}
	if e.Status != contest.EntryDraft {
		return fmt.Errorf("entry is %s: %w", e.Status, contest.ErrConflict)
	}
	if err := a.EntryProblems(ctx, e); err != nil {
		return err
	}
	return a.DB.SubmitEntry(ctx, e.ID, acc.User.ID)
}

// EntryProblems lists what keeps an entry from being submitted, as a
// FieldError (nil when complete).
func (a *App) EntryProblems(ctx context.Context, e contest.Entry) error {
	var fe contest.FieldError
	if trim(e.Title) == "" {
		fe.Add("title", "field.required")
	}
	if !e.ConsentRules {
		fe.Add("consent_rules", "submit.consent_rules")
	}
	if err := a.requiredProblems(ctx, e, &fe); err != nil {
		return err
	}
	if !e.Consent {
		fe.Add("consent_publish", "submit.consent_publish")
	}
	assets, err := a.DB.Assets(ctx, e.ID)
	if err != nil {
		return err
	}
	limits, err := a.DB.CategoryMediaLimits(ctx, e.CategoryID)
	if err != nil {
		return err
	}
	var readyIDs []string
	for _, as := range assets {
		switch as.State {
		case contest.AssetReady:
			readyIDs = append(readyIDs, as.ID)
		case contest.AssetFailed:
			fe.Add("failed", "submit.file_failed")
		default:
			fe.Add("processing", "submit.processing")
		}
	}
	if len(readyIDs) == 0 {
		fe.Add("files", "submit.no_file")
	}
	if limits.MinWords > 0 || limits.MaxWords > 0 {
		facts, err := a.DB.AssetMedia(ctx, readyIDs...)
		if err != nil {
			return err
		}
		for _, f := range facts {
			if f.WordCount > 0 && (f.WordCount < limits.MinWords || limits.MaxWords > 0 && f.WordCount > limits.MaxWords) {
				fe.Add("words", "submit.word_count")
			}
		}
	}
	return fe.Err()
}

// EntryUpdate changes an entry's text and consents; nil fields stay.
type EntryUpdate struct {
	Title        *string `json:"title"`
	Statement    *string `json:"statement"`
	Consent      *bool   `json:"consent_publish"`
	ConsentRules *bool   `json:"consent_rules"`
}

// UpdateEntry edits the caller's entry, draft or submitted, until the
// deadline. A refused change changes nothing.
func (a *App) UpdateEntry(ctx context.Context, acc Access, entryID string, in EntryUpdate) error {
	e, err := a.OwnEntry(ctx, acc, entryID)
	if err != nil {
		return err
	}
	if err := contest.CheckEntrantWrite(acc.Competition, a.Now()); err != nil {
		return err
	}
	if e.Status == contest.EntryWithdrawn {
		return fmt.Errorf("entry is withdrawn: %w", contest.ErrConflict)
	}
	var fe contest.FieldError
	if in.Title != nil {
		e.Title = trim(*in.Title)
		if e.Title == "" {
			fe.Add("title", "field.required")
		} else if utf8.RuneCountInString(e.Title) > 200 {
			fe.Add("title", "field.too_long")
		}
	}
	if in.Statement != nil {
		e.Statement = trim(*in.Statement)
		if utf8.RuneCountInString(e.Statement) > 5000 {
			fe.Add("statement", "field.too_long")
		}
	}
	if in.Consent != nil {
		e.Consent = *in.Consent
	}
	if in.ConsentRules != nil {
		e.ConsentRules = *in.ConsentRules
	}
	if e.Status == contest.EntrySubmitted && (in.Consent != nil && !*in.Consent || in.ConsentRules != nil && !*in.ConsentRules) {
		// A submitted entry keeps its consents; withdraw it instead.
		fe.Add("consent_publish", "submit.consent_publish")
	}
	if err := fe.Err(); err != nil {
		return err
	}
	return a.DB.UpdateEntry(ctx, e)
}

// WithdrawEntry withdraws the caller's entry until the deadline; a
// withdrawn entry no longer counts toward the category's limit.
func (a *App) WithdrawEntry(ctx context.Context, acc Access, entryID string) error {
	e, err := a.OwnEntry(ctx, acc, entryID)
	if err != nil {
		return err
	}
	if err := contest.CheckEntrantWrite(acc.Competition, a.Now()); err != nil {
		return err
	}
	if e.Status == contest.EntryWithdrawn {
		return fmt.Errorf("entry is withdrawn: %w", contest.ErrConflict)
	}
	return a.DB.WithdrawEntry(ctx, e.ID, acc.User.ID)
}

// AssetView is an asset as one viewer may see it.
type AssetView struct {
	ID          string             `json:"id"`
	State       contest.AssetState `json:"state"`
	FailReason  string             `json:"fail_reason,omitempty"`
	FileName    string             `json:"file_name,omitempty"`
	ContentType string             `json:"content_type"`
	Width       int                `json:"width,omitempty"`
	Height      int                `json:"height,omitempty"`
	ThumbURL    string             `json:"thumb_url,omitempty"`
	PreviewURL  string             `json:"preview_url,omitempty"`
	OriginalURL string             `json:"original_url,omitempty"`
	// Processed renditions with metadata removed, where the medium has
	// them: the full-resolution image to zoom into, the playable video,
	// the essay's text.
	JudgeURL string `json:"judge_url,omitempty"`
	VideoURL string `json:"video_url,omitempty"`
	TextURL  string `json:"text_url,omitempty"`
	// Facts found by processing: a video's length, an essay's words.
	DurationMS int64 `json:"duration_ms,omitempty"`
	WordCount  int   `json:"word_count,omitempty"`
	// Progress is the video preview's percent done while the asset is
	// processing; only its owner and organizers see it.
	Progress *int `json:"progress,omitempty"`
	// Pages are the drawn pages of a mural PDF in the document's order,
	// the first being the picture above (JudgeURL, PreviewURL), for
	// whoever may see derivatives. PageCount is how many pages the PDF
	// has: more than len(Pages) when only the first were drawn
	// (media.DefaultMuralPages).
	Pages     []PageView `json:"pages,omitempty"`
	PageCount int        `json:"page_count,omitempty"`
}

// PageView is one drawn page of a mural PDF: its judge copy (to zoom
// into), a preview (to show) and a thumbnail (to list), all with metadata
// removed.
type PageView struct {
	Number     int    `json:"number"`
	JudgeURL   string `json:"judge_url"`
	PreviewURL string `json:"preview_url"`
	ThumbURL   string `json:"thumb_url,omitempty"`
	// Width and Height are the judge copy's.
	Width  int `json:"width,omitempty"`
	Height int `json:"height,omitempty"`
}

// MorePages reports whether the PDF has pages that were not drawn.
func (a AssetView) MorePages() bool { return a.PageCount > len(a.Pages) && len(a.Pages) > 0 }

// Percent is the video preview's progress for pages: -1 when not shown.
func (a AssetView) Percent() int {
	if a.Progress == nil {
		return -1
	}
	return *a.Progress
}

// EntrantView is who made an entry.
type EntrantView struct {
	Name         string `json:"name"`
	Organisation string `json:"organisation,omitempty"`
	Country      string `json:"country,omitempty"`
}

// EntryView is an entry as one viewer may see it: built only through the
// visibility policy.
type EntryView struct {
	ID          string              `json:"id"`
	Title       string              `json:"title"`
	Statement   string              `json:"statement"`
	CategoryID  string              `json:"category_id"`
	Category    string              `json:"category"`
	Medium      contest.Medium      `json:"medium"`
	Status      contest.EntryStatus `json:"status"`
	SubmittedAt *time.Time          `json:"submitted_at,omitempty"`
	Entrant     *EntrantView        `json:"entrant,omitempty"`
	Assets      []AssetView         `json:"assets"`
	Awards      []contest.AwardKind `json:"awards,omitempty"`
	MyTotal     *float64            `json:"my_total,omitempty"`
	MyScores    map[string]int      `json:"my_scores,omitempty"`
	Mine        bool                `json:"mine"`
	// Reviewer: the caller is a judge assigned to the entry in the active
	// round (may open its review page); pages only.
	Reviewer bool `json:"-"`
	// NominatedBy names the nominator (organisation), for the entrant and
	// the organizer only.
	NominatedBy string `json:"nominated_by,omitempty"`
}

// Thumb returns the first thumbnail URL, if any.
func (v EntryView) Thumb() string {
	for _, a := range v.Assets {
		if a.ThumbURL != "" {
			return a.ThumbURL
		}
	}
	return ""
}

// entryContext is what the policy needs to know about a batch of entries.
type entryContext struct {
	cats   map[string]contest.Category
	round  contest.Round
	awards map[string][]contest.AwardKind
	assets map[string][]contest.Asset
	derivs map[string][]contest.Derivative
	media  map[string]db.AssetMedia
	users  map[string]contest.User
	// nominators are the users who nominated entries of the batch.
	nominators map[string]contest.User
	// judging is filled by loadJudging where judges may look (assignment.go);
	// its zero value shows a judge nothing.
	judging judging
}

func (a *App) loadContext(ctx context.Context, comp contest.Competition, es []contest.Entry, withUsers bool) (entryContext, error) {
	ec := entryContext{cats: map[string]contest.Category{}, awards: map[string][]contest.AwardKind{}, assets: map[string][]contest.Asset{}, derivs: map[string][]contest.Derivative{}, users: map[string]contest.User{}}
	cats, err := a.DB.Categories(ctx, comp.ID)
	if err != nil {
		return ec, err
	}
	for _, c := range cats {
		ec.cats[c.ID] = c
	}
	if ec.round, _, err = a.DB.ActiveRound(ctx, comp.ID, a.Now()); err != nil {
		return ec, err
	}
	aws, err := a.DB.Awards(ctx, comp.ID)
	if err != nil {
		return ec, err
	}
	for _, aw := range aws {
		ec.awards[aw.EntryID] = append(ec.awards[aw.EntryID], aw.Kind)
	}
	ids := make([]string, len(es))
	for i, e := range es {
		ids[i] = e.ID
	}
	assets, err := a.DB.Assets(ctx, ids...)
	if err != nil {
		return ec, err
	}
	aids := make([]string, len(assets))
	for i, as := range assets {
		ec.assets[as.EntryID] = append(ec.assets[as.EntryID], as)
		aids[i] = as.ID
	}
	ds, err := a.DB.Derivatives(ctx, aids...)
	if err != nil {
		return ec, err
	}
	for _, d := range ds {
		ec.derivs[d.AssetID] = append(ec.derivs[d.AssetID], d)
	}
	ms, err := a.DB.AssetMedia(ctx, aids...)
	if err != nil {
		return ec, err
	}
	ec.media = make(map[string]db.AssetMedia, len(ms))
	for _, m := range ms {
		ec.media[m.AssetID] = m
	}
	ec.nominators = map[string]contest.User{}
	for _, e := range es {
		if _, ok := ec.nominators[e.NominatedBy]; ok || e.NominatedBy == "" {
			continue
		}
		u, err := a.DB.UserByID(ctx, e.NominatedBy)
		if err != nil {
			return ec, err
		}
		ec.nominators[e.NominatedBy] = u
	}
	if withUsers {
		for _, e := range es {
			if _, ok := ec.users[e.EntrantID]; ok {
				continue
			}
			u, err := a.DB.UserByID(ctx, e.EntrantID)
			if err != nil {
				return ec, err
			}
			ec.users[e.EntrantID] = u
		}
	}
	return ec, nil
}

// viewer builds the policy input for the caller and one entry.
func (a *App) viewer(acc Access, ec entryContext, e contest.Entry) contest.Viewer {
	v := contest.Viewer{
		SignedIn:  acc.User != nil,
		Organizer: acc.Has(contest.RoleOrganizer),
		Judge:     acc.Has(contest.RoleJudge),
		Blind:     ec.round.Blind,
		Announced: acc.Competition.Announced(a.Now()),
		Awarded:   len(ec.awards[e.ID]) > 0,
		Published: e.Consent,
		Submitted: e.Status == contest.EntrySubmitted,
	}
	ec.judging.apply(e, &v)
	if acc.User != nil && e.EntrantID == acc.User.ID {
		v.Owner = true
	}
	return v
}

// view applies the visibility policy to one entry.
func (a *App) view(acc Access, ec entryContext, e contest.Entry) (EntryView, bool) {
	vis := contest.See(a.viewer(acc, ec, e))
	if !vis.Entry {
		return EntryView{}, false
	}
	cat := ec.cats[e.CategoryID]
	v := EntryView{ID: e.ID, Title: e.Title, Statement: e.Statement, CategoryID: cat.ID, Category: cat.Name, Medium: cat.Medium, Status: e.Status, Assets: []AssetView{},
		Mine: acc.User != nil && e.EntrantID == acc.User.ID}
	if vis.Entrant {
		v.SubmittedAt = e.SubmittedAt
		if u, ok := ec.users[e.EntrantID]; ok {
			v.Entrant = &EntrantView{Name: u.Name, Organisation: u.Organisation, Country: u.Country}
		}
	}
	if e.NominatedBy != "" && vis.Entrant && (v.Mine || acc.Has(contest.RoleOrganizer)) {
		if u, ok := ec.nominators[e.NominatedBy]; ok {
			v.NominatedBy = nominatorLabel(u.Organisation, u.Name)
		}
	}
	if vis.Outcome {
		v.Awards = ec.awards[e.ID]
	}
	now := a.Now()
	for _, as := range ec.assets[e.ID] {
		av := AssetView{ID: as.ID, State: as.State, ContentType: as.ContentType, Width: as.Width, Height: as.Height}
		if vis.Original {
			av.FileName = as.FileName
			av.FailReason = as.FailReason
			av.OriginalURL = a.Signer.URL(as.OriginalKey, a.URLTTL, now)
			if m, ok := ec.media[as.ID]; ok && as.State == contest.AssetProcessing {
				p := m.Progress
				av.Progress = &p
			}
		}
		if m, ok := ec.media[as.ID]; ok {
			av.DurationMS, av.WordCount = m.DurationMS, m.WordCount
		}
		if vis.Derivatives {
			for _, d := range ec.derivs[as.ID] {
				switch d.Name {
				case "thumb":
					av.ThumbURL = a.Signer.URL(d.Key, a.URLTTL, now)
				case "preview":
					av.PreviewURL = a.Signer.URL(d.Key, a.URLTTL, now)
				case "judge":
					av.JudgeURL = a.Signer.URL(d.Key, a.URLTTL, now)
				case "video":
					av.VideoURL = a.Signer.URL(d.Key, a.URLTTL, now)
				case "text":
					av.TextURL = a.Signer.URL(d.Key, a.URLTTL, now)
				}
			}
			if cat.Medium == contest.MediumMural && as.ContentType == "application/pdf" {
				a.addPages(&av, ec.derivs[as.ID], ec.media[as.ID].Pages, now)
			}
		} else {
			continue
		}
		if !vis.Original {
			// Judges and the public see only processed files.
			av.ContentType = "image/jpeg"
			if as.State != contest.AssetReady {
				continue
			}
		}
		v.Assets = append(v.Assets, av)
	}
	return v, true
}

// addPages lists the drawn pages of a mural PDF on its view, in order:
// the first from the design's own derivatives, the others from their
// page-N ones (media.PageDerivative). Only called for those who may see
// derivatives.
func (a *App) addPages(av *AssetView, ds []contest.Derivative, count int, now time.Time) {
	if av.PreviewURL == "" {
		return
	}
	pages := map[int]*PageView{1: {Number: 1, JudgeURL: av.JudgeURL, PreviewURL: av.PreviewURL, ThumbURL: av.ThumbURL}}
	for _, d := range ds {
		n, spec, ok := media.ParsePageDerivative(d.Name)
		if d.Name == media.NameJudge {
			n, spec, ok = 1, media.NameJudge, true
		}
		if !ok {
			continue
		}
		p := pages[n]
		if p == nil {
			p = &PageView{Number: n}
			pages[n] = p
		}
		switch spec {
		case media.NameJudge:
			p.Width, p.Height = d.Width, d.Height
			if n > 1 {
				p.JudgeURL = a.Signer.URL(d.Key, a.URLTTL, now)
			}
		case media.NamePreview:
			p.PreviewURL = a.Signer.URL(d.Key, a.URLTTL, now)
		case media.NameThumb:
			p.ThumbURL = a.Signer.URL(d.Key, a.URLTTL, now)
		}
	}
	// Pages in order, up to the first one missing a picture (a page
	// stored without its preview is never shown out of place).
	for n := 1; ; n++ {
		p := pages[n]
		if p == nil || p.PreviewURL == "" || p.JudgeURL == "" {
			break
		}
		av.Pages = append(av.Pages, *p)
	}
	av.PageCount = max(count, len(av.Pages))
}

// MyEntries lists the caller's entries with every asset's state.
func (a *App) MyEntries(ctx context.Context, acc Access) ([]EntryView, error) {
	if acc.User == nil {
		return nil, contest.ErrUnauthorized
	}
	es, err := a.DB.EntriesOf(ctx, acc.Competition.ID, acc.User.ID)
	if err != nil {
		return nil, err
	}
	ec, err := a.loadContext(ctx, acc.Competition, es, true)
	if err != nil {
		return nil, err
	}
	out := make([]EntryView, 0, len(es))
	for _, e := range es {
		if v, ok := a.view(acc, ec, e); ok {
			out = append(out, v)
		}
	}
	return out, nil
}

// Entry returns one entry as the caller may see it; an entry the caller may
// not see is reported as not found, so its existence does not leak.
func (a *App) Entry(ctx context.Context, acc Access, entryID string) (EntryView, error) {
	e, ec, err := a.entryFor(ctx, acc, entryID)
	if err != nil {
		return EntryView{}, err
	}
	v, ok := a.view(acc, ec, e)
	if !ok {
		if acc.User == nil {
			return EntryView{}, contest.ErrUnauthorized
		}
		return EntryView{}, fmt.Errorf("entry: %w", contest.ErrNotFound)
	}
	if contest.See(a.viewer(acc, ec, e)).Score {
		v.Reviewer = true
		if err := a.fillMyReview(ctx, acc, ec.round, &v); err != nil {
			return v, err
		}
	}
	return v, nil
}

// entryFor loads an entry of the caller's competition with what the
// visibility policy needs to show it to the caller, judged in the active
// round. An entry of another competition is not found.
func (a *App) entryFor(ctx context.Context, acc Access, entryID string) (contest.Entry, entryContext, error) {
	e, err := a.DB.Entry(ctx, entryID)
	if err != nil {
		return e, entryContext{}, err
	}
	if e.CompetitionID != acc.Competition.ID {
		return e, entryContext{}, fmt.Errorf("entry: %w", contest.ErrNotFound)
	}
	ec, err := a.loadContext(ctx, acc.Competition, []contest.Entry{e}, true)
	if err != nil {
		return e, ec, err
	}
	if err := a.loadJudging(ctx, acc, &ec, []contest.Entry{e}); err != nil {
		return e, ec, err
	}
	return e, ec, nil
}
