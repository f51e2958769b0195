package media

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Video defaults, used when the matching VideoOptions field is zero.
const (
	DefaultVideoMaxShort   = 1080             // the preview's shorter side: 1080p
	DefaultVideoThreads    = 2                // threads per ffmpeg run
	DefaultProbeTimeout    = 30 * time.Second // ffprobe
	DefaultPosterTimeout   = 60 * time.Second // one poster frame
	DefaultTranscodeTimout = 45 * time.Minute // the preview MP4
)

// VideoOptions tune the video commands.
type VideoOptions struct {
	// MaxShort is the preview's largest shorter side in pixels (1080 for
	// 1080p); the longer side is at most 16/9 of it. Videos are never
	// enlarged.
	MaxShort int
	// Threads bounds ffmpeg's threads.
	Threads int
	// CRF and Preset tune libx264 (23 and "veryfast" when empty).
	CRF    int
	Preset string
	// Timeouts per run.
	ProbeTimeout, PosterTimeout, TranscodeTimeout time.Duration
}

func (o VideoOptions) withDefaults() VideoOptions {
	o.MaxShort = orDefault(o.MaxShort, DefaultVideoMaxShort)
	o.Threads = orDefault(o.Threads, DefaultVideoThreads)
	o.CRF = orDefault(o.CRF, 23)
	o.Preset = orDefault(o.Preset, "veryfast")
	o.ProbeTimeout = orDefault(o.ProbeTimeout, DefaultProbeTimeout)
	o.PosterTimeout = orDefault(o.PosterTimeout, DefaultPosterTimeout)
	o.TranscodeTimeout = orDefault(o.TranscodeTimeout, DefaultTranscodeTimout)
	return o
}

// VideoDemuxer returns the only ffmpeg input format (-f) allowed for a
// sniffed content type, or "" when the type is not a video Tessera accepts.
// Forcing the demuxer means a file that merely claims to be a video (an
// HLS playlist, a concat list) is never interpreted as one.
func VideoDemuxer(contentType string) string {
	switch contentType {
	case "video/mp4", "video/quicktime", "video/3gpp":
		return "mov"
	case "video/webm":
		return "matroska"
	}
	return ""
}

// Codecs accepted inside a video container; anything else is refused
// before ffmpeg decodes a frame of it.
var (
	acceptedVideoCodecs = []string{"h264", "hevc", "vp8", "vp9", "av1", "mpeg4", "prores", "mjpeg", "dnxhd"}
	acceptedAudioCodecs = []string{"aac", "mp3", "opus", "vorbis", "flac", "alac", "ac3", "eac3", "pcm_s16le", "pcm_s16be", "pcm_s24le", "pcm_s24be", "pcm_f32le"}
)

// VideoInfo is what ffprobe says about a video.
type VideoInfo struct {
	Duration time.Duration `json:"duration_ms"`
	// Width and Height are the displayed size, rotation applied.
	Width      int    `json:"width"`
	Height     int    `json:"height"`
	Rotation   int    `json:"rotation"` // degrees clockwise to display: 0, 90, 180, 270
	VideoCodec string `json:"video_codec"`
	AudioCodec string `json:"audio_codec,omitempty"`
	Container  string `json:"container"`
}

// MarshalJSON writes Duration as milliseconds.
func (v VideoInfo) MarshalJSON() ([]byte, error) {
	type plain VideoInfo
	return json.Marshal(struct {
		plain
		Duration int64 `json:"duration_ms"`
	}{plain(v), v.Duration.Milliseconds()})
}

func ffmpegInput(demuxer, path string) []string {
	return []string{"-protocol_whitelist", "file", "-f", demuxer, "-i", "file:" + path}
}

// ProbeCommand reads the container and streams of the video at path with
// ffprobe, as JSON, through the given demuxer only and from a local file
// only.
func ProbeCommand(ctx context.Context, path, demuxer string) *exec.Cmd {
	args := []string{"-hide_banner", "-v", "error", "-show_format", "-show_streams", "-of", "json"}
	args = append(args, ffmpegInput(demuxer, path)...)
	return exec.CommandContext(ctx, "ffprobe", args...)
}

