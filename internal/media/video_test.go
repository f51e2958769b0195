package media

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestVideoCommandBuilders(t *testing.T) {
	ctx := context.Background()
	opt := VideoOptions{Threads: 3}
	probe := ProbeCommand(ctx, "/in/v.mov", "mov")
	if got := strings.Join(probe.Args, " "); got != "ffprobe -hide_banner -v error -show_format -show_streams -of json -protocol_whitelist file -f mov -i file:/in/v.mov" {
		t.Errorf("probe: %s", got)
	}
	poster := PosterCommand(ctx, "/in/v.mov", "mov", 2500*time.Millisecond, "/out/p.ppm", opt)
	if got := strings.Join(poster.Args, " "); got != "ffmpeg -nostdin -hide_banner -loglevel error -threads 3 -skip_frame nokey -ss 2.500 -protocol_whitelist file -f mov -i file:/in/v.mov -map 0:v:0 -frames:v 1 -an -sn -dn -map_metadata -1 -f image2 -c:v ppm -y file:/out/p.ppm" {
		t.Errorf("poster: %s", got)
	}
	tc := TranscodeCommand(ctx, "/in/v.webm", "matroska", VideoInfo{Width: 3840, Height: 2160, Duration: time.Minute}, "/out/v.mp4", opt)
	args := tc.Args
	mustHave := [][]string{
		{"-nostdin"}, {"-protocol_whitelist", "file"}, {"-f", "matroska", "-i", "file:/in/v.webm"},
		{"-threads", "3"}, {"-progress", "pipe:1"}, {"-map_metadata", "-1"}, {"-map_chapters", "-1"},
		{"-c:v", "libx264"}, {"-c:a", "aac"}, {"-movflags", "+faststart"},
		{"-vf", "scale=1920:1080:flags=bicubic,format=yuv420p"}, {"-f", "mp4", "-y", "file:/out/v.mp4"},
	}
	for _, want := range mustHave {
		found := false
		for i := range args {
			if i+len(want) <= len(args) && slices.Equal(args[i:i+len(want)], want) {
				found = true
			}
		}
		if !found {
			t.Errorf("transcode args lack %v: %v", want, args)
		}
	}
	// The input options come before -i, and the protocol whitelist before
	// the input format.
	if slices.Index(args, "-protocol_whitelist") > slices.Index(args, "-i") || slices.Index(args, "-nostdin") != 1 {
		t.Errorf("option order: %v", args)
	}
	if got := strings.Join(PDFRenderCommand(ctx, "/in/a.pdf", 4096).Args, " "); got != "pdftoppm -f 1 -l 1 -singlefile -scale-to 4096 -- /in/a.pdf" {
		t.Errorf("pdf render: %s", got)
	}
	if got := strings.Join(PDFTextCommand(ctx, "/in/a.pdf", 200).Args, " "); got != "pdftotext -q -f 1 -l 200 -enc UTF-8 -nopgbrk -- /in/a.pdf -" {
		t.Errorf("pdf text: %s", got)
	}
}

func TestVideoDemuxer(t *testing.T) {
	for ct, want := range map[string]string{
		"video/mp4": "mov", "video/quicktime": "mov", "video/webm": "matroska", "video/3gpp": "mov",
		ContentTypeHLS: "", "text/plain; charset=utf-8": "", "application/octet-stream": "",
	} {
		if got := VideoDemuxer(ct); got != want {
			t.Errorf("VideoDemuxer(%q) = %q, want %q", ct, got, want)
		}
	}
}

func TestDurationWords(t *testing.T) {
	for d, want := range map[time.Duration]string{
		45 * time.Second: "45 s", 3 * time.Minute: "3 min", 4*time.Minute + 12*time.Second + 700*time.Millisecond: "4 min 12 s",
		time.Hour + 2*time.Minute + 5*time.Second: "1 h 2 min", 0: "0 s",
	} {
		if got := FormatDuration(d); got != want {
			t.Errorf("FormatDuration(%v) = %q, want %q", d, got, want)
		}
	}
	err := CheckDuration(4*time.Minute+12*time.Second, 3*time.Minute)
	if rej, ok := IsReject(err); !ok || rej.Reason != "This video is 4 min 12 s long; this category allows 3 min." {
		t.Errorf("CheckDuration: %v", err)
	}
	if err := CheckDuration(3*time.Minute+500*time.Millisecond, 3*time.Minute); err != nil {
		t.Errorf("half a second over is within grace: %v", err)
	}
	if err := CheckDuration(time.Hour, 0); err != nil {
		t.Errorf("no limit: %v", err)
	}
}

