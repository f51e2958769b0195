// Package config builds Tessera's one Config value from TESSERA_* environment
// variables and command-line flags. With no settings at all it describes the
// embedded mode: SQLite, a local object directory and an in-process queue
// under ./data.
package config

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Config is every setting Tessera reads.
type Config struct {
	Addr        string // HTTP listen address
	BaseURL     string // public URL, used in links and for the cross-origin check
	DataDir     string // embedded database, objects and secret live here
	DatabaseURL string // postgres://… switches to PostgreSQL; empty = SQLite in DataDir
	RedisURL    string // redis://… switches the queue to Redis; empty = embedded
	S3          S3
	Secret      string // signs file URLs; generated into DataDir when empty

	MaxUploadBytes int64
	// MaxImagePixels caps an image's width × height, checked from its
	// header before any decode (TESSERA_MAX_IMAGE_PIXELS).
	MaxImagePixels    int64
	WorkerConcurrency int
	// Video tunes the video previews ffmpeg makes.
	Video Video

	SweepEvery      time.Duration
	ShutdownTimeout time.Duration
	LogLevel        string
	// UploadMaxAge is how long a resumable upload may stay incomplete
	// before the sweeper aborts it (TESSERA_UPLOAD_MAX_AGE).
	UploadMaxAge time.Duration
	// SMTP sends mail when Host is set (TESSERA_SMTP_HOST, _PORT, _USERNAME,
	// _PASSWORD, _FROM); without it mail is kept for organizers to read.
	SMTP SMTP
}

// Video holds the settings of the video previews (TESSERA_VIDEO_*,
// TESSERA_FFMPEG_THREADS, TESSERA_TRANSCODE_*).
type Video struct {
	// PreviewHeight is the preview's resolution as in "1080p": the
	// shorter side (a landscape video's height, a portrait one's width)
	// is at most this; videos are never enlarged.
	PreviewHeight int
	// FFmpegThreads bounds the threads of each ffmpeg run.
	FFmpegThreads int
	// TranscodeTimeout bounds one preview transcode.
	TranscodeTimeout time.Duration
	// TranscodeConcurrency is how many transcodes one worker process runs
	// at once; 0 means half the worker concurrency, at least 1
	// (TranscodeWorkers).
	TranscodeConcurrency int
}

// Limits of the settings Validate accepts.
const (
	MinVideoPreviewHeight   = 360
	MaxVideoPreviewHeight   = 2160
	MaxFFmpegThreads        = 64
	MinTranscodeTimeout     = time.Minute
	MaxTranscodeTimeout     = 24 * time.Hour
	MaxTranscodeConcurrency = 64
	MinImagePixelCap        = 1_000_000
	MaxImagePixelCap        = 1_000_000_000
)

// SMTP holds the outgoing mail server settings.
type SMTP struct {
	Host     string
	Port     int
	Username string
	Password string
	From     string
}

// S3 holds the object store settings; an empty Endpoint keeps the local store.
type S3 struct {
	Endpoint  string
	Bucket    string
	AccessKey string
	SecretKey string
	Region    string
	UseSSL    bool
}

// Default returns the embedded-mode configuration.
func Default() Config {
	return Config{
		Addr:              "127.0.0.1:8080",
		DataDir:           "data",
		S3:                S3{Bucket: "tessera"},
		MaxUploadBytes:    200 << 20,
		MaxImagePixels:    100_000_000,
		WorkerConcurrency: 2,
		Video: Video{
			PreviewHeight:    1080,
			FFmpegThreads:    2,
			TranscodeTimeout: 45 * time.Minute,
		},
		SweepEvery:      time.Minute,
		ShutdownTimeout: 30 * time.Second,
		LogLevel:        "info",
		UploadMaxAge:    72 * time.Hour,
	}
}

