package media

import (
	"context"
	"errors"
	"fmt"
	"image"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Kind is the medium a file is processed as: a category's medium.
type Kind string

// The kinds of work Tessera processes.
const (
	KindPhoto Kind = "photo"
	KindMural Kind = "mural"
	KindVideo Kind = "video"
	KindEssay Kind = "essay"
)

// Input is one file to process.
type Input struct {
	// Path is a local file holding the original.
	Path string
	// ContentType is the type sniffed from the bytes; "" sniffs Path.
	ContentType string
	// FileName is the entrant's file name, used only to tell Markdown
	// from plain text.
	FileName string
	Kind     Kind
	// Title is drawn on an essay's cover.
	Title string
}

// Options are the limits and tuning of Process. The zero value uses every
// default and no category limit.
type Options struct {
	// MaxPixels caps images (DefaultMaxPixels when <= 0).
	MaxPixels int64
	// Budget bounds decoded pixels across concurrent image work.
	Budget *Budget
	// MaxDuration is the category's longest video (0: no limit).
	MaxDuration time.Duration
	// MinWords and MaxWords are the category's essay limits (0: none).
	MinWords, MaxWords int
	// MaxMuralPages is how many pages of a mural PDF are rendered, the
	// first ones (DefaultMuralPages when 0); a longer PDF is accepted.
	MaxMuralPages int
	// MaxEssayPages is the most pages an essay PDF may have
	// (DefaultEssayPages when 0).
	MaxEssayPages int
	// PDFTimeout bounds each poppler run, so each page render
	// (DefaultPDFTimeout when 0).
	PDFTimeout time.Duration
	// MuralRenderTime bounds the rendering of all the pages of one mural
	// PDF together (DefaultMuralRenderTime when 0).
	MuralRenderTime time.Duration
	// PDFRenderSide is the longest side a mural PDF's pages are rendered
	// at, their judge copies' (PDFRenderSide when 0; lowered when the
	// pixel cap, MaxPixels, is smaller than its square).
	PDFRenderSide int
	Video         VideoOptions
	// Transcode makes the "video" preview now; otherwise the report says
	// NeedsTranscode and the caller runs TranscodePreview later (the
	// worker does, on its own queue).
	Transcode bool
	// Progress receives the transcode's percent done.
	Progress func(percent int)
}

// Output is one file Process made.
type Output struct {
	Name        string `json:"name"`
	File        string `json:"file"` // base name inside the output directory
	Path        string `json:"-"`
	ContentType string `json:"content_type"`
	Width       int    `json:"width,omitempty"`
	Height      int    `json:"height,omitempty"`
	Size        int64  `json:"size"`
}

// Report is what Process found and made.
type Report struct {
	Kind        Kind   `json:"kind"`
	ContentType string `json:"content_type"`
	Format      string `json:"format,omitempty"`
	// Width and Height are the displayed size of a picture, a video, or a
	// PDF's rendered first page.
	Width       int `json:"width,omitempty"`
	Height      int `json:"height,omitempty"`
	Orientation int `json:"orientation,omitempty"`
	// Pages is how many pages a PDF has; RenderedPages how many of a
	// mural PDF were drawn (the first ones, at most MaxMuralPages).
	Pages         int        `json:"pages,omitempty"`
	RenderedPages int        `json:"rendered_pages,omitempty"`
	DurationMS    int64      `json:"duration_ms,omitempty"`
	Video         *VideoInfo `json:"video,omitempty"`
	WordCount     int        `json:"word_count,omitempty"`
	Markdown      bool       `json:"markdown,omitempty"`
	// PHash is the perceptual hash of the picture or poster (FormatHash).
	PHash          string   `json:"phash,omitempty"`
	Outputs        []Output `json:"outputs"`
	NeedsTranscode bool     `json:"needs_transcode,omitempty"`
}

// Output returns the output named name.
func (r Report) Output(name string) (Output, bool) {
	for _, o := range r.Outputs {
		if o.Name == name {
			return o, true
		}
	}
	return Output{}, false
}

// AcceptsType reports whether a kind of work may be a file of the sniffed
// content type.
func AcceptsType(k Kind, ct string) bool {
	switch k {
	case KindPhoto:
		return isImageType(ct)
	case KindMural:
		return isImageType(ct) || ct == "application/pdf"
	case KindVideo:
		return VideoDemuxer(ct) != ""
	case KindEssay:
		return IsEssayType(ct)
	}
	return false
}

func isImageType(ct string) bool {
	switch ct {
	case "image/jpeg", "image/png", "image/gif", "image/webp", "image/tiff", "image/bmp":
		return true
	}
	return false
}

// Process runs the pipeline for in's kind on the local file in.Path and
// writes what it makes into outDir (which must exist), named after each
// derivative ("thumb.jpg", "judge.png", "text.txt", "video.mp4", …):
//
//   - photo and mural: "judge" (full resolution, identifying metadata
//     removed), "preview", "card", "thumb"; for a mural PDF these are of
//     its first page, rendered by pdftoppm, and each later page up to
//     opt.MaxMuralPages gets its PDFPageSpecs ("page-2", "page-2-preview",
//     "page-2-thumb", …);
//   - video: the facts from ffprobe, the category's duration limit, a
//     poster frame with "preview", "card" and "thumb", and "video" when
//     opt.Transcode;
//   - essay: "text" (normalised UTF-8), the word count checked against the
//     category's limits, and a cover as "preview", "card" and "thumb".
//
// A file that can never be processed gives a *RejectError whose Reason is
// meant for the entrant; other errors (a missing tool, a cancelled
// context, a full disk) may succeed on retry.
func Process(ctx context.Context, in Input, outDir string, opt Options) (Report, error) {
	st, err := os.Stat(in.Path)
	if err != nil {
		return Report{}, fmt.Errorf("media: %w", err)
	}
	if st.Size() == 0 {
		return Report{}, reject("This file is empty (0 bytes). Please upload it again.")
	}
	if in.ContentType == "" {
		if in.ContentType, err = SniffFile(in.Path); err != nil {
			return Report{}, err
		}
	}
	rep := Report{Kind: in.Kind, ContentType: in.ContentType, Outputs: []Output{}}
	if !AcceptsType(in.Kind, in.ContentType) {
		return rep, refuseType(in.Kind, in.ContentType)
	}
	switch in.Kind {
	case KindPhoto, KindMural:
		err = processPicture(ctx, in, outDir, opt, &rep)
	case KindVideo:
		err = processVideo(ctx, in, outDir, opt, &rep)
	case KindEssay:
		err = processEssay(ctx, in, outDir, opt, &rep)
	}
	return rep, err
}

// SniffFile sniffs the first bytes of the file at path.
func SniffFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("media: %w", err)
	}
	defer f.Close()
	head := make([]byte, SniffLen)
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("media: %w", err)
	}
	return Sniff(head[:n]), nil
}

