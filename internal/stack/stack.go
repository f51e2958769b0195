// Package stack wires Tessera's parts together from one Config: the
// database, the object store, the queue, accounts, the use cases, the HTTP
// engine and the workers. The tessera command and the end-to-end tests build
// the same stack, so what is tested is what runs.
package stack

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/hibiken/asynq"

	"github.com/tessera/tessera/internal/app"
	"github.com/tessera/tessera/internal/auth"
	"github.com/tessera/tessera/internal/blob"
	"github.com/tessera/tessera/internal/config"
	"github.com/tessera/tessera/internal/db"
	"github.com/tessera/tessera/internal/httpapi"
	"github.com/tessera/tessera/internal/media"
	"github.com/tessera/tessera/internal/queue"
	"github.com/tessera/tessera/internal/server"
	"github.com/tessera/tessera/internal/webui"
	"github.com/tessera/tessera/web"
	"github.com/tessera/tessera/worker"
	"github.com/tessera/tessera/worker/tasks"
)

// FilesPrefix is where signed object URLs are served.
const FilesPrefix = "/files"

// Stack is every long-lived part of a running Tessera.
type Stack struct {
	Config  config.Config
	Logger  *slog.Logger
	DB      *db.DB
	Blobs   blob.Store
	Signer  *blob.Signer
	Queue   *queue.Queue
	Auth    *auth.Service
	App     *app.App
	Catalog *web.Catalog
}

// Options adjust how Open prepares the database.
type Options struct {
	// Migrate applies pending migrations; otherwise Open refuses a schema
	// that is behind.
	Migrate bool
}

// Open connects every backend named by cfg (embedded ones by default).
// On error, whatever was opened is closed again.
func Open(ctx context.Context, cfg config.Config, logger *slog.Logger, opts Options) (_ *Stack, err error) {
	s := &Stack{Config: cfg, Logger: logger}
	defer func() {
		if err != nil {
			s.Close()
		}
	}()
	if err := os.MkdirAll(cfg.DataDir, 0o750); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	if s.DB, err = db.Open(ctx, cfg.DatabaseURL, cfg.Path("tessera.db")); err != nil {
		return nil, err
	}
	if opts.Migrate {
		n, err := s.DB.Migrate(ctx)
		if err != nil {
			return nil, err
		}
		if n > 0 {
			logger.Info("database migrated", "applied", n, "dialect", s.DB.Dialect())
		}
	} else if err := s.DB.CheckSchema(ctx); err != nil {
		return nil, err
	}
	if cfg.S3.Endpoint != "" {
		s.Blobs, err = blob.NewS3(ctx, blob.S3Config{Endpoint: cfg.S3.Endpoint, AccessKey: cfg.S3.AccessKey, SecretKey: cfg.S3.SecretKey, Bucket: cfg.S3.Bucket, Region: cfg.S3.Region, UseSSL: cfg.S3.UseSSL})
	} else {
		s.Blobs, err = blob.NewLocal(cfg.Path("objects"))
	}
	if err != nil {
		return nil, fmt.Errorf("object store: %w", err)
	}
	secret, err := loadSecret(cfg)
	if err != nil {
		return nil, err
	}
	s.Signer = blob.NewSigner(secret, FilesPrefix)
	cursors, err := app.NewCursors(secret)
	if err != nil {
		return nil, err
	}
	if s.Queue, err = queue.Open(ctx, cfg.RedisURL, logger); err != nil {
		return nil, fmt.Errorf("queue: %w", err)
	}
	s.Auth = auth.NewService(s.DB)
	if s.Catalog, err = web.LoadCatalog(web.Translations()); err != nil {
		return nil, err
	}
	s.App = app.New(s.DB, s.Blobs, s.Signer, cursors, s.Queue, s.Auth, cfg.MaxUploadBytes, logger)
	s.App.Messages = s.Catalog.T
	if cfg.SMTP.Host != "" {
		s.App.Mailer = app.SMTPMailer{Host: cfg.SMTP.Host, Port: cmp.Or(cfg.SMTP.Port, 587), Username: cfg.SMTP.Username, Password: cfg.SMTP.Password, From: cmp.Or(cfg.SMTP.From, "tessera@localhost")}
	}
	if cfg.UploadMaxAge > 0 {
		s.App.UploadMaxAge = cfg.UploadMaxAge
	}
	return s, nil
}

// loadSecret returns the configured secret, or the one kept in the data
// directory (created on first start). Replicas must share TESSERA_SECRET.
func loadSecret(cfg config.Config) ([]byte, error) {
	if cfg.Secret != "" {
		if len(cfg.Secret) < 32 {
			return nil, errors.New("TESSERA_SECRET must be at least 32 characters")
		}
		return []byte(cfg.Secret), nil
	}
	path := cfg.Path("secret")
	b, err := os.ReadFile(path)
	if err == nil && len(strings.TrimSpace(string(b))) >= 32 {
		return []byte(strings.TrimSpace(string(b))), nil
	}
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("read secret: %w", err)
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return nil, fmt.Errorf("generate secret: %w", err)
	}
	sec := hex.EncodeToString(raw)
	if err := os.WriteFile(path, []byte(sec+"\n"), 0o600); err != nil {
		return nil, fmt.Errorf("write secret: %w", err)
	}
	return []byte(sec), nil
}

