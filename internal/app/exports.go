package app

import (
	"archive/zip"
	"context"
	"encoding/base64"
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/tessera/tessera/internal/contest"
)

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func fmtFloat(f float64) string { return strconv.FormatFloat(f, 'f', 2, 64) }

// csvSafe keeps a spreadsheet from running a cell as a formula.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

func writeRows(w io.Writer, header []string, rows func(emit func(...string) error) error) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(header); err != nil {
		return err
	}
	err := rows(func(cells ...string) error {
		for i := range cells {
			cells[i] = csvSafe(cells[i])
		}
		return cw.Write(cells)
	})
	if err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}

// ExportEntries writes every entry of the competition as CSV. Organizers only.
func (a *App) ExportEntries(ctx context.Context, acc Access, w io.Writer) error {
	if err := acc.Require(contest.RoleOrganizer); err != nil {
		return err
	}
	cats, err := a.DB.Categories(ctx, acc.Competition.ID)
	if err != nil {
		return err
	}
	catName := map[string]string{}
	for _, c := range cats {
		catName[c.ID] = c.Name
	}
	aws, err := a.DB.Awards(ctx, acc.Competition.ID)
	if err != nil {
		return err
	}
	won := map[string][]string{}
	for _, aw := range aws {
		won[aw.EntryID] = append(won[aw.EntryID], string(aw.Kind))
	}
	users := map[string]contest.User{}
	return writeRows(w, []string{"entry_id", "title", "category", "status", "submitted_at", "consent_publish", "entrant_id", "entrant_name", "entrant_email", "organisation", "country", "awards"},
		func(emit func(...string) error) error {
			for _, st := range []contest.EntryStatus{contest.EntrySubmitted, contest.EntryDraft, contest.EntryWithdrawn} {
				es, err := a.DB.EntriesByStatus(ctx, acc.Competition.ID, st, 1_000_000, 0)
				if err != nil {
					return err
				}
				for _, e := range es {
					u, ok := users[e.EntrantID]
					if !ok {
						if u, err = a.DB.UserByID(ctx, e.EntrantID); err != nil {
							return err
						}
						users[e.EntrantID] = u
					}
					sub := ""
					if e.SubmittedAt != nil {
						sub = e.SubmittedAt.UTC().Format(time.RFC3339)
					}
					if err := emit(e.ID, e.Title, catName[e.CategoryID], string(e.Status), sub, strconv.FormatBool(e.Consent), u.ID, u.Name, u.Email, u.Organisation, u.Country, strings.Join(won[e.ID], " ")); err != nil {
						return err
					}
				}
			}
			return nil
		})
}

// ExportScores writes a round's submitted marks as CSV, one line per judge
// and criterion, with the judge's raw total and its z-score against that
// judge's own marks (empty when the judge has too few totals). Organizers only.
func (a *App) ExportScores(ctx context.Context, acc Access, roundID string, w io.Writer) error {
	r, crit, err := a.organizerRound(ctx, acc, roundID)
	if err != nil {
		return err
	}
	ss, err := a.DB.SubmittedScores(ctx, r.ID)
	if err != nil {
		return err
	}
	totals := JudgeTotals(crit, ss)
	type key struct{ e, j string }
	total := map[key]float64{}
	type agg struct {
		sum, sq float64
		n       int
	}
	per := map[string]*agg{}
	for _, t := range totals {
		total[key{t.EntryID, t.JudgeID}] = t.Total
		g := per[t.JudgeID]
		if g == nil {
			g = &agg{}
			per[t.JudgeID] = g
		}
		g.sum += t.Total
		g.sq += t.Total * t.Total
		g.n++
	}
	critName := map[string]contest.Criterion{}
	for _, c := range crit {
		critName[c.ID] = c
	}
	names := map[string]string{}
	return writeRows(w, []string{"round", "entry_id", "judge_id", "judge_name", "criterion", "counts", "value", "scale_max", "judge_total_raw", "judge_total_z"},
		func(emit func(...string) error) error {
			for _, s := range ss {
				n, ok := names[s.JudgeID]
				if !ok {
					u, err := a.DB.UserByID(ctx, s.JudgeID)
					if err != nil {
						return err
					}
					n = u.Name
					names[s.JudgeID] = n
				}
				c := critName[s.CriterionID]
				raw, z := "", ""
				if t, ok := total[key{s.EntryID, s.JudgeID}]; ok {
					raw = fmtFloat(t)
					if g := per[s.JudgeID]; g.n >= max(r.MinScores, 1) {
						mean := g.sum / float64(g.n)
						sd := math.Sqrt(math.Max(g.sq/float64(g.n)-mean*mean, 0))
						zz := 0.0
						if sd > 1e-9 {
							zz = (t - mean) / sd
						}
						z = strconv.FormatFloat(zz, 'f', 3, 64)
					}
				}
				if err := emit(r.Name, s.EntryID, s.JudgeID, n, c.Name, strconv.FormatBool(!c.Excluded), strconv.Itoa(s.Value), strconv.Itoa(c.ScaleMax), raw, z); err != nil {
					return err
				}
			}
			return nil
		})
}

