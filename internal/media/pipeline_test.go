package media

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/color/palette"
	"image/gif"
	"image/jpeg"
	"image/png"
	"math/bits"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/disintegration/imaging"
	"golang.org/x/image/tiff"
)

func crc32IEEE(b []byte) uint32 { return crc32.ChecksumIEEE(b) }

// app1 builds an APP1 segment with the given payload.
func app1(payload []byte) []byte {
	seg := []byte{0xFF, 0xE1, 0, 0}
	binary.BigEndian.PutUint16(seg[2:], uint16(len(payload)+2))
	return append(seg, payload...)
}

// insertAfterSOI puts segments right after a JPEG's SOI marker.
func insertAfterSOI(jpg []byte, segs ...[]byte) []byte {
	out := append([]byte{}, jpg[:2]...)
	for _, s := range segs {
		out = append(out, s...)
	}
	return append(out, jpg[2:]...)
}

// portraitMarker is 200×100 with a red left half and a blue right half:
// turned by orientation 6 (90° clockwise) the red half is on top.
func portraitMarker() *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, 200, 100))
	for y := range 100 {
		for x := range 200 {
			c := color.RGBA{R: 220, G: 20, B: 20, A: 255}
			if x >= 100 {
				c = color.RGBA{R: 20, G: 20, B: 220, A: 255}
			}
			img.Set(x, y, c)
		}
	}
	return img
}

func decodeRendition(t *testing.T, data []byte) image.Image {
	t.Helper()
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	return img
}

func isReddish(c color.Color) bool {
	r, g, b, _ := c.RGBA()
	return r>>8 > 150 && g>>8 < 90 && b>>8 < 90
}

func renditionNamed(t *testing.T, res Result, name string) Rendition {
	t.Helper()
	for _, r := range res.Renditions {
		if r.Name == name {
			return r
		}
	}
	t.Fatalf("no %s rendition in %+v", name, res.Renditions)
	return Rendition{}
}

func TestOrientationWhereverTheEXIFSits(t *testing.T) {
	base := encodeJPEG(t, portraitMarker())
	xmp := app1([]byte("http://ns.adobe.com/xap/1.0/\x00<x:xmpmeta><dc:creator>Jane Entrant</dc:creator></x:xmpmeta>"))
	exif := withEXIF(t, encodeJPEG(t, image.NewRGBA(image.Rect(0, 0, 1, 1))), 6, "Jane Entrant")
	// withEXIF put the EXIF segment right after SOI: cut it out.
	exifSeg := exif[2 : 2+4+int(binary.BigEndian.Uint16(exif[4:]))-2]
	for name, data := range map[string][]byte{
		"exif first":           insertAfterSOI(base, exifSeg),
		"xmp first, then exif": insertAfterSOI(base, xmp, exifSeg),
	} {
		t.Run(name, func(t *testing.T) {
			if o := JPEGOrientation(data); o != 6 {
				t.Fatalf("JPEGOrientation = %d, want 6", o)
			}
			res, err := DeriveImage(t.Context(), data, ImageOptions{Judge: true})
			if err != nil {
				t.Fatal(err)
			}
			if res.Width != 100 || res.Height != 200 {
				t.Fatalf("size %d×%d, want 100×200 (upright)", res.Width, res.Height)
			}
			prev := decodeRendition(t, renditionNamed(t, res, NamePreview).Data)
			if b := prev.Bounds(); b.Dx() != 100 || b.Dy() != 200 || !isReddish(prev.At(50, 20)) || isReddish(prev.At(50, 180)) {
				t.Fatalf("preview %v is not turned upright (top %v, bottom %v)", prev.Bounds(), prev.At(50, 20), prev.At(50, 180))
			}
			judge := renditionNamed(t, res, NameJudge)
			if bytes.Contains(judge.Data, []byte("Jane Entrant")) || bytes.Contains(judge.Data, []byte("xmpmeta")) {
				t.Error("judge copy keeps the artist or the XMP")
			}
			if o := JPEGOrientation(judge.Data); o != 6 {
				t.Errorf("judge copy orientation %d, want 6 kept so viewers turn it", o)
			}
			if judge.Width != 100 || judge.Height != 200 {
				t.Errorf("judge copy %d×%d, want displayed size 100×200", judge.Width, judge.Height)
			}
		})
	}
}

