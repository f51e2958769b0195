package config

import (
	"flag"
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestDefaultsAreEmbedded(t *testing.T) {
	c := Default()
	if err := c.FromEnv(env(nil)); err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Fatalf("defaults must validate: %v", err)
	}
	db, q, b := c.DatabaseURL == "", c.RedisURL == "", c.S3.Endpoint == ""
	if !db || !q || !b {
		t.Fatalf("with no settings every part is embedded, got db=%v queue=%v blob=%v", db, q, b)
	}
	if c.BaseURL != "http://127.0.0.1:8080" {
		t.Fatalf("BaseURL = %q", c.BaseURL)
	}
}

func TestEachPartSwitchesIndependently(t *testing.T) {
	c := Default()
	err := c.FromEnv(env(map[string]string{
		"TESSERA_DATABASE_URL": "postgres://u:p@db:5432/t",
		"TESSERA_ADDR":         "0.0.0.0:9000",
	}))
	if err != nil || c.Validate() != nil {
		t.Fatalf("FromEnv/Validate: %v %v", err, c.Validate())
	}
	db, q, b := c.DatabaseURL == "", c.RedisURL == "", c.S3.Endpoint == ""
	if db || !q || !b {
		t.Fatalf("only the database should switch: db=%v queue=%v blob=%v", db, q, b)
	}
	if c.BaseURL != "http://localhost:9000" {
		t.Fatalf("BaseURL for a wildcard address = %q", c.BaseURL)
	}
}

func TestValidateNamesEveryProblem(t *testing.T) {
	c := Default()
	err := c.FromEnv(env(map[string]string{
		"TESSERA_S3_USE_SSL":   "perhaps",
		"TESSERA_DATABASE_URL": "mysql://x",
		"TESSERA_REDIS_URL":    "http://x",
		"TESSERA_S3_ENDPOINT":  "minio:9000",
		"TESSERA_S3_BUCKET":    "b",
		"TESSERA_SECRET":       "change-me-to-a-long-random-secret",
		"TESSERA_ADDR":         "nonsense",
	}))
	if err == nil || !strings.Contains(err.Error(), "TESSERA_S3_USE_SSL") {
		t.Fatalf("bad bool: %v", err)
	}
	verr := c.Validate()
	for _, want := range []string{"TESSERA_DATABASE_URL", "TESSERA_REDIS_URL", "TESSERA_S3_ACCESS_KEY", "TESSERA_SECRET", "addr"} {
		if verr == nil || !strings.Contains(verr.Error(), want) {
			t.Errorf("Validate() = %v; want a mention of %s", verr, want)
		}
	}
}