type probeOutput struct {
	Streams []struct {
		CodecType    string            `json:"codec_type"`
		CodecName    string            `json:"codec_name"`
		Width        int               `json:"width"`
		Height       int               `json:"height"`
		Duration     string            `json:"duration"`
		Tags         map[string]string `json:"tags"`
		SideDataList []struct {
			Rotation *float64 `json:"rotation"`
		} `json:"side_data_list"`
		Disposition map[string]int `json:"disposition"`
	} `json:"streams"`
	Format struct {
		FormatName string `json:"format_name"`
		Duration   string `json:"duration"`
	} `json:"format"`
}

// ProbeVideo runs ffprobe on the video at path (of the sniffed
// contentType) and checks it has a video stream in an accepted codec and a
// known, positive duration. Unreadable or unsupported videos give a
// *RejectError.
func ProbeVideo(ctx context.Context, path, contentType string, opt VideoOptions) (VideoInfo, error) {
	opt = opt.withDefaults()
	demuxer := VideoDemuxer(contentType)
	if demuxer == "" {
		return VideoInfo{}, reject("This file is not a video Tessera can read (it looks like %s). Please upload an MP4, MOV or WebM video.", contentType)
	}
	ctx, cancel := context.WithTimeout(ctx, opt.ProbeTimeout)
	defer cancel()
	out, err := runTool(ctx, ProbeCommand(ctx, path, demuxer), 4<<20, nil)
	if err != nil {
		return VideoInfo{}, videoError(ctx, err, "read")
	}
	var p probeOutput
	if err := json.Unmarshal(out, &p); err != nil {
		return VideoInfo{}, fmt.Errorf("media: ffprobe output: %w", err)
	}
	info := VideoInfo{Container: p.Format.FormatName}
	found := false
	for _, s := range p.Streams {
		switch s.CodecType {
		case "video":
			if found || s.Disposition["attached_pic"] == 1 {
				continue
			}
			found = true
			info.VideoCodec, info.Width, info.Height = s.CodecName, s.Width, s.Height
			info.Rotation = streamRotation(s.Tags["rotate"], s.SideDataList)
			if d := parseSeconds(s.Duration); d > 0 {
				info.Duration = d
			}
		case "audio":
			if info.AudioCodec == "" {
				info.AudioCodec = s.CodecName
			}
		}
	}
	if !found {
		return VideoInfo{}, reject("This file has no video in it. Please upload an MP4, MOV or WebM video.")
	}
	if !slices.Contains(acceptedVideoCodecs, info.VideoCodec) {
		return VideoInfo{}, reject("This video uses the %q codec, which Tessera cannot play. Please export it as H.264 or HEVC (MP4 or MOV) and upload it again.", info.VideoCodec)
	}
	if info.AudioCodec != "" && !slices.Contains(acceptedAudioCodecs, info.AudioCodec) {
		return VideoInfo{}, reject("This video's sound uses the %q codec, which Tessera cannot play. Please export it with AAC sound and upload it again.", info.AudioCodec)
	}
	if d := parseSeconds(p.Format.Duration); d > 0 {
		info.Duration = d
	}
	if info.Duration <= 0 || info.Width <= 0 || info.Height <= 0 {
		return VideoInfo{}, reject("This video's length or size cannot be read; it may be damaged or incomplete. Please export it again and upload it again.")
	}
	if info.Rotation == 90 || info.Rotation == 270 {
		info.Width, info.Height = info.Height, info.Width
	}
	return info, nil
}

// streamRotation turns ffprobe's rotation (a display matrix angle,
// counter-clockwise and often negative, or an old "rotate" tag, clockwise)
// into clockwise degrees 0, 90, 180 or 270.
func streamRotation(tag string, side []struct {
	Rotation *float64 `json:"rotation"`
}) int {
	deg := 0
	if tag != "" {
		if v, err := strconv.Atoi(tag); err == nil {
			deg = v
		}
	}
	for _, sd := range side {
		if sd.Rotation != nil {
			deg = -int(math.Round(*sd.Rotation))
		}
	}
	deg = ((deg % 360) + 360) % 360
	return (deg + 45) / 90 * 90 % 360
}

func parseSeconds(s string) time.Duration {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f <= 0 || math.IsInf(f, 0) || f > 1e7 {
		return 0
	}
	return time.Duration(f * float64(time.Second))
}

// CheckDuration refuses a video longer than max (0: no limit), with one
// second of grace for exports that run a few frames over.
func CheckDuration(d, max time.Duration) error {
	if max <= 0 || d <= max+time.Second {
		return nil
	}
	return reject("This video is %s long; this category allows %s.", FormatDuration(d), FormatDuration(max))
}

