package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/tessera/tessera/internal/media"
)

const mediaUsage = `Usage:
  tessera media process FILE --kind photo|mural|video|essay --out DIR [flags]

Runs the media pipeline that the workers run on FILE, without a server, and
prints JSON: what it made (derivatives with sizes, dimensions, duration, word
count) or why it refused the file. Exits non-zero when the file is refused.
`

// mediaResult is what `tessera media process` prints.
type mediaResult struct {
	OK      bool          `json:"ok"`
	File    string        `json:"file"`
	Refused string        `json:"refused,omitempty"`
	Error   string        `json:"error,omitempty"`
	Report  *media.Report `json:"report,omitempty"`
	Codec   string        `json:"jpeg_codec"`
	Elapsed string        `json:"elapsed"`
}

func runMedia(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "process" {
		fmt.Fprint(stdout, mediaUsage)
		return errors.New("media: expected `media process FILE`")
	}
	fs := flag.NewFlagSet("media process", flag.ContinueOnError)
	fs.SetOutput(stdout)
	fs.Usage = func() { fmt.Fprint(stdout, mediaUsage); fs.PrintDefaults() }
	var (
		kind, out, title                   string
		maxDur                             time.Duration
		minWords, maxWords, threads, short int
		maxPixels                          int64
		noTranscode, quiet                 bool
	)
	fs.StringVar(&kind, "kind", "", "photo, mural, video or essay (required)")
	fs.StringVar(&out, "out", "", "directory to write the derivatives into (created; required)")
	fs.StringVar(&title, "title", "", "title drawn on an essay's cover")
	fs.DurationVar(&maxDur, "max-duration", 0, "the category's longest video, e.g. 3m (0: no limit)")
	fs.IntVar(&minWords, "min-words", 0, "the category's fewest essay words (0: none)")
	fs.IntVar(&maxWords, "max-words", 0, "the category's most essay words (0: none)")
	fs.Int64Var(&maxPixels, "max-pixels", media.DefaultMaxPixels, "largest image accepted, in pixels")
	fs.IntVar(&threads, "threads", media.DefaultVideoThreads, "ffmpeg threads")
	fs.IntVar(&short, "max-short-side", media.DefaultVideoMaxShort, "video preview's largest shorter side (1080 for 1080p)")
	fs.BoolVar(&noTranscode, "no-transcode", false, "skip the video preview MP4 (poster and facts only)")
	fs.BoolVar(&quiet, "quiet", false, "do not print transcode progress on standard error")

	// Flags may come before or after FILE.
	var files []string
	rest := args[1:]
	for {
		if err := fs.Parse(rest); err != nil {
			return err
		}
		if fs.NArg() == 0 {
			break
		}
		files = append(files, fs.Arg(0))
		rest = fs.Args()[1:]
	}
	if len(files) != 1 || out == "" || kind == "" {
		fs.Usage()
		return errors.New("media process: need exactly one FILE, --kind and --out")
	}
	k := media.Kind(kind)
	switch k {
	case media.KindPhoto, media.KindMural, media.KindVideo, media.KindEssay:
	default:
		return fmt.Errorf("media process: --kind %q is not photo, mural, video or essay", kind)
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return fmt.Errorf("media process: %w", err)
	}
	opt := media.Options{
		MaxPixels: maxPixels, MaxDuration: maxDur, MinWords: minWords, MaxWords: maxWords,
		Video:     media.VideoOptions{Threads: threads, MaxShort: short},
		Transcode: !noTranscode,
	}
	if !quiet {
		opt.Progress = func(p int) {
			fmt.Fprintf(os.Stderr, "\rtranscoding: %3d%%", p)
			if p == 100 {
				fmt.Fprintln(os.Stderr)
			}
		}
	}
	start := time.Now()
	rep, err := media.Process(ctx, media.Input{Path: files[0], Kind: k, FileName: files[0], Title: title}, out, opt)
	res := mediaResult{OK: err == nil, File: files[0], Codec: media.JPEGCodec, Elapsed: time.Since(start).Round(time.Millisecond).String()}
	if len(rep.Outputs) > 0 || err == nil || rep.ContentType != "" {
		res.Report = &rep
	}
	if rej, ok := media.IsReject(err); ok {
		res.Refused = rej.Reason
		if rej.Err != nil {
			res.Error = rej.Err.Error()
		}
	} else if err != nil {
		res.Error = err.Error()
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	if werr := enc.Encode(res); werr != nil {
		return werr
	}
	if err != nil {
		if res.Refused != "" {
			return fmt.Errorf("media process: refused: %s", strings.TrimSuffix(res.Refused, "."))
		}
		return fmt.Errorf("media process: %w", err)
	}
	return nil
}