// ExportResults writes a round's results as CSV. Organizers only.
func (a *App) ExportResults(ctx context.Context, acc Access, roundID string, w io.Writer) error {
	r, _, err := a.organizerRound(ctx, acc, roundID)
	if err != nil {
		return err
	}
	res, err := a.computeResults(ctx, acc, r, "")
	if err != nil {
		return err
	}
	return writeRows(w, []string{"category", "rank", "tied", "entry_id", "title", "entrant", "raw", "normalised", "scores", "quorum", "spread", "disagreement", "top_marks", "ranked_by", "tie_decision"},
		func(emit func(...string) error) error {
			for _, c := range res.Categories {
				for _, l := range c.Lines {
					norm := ""
					if l.Normalised != nil {
						norm = fmtFloat(*l.Normalised)
					}
					entrant := ""
					if l.Entry.Entrant != nil {
						entrant = l.Entry.Entrant.Name
					}
					if err := emit(c.Category.Name, strconv.Itoa(l.Rank), strconv.FormatBool(l.Tied), l.EntryID, l.Entry.Title, entrant, fmtFloat(l.Raw), norm,
						strconv.Itoa(l.Scores), strconv.Itoa(l.Quorum), fmtFloat(l.Spread), strconv.FormatBool(l.Disagree), strconv.Itoa(l.TopMarks), string(res.RankBy), l.Decision); err != nil {
						return err
					}
				}
			}
			return nil
		})
}

// ExportAudit writes the competition's audit log as CSV. Organizers only.
func (a *App) ExportAudit(ctx context.Context, acc Access, w io.Writer) error {
	if err := acc.Require(contest.RoleOrganizer); err != nil {
		return err
	}
	return writeRows(w, []string{"id", "at", "actor_id", "action", "subject", "detail"}, func(emit func(...string) error) error {
		var after int64
		for {
			evs, err := a.DB.Audit(ctx, acc.Competition.ID, after, 1000)
			if err != nil {
				return err
			}
			for _, e := range evs {
				if err := emit(strconv.FormatInt(e.ID, 10), e.At.UTC().Format(time.RFC3339Nano), e.ActorID, e.Action, e.Subject, e.Detail); err != nil {
					return err
				}
				after = e.ID
			}
			if len(evs) < 1000 {
				return nil
			}
		}
	})
}

// MediaZIP streams a ZIP of every ready file of a round's entries straight
// from the object store to w: the judge copies (the metadata-free previews)
// or the originals. Files are stored, not recompressed (media is already
// compressed), so memory stays flat whatever the archive's size. ZIP64 is
// used as needed, so there is no size limit. Organizers only; call
// CheckMediaZIP first to fail before any byte is written.
func (a *App) MediaZIP(ctx context.Context, acc Access, roundID string, originals bool, w io.Writer) error {
	r, _, err := a.organizerRound(ctx, acc, roundID)
	if err != nil {
		return err
	}
	es, err := a.DB.RoundEntries(ctx, r)
	if err != nil {
		return err
	}
	cats, err := a.DB.Categories(ctx, acc.Competition.ID)
	if err != nil {
		return err
	}
	catName := map[string]string{}
	for _, c := range cats {
		catName[c.ID] = safeName(c.Name)
	}
	zw := zip.NewWriter(w)
	for start := 0; start < len(es); start += 200 {
		batch := es[start:min(start+200, len(es))]
		assets, err := a.DB.Assets(ctx, entryIDs(batch)...)
		if err != nil {
			return err
		}
		aids := make([]string, len(assets))
		for i, as := range assets {
			aids[i] = as.ID
		}
		ds, err := a.DB.Derivatives(ctx, aids...)
		if err != nil {
			return err
		}
		preview := map[string]contest.Derivative{}
		for _, d := range ds {
			if d.Name == "preview" {
				preview[d.AssetID] = d
			}
		}
		byEntry := map[string]contest.Entry{}
		for _, e := range batch {
			byEntry[e.ID] = e
		}
		for _, as := range assets {
			if as.State != contest.AssetReady {
				continue
			}
			e := byEntry[as.EntryID]
			key, name := as.OriginalKey, safeName(as.FileName)
			if !originals {
				d, ok := preview[as.ID]
				if !ok {
					continue
				}
				key, name = d.Key, as.ID+extFor(d.ContentType)
			}
			dir := catName[e.CategoryID] + "/" + e.ID + "-" + safeName(e.Title)
			if err := a.zipObject(ctx, zw, dir+"/"+name, key); err != nil {
				return err
			}
		}
	}
	return zw.Close()
}

func (a *App) zipObject(ctx context.Context, zw *zip.Writer, name, key string) error {
	rc, err := a.Blobs.Open(ctx, key, 0, -1)
	if err != nil {
		return fmt.Errorf("open %s: %w", key, err)
	}
	defer rc.Close()
	f, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Store, Modified: time.Now().UTC()})
	if err != nil {
		return err
	}
	_, err = io.CopyBuffer(f, rc, make([]byte, 64<<10))
	return err
}

func extFor(ct string) string {
	switch ct {
	case "image/jpeg":
		return ".jpg"
	case "image/png":
		return ".png"
	case "image/webp":
		return ".webp"
	case "video/mp4":
		return ".mp4"
	case "application/pdf":
		return ".pdf"
	case "text/plain", "text/plain; charset=utf-8":
		return ".txt"
	}
	return ""
}

// safeName makes a path component from free text.
func safeName(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '/' || r == '\\' || r < 32 || r == ':' || r == '*' || r == '?' || r == '"' || r == '<' || r == '>' || r == '|':
			b.WriteByte('_')
		default:
			b.WriteRune(r)
		}
	}
	out := strings.Trim(path.Clean("/" + b.String())[1:], ". ")
	if len([]rune(out)) > 60 {
		out = string([]rune(out)[:60])
	}
	if out == "" {
		out = "_"
	}
	return out
}

// CheckMediaZIP verifies the caller may export a round's media.
func (a *App) CheckMediaZIP(ctx context.Context, acc Access, roundID string) (RoundView, error) {
	r, crit, err := a.organizerRound(ctx, acc, roundID)
	if err != nil {
		return RoundView{}, err
	}
	return a.roundView(r, crit), nil
}
