// Command upload benchmarks Tessera's resumable upload API against
// minio-go's PutObject straight to the same MinIO: throughput for given
// file sizes and numbers of simultaneous uploads, and the API process's
// peak resident memory while it streams them.
//
// It starts its own `tessera serve` (without workers, so that processing
// does not compete for the CPU) on SQLite with the object store on MinIO:
//
//	go build -o /tmp/tessera ./cmd/tessera
//	source /tmp/svc/env   # TESSERA_TEST_S3_* from scripts/services.sh
//	go run ./bench/upload -bin /tmp/tessera -sizes 256MiB,2GiB -concurrency 1,4
//
// See docs/BENCHMARKS.md for results.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

func main() {
	bin := flag.String("bin", "", "path to a built tessera binary (required)")
	sizes := flag.String("sizes", "256MiB,2GiB", "file sizes, comma-separated (KiB, MiB, GiB)")
	conc := flag.String("concurrency", "1,4", "simultaneous uploads, comma-separated")
	rounds := flag.Int("rounds", 1, "repetitions of each case; the best is kept")
	flag.Parse()
	if *bin == "" {
		log.Fatal("-bin is required")
	}
	endpoint, ak, sk := os.Getenv("TESSERA_TEST_S3_ENDPOINT"), os.Getenv("TESSERA_TEST_S3_ACCESS_KEY"), os.Getenv("TESSERA_TEST_S3_SECRET_KEY")
	if endpoint == "" {
		log.Fatal("TESSERA_TEST_S3_ENDPOINT (and _ACCESS_KEY, _SECRET_KEY) must name a MinIO; see scripts/services.sh")
	}
	bucket := fmt.Sprintf("bench-%d", time.Now().Unix())
	srv, err := startServer(*bin, endpoint, ak, sk, bucket)
	if err != nil {
		log.Fatal(err)
	}
	defer srv.stop()
	fatal := func(err error) {
		srv.stop()
		log.Fatal(err)
	}
	// Let the server settle (start-up garbage is returned to the OS) before
	// taking its idle memory.
	time.Sleep(10 * time.Second)
	mc, err := minio.New(endpoint, &minio.Options{Creds: credentials.NewStaticV4(ak, sk, "")})
	if err != nil {
		fatal(err)
	}
	baseline := srv.rss()
	fmt.Printf("machine: %s/%s, %d CPUs, %s\n", runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), cpuModel())
	fmt.Printf("API idle RSS: %.1f MiB\n\n", float64(baseline)/(1<<20))
	fmt.Println("| size | uploads at once | API MB/s | direct PutObject MB/s | ratio | API peak RSS |")
	fmt.Println("|---|---|---|---|---|---|")
	for _, s := range strings.Split(*sizes, ",") {
		size, err := parseSize(s)
		if err != nil {
			fatal(err)
		}
		for _, c := range strings.Split(*conc, ",") {
			n, err := strconv.Atoi(c)
			if err != nil {
				fatal(err)
			}
			var api, direct float64
			var peak int64
			for r := 0; r < *rounds; r++ {
				d, err := timeDirect(mc, bucket, size, n)
				if err != nil {
					fatal(err)
				}
				a, p, err := srv.timeAPI(size, n)
				if err != nil {
					fatal(err)
				}
				// Keep the disk from filling up: the API's originals go.
				for o := range mc.ListObjects(context.Background(), bucket, minio.ListObjectsOptions{Prefix: "entries/", Recursive: true}) {
					if o.Err == nil {
						_ = mc.RemoveObject(context.Background(), bucket, o.Key, minio.RemoveObjectOptions{})
					}
				}
				api, direct, peak = max(api, a), max(direct, d), max(peak, p)
			}
			fmt.Printf("| %s | %d | %.0f | %.0f | %.2f | %.1f MiB |\n", s, n, api, direct, api/direct, float64(peak)/(1<<20))
		}
	}
}