// TestJPEGJudgeCopyIsLossless: the judge copy of a JPEG (what DeriveImage
// makes for Process) loses its metadata and what follows the image, and
// not one pixel.
func TestJPEGJudgeCopyIsLossless(t *testing.T) {
	orig := insertAfterSOI(encodeJPEG(t, gradient(300, 200)),
		app1([]byte("http://ns.adobe.com/xap/1.0/\x00<x:xmpmeta>secret</x:xmpmeta>")),
		[]byte{0xFF, 0xFE, 0, 9, 's', 'e', 'c', 'r', 'e', 't', '!'},       // COM
		[]byte{0xFF, 0xED, 0, 10, 'P', 'h', 'o', 't', 'o', 's', 'h', 'o'}, // APP13
	)
	orig = append(orig, []byte("trailing second image with secret")...)
	res, err := DeriveImage(t.Context(), orig, ImageOptions{Judge: true})
	if err != nil {
		t.Fatal(err)
	}
	out := renditionNamed(t, res, NameJudge)
	if out.ContentType != "image/jpeg" || out.Width != 300 || out.Height != 200 || out.Size != int64(len(out.Data)) {
		t.Errorf("judge copy %s %d×%d, %d bytes of %d", out.ContentType, out.Width, out.Height, len(out.Data), out.Size)
	}
	if bytes.Contains(out.Data, []byte("secret")) || bytes.Contains(out.Data, []byte("Photosho")) {
		t.Fatal("metadata survived")
	}
	a, _ := jpeg.Decode(bytes.NewReader(orig))
	b, err := jpeg.Decode(bytes.NewReader(out.Data))
	if err != nil {
		t.Fatal(err)
	}
	ya, yb := a.(*image.YCbCr), b.(*image.YCbCr)
	if !bytes.Equal(ya.Y, yb.Y) || !bytes.Equal(ya.Cb, yb.Cb) || !bytes.Equal(ya.Cr, yb.Cr) {
		t.Fatal("pixels changed")
	}
	_, err = DeriveImage(t.Context(), orig[:len(orig)/2], ImageOptions{Judge: true})
	if rej, ok := IsReject(err); !ok || !strings.Contains(rej.Reason, "This JPEG image is damaged or incomplete") {
		t.Errorf("a truncated JPEG: err = %v, want it refused as damaged", err)
	}
}

// TestPNGJudgeCopy: the judge copy of a PNG is the file without its text
// and EXIF chunks, every other byte as it was.
func TestPNGJudgeCopy(t *testing.T) {
	var b bytes.Buffer
	if err := png.Encode(&b, gradient(20, 10)); err != nil {
		t.Fatal(err)
	}
	data := b.Bytes()
	text := pngChunk("tEXt", []byte("Author\x00Jane Entrant"))
	exif := pngChunk("eXIf", []byte("MM\x00*secret"))
	withMeta := append(append(append(append([]byte{}, data[:33]...), text...), exif...), data[33:]...)
	res, err := DeriveImage(t.Context(), withMeta, ImageOptions{Judge: true})
	if err != nil {
		t.Fatal(err)
	}
	if out := renditionNamed(t, res, NameJudge); out.ContentType != "image/png" || !bytes.Equal(out.Data, data) {
		t.Errorf("judge copy (%s) differs from the PNG without metadata", out.ContentType)
	}
}

