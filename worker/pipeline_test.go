package worker

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/tessera/tessera/internal/contest"
	"github.com/tessera/tessera/internal/db"
	"github.com/tessera/tessera/internal/media"
	"github.com/tessera/tessera/internal/queue"
	"github.com/tessera/tessera/worker/tasks"
)

// testVideo makes a short H.264/AAC MP4 with ffmpeg's test sources.
func testVideo(t *testing.T, seconds string) []byte {
	t.Helper()
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		if os.Getenv("TESSERA_TEST_REQUIRE_SERVICES") == "1" {
			t.Fatal("ffmpeg is not installed; scripts/services.sh installs it")
		}
		t.Skip("ffmpeg is not installed")
	}
	p := filepath.Join(t.TempDir(), "clip.mp4")
	out, err := exec.Command("ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=192x108:rate=25",
		"-f", "lavfi", "-i", "sine", "-t", seconds, "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac",
		"-metadata", "artist=Jane Entrant", p).CombinedOutput()
	if err != nil {
		t.Fatalf("ffmpeg: %v\n%s", err, out)
	}
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func derivNames(ds []contest.Derivative) map[string]contest.Derivative {
	m := map[string]contest.Derivative{}
	for _, d := range ds {
		m[d.Name] = d
	}
	return m
}