func parseSize(s string) (int64, error) {
	for suf, mul := range map[string]int64{"KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30} {
		if v, ok := strings.CutSuffix(s, suf); ok {
			n, err := strconv.ParseInt(v, 10, 64)
			return n * mul, err
		}
	}
	return strconv.ParseInt(s, 10, 64)
}

func cpuModel() string {
	b, _ := os.ReadFile("/proc/cpuinfo")
	for _, l := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown CPU"
}

// pattern is a megabyte of random bytes repeated; the first bytes make the
// file sniff as MP4.
var pattern = func() []byte {
	b := make([]byte, 1<<20)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	copy(b, []byte("\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2"))
	return b
}()

// source yields n bytes of pattern from offset off, without allocating.
type source struct {
	off, left int64
}

func (s *source) Read(p []byte) (int, error) {
	if s.left == 0 {
		return 0, io.EOF
	}
	pos := s.off % int64(len(pattern))
	n := copy(p, pattern[pos:min(int64(len(pattern)), pos+s.left)])
	s.off += int64(n)
	s.left -= int64(n)
	return n, nil
}

func timeDirect(mc *minio.Client, bucket string, size int64, n int) (float64, error) {
	start := time.Now()
	errs := make(chan error, n)
	for i := 0; i < n; i++ {
		go func(i int) {
			key := fmt.Sprintf("direct/%d-%d", time.Now().UnixNano(), i)
			_, err := mc.PutObject(context.Background(), bucket, key, &source{left: size}, size, minio.PutObjectOptions{ContentType: "video/mp4"})
			if err == nil {
				err = mc.RemoveObject(context.Background(), bucket, key, minio.RemoveObjectOptions{})
			}
			errs <- err
		}(i)
	}
	var all []error
	for i := 0; i < n; i++ {
		all = append(all, <-errs)
	}
	el := time.Since(start)
	return float64(size*int64(n)) / 1e6 / el.Seconds(), errors.Join(all...)
}

type server struct {
	cmd   *exec.Cmd
	base  string
	token string
	slug  string
	cat   string
	hc    *http.Client
}

func freePort() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

func startServer(bin, endpoint, ak, sk, bucket string) (*server, error) {
	dir, err := os.MkdirTemp("", "tessera-bench-")
	if err != nil {
		return nil, err
	}
	addr, err := freePort()
	if err != nil {
		return nil, err
	}
	env := append(os.Environ(),
		"TESSERA_ADDR="+addr, "TESSERA_BASE_URL=http://"+addr, "TESSERA_DATA_DIR="+filepath.Join(dir, "data"),
		"TESSERA_S3_ENDPOINT="+endpoint, "TESSERA_S3_ACCESS_KEY="+ak, "TESSERA_S3_SECRET_KEY="+sk, "TESSERA_S3_BUCKET="+bucket,
		"TESSERA_MAX_UPLOAD_BYTES="+strconv.FormatInt(8<<30, 10), "TESSERA_LOG_LEVEL=warn",
		"TESSERA_DATABASE_URL=", "TESSERA_REDIS_URL=")
	runq := func(args ...string) error {
		c := exec.Command(bin, args...)
		c.Env, c.Stderr = env, os.Stderr
		return c.Run()
	}
	const email, pw = "bench@example.org", "bench-password-123"
	if err := runq("migrate"); err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	if err := runq("admin", "create-organizer", "--email", email, "--name", "Bench", "--password", pw); err != nil {
		return nil, fmt.Errorf("create organizer: %w", err)
	}
	s := &server{base: "http://" + addr, hc: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64, DisableCompression: true}}}
	s.cmd = exec.Command(bin, "serve")
	s.cmd.Env, s.cmd.Stderr = env, os.Stderr
	if err := s.cmd.Start(); err != nil {
		return nil, err
	}
	for i := 0; ; i++ {
		if r, err := http.Get(s.base + "/readyz"); err == nil && r.StatusCode == 200 {
			r.Body.Close()
			break
		}
		if i > 200 {
			s.stop()
			return nil, errors.New("server not ready")
		}
		time.Sleep(100 * time.Millisecond)
	}
	var sess struct{ Token string }
	if err := s.call("POST", "/api/v1/session", map[string]string{"email": email, "password": pw}, &sess); err != nil {
		return nil, err
	}
	s.token = sess.Token
	var comp struct{ Slug string }
	if err := s.call("POST", "/api/v1/competitions", map[string]any{
		"title": "Bench", "closes_at": time.Now().Add(24 * time.Hour),
		"categories": []map[string]any{{"medium": "video", "name": "Video", "max_entries": 1000, "max_file_bytes": 8 << 30}},
		"criteria":   []map[string]any{{"name": "Overall", "weight": 1}},
	}, &comp); err != nil {
		return nil, err
	}
	s.slug = comp.Slug
	var ov struct{ Categories []struct{ ID string } }
	if err := s.call("GET", "/api/v1/competitions/"+s.slug, nil, &ov); err != nil {
		return nil, err
	}
	s.cat = ov.Categories[0].ID
	return s, nil
}