func refuseType(k Kind, ct string) error {
	looks := ct
	if i := strings.IndexByte(looks, ';'); i > 0 {
		looks = looks[:i]
	}
	switch {
	case k == KindVideo && (ct == ContentTypeHLS || strings.HasPrefix(ct, "text/")):
		return reject("This file is a playlist or text, not a video (it looks like %s). Please upload the video file itself (MP4, MOV or WebM).", looks)
	case k == KindVideo:
		return reject("This file is not a video Tessera can read (it looks like %s). Please upload an MP4, MOV or WebM video.", looks)
	case k == KindEssay:
		return reject("This file is not an essay Tessera can read (it looks like %s). Please upload a text, Markdown, Word (.docx) or PDF file.", looks)
	case k == KindMural:
		return reject("This file is not an image or PDF Tessera can read (it looks like %s). Please upload a JPEG, PNG, WebP, TIFF or PDF file.", looks)
	case ct == "image/heic" || ct == "image/heif":
		return reject("HEIC/HEIF photos cannot be processed yet. Please export the photo as JPEG and upload it again.")
	case ct == "image/avif":
		return reject("AVIF images cannot be processed yet. Please export the image as JPEG and upload it again.")
	case k == KindPhoto:
		return reject("This file is not an image Tessera can read (it looks like %s). Please upload a JPEG, PNG, GIF, WebP or TIFF image.", looks)
	}
	return fmt.Errorf("media: unknown kind %q", k)
}