func TestVideoAsset(t *testing.T) {
	clip := testVideo(t, "2.6")
	t.Run("poster now, preview on the transcode queue", func(t *testing.T) {
		f := newMediaFixture(t, "video/mp4", clip)
		f.assets.rules = db.MediaRules{Medium: contest.MediumVideo, MediaLimits: db.MediaLimits{MaxDurationSeconds: 60}}
		var queued []*asynq.Task
		f.handler.Enqueue = func(_ context.Context, task *asynq.Task) error {
			queued = append(queued, task)
			return nil
		}
		if err := f.handler.ProcessTask(t.Context(), mediaTask(t, "a1")); err != nil {
			t.Fatal(err)
		}
		a := f.assets.get("a1")
		if a.State != contest.AssetProcessing || len(queued) != 1 || queued[0].Type() != tasks.TypeMediaTranscode {
			t.Fatalf("after probing: state %s, queued %v", a.State, queued)
		}
		ds := derivNames(f.assets.derivatives("a1"))
		if len(ds) != 3 || ds["thumb"].Key != "entries/e1/a1/thumb.jpg" || ds["preview"].Width != 192 {
			t.Fatalf("poster derivatives %+v", ds)
		}
		m, _ := f.assets.AssetMedia(t.Context(), "a1")
		if m[0].DurationMS < 1900 || m[0].VideoCodec != "h264" || m[0].AudioCodec != "aac" || m[0].PHash == "" {
			t.Fatalf("facts %+v", m[0])
		}
		// The queue delivers the transcode twice: the second does nothing.
		for range 2 {
			if err := f.handler.ProcessTranscode(t.Context(), queued[0]); err != nil {
				t.Fatal(err)
			}
		}
		a = f.assets.get("a1")
		ds = derivNames(f.assets.derivatives("a1"))
		m, _ = f.assets.AssetMedia(t.Context(), "a1")
		v := ds["video"]
		if a.State != contest.AssetReady || v.Key != "entries/e1/a1/video.mp4" || v.ContentType != "video/mp4" || v.Width != 192 || m[0].Progress != 100 {
			t.Fatalf("after transcode: %+v %+v %+v", a, v, m)
		}
		info, err := f.blobs.Stat(t.Context(), v.Key)
		if err != nil || info.Size != v.Size || info.ContentType != "video/mp4" {
			t.Fatalf("stored preview %+v %v", info, err)
		}
	})
	t.Run("the handler's video settings reach ffmpeg and the queue", func(t *testing.T) {
		f := newMediaFixture(t, "video/mp4", clip)
		f.assets.rules = db.MediaRules{Medium: contest.MediumVideo}
		f.handler.Video = media.VideoOptions{MaxShort: 54, Threads: 1, TranscodeTimeout: 2 * time.Hour}
		q, err := queue.Open(t.Context(), "", nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = q.Close() })
		f.handler.Enqueue = q.Enqueue
		if err := f.handler.ProcessTask(t.Context(), mediaTask(t, "a1")); err != nil {
			t.Fatal(err)
		}
		info, err := q.Inspector().GetTaskInfo(tasks.QueueTranscode, tasks.MediaTranscodeTaskID("a1"))
		if err != nil {
			t.Fatal(err)
		}
		if info.Timeout != 2*time.Hour+tasks.TranscodeMargin {
			t.Errorf("transcode task limit %s for a 2 h ffmpeg limit", info.Timeout)
		}
		if err := f.handler.ProcessTranscode(t.Context(), asynq.NewTask(info.Type, info.Payload)); err != nil {
			t.Fatal(err)
		}
		// 192×108 with the shorter side at most 54.
		v := derivNames(f.assets.derivatives("a1"))["video"]
		if f.assets.get("a1").State != contest.AssetReady || v.Width != 96 || v.Height != 54 {
			t.Fatalf("preview %+v, asset %+v", v, f.assets.get("a1"))
		}
		// What ffmpeg made is that size, not only what was recorded.
		rc, err := f.blobs.Open(t.Context(), v.Key, 0, -1)
		if err != nil {
			t.Fatal(err)
		}
		defer rc.Close()
		made := filepath.Join(t.TempDir(), "video.mp4")
		data, err := io.ReadAll(rc)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(made, data, 0o600); err != nil {
			t.Fatal(err)
		}
		got, err := media.ProbeVideo(t.Context(), made, "video/mp4", media.VideoOptions{})
		if err != nil || got.Width != 96 || got.Height != 54 {
			t.Fatalf("the stored preview is %dx%d (%v), want 96x54", got.Width, got.Height, err)
		}
	})
	t.Run("too long for the category", func(t *testing.T) {
		f := newMediaFixture(t, "video/mp4", clip)
		f.assets.rules = db.MediaRules{Medium: contest.MediumVideo, MediaLimits: db.MediaLimits{MaxDurationSeconds: 1}}
		err := f.handler.ProcessTask(t.Context(), mediaTask(t, "a1"))
		a := f.assets.get("a1")
		if !errors.Is(err, asynq.SkipRetry) || a.State != contest.AssetFailed || a.FailReason != "This video is 2 s long; this category allows 1 s." {
			t.Fatalf("err %v, asset %+v", err, a)
		}
	})
	t.Run("truncated video", func(t *testing.T) {
		f := newMediaFixture(t, "video/mp4", clip[:len(clip)/2])
		f.assets.rules = db.MediaRules{Medium: contest.MediumVideo}
		err := f.handler.ProcessTask(t.Context(), mediaTask(t, "a1"))
		a := f.assets.get("a1")
		if !errors.Is(err, asynq.SkipRetry) || a.State != contest.AssetFailed || !strings.Contains(a.FailReason, "This video could not be read") {
			t.Fatalf("err %v, asset %+v", err, a)
		}
	})
	t.Run("through the embedded queue", func(t *testing.T) {
		f := newMediaFixture(t, "video/mp4", clip)
		f.assets.rules = db.MediaRules{Medium: contest.MediumVideo}
		q, err := queue.Open(t.Context(), "", nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = q.Close() })
		f.handler.Enqueue = q.Enqueue
		mux := NewMux(f.handler, nil)
		for _, qn := range []string{tasks.QueueMedia, tasks.QueueTranscode} {
			srv := q.NewServer(asynq.Config{Concurrency: 1, Queues: map[string]int{qn: 1}, TaskCheckInterval: 20 * time.Millisecond, LogLevel: asynq.ErrorLevel})
			if err := srv.Start(mux); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(srv.Shutdown)
		}
		if err := q.Enqueue(t.Context(), mediaTask(t, "a1")); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(30 * time.Second)
		for f.assets.get("a1").State != contest.AssetReady {
			if time.Now().After(deadline) {
				t.Fatalf("asset %+v after 30s (calls %v)", f.assets.get("a1"), f.assets.callLog())
			}
			time.Sleep(20 * time.Millisecond)
		}
		if _, ok := derivNames(f.assets.derivatives("a1"))["video"]; !ok {
			t.Fatal("ready without a video preview")
		}
	})
}