// FormatDuration words a duration for people: "45 s", "3 min",
// "4 min 12 s", "1 h 2 min".
func FormatDuration(d time.Duration) string {
	s := int64(d / time.Second)
	h, m, sec := s/3600, s/60%60, s%60
	var parts []string
	if h > 0 {
		parts = append(parts, fmt.Sprintf("%d h", h))
	}
	if m > 0 {
		parts = append(parts, fmt.Sprintf("%d min", m))
	}
	if sec > 0 && h == 0 || len(parts) == 0 {
		parts = append(parts, fmt.Sprintf("%d s", sec))
	}
	return strings.Join(parts, " ")
}

// PosterTime chooses where to take a video's poster frame from its length:
// a quarter of the way in (past fades and titles), at most 20 s in, and the
// first frame of very short clips.
func PosterTime(d time.Duration) time.Duration {
	if d < 2*time.Second {
		return 0
	}
	return min(d/4, 20*time.Second).Truncate(time.Millisecond)
}

// PosterCommand writes one frame of the video at in, taken at at, to out
// as PPM (uncompressed: nothing is spent compressing a frame decoded at
// once), rotation applied. -ss before -i seeks in the input and
// -skip_frame nokey decodes key frames only, so the poster is the first key
// frame at or after at, and the cost is a frame or two, whatever the
// video's length or key frame interval.
func PosterCommand(ctx context.Context, in, demuxer string, at time.Duration, out string, opt VideoOptions) *exec.Cmd {
	opt = opt.withDefaults()
	args := []string{"-nostdin", "-hide_banner", "-loglevel", "error", "-threads", strconv.Itoa(opt.Threads),
		"-skip_frame", "nokey", "-ss", formatSeconds(at)}
	args = append(args, ffmpegInput(demuxer, in)...)
	args = append(args, "-map", "0:v:0", "-frames:v", "1", "-an", "-sn", "-dn", "-map_metadata", "-1",
		"-f", "image2", "-c:v", "ppm", "-y", "file:"+out)
	return exec.CommandContext(ctx, "ffmpeg", args...)
}

func formatSeconds(d time.Duration) string {
	return strconv.FormatFloat(d.Seconds(), 'f', 3, 64)
}

// PreviewSize is the size of the browser preview of a video displayed at
// w×h: never enlarged, shorter side at most maxShort and longer side at
// most 16/9 of it, both even (as H.264 in 4:2:0 needs).
func PreviewSize(w, h, maxShort int) (int, int) {
	if maxShort <= 0 {
		maxShort = DefaultVideoMaxShort
	}
	maxLong := maxShort * 16 / 9
	short, long := min(w, h), max(w, h)
	s := math.Min(1, math.Min(float64(maxShort)/float64(short), float64(maxLong)/float64(long)))
	even := func(v float64) int { return max(2, int(math.Round(v/2))*2) }
	return even(float64(w) * s), even(float64(h) * s)
}

// TranscodeCommand makes the browser preview of the video at in: H.264
// (yuv420p) and AAC in an MP4 with its index at the front (+faststart),
// scaled to PreviewSize, rotation applied (ffmpeg's autorotate) and every
// metadata tag and chapter dropped. Progress is written as key=value lines
// to standard output (-progress pipe:1).
func TranscodeCommand(ctx context.Context, in, demuxer string, info VideoInfo, out string, opt VideoOptions) *exec.Cmd {
	opt = opt.withDefaults()
	w, h := PreviewSize(info.Width, info.Height, opt.MaxShort)
	args := []string{"-nostdin", "-hide_banner", "-loglevel", "error", "-nostats", "-progress", "pipe:1",
		"-threads", strconv.Itoa(opt.Threads)}
	args = append(args, ffmpegInput(demuxer, in)...)
	args = append(args,
		"-map", "0:v:0", "-map", "0:a:0?", "-sn", "-dn",
		"-map_metadata", "-1", "-map_chapters", "-1",
		"-vf", fmt.Sprintf("scale=%d:%d:flags=bicubic,format=yuv420p", w, h),
		"-c:v", "libx264", "-preset", opt.Preset, "-crf", strconv.Itoa(opt.CRF), "-profile:v", "high",
		"-c:a", "aac", "-b:a", "128k", "-ac", "2",
		"-movflags", "+faststart", "-max_muxing_queue_size", "1024",
		"-f", "mp4", "-y", "file:"+out)
	return exec.CommandContext(ctx, "ffmpeg", args...)
}