func (s *server) stop() {
	if s.cmd != nil && s.cmd.Process != nil {
		_ = s.cmd.Process.Signal(os.Interrupt)
		_ = s.cmd.Wait()
	}
}

// rss is the server's resident set size in bytes.
func (s *server) rss() int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

func (s *server) call(method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, _ := json.Marshal(in)
		body = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, s.base+path, body)
	req.Header.Set("Content-Type", "application/json")
	if s.token != "" {
		req.Header.Set("Authorization", "Bearer "+s.token)
	}
	r, err := s.hc.Do(req)
	if err != nil {
		return err
	}
	defer r.Body.Close()
	b, _ := io.ReadAll(r.Body)
	if r.StatusCode >= 300 {
		return fmt.Errorf("%s %s: %d %s", method, path, r.StatusCode, b)
	}
	if out != nil {
		return json.Unmarshal(b, out)
	}
	return nil
}

// upload sends one file through the resumable protocol, parts in order.
func (s *server) upload(size int64) error {
	var e struct{ ID string }
	if err := s.call("POST", "/api/v1/competitions/"+s.slug+"/entries", map[string]any{"category_id": s.cat, "title": "bench"}, &e); err != nil {
		return err
	}
	var st struct {
		ID        string
		PartSize  int64 `json:"part_size"`
		PartCount int   `json:"part_count"`
	}
	if err := s.call("POST", "/api/v1/competitions/"+s.slug+"/entries/"+e.ID+"/uploads", map[string]any{"name": "bench.mp4", "size": size, "type": "video/mp4"}, &st); err != nil {
		return err
	}
	for n := 1; n <= st.PartCount; n++ {
		off := int64(n-1) * st.PartSize
		l := min(st.PartSize, size-off)
		req, _ := http.NewRequest("PUT", fmt.Sprintf("%s/api/v1/competitions/%s/uploads/%s/parts/%d", s.base, s.slug, st.ID, n), &source{off: off, left: l})
		req.ContentLength = l
		req.Header.Set("Content-Type", "application/octet-stream")
		req.Header.Set("Authorization", "Bearer "+s.token)
		r, err := s.hc.Do(req)
		if err != nil {
			return err
		}
		b, _ := io.ReadAll(r.Body)
		r.Body.Close()
		if r.StatusCode != 200 {
			return fmt.Errorf("part %d: %d %s", n, r.StatusCode, b)
		}
	}
	return s.call("POST", "/api/v1/competitions/"+s.slug+"/uploads/"+st.ID+"/complete", nil, nil)
}

func (s *server) timeAPI(size int64, n int) (float64, int64, error) {
	var peak atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			if r := s.rss(); r > peak.Load() {
				peak.Store(r)
			}
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	start := time.Now()
	errs := make(chan error, n)
	for i := 0; i < n; i++ {
		go func() { errs <- s.upload(size) }()
	}
	var all []error
	for i := 0; i < n; i++ {
		all = append(all, <-errs)
	}
	el := time.Since(start)
	close(stop)
	wg.Wait()
	return float64(size*int64(n)) / 1e6 / el.Seconds(), peak.Load(), errors.Join(all...)
}
