// Command imagebench compares Tessera's image derivatives with libvips'
// vipsthumbnail on the same JPEG, in the same run: CPU time (user+system),
// wall time, peak resident memory, and the quality (PSNR) of each 2048 px
// derivative against a reference resized from the full-resolution decode.
// Tessera's side runs media.Process (what `tessera media process FILE
// --kind photo` runs) in a child process of this binary, so each build (pure
// Go, or -tags turbojpeg) is measured on its own. bench/images.sh builds the
// binaries and runs it; see docs/BENCHMARKS.md.
package main

import (
	"context"
	"flag"
	"fmt"
	"image"
	"image/jpeg"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/disintegration/imaging"

	"github.com/tessera/tessera/internal/media"
)

type measure struct {
	cpu, wall time.Duration
	rssKB     int64
}

// runAll runs the commands one after another and sums CPU and wall time;
// memory is the largest peak of any of them.
func runAll(cmds [][]string) (measure, error) {
	var m measure
	for _, c := range cmds {
		cmd := exec.Command(c[0], c[1:]...)
		cmd.Stdout, cmd.Stderr = nil, os.Stderr
		start := time.Now()
		if err := cmd.Run(); err != nil {
			return m, fmt.Errorf("%s: %w", strings.Join(c, " "), err)
		}
		m.wall += time.Since(start)
		ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
		m.cpu += time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
		m.rssKB = max(m.rssKB, ru.Maxrss)
	}
	return m, nil
}

func median(ms []measure) measure {
	pick := func(f func(measure) int64) int64 {
		v := make([]int64, len(ms))
		for i, m := range ms {
			v[i] = f(m)
		}
		slices.Sort(v)
		return v[len(v)/2]
	}
	return measure{
		cpu:   time.Duration(pick(func(m measure) int64 { return int64(m.cpu) })),
		wall:  time.Duration(pick(func(m measure) int64 { return int64(m.wall) })),
		rssKB: pick(func(m measure) int64 { return m.rssKB }),
	}
}

func decode(path string) image.Image {
	f, err := os.Open(path)
	if err != nil {
		fail(err)
	}
	defer f.Close()
	img, err := jpeg.Decode(f)
	if err != nil {
		fail(fmt.Errorf("%s: %w", path, err))
	}
	return img
}

// psnr compares img with ref resized (Lanczos, from the full-resolution
// decode) to img's size, over RGB.
func psnr(full image.Image, img image.Image) float64 {
	b := img.Bounds()
	ref := imaging.Resize(full, b.Dx(), b.Dy(), imaging.Lanczos)
	got := imaging.Clone(img)
	var se float64
	n := 0
	for i := 0; i < len(ref.Pix); i += 4 {
		for c := range 3 {
			d := float64(ref.Pix[i+c]) - float64(got.Pix[i+c])
			se += d * d
			n++
		}
	}
	if se == 0 {
		return math.Inf(1)
	}
	return 10 * math.Log10(255*255/(se/float64(n)))
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "imagebench:", err)
	os.Exit(1)
}

func main() {
	src := flag.String("src", "", "the JPEG to process")
	dir := flag.String("dir", os.TempDir(), "work directory")
	runs := flag.Int("runs", 5, "runs per tool (the median is reported)")
	bins := flag.String("tessera", "", "comma-separated name=path of imagebench binaries (built with different tags) to compare")
	child := flag.String("child", "", "internal: process -src into this directory with Tessera's pipeline and exit")
	flag.Parse()
	if *child != "" {
		// What `tessera media process FILE --kind photo --out DIR` runs.
		_ = os.MkdirAll(*child, 0o755)
		if _, err := media.Process(context.Background(), media.Input{Path: *src, Kind: media.KindPhoto}, *child, media.Options{}); err != nil {
			fail(err)
		}
		return
	}
	if *src == "" || *bins == "" {
		fail(fmt.Errorf("need -src and -tessera"))
	}
	type tool struct {
		name    string
		cmds    [][]string
		preview string
	}
	var tools []tool
	vd := filepath.Join(*dir, "vips")
	_ = os.MkdirAll(vd, 0o755)
	// vipsthumbnail makes the same three sizes the same way Tessera does:
	// 2048 from the original (shrink-on-load), 800 from the 2048, 320
	// from the 800, stripping metadata, at the same JPEG qualities.
	tools = append(tools, tool{
		name: "vipsthumbnail",
		cmds: [][]string{
			{"vipsthumbnail", *src, "-s", "2048", "-o", filepath.Join(vd, "preview.jpg[Q=85,strip]")},
			{"vipsthumbnail", filepath.Join(vd, "preview.jpg"), "-s", "800", "-o", filepath.Join(vd, "card.jpg[Q=82,strip]")},
			{"vipsthumbnail", filepath.Join(vd, "card.jpg"), "-s", "320", "-o", filepath.Join(vd, "thumb.jpg[Q=80,strip]")},
		},
		preview: filepath.Join(vd, "preview.jpg"),
	})
	for _, b := range strings.Split(*bins, ",") {
		name, path, _ := strings.Cut(b, "=")
		od := filepath.Join(*dir, name)
		tools = append(tools, tool{
			name:    name,
			cmds:    [][]string{{path, "-src", *src, "-child", od}},
			preview: filepath.Join(od, "preview.jpg"),
		})
	}
	results := make([][]measure, len(tools))
	// Interleave the tools run by run so that machine noise hits all alike.
	for r := range *runs {
		for i, t := range tools {
			m, err := runAll(t.cmds)
			if err != nil {
				fail(err)
			}
			results[i] = append(results[i], m)
			_ = r
		}
	}
	full := decode(*src)
	fb := full.Bounds()
	fmt.Printf("source: %s, %d×%d (%.1f MP)\n", filepath.Base(*src), fb.Dx(), fb.Dy(), float64(fb.Dx()*fb.Dy())/1e6)
	fmt.Printf("%-16s %10s %10s %12s %10s %14s %14s %14s\n", "tool", "cpu", "wall", "peak RSS", "PSNR dB", "cpu ratio", "wall ratio", "RSS ratio")
	base := median(results[0])
	for i, t := range tools {
		m := median(results[i])
		p := psnr(full, decode(t.preview))
		fmt.Printf("%-16s %10s %10s %9.1f MB %10.2f %13.2f× %13.2f× %13.2f×\n", t.name,
			m.cpu.Round(time.Millisecond), m.wall.Round(time.Millisecond), float64(m.rssKB)/1024, p,
			float64(m.cpu)/float64(base.cpu), float64(m.wall)/float64(base.wall), float64(m.rssKB)/float64(base.rssKB))
	}
}