// Poster takes the poster frame of the video at in and writes it to out
// (PPM).
func Poster(ctx context.Context, in, contentType string, info VideoInfo, out string, opt VideoOptions) error {
	opt = opt.withDefaults()
	ctx, cancel := context.WithTimeout(ctx, opt.PosterTimeout)
	defer cancel()
	at := PosterTime(info.Duration)
	demuxer := VideoDemuxer(contentType)
	_, err := runTool(ctx, PosterCommand(ctx, in, demuxer, at, out, opt), 1<<20, nil)
	if st, serr := os.Stat(out); err == nil && (serr != nil || st.Size() == 0) && at > 0 {
		// No key frame after at (one long group of pictures): take the
		// first frame, which always is one.
		_, err = runTool(ctx, PosterCommand(ctx, in, demuxer, 0, out, opt), 1<<20, nil)
	}
	if err != nil {
		return videoError(ctx, err, "read")
	}
	if st, serr := os.Stat(out); serr != nil || st.Size() == 0 {
		return reject("No picture could be taken from this video; it may be damaged. Please export it again and upload it again.")
	}
	return nil
}

// Transcode makes the browser preview of the video at in into out,
// calling progress (when set) with the percent done as it goes.
func Transcode(ctx context.Context, in, contentType string, info VideoInfo, out string, opt VideoOptions, progress func(percent int)) error {
	opt = opt.withDefaults()
	demuxer := VideoDemuxer(contentType)
	if demuxer == "" {
		return reject("This file is not a video Tessera can read (it looks like %s).", contentType)
	}
	ctx, cancel := context.WithTimeout(ctx, opt.TranscodeTimeout)
	defer cancel()
	pw := &progressWriter{total: info.Duration, fn: progress}
	_, err := runTool(ctx, TranscodeCommand(ctx, in, demuxer, info, out, opt), 0, pw)
	pw.flush()
	if err != nil {
		return videoError(ctx, err, "convert")
	}
	if progress != nil {
		progress(100)
	}
	return nil
}

// progressWriter parses ffmpeg's -progress output and reports whole
// percents, each at most once and only upwards.
type progressWriter struct {
	total time.Duration
	fn    func(int)
	line  []byte
	last  int
}

func (p *progressWriter) Write(b []byte) (int, error) {
	for _, c := range b {
		if c != '\n' {
			if len(p.line) < 256 {
				p.line = append(p.line, c)
			}
			continue
		}
		p.handle(string(p.line))
		p.line = p.line[:0]
	}
	return len(b), nil
}

func (p *progressWriter) flush() {
	if len(p.line) > 0 {
		p.handle(string(p.line))
		p.line = nil
	}
}

func (p *progressWriter) handle(line string) {
	k, v, ok := strings.Cut(strings.TrimSpace(line), "=")
	if !ok || p.fn == nil || p.total <= 0 {
		return
	}
	var done time.Duration
	switch k {
	case "out_time_us", "out_time_ms": // both are microseconds
		us, err := strconv.ParseInt(v, 10, 64)
		if err != nil || us < 0 {
			return
		}
		done = time.Duration(us) * time.Microsecond
	default:
		return
	}
	pct := int(min(99, 100*done/p.total))
	if pct > p.last {
		p.last = pct
		p.fn(pct)
	}
}

// videoError words an ffprobe/ffmpeg failure for the entrant, keeping the
// tool's last words; a cancelled parent context or a missing tool stays
// retryable.
func videoError(ctx context.Context, err error, verb string) error {
	if toolMissing(err) || errors.Is(context.Cause(ctx), context.Canceled) {
		return err
	}
	var te *ToolError
	if errors.As(err, &te) && te.TimedOut {
		return rejectCause(err, "This video took too long to %s. Please export a shorter or smaller version and upload it again.", verb)
	}
	why := describeToolError(err)
	return rejectCause(err, "This video could not be %s; it may be damaged, incomplete or not really a video (%s). Please export it again and upload it again.", pastParticiple(verb), why)
}

func pastParticiple(verb string) string {
	if verb == "convert" {
		return "converted"
	}
	return verb
}