// TestMediaSettings reads each media setting from the environment and from
// its flag, and refuses values out of range with a message naming the
// variable, the flag and what is allowed.
func TestMediaSettings(t *testing.T) {
	tests := []struct {
		name  string
		env   map[string]string
		args  []string
		check func(t *testing.T, c Config)
		// wantErr are fragments of the error; none means valid.
		wantErr []string
	}{
		{name: "defaults", check: func(t *testing.T, c Config) {
			want := Video{PreviewHeight: 1080, FFmpegThreads: 2, TranscodeTimeout: 45 * time.Minute}
			if c.Video != want || c.MaxImagePixels != 100_000_000 {
				t.Errorf("video %+v, pixels %d; want %+v and 100 MP", c.Video, c.MaxImagePixels, want)
			}
			if c.TranscodeWorkers() != 1 {
				t.Errorf("transcode workers %d, want half of 2", c.TranscodeWorkers())
			}
		}},
		{name: "from the environment", env: map[string]string{
			"TESSERA_VIDEO_PREVIEW_HEIGHT":  "720",
			"TESSERA_FFMPEG_THREADS":        "4",
			"TESSERA_TRANSCODE_TIMEOUT":     "2h",
			"TESSERA_TRANSCODE_CONCURRENCY": "3",
			"TESSERA_MAX_IMAGE_PIXELS":      "50000000",
		}, check: func(t *testing.T, c Config) {
			want := Video{PreviewHeight: 720, FFmpegThreads: 4, TranscodeTimeout: 2 * time.Hour, TranscodeConcurrency: 3}
			if c.Video != want || c.MaxImagePixels != 50_000_000 || c.TranscodeWorkers() != 3 {
				t.Errorf("video %+v, pixels %d, transcodes %d", c.Video, c.MaxImagePixels, c.TranscodeWorkers())
			}
		}},
		{name: "flags win over the environment",
			env:  map[string]string{"TESSERA_FFMPEG_THREADS": "4", "TESSERA_VIDEO_PREVIEW_HEIGHT": "720"},
			args: []string{"--ffmpeg-threads", "6", "--video-preview-height", "2160", "--transcode-timeout", "90m", "--transcode-concurrency", "2", "--max-image-pixels", "200000000", "--concurrency", "8"},
			check: func(t *testing.T, c Config) {
				want := Video{PreviewHeight: 2160, FFmpegThreads: 6, TranscodeTimeout: 90 * time.Minute, TranscodeConcurrency: 2}
				if c.Video != want || c.MaxImagePixels != 200_000_000 {
					t.Errorf("video %+v, pixels %d", c.Video, c.MaxImagePixels)
				}
			}},
		{name: "transcode concurrency follows the worker concurrency when unset",
			env: map[string]string{"TESSERA_WORKER_CONCURRENCY": "8"},
			check: func(t *testing.T, c Config) {
				if c.TranscodeWorkers() != 4 {
					t.Errorf("transcode workers %d, want 4", c.TranscodeWorkers())
				}
			}},
		{name: "lowest and highest allowed", env: map[string]string{
			"TESSERA_VIDEO_PREVIEW_HEIGHT": "360", "TESSERA_FFMPEG_THREADS": "64",
			"TESSERA_TRANSCODE_TIMEOUT": "24h", "TESSERA_MAX_IMAGE_PIXELS": "1000000",
		}},
		{name: "not a number", env: map[string]string{"TESSERA_FFMPEG_THREADS": "two"},
			wantErr: []string{`TESSERA_FFMPEG_THREADS="two": want a whole number`}},
		{name: "not a duration", env: map[string]string{"TESSERA_TRANSCODE_TIMEOUT": "45"},
			wantErr: []string{`TESSERA_TRANSCODE_TIMEOUT="45": want a duration such as 45m or 1h30m`}},
		{name: "preview too small", env: map[string]string{"TESSERA_VIDEO_PREVIEW_HEIGHT": "240"},
			wantErr: []string{"TESSERA_VIDEO_PREVIEW_HEIGHT (--video-preview-height) is 240; allowed 360 to 2160 (1080 for 1080p)"}},
		{name: "preview too large", args: []string{"--video-preview-height", "4320"},
			wantErr: []string{"TESSERA_VIDEO_PREVIEW_HEIGHT (--video-preview-height) is 4320; allowed 360 to 2160"}},
		{name: "no threads", env: map[string]string{"TESSERA_FFMPEG_THREADS": "0"},
			wantErr: []string{"TESSERA_FFMPEG_THREADS (--ffmpeg-threads) is 0; allowed 1 to 64"}},
		{name: "transcode time limit too short", env: map[string]string{"TESSERA_TRANSCODE_TIMEOUT": "30s"},
			wantErr: []string{"TESSERA_TRANSCODE_TIMEOUT (--transcode-timeout) is 30s; allowed 1m0s to 24h0m0s"}},
		{name: "negative transcode concurrency", env: map[string]string{"TESSERA_TRANSCODE_CONCURRENCY": "-1"},
			wantErr: []string{"TESSERA_TRANSCODE_CONCURRENCY (--transcode-concurrency) is -1; allowed 0 (half the worker concurrency) to 64"}},
		{name: "pixel cap too high", env: map[string]string{"TESSERA_MAX_IMAGE_PIXELS": "5000000000"},
			wantErr: []string{"TESSERA_MAX_IMAGE_PIXELS (--max-image-pixels) is 5000000000; allowed 1000000 to 1000000000 pixels"}},
		{name: "every problem at once",
			env:     map[string]string{"TESSERA_FFMPEG_THREADS": "100", "TESSERA_VIDEO_PREVIEW_HEIGHT": "100"},
			wantErr: []string{"TESSERA_FFMPEG_THREADS", "TESSERA_VIDEO_PREVIEW_HEIGHT"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Default()
			err := c.FromEnv(env(tt.env))
			if err == nil {
				fs := flag.NewFlagSet("test", flag.ContinueOnError)
				c.Flags(fs)
				if err = fs.Parse(tt.args); err != nil {
					t.Fatal(err)
				}
				err = c.Validate()
			}
			if len(tt.wantErr) == 0 {
				if err != nil {
					t.Fatalf("want valid, got %v", err)
				}
				if tt.check != nil {
					tt.check(t, c)
				}
				return
			}
			for _, w := range tt.wantErr {
				if err == nil || !strings.Contains(err.Error(), w) {
					t.Errorf("error %v; want it to say %q", err, w)
				}
			}
		})
	}
}