func TestPosterTimeAndPreviewSize(t *testing.T) {
	for d, want := range map[time.Duration]time.Duration{
		time.Second: 0, 4 * time.Second: time.Second, 40 * time.Second: 10 * time.Second, 2 * time.Hour: 20 * time.Second,
	} {
		if got := PosterTime(d); got != want {
			t.Errorf("PosterTime(%v) = %v, want %v", d, got, want)
		}
	}
	for _, tt := range []struct{ w, h, short, ww, wh int }{
		{3840, 2160, 1080, 1920, 1080},
		{1080, 1920, 1080, 1080, 1920},
		{2160, 3840, 720, 720, 1280},
		{640, 360, 1080, 640, 360},
		{641, 361, 1080, 642, 362},
		{4000, 1000, 1080, 1920, 480},
	} {
		if w, h := PreviewSize(tt.w, tt.h, tt.short); w != tt.ww || h != tt.wh {
			t.Errorf("PreviewSize(%d, %d, %d) = %d×%d, want %d×%d", tt.w, tt.h, tt.short, w, h, tt.ww, tt.wh)
		}
	}
}

// TestTranscodeProgress feeds ffmpeg's -progress output to the writer
// Transcode gives ffmpeg, in pieces cut anywhere as a pipe delivers them:
// the entrant sees whole percents, rising, never 100 before the end.
func TestTranscodeProgress(t *testing.T) {
	in := "frame=1\nout_time_us=2500000\nprogress=continue\nout_time_us=5000000\nout_time_ms=5000000\nout_time_us=N/A\nout_time_us=-1\nout_time_us=1000000\nout_time_us=12000000\nprogress=end"
	for _, piece := range []int{1, 3, 7, len(in)} {
		var got []int
		pw := &progressWriter{total: 10 * time.Second, fn: func(p int) { got = append(got, p) }}
		for rest := in; rest != ""; {
			n := min(piece, len(rest))
			if k, err := pw.Write([]byte(rest[:n])); k != n || err != nil {
				t.Fatalf("Write = %d, %v", k, err)
			}
			rest = rest[n:]
		}
		pw.flush()
		if !slices.Equal(got, []int{25, 50, 99}) {
			t.Errorf("pieces of %d bytes: progress %v, want [25 50 99]", piece, got)
		}
	}
	// No duration known, or nobody listening: nothing reported, no panic.
	for _, pw := range []*progressWriter{{total: 0, fn: func(p int) { t.Errorf("reported %d%% of an unknown duration", p) }}, {total: time.Second}} {
		_, _ = pw.Write([]byte(in + "\n"))
		pw.flush()
	}
}

type probed struct {
	Streams []struct {
		CodecType    string            `json:"codec_type"`
		CodecName    string            `json:"codec_name"`
		Width        int               `json:"width"`
		Height       int               `json:"height"`
		PixFmt       string            `json:"pix_fmt"`
		Tags         map[string]string `json:"tags"`
		SideDataList []map[string]any  `json:"side_data_list"`
	} `json:"streams"`
	Format struct {
		Tags map[string]string `json:"tags"`
	} `json:"format"`
}