// FromEnv overlays TESSERA_* variables read through getenv onto c.
func (c *Config) FromEnv(getenv func(string) string) error {
	str := func(name string, dst *string) {
		if v := getenv(name); v != "" {
			*dst = v
		}
	}
	str("TESSERA_ADDR", &c.Addr)
	str("TESSERA_BASE_URL", &c.BaseURL)
	str("TESSERA_DATA_DIR", &c.DataDir)
	str("TESSERA_DATABASE_URL", &c.DatabaseURL)
	str("TESSERA_REDIS_URL", &c.RedisURL)
	str("TESSERA_SECRET", &c.Secret)
	str("TESSERA_S3_ENDPOINT", &c.S3.Endpoint)
	str("TESSERA_S3_BUCKET", &c.S3.Bucket)
	str("TESSERA_S3_ACCESS_KEY", &c.S3.AccessKey)
	str("TESSERA_S3_SECRET_KEY", &c.S3.SecretKey)
	str("TESSERA_S3_REGION", &c.S3.Region)
	str("TESSERA_LOG_LEVEL", &c.LogLevel)
	str("TESSERA_SMTP_HOST", &c.SMTP.Host)
	str("TESSERA_SMTP_USERNAME", &c.SMTP.Username)
	str("TESSERA_SMTP_PASSWORD", &c.SMTP.Password)
	str("TESSERA_SMTP_FROM", &c.SMTP.From)
	var errs []error
	integer := func(name string, dst *int) {
		parseEnv(getenv, &errs, name, dst, "a whole number", strconv.Atoi)
	}
	integer64 := func(name string, dst *int64) {
		parseEnv(getenv, &errs, name, dst, "a whole number", func(v string) (int64, error) { return strconv.ParseInt(v, 10, 64) })
	}
	duration := func(name string, dst *time.Duration) {
		parseEnv(getenv, &errs, name, dst, "a duration such as 45m or 1h30m", time.ParseDuration)
	}
	integer("TESSERA_SMTP_PORT", &c.SMTP.Port)
	parseEnv(getenv, &errs, "TESSERA_S3_USE_SSL", &c.S3.UseSSL, "true or false", strconv.ParseBool)
	integer64("TESSERA_MAX_UPLOAD_BYTES", &c.MaxUploadBytes)
	integer64("TESSERA_MAX_IMAGE_PIXELS", &c.MaxImagePixels)
	duration("TESSERA_UPLOAD_MAX_AGE", &c.UploadMaxAge)
	integer("TESSERA_WORKER_CONCURRENCY", &c.WorkerConcurrency)
	integer("TESSERA_VIDEO_PREVIEW_HEIGHT", &c.Video.PreviewHeight)
	integer("TESSERA_FFMPEG_THREADS", &c.Video.FFmpegThreads)
	duration("TESSERA_TRANSCODE_TIMEOUT", &c.Video.TranscodeTimeout)
	integer("TESSERA_TRANSCODE_CONCURRENCY", &c.Video.TranscodeConcurrency)
	return errors.Join(errs...)
}

// parseEnv sets *dst from the variable name when it is set, parsed by
// parse; a value that does not parse adds an error saying what was wanted.
func parseEnv[T any](getenv func(string) string, errs *[]error, name string, dst *T, want string, parse func(string) (T, error)) {
	v := getenv(name)
	if v == "" {
		return
	}
	n, err := parse(strings.TrimSpace(v))
	if err != nil {
		*errs = append(*errs, fmt.Errorf("%s=%q: want %s", name, v, want))
		return
	}
	*dst = n
}

// Flags registers the common flags on fs, bound to c. Call after FromEnv so
// flags win over the environment.
func (c *Config) Flags(fs *flag.FlagSet) {
	fs.StringVar(&c.Addr, "addr", c.Addr, "HTTP listen address (TESSERA_ADDR)")
	fs.StringVar(&c.DataDir, "data", c.DataDir, "data directory for the embedded database, objects and secret (TESSERA_DATA_DIR)")
	fs.StringVar(&c.BaseURL, "base-url", c.BaseURL, "public URL of the site (TESSERA_BASE_URL)")
	fs.StringVar(&c.DatabaseURL, "database-url", c.DatabaseURL, "postgres:// URL; empty uses SQLite in the data directory (TESSERA_DATABASE_URL)")
	fs.StringVar(&c.RedisURL, "redis-url", c.RedisURL, "redis:// URL; empty uses the embedded queue (TESSERA_REDIS_URL)")
	fs.IntVar(&c.WorkerConcurrency, "concurrency", c.WorkerConcurrency, "tasks processed at once per worker (TESSERA_WORKER_CONCURRENCY)")
	fs.Int64Var(&c.MaxImagePixels, "max-image-pixels", c.MaxImagePixels, "largest image accepted, in pixels (TESSERA_MAX_IMAGE_PIXELS)")
	fs.IntVar(&c.Video.PreviewHeight, "video-preview-height", c.Video.PreviewHeight, "video preview resolution, 1080 for 1080p: its shorter side at most this (TESSERA_VIDEO_PREVIEW_HEIGHT)")
	fs.IntVar(&c.Video.FFmpegThreads, "ffmpeg-threads", c.Video.FFmpegThreads, "threads per ffmpeg run (TESSERA_FFMPEG_THREADS)")
	fs.DurationVar(&c.Video.TranscodeTimeout, "transcode-timeout", c.Video.TranscodeTimeout, "time limit of one video preview transcode (TESSERA_TRANSCODE_TIMEOUT)")
	fs.IntVar(&c.Video.TranscodeConcurrency, "transcode-concurrency", c.Video.TranscodeConcurrency, "video transcodes at once per worker; 0 = half of --concurrency, at least 1 (TESSERA_TRANSCODE_CONCURRENCY)")
}

