package media

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/color/palette"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
)

// gradient is an opaque w×h image whose colours vary across both axes.
func gradient(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		row := img.Pix[y*img.Stride:]
		for x := range w {
			row[4*x], row[4*x+1], row[4*x+2], row[4*x+3] = uint8(x*255/w), uint8(y*255/h), 128, 255
		}
	}
	return img
}

func encodeJPEG(t *testing.T, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func encodePNG(t *testing.T, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func encodeGIF(t *testing.T, img image.Image) []byte {
	t.Helper()
	// Map to the web-safe cube directly: gif.Encode's dithering is slow
	// under the race detector.
	b := img.Bounds()
	p := image.NewPaletted(b, palette.WebSafe)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			p.Pix[(y-b.Min.Y)*p.Stride+x-b.Min.X] = uint8((r>>8+25)/51*36 + (g>>8+25)/51*6 + (bl>>8+25)/51)
		}
	}
	var buf bytes.Buffer
	if err := gif.Encode(&buf, p, nil); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// withEXIF inserts an APP1 EXIF segment after the JPEG's SOI marker holding
// an orientation tag and an artist string, as cameras do.
func withEXIF(t *testing.T, jpg []byte, orientation uint16, artist string) []byte {
	t.Helper()
	var tiff bytes.Buffer
	be := binary.BigEndian
	tiff.WriteString("MM\x00*")
	_ = binary.Write(&tiff, be, uint32(8)) // offset of IFD0
	_ = binary.Write(&tiff, be, uint16(2)) // two entries
	// Orientation: SHORT, count 1, value left-justified.
	_ = binary.Write(&tiff, be, []uint16{0x0112, 3})
	_ = binary.Write(&tiff, be, uint32(1))
	_ = binary.Write(&tiff, be, []uint16{orientation, 0})
	// Artist: ASCII, stored after the IFD.
	artistBytes := append([]byte(artist), 0)
	_ = binary.Write(&tiff, be, []uint16{0x013B, 2})
	_ = binary.Write(&tiff, be, uint32(len(artistBytes)))
	_ = binary.Write(&tiff, be, uint32(8+2+2*12+4))
	_ = binary.Write(&tiff, be, uint32(0)) // no next IFD
	tiff.Write(artistBytes)

	payload := append([]byte("Exif\x00\x00"), tiff.Bytes()...)
	seg := []byte{0xFF, 0xE1, 0, 0}
	be.PutUint16(seg[2:], uint16(len(payload)+2))
	seg = append(seg, payload...)

	out := append([]byte{}, jpg[:2]...)
	out = append(out, seg...)
	return append(out, jpg[2:]...)
}

// pngHeader is a valid PNG signature and IHDR chunk claiming w×h pixels,
// with no pixel data after it.
func pngHeader(w, h uint32) []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 2 // 8-bit RGB
	_ = binary.Write(&b, binary.BigEndian, uint32(len(ihdr)))
	chunk := append([]byte("IHDR"), ihdr...)
	b.Write(chunk)
	_ = binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(chunk))
	return b.Bytes()
}