// Handler builds the HTTP engine: API, pages, files and health checks.
func (s *Stack) Handler() (http.Handler, error) {
	secure := strings.HasPrefix(s.Config.BaseURL, "https://")
	ui, err := webui.New(s.App, s.Auth, s.Catalog, s.Logger, secure)
	if err != nil {
		return nil, err
	}
	api := &httpapi.Handler{App: s.App, Auth: s.Auth, Catalog: s.Catalog, Logger: s.Logger, Secure: secure, BaseURL: strings.TrimRight(s.Config.BaseURL, "/"), OpenAPI: httpapi.OpenAPIDocument()}
	return server.New(server.Deps{
		Logger: s.Logger, Auth: s.Auth, Catalog: s.Catalog, API: api, UI: ui,
		Files: blob.Handler(s.Blobs, s.Signer, time.Now), FilesPrefix: FilesPrefix,
		Ready: []server.Check{{Name: "database", Fn: s.DB.Ping}, {Name: "queue", Fn: s.Queue.Ping}, {Name: "storage", Fn: s.Blobs.Ping}},
	}), nil
}

// RunWorkers processes tasks and sweeps for lost work until ctx is done,
// then lets running tasks finish (up to the shutdown timeout). Media tasks
// (images, posters, essays) and video transcodes run on two servers, so
// that transcodes, which keep cores busy for minutes, have their own lower
// concurrency and never hold up the quick work.
func (s *Stack) RunWorkers(ctx context.Context) error {
	mux := worker.NewMux(s.mediaHandler(), s.Logger)
	srv := s.Queue.NewServer(asynq.Config{
		Concurrency:     s.Config.WorkerConcurrency,
		Queues:          map[string]int{tasks.QueueMedia: 1},
		ShutdownTimeout: s.Config.ShutdownTimeout,
	})
	if err := srv.Start(mux); err != nil {
		return fmt.Errorf("start workers: %w", err)
	}
	transcodes := s.Config.TranscodeWorkers()
	tsrv := s.Queue.NewServer(asynq.Config{
		Concurrency:     transcodes,
		Queues:          map[string]int{tasks.QueueTranscode: 1},
		ShutdownTimeout: s.Config.ShutdownTimeout,
	})
	if err := tsrv.Start(mux); err != nil {
		srv.Shutdown()
		return fmt.Errorf("start transcode workers: %w", err)
	}
	sw := &worker.Sweeper{Assets: s.DB, Sessions: s.DB, Enqueue: s.Queue.Enqueue, Logger: s.Logger}
	done := make(chan struct{})
	go func() {
		defer close(done)
		sw.Run(ctx, s.Config.SweepEvery)
	}()
	mailDone := make(chan struct{})
	go func() {
		defer close(mailDone)
		s.App.RunMail(ctx, 2*time.Second, s.Logger)
	}()
	defer func() { <-mailDone }()
	s.Logger.Info("workers running", "concurrency", s.Config.WorkerConcurrency, "transcode_concurrency", transcodes,
		"ffmpeg_threads", s.Config.Video.FFmpegThreads, "video_preview_height", s.Config.Video.PreviewHeight,
		"transcode_timeout", s.Config.Video.TranscodeTimeout, "max_image_pixels", s.Config.MaxImagePixels,
		"jpeg", media.JPEGCodec, "queue", map[bool]string{true: "embedded", false: "redis"}[s.Queue.Embedded()])
	uploadsDone := make(chan struct{})
	go func() {
		defer close(uploadsDone)
		s.App.RunUploadSweeper(ctx, s.App.UploadMaxAge, s.Config.SweepEvery, func(n int, err error) {
			if err != nil {
				s.Logger.Warn("upload sweep failed", "err", err)
				return
			}
			s.Logger.Info("stale uploads aborted", "count", n)
		})
	}()
	<-ctx.Done()
	<-uploadsDone
	srv.Shutdown()
	tsrv.Shutdown()
	<-done
	return nil
}

// mediaHandler builds the media task handler with the configured limits:
// the image pixel cap and the video preview's size, ffmpeg threads and
// transcode time limit.
func (s *Stack) mediaHandler() *worker.MediaHandler {
	return &worker.MediaHandler{
		Assets: s.DB, Blobs: s.Blobs, Logger: s.Logger, MaxPixels: s.Config.MaxImagePixels,
		// Two images at the pixel cap may be decoded at once; more wait.
		Budget:  media.NewBudget(2 * cmp.Or(s.Config.MaxImagePixels, media.DefaultMaxPixels)),
		Video:   videoOptions(s.Config.Video),
		Enqueue: s.Queue.Enqueue,
	}
}

// videoOptions turns the video settings into the options of media's
// ffmpeg commands; zero values keep media's defaults.
func videoOptions(v config.Video) media.VideoOptions {
	return media.VideoOptions{MaxShort: v.PreviewHeight, Threads: v.FFmpegThreads, TranscodeTimeout: v.TranscodeTimeout}
}

// Close releases every backend.
func (s *Stack) Close() {
	if s.Queue != nil {
		_ = s.Queue.Close()
	}
	if s.DB != nil {
		_ = s.DB.Close()
	}
}
