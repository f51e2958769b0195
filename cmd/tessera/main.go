// Command tessera runs the Tessera competition platform: one binary with
// subcommands for the demo, the web server, the workers, migrations and
// administration.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/tessera/tessera/internal/auth"
	"github.com/tessera/tessera/internal/config"
	"github.com/tessera/tessera/internal/contest"
	"github.com/tessera/tessera/internal/db"
	"github.com/tessera/tessera/internal/demo"
	"github.com/tessera/tessera/internal/stack"
)

const usage = `Tessera: multimedia competitions, from entry to announcement.

Usage:
  tessera demo                 run everything embedded with a seeded demo competition
  tessera serve [--worker]     serve the web app and API (--worker also runs workers in-process)
  tessera worker               process background work (media) from the queue
  tessera migrate              apply database migrations
  tessera admin create-organizer --email E --name N [--password P]
  tessera admin reset-password  --email E [--password P]
  tessera media process FILE --kind photo|mural|video|essay --out DIR   run the media pipeline on a file

Common flags (also TESSERA_* environment variables):
  --addr, --data, --base-url, --database-url, --redis-url, --concurrency,
  --max-image-pixels, --video-preview-height, --ffmpeg-threads,
  --transcode-timeout, --transcode-concurrency
Run 'tessera <command> -h' for a command's flags.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "tessera:", err)
		}
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("no command given")
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "demo":
		return runDemo(ctx, rest, stdout)
	case "serve":
		return runServe(ctx, rest)
	case "worker":
		return runWorker(ctx, rest)
	case "migrate":
		return runMigrate(ctx, rest, stdout)
	case "admin":
		return runAdmin(ctx, rest, stdout)
	case "media":
		return runMedia(ctx, rest, stdout)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", cmd)
}

func newLogger(level string) *slog.Logger {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		l = slog.LevelInfo
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: l}))
}

func runMigrate(ctx context.Context, args []string, stdout io.Writer) error {
	cfg, _, err := config.Load("migrate", args, nil)
	if err != nil {
		return err
	}
	d, err := db.Open(ctx, cfg.DatabaseURL, cfg.Path("tessera.db"))
	if err != nil {
		return err
	}
	defer d.Close()
	n, err := d.Migrate(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "database (%s) is up to date; %d migration(s) applied\n", d.Dialect(), n)
	return nil
}

func runServe(ctx context.Context, args []string) error {
	var withWorker bool
	cfg, _, err := config.Load("serve", args, func(fs *flag.FlagSet) {
		fs.BoolVar(&withWorker, "worker", false, "also run the workers in this process")
	})
	if err != nil {
		return err
	}
	log := newLogger(cfg.LogLevel)
	s, err := stack.Open(ctx, cfg, log, stack.Options{})
	if err != nil {
		return err
	}
	defer s.Close()
	if cfg.RedisURL == "" && !withWorker {
		log.Warn("the embedded queue lives in this process: add --worker, or set TESSERA_REDIS_URL and run `tessera worker`")
	}
	return serve(ctx, s, withWorker, nil)
}

// serve runs the HTTP server (and optionally the workers) until ctx ends,
// then shuts down gracefully. ready is called once the listener is open.
func serve(ctx context.Context, s *stack.Stack, withWorker bool, ready func(addr string)) error {
	h, err := s.Handler()
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", s.Config.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", s.Config.Addr, err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute}
	workCtx, stopWork := context.WithCancel(context.WithoutCancel(ctx))
	workDone := make(chan error, 1)
	if withWorker {
		go func() { workDone <- s.RunWorkers(workCtx) }()
	} else {
		workDone <- nil
	}
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()
	s.Logger.Info("serving", "addr", ln.Addr().String(), "url", s.Config.BaseURL, "database", s.DB.Dialect(), "workers", withWorker)
	if ready != nil {
		ready(ln.Addr().String())
	}
	select {
	case err := <-serveErr:
		stopWork()
		<-workDone
		return fmt.Errorf("http server: %w", err)
	case <-ctx.Done():
	}
	s.Logger.Info("shutting down: finishing requests and tasks")
	shutCtx, cancel := context.WithTimeout(context.Background(), s.Config.ShutdownTimeout)
	defer cancel()
	err = srv.Shutdown(shutCtx)
	stopWork()
	if werr := <-workDone; werr != nil {
		err = errors.Join(err, werr)
	}
	if err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	s.Logger.Info("stopped")
	return nil
}

func runWorker(ctx context.Context, args []string) error {
	cfg, _, err := config.Load("worker", args, nil)
	if err != nil {
		return err
	}
	log := newLogger(cfg.LogLevel)
	if cfg.RedisURL == "" {
		return errors.New("a separate worker needs TESSERA_REDIS_URL; for one process use `tessera serve --worker`")
	}
	s, err := stack.Open(ctx, cfg, log, stack.Options{})
	if err != nil {
		return err
	}
	defer s.Close()
	return s.RunWorkers(ctx)
}

func runDemo(ctx context.Context, args []string, stdout io.Writer) error {
	cfg, _, err := config.Load("demo", args, nil)
	if err != nil {
		return err
	}
	log := newLogger(cfg.LogLevel)
	s, err := stack.Open(ctx, cfg, log, stack.Options{Migrate: true})
	if err != nil {
		return err
	}
	defer s.Close()
	res, err := demo.Seed(ctx, s.App, s.DB, s.Auth)
	if err != nil {
		return err
	}
	if len(res.Pending) > 0 {
		go func() {
			wctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
			defer cancel()
			if err := demo.Submit(wctx, s.App, s.DB, res.Pending); err != nil && !errors.Is(err, context.Canceled) {
				log.Error("submit demo entries", "err", err)
			}
		}()
	}
	return serve(ctx, s, true, func(addr string) {
		fmt.Fprintf(stdout, "\nTessera demo is running.\n\n  Open:  %s/c/%s\n\n", s.Config.BaseURL, demo.Slug)
		if res.Created {
			fmt.Fprintf(stdout, "  Seeded the competition \"Artisans in Focus\" with sample entries.\n")
		} else {
			fmt.Fprintf(stdout, "  Kept the existing demo data in %s.\n", cfg.DataDir)
		}
		fmt.Fprintf(stdout, "  Sign in at %s/signin as:\n", s.Config.BaseURL)
		for _, a := range demo.Accounts() {
			fmt.Fprintf(stdout, "    %-10s %-32s password: %s\n", a.Role, a.Email, a.Password)
		}
		fmt.Fprintf(stdout, "\n  Data lives in %s. Press Ctrl-C to stop.\n\n", cfg.DataDir)
	})
}

func runAdmin(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return errors.New("admin needs a command: create-organizer or reset-password")
	}
	sub := args[0]
	var email, name, password string
	cfg, _, err := config.Load("admin "+sub, args[1:], func(fs *flag.FlagSet) {
		fs.StringVar(&email, "email", "", "the account's email")
		fs.StringVar(&name, "name", "", "the organizer's name (create-organizer)")
		fs.StringVar(&password, "password", "", "password; read from TESSERA_ADMIN_PASSWORD or generated when empty")
	})
	if err != nil {
		return err
	}
	if password == "" {
		password = os.Getenv("TESSERA_ADMIN_PASSWORD")
	}
	generated := false
	if password == "" {
		tok, _ := auth.NewToken()
		password, generated = tok[:20], true
	}
	log := newLogger(cfg.LogLevel)
	s, err := stack.Open(ctx, cfg, log, stack.Options{})
	if err != nil {
		return err
	}
	defer s.Close()
	switch sub {
	case "create-organizer":
		if strings.TrimSpace(name) == "" {
			name = strings.Split(email, "@")[0]
		}
		u, err := s.Auth.SignUp(ctx, auth.SignUpInput{Email: email, Name: name, Password: password})
		var fe *contest.FieldError
		if errors.As(err, &fe) && fe.Fields["email"] == "email.taken" && len(fe.Fields) == 1 {
			u, err = s.DB.UserByEmail(ctx, email)
			generated = false
			fmt.Fprintf(stdout, "%s already has an account; it may now create competitions (password unchanged)\n", u.Email)
		} else if err != nil {
			return describe(err, s)
		} else {
			fmt.Fprintf(stdout, "created organizer %s\n", u.Email)
		}
		if err != nil {
			return err
		}
		if err := s.DB.SetCanOrganize(ctx, u.ID, true); err != nil {
			return err
		}
	case "reset-password":
		u, err := s.DB.UserByEmail(ctx, email)
		if err != nil {
			return fmt.Errorf("no account with email %q: %w", email, err)
		}
		if len(password) < 10 {
			return errors.New("the password needs at least 10 characters")
		}
		hash, err := auth.HashPassword(password)
		if err != nil {
			return err
		}
		if err := s.DB.SetPassword(ctx, u.ID, hash); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "password reset for %s; their sessions were signed out\n", u.Email)
	default:
		return fmt.Errorf("unknown admin command %q", sub)
	}
	if generated {
		fmt.Fprintf(stdout, "password: %s\n", password)
	}
	return nil
}

// describe turns a field error into a readable message for the terminal.
func describe(err error, s *stack.Stack) error {
	var fe *contest.FieldError
	if !errors.As(err, &fe) {
		return err
	}
	var parts []string
	for f, k := range fe.Fields {
		parts = append(parts, f+": "+s.Catalog.T("en", k))
	}
	return errors.New(strings.Join(parts, "; "))
}