// TestImageHeaderGate: DeriveImage, which Process runs on every photo and
// mural design, reads the size from the header and refuses a picture over
// the pixel cap, or a file that is no image it can read, before decoding
// a pixel.
func TestImageHeaderGate(t *testing.T) {
	jpg := encodeJPEG(t, gradient(640, 480))
	tests := []struct {
		name       string
		data       []byte
		maxPixels  int64
		wantW      int
		wantH      int
		wantFormat string
		wantReject string // substring of the reason; "" means success
	}{
		{name: "jpeg", data: jpg, maxPixels: 1e6, wantW: 640, wantH: 480, wantFormat: "jpeg"},
		{name: "png", data: encodePNG(t, gradient(30, 70)), maxPixels: 1e6, wantW: 30, wantH: 70, wantFormat: "png"},
		{name: "gif", data: encodeGIF(t, gradient(16, 8)), maxPixels: 1e6, wantW: 16, wantH: 8, wantFormat: "gif"},
		{name: "exactly at the cap", data: jpg, maxPixels: 640 * 480, wantW: 640, wantH: 480, wantFormat: "jpeg"},
		// 100 megapixels by default: at the cap the header passes (and the
		// missing pixels are found), one row more is refused for its size.
		{name: "default cap lets 100 megapixels through", data: pngHeader(10000, 10000), maxPixels: 0, wantReject: "This PNG image is damaged or incomplete"},
		{name: "default cap", data: pngHeader(10000, 10001), maxPixels: 0, wantReject: "This image is 10000×10001 pixels (100 megapixels); the limit is 100 megapixels."},
		{
			name: "huge header", data: pngHeader(20000, 20000), maxPixels: 100_000_000,
			wantReject: "This image is 20000×20000 pixels (400 megapixels); the limit is 100 megapixels.",
		},
		{
			name: "one pixel over", data: jpg, maxPixels: 640*480 - 1,
			wantReject: "This image is 640×480 pixels (0.3 megapixels); the limit is 0.3 megapixels.",
		},
		{name: "zero width", data: pngHeader(0, 10), maxPixels: 1e6, wantReject: "damaged or incomplete"},
		{name: "corrupt", data: append([]byte{0xFF, 0xD8, 0xFF, 0xC0}, bytes.Repeat([]byte{0x42}, 64)...), maxPixels: 1e6, wantReject: "damaged or incomplete"},
		{name: "text", data: []byte("Dear jury, please find my essay attached."), maxPixels: 1e6, wantReject: "not an image Tessera can read (it looks like text/plain"},
		{name: "empty", data: nil, maxPixels: 1e6, wantReject: "not an image"},
		{name: "heic", data: ftyp("heic", "mif1", "heic"), maxPixels: 1e6, wantReject: "HEIC/HEIF photos cannot be processed yet"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var res Result
			var err error
			alloc := allocatedDuring(func() {
				res, err = DeriveImage(t.Context(), tt.data, ImageOptions{MaxPixels: tt.maxPixels, Specs: []Spec{{Name: "t", MaxSide: 16, Quality: 50}}})
			})
			if tt.wantReject == "" {
				if err != nil {
					t.Fatal(err)
				}
				if res.Width != tt.wantW || res.Height != tt.wantH || res.Format != tt.wantFormat {
					t.Errorf("got %d×%d %s, want %d×%d %s", res.Width, res.Height, res.Format, tt.wantW, tt.wantH, tt.wantFormat)
				}
				return
			}
			rej, ok := IsReject(err)
			if !ok {
				t.Fatalf("err = %v, want a RejectError", err)
			}
			if !strings.Contains(rej.Reason, tt.wantReject) {
				t.Errorf("reason = %q, want it to contain %q", rej.Reason, tt.wantReject)
			}
			if alloc > 16<<20 {
				t.Errorf("allocated %d MB refusing a %d-byte file", alloc>>20, len(tt.data))
			}
		})
	}
}

// TestUnreadableFileIsRetried: a file Process cannot read (storage, not
// the entrant's bytes) is not refused, so the worker retries it.
func TestUnreadableFileIsRetried(t *testing.T) {
	_, err := Process(t.Context(), Input{Path: filepath.Join(t.TempDir(), "gone.jpg"), Kind: KindPhoto}, t.TempDir(), Options{})
	if _, refused := IsReject(err); refused || !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("err = %v, want a retryable error wrapping fs.ErrNotExist", err)
	}
}

func TestPhotoSpecs(t *testing.T) {
	specs := PhotoSpecs()
	if len(specs) != 3 || specs[0].Name != "preview" || specs[0].MaxSide != 2048 || specs[1].Name != "card" || specs[1].MaxSide != 800 || specs[1].From != "preview" || specs[2].Name != "thumb" || specs[2].MaxSide != 320 || specs[2].From != "card" {
		t.Fatalf("PhotoSpecs() = %+v", specs)
	}
	for i, s := range specs {
		if s.Quality < 1 || s.Quality > 100 {
			t.Errorf("spec %d quality %d", i, s.Quality)
		}
		if i > 0 && s.MaxSide >= specs[i-1].MaxSide {
			t.Errorf("specs not largest first: %+v", specs)
		}
	}
	specs[0].MaxSide = 1
	if PhotoSpecs()[0].MaxSide != 2048 {
		t.Error("PhotoSpecs returned shared state")
	}
}