// Validate checks the settings and fills derived defaults.
func (c *Config) Validate() error {
	var errs []error
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		errs = append(errs, fmt.Errorf("addr %q: want host:port: %w", c.Addr, err))
	}
	if c.DataDir == "" {
		errs = append(errs, errors.New("data directory must not be empty"))
	}
	if c.DatabaseURL != "" && !strings.HasPrefix(c.DatabaseURL, "postgres://") && !strings.HasPrefix(c.DatabaseURL, "postgresql://") {
		errs = append(errs, fmt.Errorf("TESSERA_DATABASE_URL must start with postgres://"))
	}
	if c.RedisURL != "" && !strings.HasPrefix(c.RedisURL, "redis://") && !strings.HasPrefix(c.RedisURL, "rediss://") {
		errs = append(errs, fmt.Errorf("TESSERA_REDIS_URL must start with redis:// or rediss://"))
	}
	if c.S3.Endpoint != "" {
		if c.S3.Bucket == "" || c.S3.AccessKey == "" || c.S3.SecretKey == "" {
			errs = append(errs, errors.New("TESSERA_S3_ENDPOINT needs TESSERA_S3_BUCKET, TESSERA_S3_ACCESS_KEY and TESSERA_S3_SECRET_KEY"))
		}
	}
	if strings.HasPrefix(c.Secret, "change-me") {
		errs = append(errs, errors.New("TESSERA_SECRET still has its example value: set a long random secret (for example `openssl rand -hex 32`)"))
	}
	if c.WorkerConcurrency < 1 {
		errs = append(errs, errors.New("worker concurrency must be at least 1"))
	}
	if c.MaxUploadBytes < 1 {
		errs = append(errs, errors.New("max upload bytes must be positive"))
	}
	if c.MaxImagePixels < MinImagePixelCap || c.MaxImagePixels > MaxImagePixelCap {
		errs = append(errs, fmt.Errorf("TESSERA_MAX_IMAGE_PIXELS (--max-image-pixels) is %d; allowed %d to %d pixels (100000000 is 100 MP)", c.MaxImagePixels, MinImagePixelCap, MaxImagePixelCap))
	}
	errs = append(errs, c.Video.validate()...)
	if c.BaseURL == "" {
		host, port, _ := net.SplitHostPort(c.Addr)
		if host == "" || host == "0.0.0.0" || host == "::" {
			host = "localhost"
		}
		c.BaseURL = "http://" + net.JoinHostPort(host, port)
	}
	if u, err := url.Parse(c.BaseURL); err != nil || u.Scheme == "" || u.Host == "" {
		errs = append(errs, fmt.Errorf("base URL %q must be absolute, like https://contest.example.org", c.BaseURL))
	}
	return errors.Join(errs...)
}

func (v Video) validate() []error {
	var errs []error
	if v.PreviewHeight < MinVideoPreviewHeight || v.PreviewHeight > MaxVideoPreviewHeight {
		errs = append(errs, fmt.Errorf("TESSERA_VIDEO_PREVIEW_HEIGHT (--video-preview-height) is %d; allowed %d to %d (1080 for 1080p)", v.PreviewHeight, MinVideoPreviewHeight, MaxVideoPreviewHeight))
	}
	if v.FFmpegThreads < 1 || v.FFmpegThreads > MaxFFmpegThreads {
		errs = append(errs, fmt.Errorf("TESSERA_FFMPEG_THREADS (--ffmpeg-threads) is %d; allowed 1 to %d", v.FFmpegThreads, MaxFFmpegThreads))
	}
	if v.TranscodeTimeout < MinTranscodeTimeout || v.TranscodeTimeout > MaxTranscodeTimeout {
		errs = append(errs, fmt.Errorf("TESSERA_TRANSCODE_TIMEOUT (--transcode-timeout) is %s; allowed %s to %s", v.TranscodeTimeout, MinTranscodeTimeout, MaxTranscodeTimeout))
	}
	if v.TranscodeConcurrency < 0 || v.TranscodeConcurrency > MaxTranscodeConcurrency {
		errs = append(errs, fmt.Errorf("TESSERA_TRANSCODE_CONCURRENCY (--transcode-concurrency) is %d; allowed 0 (half the worker concurrency) to %d", v.TranscodeConcurrency, MaxTranscodeConcurrency))
	}
	return errs
}

// TranscodeWorkers is how many video transcodes a worker process runs at
// once: Video.TranscodeConcurrency, or when that is 0 half the worker
// concurrency, at least 1.
func (c Config) TranscodeWorkers() int {
	if c.Video.TranscodeConcurrency > 0 {
		return c.Video.TranscodeConcurrency
	}
	return max(1, c.WorkerConcurrency/2)
}

// Path returns a path inside the data directory.
func (c Config) Path(elem ...string) string {
	return filepath.Join(append([]string{c.DataDir}, elem...)...)
}

// Load builds the configuration from the environment of this process and the
// given flag arguments.
func Load(name string, args []string, extra func(*flag.FlagSet)) (Config, []string, error) {
	c := Default()
	if err := c.FromEnv(os.Getenv); err != nil {
		return c, nil, err
	}
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	c.Flags(fs)
	if extra != nil {
		extra(fs)
	}
	if err := fs.Parse(args); err != nil {
		return c, nil, err
	}
	return c, fs.Args(), c.Validate()
}