func TestEssayAsset(t *testing.T) {
	text := []byte("On Light\r\n\r\nThe light turned and the sea answered, every night, for forty years.\r\n")
	t.Run("ready with text and cover", func(t *testing.T) {
		f := newMediaFixture(t, "text/plain; charset=utf-8", text)
		f.assets.rules = db.MediaRules{Medium: contest.MediumEssay, Title: "On Light", MediaLimits: db.MediaLimits{MinWords: 5, MaxWords: 100}}
		if err := f.handler.ProcessTask(t.Context(), mediaTask(t, "a1")); err != nil {
			t.Fatal(err)
		}
		a := f.assets.get("a1")
		ds := derivNames(f.assets.derivatives("a1"))
		m, _ := f.assets.AssetMedia(t.Context(), "a1")
		if a.State != contest.AssetReady || m[0].WordCount != 14 || ds["text"].Key != "entries/e1/a1/text.txt" || ds["thumb"].Key == "" || ds["card"].Key == "" {
			t.Fatalf("asset %+v facts %+v derivatives %+v", a, m, ds)
		}
		rc, err := f.blobs.Open(t.Context(), ds["text"].Key, 0, -1)
		if err != nil {
			t.Fatal(err)
		}
		defer rc.Close()
		buf := make([]byte, 200)
		n, _ := rc.Read(buf)
		if got := string(buf[:n]); got != "On Light\n\nThe light turned and the sea answered, every night, for forty years.\n" {
			t.Errorf("stored text %q", got)
		}
	})
	t.Run("too short", func(t *testing.T) {
		f := newMediaFixture(t, "text/plain; charset=utf-8", text)
		f.assets.rules = db.MediaRules{Medium: contest.MediumEssay, MediaLimits: db.MediaLimits{MinWords: 500}}
		err := f.handler.ProcessTask(t.Context(), mediaTask(t, "a1"))
		if a := f.assets.get("a1"); !errors.Is(err, asynq.SkipRetry) || a.FailReason != "This essay has 14 words; this category asks for at least 500." {
			t.Fatalf("err %v asset %+v", err, a)
		}
	})
}

func TestTranscodeTaskIgnoresSettledAssets(t *testing.T) {
	f := newMediaFixture(t, "video/mp4", []byte("x"))
	task, err := tasks.NewMediaTranscodeTask("a1", 0)
	if err != nil {
		t.Fatal(err)
	}
	// Pending (never probed), then unknown: nothing happens, no error.
	if err := f.handler.ProcessTranscode(t.Context(), task); err != nil {
		t.Fatal(err)
	}
	other, _ := tasks.NewMediaTranscodeTask("nope", 0)
	if err := f.handler.ProcessTranscode(t.Context(), other); err != nil {
		t.Fatal(err)
	}
	if err := f.handler.ProcessTranscode(t.Context(), asynq.NewTask(tasks.TypeMediaTranscode, []byte("{"))); !errors.Is(err, asynq.SkipRetry) {
		t.Errorf("malformed payload: %v", err)
	}
	if f.blobs.putCount() != 0 {
		t.Error("stored something")
	}
}

// TestHostileFilesKeepTheWorkerAlive sends hostile files through the
// handler: each asset fails with a reason, the task is not retried, and the
// handler (so the worker) carries on.
func TestHostileFilesKeepTheWorkerAlive(t *testing.T) {
	var zipBomb bytes.Buffer
	zw := zip.NewWriter(&zipBomb)
	w, _ := zw.Create("word/document.xml")
	_, _ = w.Write([]byte("<w:document><w:body><w:p><w:r><w:t>"))
	_, _ = w.Write(bytes.Repeat([]byte(" "), 40<<20))
	_ = zw.Close()
	ihdr := []byte("IHDR\x00\x01\x86\xa0\x00\x01\x86\xa0\x08\x02\x00\x00\x00")
	pngBomb := append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\x0d"), ihdr...)
	pngBomb = binary.BigEndian.AppendUint32(pngBomb, crc32.ChecksumIEEE(ihdr))
	tests := []struct {
		name, ct string
		medium   contest.Medium
		data     []byte
		reason   string
	}{
		{"png claiming 100000×100000", "image/png", contest.MediumPhoto, pngBomb, "100000×100000 pixels"},
		{"zip bomb as docx", "application/zip", contest.MediumEssay, zipBomb.Bytes(), "ZIP bomb"},
		{"playlist claimed as mp4", "video/mp4", contest.MediumVideo, []byte("#EXTM3U\n#EXTINF:1,\nfile:///etc/passwd\n"), "not really a video"},
		{"zero bytes", "image/jpeg", contest.MediumPhoto, []byte{}, "empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.medium == contest.MediumVideo {
				testVideo(t, "0.1") // skips without ffmpeg
			}
			f := newMediaFixture(t, tt.ct, tt.data)
			f.assets.rules = db.MediaRules{Medium: tt.medium}
			err := f.handler.ProcessTask(t.Context(), mediaTask(t, "a1"))
			a := f.assets.get("a1")
			if !errors.Is(err, asynq.SkipRetry) || a.State != contest.AssetFailed || !strings.Contains(a.FailReason, tt.reason) {
				t.Fatalf("err %v, asset %+v", err, a)
			}
			if f.blobs.putCount() != 0 {
				t.Error("stored a derivative of a hostile file")
			}
		})
	}
}