type size struct{ w, h int }

// TestDeriveImage: the derivatives DeriveImage makes for Process.
func TestDeriveImage(t *testing.T) {
	transparent := image.NewNRGBA(image.Rect(0, 0, 400, 400))
	for x := 100; x < 300; x++ {
		transparent.Set(x, 200, color.NRGBA{R: 255, A: 255})
	}
	landscape := encodeJPEG(t, gradient(2100, 1050))

	tests := []struct {
		name       string
		data       []byte
		specs      []Spec
		maxPixels  int64
		want       []size // per rendition, largest first
		wantReject string
		check      func(t *testing.T, rs []Rendition)
	}{
		{
			name: "landscape jpeg", data: landscape, specs: PhotoSpecs(),
			want: []size{{2048, 1024}, {800, 400}, {320, 160}},
		},
		{
			name: "portrait png", data: encodePNG(t, gradient(400, 1200)), specs: PhotoSpecs(),
			want: []size{{400, 1200}, {267, 800}, {107, 320}},
		},
		{
			name: "between the sizes", data: encodeGIF(t, gradient(800, 600)), specs: PhotoSpecs(),
			want: []size{{800, 600}, {800, 600}, {320, 240}},
		},
		{
			name: "smaller than every spec is not enlarged", data: encodeJPEG(t, gradient(200, 100)), specs: PhotoSpecs(),
			want: []size{{200, 100}, {200, 100}, {200, 100}},
		},
		{
			name: "extreme aspect keeps one pixel", data: encodePNG(t, gradient(4000, 2)), specs: PhotoSpecs(),
			want: []size{{2048, 1}, {800, 1}, {320, 1}},
		},
		{
			name: "specs in any order come back largest first", data: encodeJPEG(t, gradient(1300, 650)),
			specs: []Spec{{Name: "small", MaxSide: 100, Quality: 70}, {Name: "big", MaxSide: 1200, Quality: 90}, {Name: "mid", MaxSide: 600, Quality: 80}},
			want:  []size{{1200, 600}, {600, 300}, {100, 50}},
			check: func(t *testing.T, rs []Rendition) {
				if rs[0].Name != "big" || rs[1].Name != "mid" || rs[2].Name != "small" {
					t.Errorf("names %s %s %s", rs[0].Name, rs[1].Name, rs[2].Name)
				}
			},
		},
		{
			name: "exif orientation applied and metadata dropped", data: withEXIF(t, encodeJPEG(t, gradient(800, 400)), 6, "Jane Entrant"),
			specs: PhotoSpecs(),
			want:  []size{{400, 800}, {400, 800}, {160, 320}},
			check: func(t *testing.T, rs []Rendition) {
				for _, r := range rs {
					if bytes.Contains(r.Data, []byte("Exif")) || bytes.Contains(r.Data, []byte("Jane Entrant")) {
						t.Errorf("%s still carries the EXIF block", r.Name)
					}
				}
			},
		},
		{
			name: "transparency becomes white", data: encodePNG(t, transparent), specs: []Spec{{Name: "only", MaxSide: 400, Quality: 95}},
			want: []size{{400, 400}},
			check: func(t *testing.T, rs []Rendition) {
				img, err := jpeg.Decode(bytes.NewReader(rs[0].Data))
				if err != nil {
					t.Fatal(err)
				}
				r, g, b, _ := img.At(10, 10).RGBA()
				if r>>8 < 240 || g>>8 < 240 || b>>8 < 240 {
					t.Errorf("transparent corner = %d,%d,%d, want white", r>>8, g>>8, b>>8)
				}
			},
		},
		{
			name: "too many pixels", data: landscape, specs: PhotoSpecs(), maxPixels: 2_000_000,
			wantReject: "This image is 2100×1050 pixels (2.2 megapixels); the limit is 2 megapixels.",
		},
		{
			name: "huge header is refused before decoding", data: pngHeader(20000, 20000), specs: PhotoSpecs(), maxPixels: 100_000_000,
			wantReject: "This image is 20000×20000 pixels (400 megapixels); the limit is 100 megapixels.",
		},
		{
			name: "truncated jpeg", data: landscape[:len(landscape)/2], specs: PhotoSpecs(),
			wantReject: "This JPEG image is damaged or incomplete",
		},
		{
			name: "random bytes", data: bytes.Repeat([]byte{0x13, 0x37, 0x00, 0xff}, 300), specs: PhotoSpecs(),
			wantReject: "not an image Tessera can read",
		},
		{
			name: "pdf", data: []byte("%PDF-1.7\n1 0 obj\n"), specs: PhotoSpecs(),
			wantReject: "it looks like application/pdf",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			max := tt.maxPixels
			if max == 0 {
				max = 50_000_000
			}
			res, err := DeriveImage(t.Context(), tt.data, ImageOptions{Specs: tt.specs, MaxPixels: max})
			if tt.wantReject != "" {
				rej, ok := IsReject(err)
				if !ok {
					t.Fatalf("err = %v, want a RejectError", err)
				}
				if !strings.Contains(rej.Reason, tt.wantReject) {
					t.Errorf("reason = %q, want it to contain %q", rej.Reason, tt.wantReject)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			rs := res.Renditions
			if len(rs) != len(tt.want) {
				t.Fatalf("%d renditions, want %d", len(rs), len(tt.want))
			}
			for i, r := range rs {
				if r.Width != tt.want[i].w || r.Height != tt.want[i].h {
					t.Errorf("%s: %d×%d, want %d×%d", r.Name, r.Width, r.Height, tt.want[i].w, tt.want[i].h)
				}
				if r.ContentType != "image/jpeg" {
					t.Errorf("%s: content type %q", r.Name, r.ContentType)
				}
				cfg, format, err := image.DecodeConfig(bytes.NewReader(r.Data))
				if err != nil || format != "jpeg" || cfg.Width != r.Width || cfg.Height != r.Height {
					t.Errorf("%s: data decodes as %s %d×%d (%v)", r.Name, format, cfg.Width, cfg.Height, err)
				}
			}
			if tt.check != nil {
				tt.check(t, rs)
			}
		})
	}
}

func TestDeriveImageReportsOrientedSize(t *testing.T) {
	res, err := DeriveImage(t.Context(), withEXIF(t, encodeJPEG(t, gradient(300, 100)), 8, "x"), ImageOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Width != 100 || res.Height != 300 || res.Format != "jpeg" || res.Orientation != 8 {
		t.Errorf("DeriveImage = %d×%d %s (orientation %d), want 100×300 jpeg (8)", res.Width, res.Height, res.Format, res.Orientation)
	}
}

// TestDeriveImageRejectsBadSpecs: a bad derivative table is the program's
// fault, not the file's: never a refusal the entrant would see.
func TestDeriveImageRejectsBadSpecs(t *testing.T) {
	jpg := encodeJPEG(t, gradient(10, 10))
	for _, specs := range [][]Spec{
		{{Name: "", MaxSide: 10, Quality: 80}},
		{{Name: "x", MaxSide: 0, Quality: 80}},
		{{Name: "x", MaxSide: 10, Quality: 0}},
		{{Name: "x", MaxSide: 10, Quality: 101}},
		{{Name: "big", MaxSide: 100, Quality: 80, From: "small"}, {Name: "small", MaxSide: 10, Quality: 80}},
	} {
		_, err := DeriveImage(t.Context(), jpg, ImageOptions{Specs: specs})
		if _, refused := IsReject(err); err == nil || refused {
			t.Errorf("specs %+v: err = %v, want a programming error", specs, err)
		}
	}
}