func processPicture(ctx context.Context, in Input, outDir string, opt Options, rep *Report) error {
	if in.ContentType == "application/pdf" {
		return processMuralPDF(ctx, in, outDir, opt, rep)
	}
	// The judge copy of a JPEG or PNG is streamed to its file, and the
	// file's bytes are not kept by this frame, so they can be freed once
	// decoded.
	jf, err := os.CreateTemp(outDir, "judge-*")
	if err != nil {
		return fmt.Errorf("media: %w", err)
	}
	defer os.Remove(jf.Name())
	defer jf.Close()
	res, err := deriveFile(ctx, in.Path, ImageOptions{MaxPixels: opt.MaxPixels, Budget: opt.Budget, Judge: true, JudgeTo: jf})
	if err != nil {
		return err
	}
	if err := jf.Close(); err != nil {
		return fmt.Errorf("media: %w", err)
	}
	for _, r := range res.Renditions {
		if r.Name == NameJudge && r.Data == nil {
			if err := os.Rename(jf.Name(), filepath.Join(outDir, NameJudge+Extension(r.ContentType))); err != nil {
				return fmt.Errorf("media: %w", err)
			}
		}
	}
	rep.Format, rep.Width, rep.Height, rep.Orientation = res.Format, res.Width, res.Height, res.Orientation
	rep.PHash = FormatHash(res.PHash)
	return writeRenditions(outDir, res.Renditions, rep)
}

// deriveFile reads the image at path and runs DeriveImage on it without
// keeping a reference to its bytes.
func deriveFile(ctx context.Context, path string, opt ImageOptions) (Result, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Result{}, fmt.Errorf("media: %w", err)
	}
	return DeriveImage(ctx, data, opt)
}

// deriveDecoded makes the picture derivatives (and with judge, a JPEG
// judge copy) from an image already decoded: a rendered PDF page, a video
// poster, an essay cover.
func deriveDecoded(img image.Image, format string, judge bool) (Result, error) {
	flat := flatten(img)
	res := Result{Width: img.Bounds().Dx(), Height: img.Bounds().Dy(), Format: format, Orientation: 1}
	if judge {
		buf, err := jpegBytes(flat, pdfJudgeQuality)
		if err != nil {
			return Result{}, err
		}
		res.Renditions = append(res.Renditions, Rendition{Name: NameJudge, Width: res.Width, Height: res.Height, Data: buf, ContentType: "image/jpeg"})
	}
	made := map[string]image.Image{}
	var prev image.Image
	for _, s := range PhotoSpecs() {
		src := flat
		if s.From != "" {
			src = made[s.From]
		} else if prev != nil {
			src = prev
		}
		out := fit(src, s.MaxSide, res.Width, res.Height)
		buf, err := jpegBytes(out, s.Quality)
		if err != nil {
			return Result{}, err
		}
		res.Renditions = append(res.Renditions, Rendition{Name: s.Name, Width: out.Bounds().Dx(), Height: out.Bounds().Dy(), Data: buf, ContentType: "image/jpeg"})
		made[s.Name], prev = out, out
	}
	res.PHash = PHash(prev)
	return res, nil
}

// Extension returns the file extension used for a derivative's content
// type.
func Extension(contentType string) string {
	switch {
	case contentType == "image/jpeg":
		return ".jpg"
	case contentType == "image/png":
		return ".png"
	case contentType == "video/mp4":
		return ".mp4"
	case strings.HasPrefix(contentType, "text/markdown"):
		return ".md"
	case strings.HasPrefix(contentType, "text/"):
		return ".txt"
	}
	return ".bin"
}

func writeRenditions(outDir string, rs []Rendition, rep *Report) error {
	for _, r := range rs {
		var o Output
		if r.Data == nil && r.Size > 0 { // already streamed to its file
			file := r.Name + Extension(r.ContentType)
			o = Output{Name: r.Name, File: file, Path: filepath.Join(outDir, file), ContentType: r.ContentType, Size: r.Size}
		} else {
			var err error
			if o, err = writeOutput(outDir, r.Name, r.ContentType, r.Data); err != nil {
				return err
			}
		}
		o.Width, o.Height = r.Width, r.Height
		rep.Outputs = append(rep.Outputs, o)
	}
	return nil
}