func ffprobeJSON(t *testing.T, path string) probed {
	t.Helper()
	var p probed
	if err := json.Unmarshal(run(t, "ffprobe", "-v", "error", "-show_format", "-show_streams", "-of", "json", path), &p); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestVideoPipeline(t *testing.T) {
	needTools(t, "ffmpeg", "ffprobe")
	meta := []string{"-metadata", "artist=Jane Entrant", "-metadata", "title=Secret Title", "-metadata", "location=+48.8584+002.2945/"}
	h264 := ffmpegFixture(t, "clip.mp4", append([]string{"-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100",
		"-t", "3", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac"}, meta...)...)
	hevcRaw := ffmpegFixture(t, "raw.mov", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25", "-t", "2",
		"-c:v", "libx265", "-preset", "ultrafast", "-x265-params", "log-level=error", "-tag:v", "hvc1")
	// A phone's portrait video: landscape frames plus a rotation.
	hevc := filepath.Join(t.TempDir(), "phone.mov")
	run(t, "ffmpeg", "-nostdin", "-v", "error", "-y", "-i", hevcRaw, "-c", "copy", "-metadata:s:v:0", "rotate=90", "-metadata", "com.apple.quicktime.make=Apple", hevc)
	webm := ffmpegFixture(t, "clip.webm", "-f", "lavfi", "-i", "testsrc2=size=320x180:rate=25", "-f", "lavfi", "-i", "sine", "-t", "2",
		"-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-b:v", "200k", "-c:a", "libopus")

	tests := []struct {
		name, path, codec string
		w, h, rotation    int
		audio             int
	}{
		{"h264 mp4", h264, "h264", 320, 240, 0, 1},
		{"hevc mov with rotation", hevc, "hevc", 240, 320, 270, 0},
		{"webm", webm, "vp9", 320, 180, 0, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var progress []int
			rep, out, err := processFile(t, tt.path, KindVideo, Options{Transcode: true, Progress: func(p int) { progress = append(progress, p) }})
			if err != nil {
				t.Fatal(err)
			}
			v := rep.Video
			if v == nil || v.VideoCodec != tt.codec || v.Width != tt.w || v.Height != tt.h || rep.DurationMS < 1900 || rep.DurationMS > 3100 {
				t.Fatalf("facts %+v (duration %d ms)", v, rep.DurationMS)
			}
			if (v.Rotation == 0) != (tt.rotation == 0) {
				t.Errorf("rotation %d, want %d", v.Rotation, tt.rotation)
			}
			if len(progress) == 0 || progress[len(progress)-1] != 100 {
				t.Errorf("progress %v, want it to end at 100", progress)
			}
			for _, name := range []string{NamePreview, NameCard, NameThumb, NameVideo} {
				if _, ok := rep.Output(name); !ok {
					t.Errorf("no %s", name)
				}
			}
			thumb, _ := rep.Output(NameThumb)
			if (thumb.Width > thumb.Height) != (tt.w > tt.h) {
				t.Errorf("poster thumb %d×%d is not upright like the video's %d×%d", thumb.Width, thumb.Height, tt.w, tt.h)
			}
			mp4 := filepath.Join(out, "video.mp4")
			p := ffprobeJSON(t, mp4)
			var vs, as int
			for _, s := range p.Streams {
				switch s.CodecType {
				case "video":
					vs++
					if s.CodecName != "h264" || s.PixFmt != "yuv420p" || s.Width != tt.w || s.Height != tt.h {
						t.Errorf("preview video stream %s %s %d×%d, want h264 yuv420p %d×%d", s.CodecName, s.PixFmt, s.Width, s.Height, tt.w, tt.h)
					}
					if len(s.SideDataList) > 0 {
						t.Errorf("preview keeps side data (rotation?) %v", s.SideDataList)
					}
				case "audio":
					as++
					if s.CodecName != "aac" {
						t.Errorf("preview audio %s", s.CodecName)
					}
				}
			}
			if vs != 1 || as != tt.audio {
				t.Errorf("%d video and %d audio streams", vs, as)
			}
			for k, v := range p.Format.Tags {
				if strings.Contains(v, "Jane") || strings.Contains(v, "Secret") || k == "location" || strings.Contains(k, "apple") {
					t.Errorf("preview keeps metadata %s=%s", k, v)
				}
			}
			data, _ := os.ReadFile(mp4)
			if m, d := bytes.Index(data, []byte("moov")), bytes.Index(data, []byte("mdat")); m < 0 || m > d {
				t.Errorf("moov at %d, mdat at %d: not faststart", m, d)
			}
		})
	}

	t.Run("one key frame only", func(t *testing.T) {
		longGOP := ffmpegFixture(t, "gop.mp4", "-f", "lavfi", "-i", "testsrc2=size=160x120:rate=25", "-t", "3",
			"-c:v", "libx264", "-preset", "ultrafast", "-g", "1000", "-pix_fmt", "yuv420p")
		rep, _, err := processFile(t, longGOP, KindVideo, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if th, ok := rep.Output(NameThumb); !ok || th.Width != 160 || !rep.NeedsTranscode {
			t.Fatalf("report %+v", rep)
		}
	})
	t.Run("duration limit", func(t *testing.T) {
		_, _, err := processFile(t, h264, KindVideo, Options{MaxDuration: time.Second})
		if rej, ok := IsReject(err); !ok || rej.Reason != "This video is 3 s long; this category allows 1 s." {
			t.Fatalf("err %v", err)
		}
	})
	t.Run("truncated", func(t *testing.T) {
		data, _ := os.ReadFile(h264)
		cut := writeFile(t, "cut.mp4", data[:len(data)/2])
		_, _, err := processFile(t, cut, KindVideo, Options{Transcode: true})
		rej, ok := IsReject(err)
		if !ok || !strings.Contains(rej.Reason, "This video could not be read") || strings.Contains(rej.Reason, os.TempDir()) {
			t.Fatalf("err %v", err)
		}
	})
}