func pngChunk(typ string, data []byte) []byte {
	var b bytes.Buffer
	_ = binary.Write(&b, binary.BigEndian, uint32(len(data)))
	b.WriteString(typ)
	b.Write(data)
	sum := crc32IEEE(append([]byte(typ), data...))
	_ = binary.Write(&b, binary.BigEndian, sum)
	return b.Bytes()
}

func TestImageFormats(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "src.png")
	if err := os.WriteFile(src, encodePNG(t, gradient(640, 480)), 0o644); err != nil {
		t.Fatal(err)
	}
	// 16-bit PNG with transparency.
	deep := image.NewNRGBA64(image.Rect(0, 0, 300, 200))
	for y := range 200 {
		for x := range 300 {
			a := uint16(0xffff)
			if x < 150 {
				a = 0
			}
			deep.SetNRGBA64(x, y, color.NRGBA64{R: 0x2000, G: 0x8000, B: 0x1000, A: a})
		}
	}
	// Animated GIF: a red frame, then a blue one.
	anim := &gif.GIF{}
	for _, c := range []color.Color{color.RGBA{255, 0, 0, 255}, color.RGBA{0, 0, 255, 255}} {
		fr := image.NewPaletted(image.Rect(0, 0, 120, 80), palette.Plan9)
		for i := range fr.Pix {
			fr.Pix[i] = uint8(fr.Palette.Index(c))
		}
		anim.Image, anim.Delay = append(anim.Image, fr), append(anim.Delay, 10)
	}
	var gifBuf, tiffBuf bytes.Buffer
	if err := gif.EncodeAll(&gifBuf, anim); err != nil {
		t.Fatal(err)
	}
	if err := tiff.Encode(&tiffBuf, gradient(500, 400), &tiff.Options{Compression: tiff.Deflate}); err != nil {
		t.Fatal(err)
	}

	type tc struct {
		name  string
		path  func(t *testing.T) string
		w, h  int
		judge string
		check func(t *testing.T, prev image.Image)
	}
	vips := func(name, out string) func(t *testing.T) string {
		return func(t *testing.T) string {
			needTools(t, "vips")
			p := filepath.Join(t.TempDir(), out)
			switch name {
			case "cmyk":
				run(t, "vips", "colourspace", src, p, "cmyk")
			default:
				run(t, "vips", "copy", src, p+name)
				p = p + name
				p = strings.TrimSuffix(p, name)
			}
			return p
		}
	}
	tests := []tc{
		{name: "cmyk jpeg", path: vips("cmyk", "cmyk.jpg"), w: 640, h: 480, judge: "image/jpeg"},
		{name: "progressive jpeg", path: vips("[interlace]", "prog.jpg"), w: 640, h: 480, judge: "image/jpeg"},
		{name: "webp", path: vips("", "img.webp"), w: 640, h: 480, judge: "image/png"},
		{name: "tiff", path: func(t *testing.T) string { return writeFile(t, "img.tif", tiffBuf.Bytes()) }, w: 500, h: 400, judge: "image/png"},
		{
			name: "16-bit png with alpha flattened on white", path: func(t *testing.T) string { return writeFile(t, "deep.png", encodePNG(t, deep)) },
			w: 300, h: 200, judge: "image/png",
			check: func(t *testing.T, prev image.Image) {
				r, g, b, _ := prev.At(20, 100).RGBA()
				if r>>8 < 240 || g>>8 < 240 || b>>8 < 240 {
					t.Errorf("transparent half = %d,%d,%d, want white", r>>8, g>>8, b>>8)
				}
			},
		},
		{
			name: "animated gif first frame", path: func(t *testing.T) string { return writeFile(t, "anim.gif", gifBuf.Bytes()) },
			w: 120, h: 80, judge: "image/png",
			check: func(t *testing.T, prev image.Image) {
				if !isReddish(prev.At(60, 40)) {
					t.Errorf("preview shows %v, want the first (red) frame", prev.At(60, 40))
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := tt.path(t)
			rep, out, err := processFile(t, path, KindPhoto, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if rep.Width != tt.w || rep.Height != tt.h {
				t.Errorf("size %d×%d, want %d×%d", rep.Width, rep.Height, tt.w, tt.h)
			}
			names := []string{}
			for _, o := range rep.Outputs {
				names = append(names, o.Name)
			}
			if strings.Join(names, ",") != "judge,preview,card,thumb" {
				t.Fatalf("outputs %v", names)
			}
			j, _ := rep.Output(NameJudge)
			if j.ContentType != tt.judge || j.Width != tt.w || j.Height != tt.h {
				t.Errorf("judge %+v, want %s %d×%d", j, tt.judge, tt.w, tt.h)
			}
			if jd, err := os.ReadFile(j.Path); err != nil {
				t.Fatal(err)
			} else if jimg, _, err := image.Decode(bytes.NewReader(jd)); err != nil || jimg.Bounds().Dx() != tt.w {
				t.Errorf("judge copy does not decode fully: %v", err)
			}
			data, err := os.ReadFile(filepath.Join(out, "preview.jpg"))
			if err != nil {
				t.Fatal(err)
			}
			prev := decodeRendition(t, data)
			// The preview looks like the source: compare a pixel of the
			// gradient sources (CMYK goes through a colour profile, so
			// the tolerance is wide).
			if tt.check != nil {
				tt.check(t, prev)
			} else {
				r, g, _, _ := prev.At(prev.Bounds().Dx()*3/4, prev.Bounds().Dy()/4).RGBA()
				if r>>8 < 140 || g>>8 > 120 {
					t.Errorf("preview pixel r=%d g=%d does not look like the source gradient", r>>8, g>>8)
				}
			}
			if rep.PHash == "" {
				t.Error("no perceptual hash")
			}
		})
	}
}

func TestPDFMural(t *testing.T) {
	needTools(t, "pdftoppm", "pdfinfo")
	pdf := writeFile(t, "mural.pdf", makePDF(2, []string{"A wall of birds"}, "Jane Entrant"))
	// A smaller render than production's 4096 px keeps the test quick
	// under the race detector; the path is the same.
	rep, out, err := processFile(t, pdf, KindMural, Options{PDFRenderSide: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Pages != 2 || rep.Format != "pdf" {
		t.Errorf("report %+v", rep)
	}
	j, _ := rep.Output(NameJudge)
	if max(j.Width, j.Height) != 1000 {
		t.Errorf("judge %d×%d, want longest side 1000", j.Width, j.Height)
	}
	p, _ := rep.Output(NamePreview)
	if p.Height != 1000 || p.Width < 771 || p.Width > 774 {
		t.Errorf("preview %d×%d, want 773×1000 (US letter)", p.Width, p.Height)
	}
	data, _ := os.ReadFile(filepath.Join(out, "preview.jpg"))
	img := decodeRendition(t, data)
	// The blue band (y 600–750 of 792 pt) is near the top.
	r, g, b, _ := img.At(p.Width/2, p.Height*100/792).RGBA()
	if b>>8 < 150 || r>>8 > 120 || g>>8 > 160 {
		t.Errorf("band pixel %d,%d,%d, want blue", r>>8, g>>8, b>>8)
	}
	// A longer design is accepted: TestPDFMuralOverTheCap.
}

func TestBudget(t *testing.T) {
	b := NewBudget(100)
	rel1, err := b.Acquire(t.Context(), 60)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := b.TryAcquire(60); ok {
		t.Fatal("the budget gave out more than it has")
	}
	got := make(chan struct{})
	go func() {
		rel, err := b.Acquire(context.Background(), 1000) // clamped to the whole budget
		if err == nil {
			rel()
		}
		close(got)
	}()
	select {
	case <-got:
		t.Fatal("a reservation larger than what is free did not wait")
	case <-time.After(50 * time.Millisecond):
	}
	rel1()
	select {
	case <-got:
	case <-time.After(5 * time.Second):
		t.Fatal("the waiting reservation never ran")
	}
	ctx, cancel := context.WithCancel(t.Context())
	rel2, _ := b.Acquire(ctx, 100)
	cancel()
	if _, err := b.Acquire(ctx, 1); err == nil || !errors.Is(err, context.Canceled) {
		t.Errorf("acquire on a cancelled context: %v", err)
	}
	rel2()
	var nilBudget *Budget
	if rel, err := nilBudget.Acquire(t.Context(), 1<<40); err != nil {
		t.Error(err)
	} else {
		rel()
	}
}

// TestPHash runs photos through Process and compares the hashes on their
// reports as the duplicate finder does (db.DuplicateCandidates: 16 hex
// digits, bits apart): a resized, recompressed copy of a picture is a few
// bits from it, a different picture far more than app.DuplicateDistance.
func TestPHash(t *testing.T) {
	a := gradient(640, 480)
	for x := 100; x < 300; x++ {
		for y := 100; y < 200; y++ {
			a.Set(x, y, color.RGBA{10, 200, 30, 255})
		}
	}
	hash := func(name string, data []byte) uint64 {
		t.Helper()
		rep, _, err := processFile(t, writeFile(t, name, data), KindPhoto, Options{})
		if err != nil {
			t.Fatal(err)
		}
		h, err := strconv.ParseUint(rep.PHash, 16, 64)
		if err != nil || len(rep.PHash) != 16 {
			t.Fatalf("%s: phash %q is not 16 hex digits (%v)", name, rep.PHash, err)
		}
		return h
	}
	orig := hash("orig.png", encodePNG(t, a))
	if d := bits.OnesCount64(orig ^ hash("small.jpg", encodeJPEG(t, imaging.Resize(a, 200, 0, imaging.Lanczos)))); d > 6 {
		t.Errorf("resized copy is %d bits away", d)
	}
	if d := bits.OnesCount64(orig ^ hash("flipped.png", encodePNG(t, imaging.FlipH(a)))); d < 16 {
		t.Errorf("different picture only %d bits away", d)
	}
}

func TestJPEGScaleDenom(t *testing.T) {
	for _, tt := range []struct{ w, h, target, want int }{
		{6000, 4000, 2048, 2},
		{16384, 10000, 2048, 8},
		{12000, 9000, 2048, 4},
		{3000, 2000, 2048, 1},
		{4095, 2000, 2048, 1},
	} {
		want := tt.want
		if !dctScaling {
			want = 1
		}
		if got := jpegScaleDenom(tt.w, tt.h, tt.target); got != want {
			t.Errorf("jpegScaleDenom(%d, %d, %d) = %d, want %d", tt.w, tt.h, tt.target, got, want)
		}
	}
}

// TestDCTScaledDecode: a JPEG over twice the largest spec (decoded at half
// scale with libjpeg-turbo, -tags turbojpeg; in full with image/jpeg in the
// pure-Go build) gives exact derivative sizes and the full-size judge copy
// in both builds.
func TestDCTScaledDecode(t *testing.T) {
	if want := map[bool]int{true: 2, false: 1}[dctScaling]; jpegScaleDenom(4200, 2100, 2048) != want {
		t.Fatalf("jpegScaleDenom(4200, 2100, 2048) = %d in the %s build, want %d", jpegScaleDenom(4200, 2100, 2048), JPEGCodec, want)
	}
	data := withEXIF(t, encodeJPEG(t, gradient(4200, 2100)), 6, "x")
	res, err := DeriveImage(t.Context(), data, ImageOptions{Judge: true})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][2]int{NameJudge: {2100, 4200}, NamePreview: {1024, 2048}, NameCard: {400, 800}, NameThumb: {160, 320}}
	for _, r := range res.Renditions {
		if w := want[r.Name]; r.Width != w[0] || r.Height != w[1] {
			t.Errorf("%s %d×%d, want %d×%d", r.Name, r.Width, r.Height, w[0], w[1])
		}
	}
}