func writeOutput(outDir, name, ct string, data []byte) (Output, error) {
	file := name + Extension(ct)
	p := filepath.Join(outDir, file)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		return Output{}, fmt.Errorf("media: write %s: %w", file, err)
	}
	return Output{Name: name, File: file, Path: p, ContentType: ct, Size: int64(len(data))}, nil
}

func processVideo(ctx context.Context, in Input, outDir string, opt Options, rep *Report) error {
	info, err := ProbeVideo(ctx, in.Path, in.ContentType, opt.Video)
	if err != nil {
		return err
	}
	rep.Video, rep.DurationMS = &info, info.Duration.Milliseconds()
	rep.Width, rep.Height, rep.Format = info.Width, info.Height, info.Container
	if err := CheckDuration(info.Duration, opt.MaxDuration); err != nil {
		return err
	}
	poster := filepath.Join(outDir, "poster-frame.ppm")
	defer os.Remove(poster)
	if err := Poster(ctx, in.Path, in.ContentType, info, poster, opt.Video); err != nil {
		return err
	}
	data, err := os.ReadFile(poster)
	if err != nil {
		return fmt.Errorf("media: poster: %w", err)
	}
	img, err := decodePPM(data)
	data = nil
	if err != nil {
		return rejectCause(err, "No picture could be taken from this video; it may be damaged. Please export it again and upload it again.")
	}
	res, err := deriveDecoded(img, "poster", false)
	if err != nil {
		return err
	}
	rep.PHash = FormatHash(res.PHash)
	if err := writeRenditions(outDir, res.Renditions, rep); err != nil {
		return err
	}
	if !opt.Transcode {
		rep.NeedsTranscode = true
		return nil
	}
	o, err := TranscodePreview(ctx, in, info, outDir, opt)
	if err != nil {
		return err
	}
	rep.Outputs = append(rep.Outputs, o)
	return nil
}

// TranscodePreview makes the "video" derivative (video.mp4 in outDir) of
// a video Process has probed, reporting progress to opt.Progress.
func TranscodePreview(ctx context.Context, in Input, info VideoInfo, outDir string, opt Options) (Output, error) {
	file := NameVideo + ".mp4"
	p := filepath.Join(outDir, file)
	if err := Transcode(ctx, in.Path, in.ContentType, info, p, opt.Video, opt.Progress); err != nil {
		os.Remove(p)
		return Output{}, err
	}
	st, err := os.Stat(p)
	if err != nil {
		return Output{}, fmt.Errorf("media: preview: %w", err)
	}
	w, h := PreviewSize(info.Width, info.Height, opt.Video.MaxShort)
	return Output{Name: NameVideo, File: file, Path: p, ContentType: "video/mp4", Width: w, Height: h, Size: st.Size()}, nil
}

func processEssay(ctx context.Context, in Input, outDir string, opt Options, rep *Report) error {
	text, err := EssayText(ctx, in.Path, in.ContentType, orDefault(opt.MaxEssayPages, DefaultEssayPages), opt)
	if err != nil {
		return err
	}
	md := in.ContentType == "text/markdown" || (strings.HasPrefix(in.ContentType, "text/plain") && IsMarkdownName(in.FileName))
	rep.Markdown = md
	rep.WordCount = CountWords(text, md)
	if err := CheckWords(rep.WordCount, opt.MinWords, opt.MaxWords); err != nil {
		return err
	}
	if len(text)+1 > MaxEssayTextBytes {
		return reject("This essay's text is larger than %d MB; an essay should be far smaller. Please check you chose the right file.", MaxEssayTextBytes>>20)
	}
	ct := "text/plain; charset=utf-8"
	if md {
		ct = "text/markdown; charset=utf-8"
	}
	o, err := writeOutput(outDir, NameText, ct, []byte(text+"\n"))
	if err != nil {
		return err
	}
	rep.Outputs = append(rep.Outputs, o)

	var cover image.Image
	if in.ContentType == "application/pdf" {
		cover, err = RenderPDFPage(ctx, in.Path, coverH, opt.PDFTimeout)
	} else {
		cover, err = RenderCover(in.Title, text)
	}
	if err != nil {
		return err
	}
	res, err := deriveDecoded(cover, "cover", false)
	if err != nil {
		return err
	}
	return writeRenditions(outDir, res.Renditions, rep)
}
