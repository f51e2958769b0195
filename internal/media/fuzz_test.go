package media

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/gif"
	"image/jpeg"
	"image/png"
	"strings"
	"testing"
)

func fuzzSeeds(f *testing.F) {
	img := gradient(8, 6)
	var jpg, pngb, gifb bytes.Buffer
	_ = encodeInto(&jpg, "jpeg", img)
	_ = encodeInto(&pngb, "png", img)
	_ = encodeInto(&gifb, "gif", img)
	for _, s := range [][]byte{
		jpg.Bytes(), pngb.Bytes(), gifb.Bytes(),
		pngHeader(100000, 100000), gifHeader(65535, 65535),
		[]byte("RIFF\x24\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00\x2f\x07\xc0\x01\x00"),
		[]byte("II*\x00\x08\x00\x00\x00\x01\x00\x00\x01\x03\x00\x01\x00\x00\x00\x10\x00\x00\x00"),
		tiffBomb, []byte("MM\x00*\xe3\x00\x03\x01\xff\xff\xff\x10\x00\x00\xff"),
		tiffWithEntry(binary.LittleEndian, 273, 3, 0xffffffe3, 16), rawTIFF(binary.BigEndian, gradient(8, 6)),
		[]byte("II+\x00\x08\x00\x00\x00\x10\x00\x00\x00\x00\x00\x00\x00"),
		[]byte("BM\x3a\x00\x00\x00\x00\x00\x00\x00\x36\x00\x00\x00\x28\x00\x00\x00\xff\xff\x00\x00\xff\xff\x00\x00\x01\x00\x18\x00"),
		[]byte("%PDF-1.7\n"), []byte("PK\x03\x04\x14\x00word/document.xml"), []byte("#EXTM3U\n"),
		[]byte("\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic"), []byte("\x1aE\xdf\xa3"), nil,
	} {
		f.Add(s)
	}
}

func encodeInto(b *bytes.Buffer, format string, img image.Image) error {
	switch format {
	case "jpeg":
		return jpegEncode(b, img)
	case "png":
		return pngEncode(b, img)
	}
	return gifEncode(b, img)
}

// FuzzSniff: Sniff never panics, always names a type, and looks only at
// its first SniffLen bytes.
func FuzzSniff(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		ct := Sniff(data)
		if ct == "" || !strings.Contains(ct, "/") {
			t.Fatalf("Sniff = %q", ct)
		}
		if len(data) > SniffLen && Sniff(data[:SniffLen]) != ct {
			t.Fatalf("Sniff looked past SniffLen")
		}
		if Sniff(append(bytes.Clone(data), bytes.Repeat([]byte{0}, SniffLen)...)[:max(len(data), SniffLen)]) == "" {
			t.Fatal("empty type")
		}
	})
}

// FuzzDeriveImage: DeriveImage, which Process runs on every photo and
// mural design, never panics on any file, refuses what it cannot take with
// a *RejectError that has a reason (never another error: the bytes are in
// memory), never passes a picture over the pixel cap, and allocates no
// more than a picture at the cap needs, whatever the file claims.
func FuzzDeriveImage(f *testing.F) {
	fuzzSeeds(f)
	const limit = 4_000_000
	f.Fuzz(func(t *testing.T, data []byte) {
		var res Result
		var err error
		alloc := allocatedDuring(func() {
			res, err = DeriveImage(t.Context(), data, ImageOptions{MaxPixels: limit, Specs: []Spec{{Name: "t", MaxSide: 16, Quality: 50}}, Judge: true})
		})
		if alloc > 256<<20 {
			t.Fatalf("allocated %d MB for a %d-byte file", alloc>>20, len(data))
		}
		if err != nil {
			if rej, ok := IsReject(err); !ok || rej.Reason == "" {
				t.Fatalf("err = %v, want a *RejectError with a reason", err)
			}
			return
		}
		if res.Width <= 0 || res.Height <= 0 || int64(res.Width)*int64(res.Height) > limit || res.Format == "" || len(res.Renditions) != 2 {
			t.Fatalf("passed %d×%d %q with %d renditions", res.Width, res.Height, res.Format, len(res.Renditions))
		}
	})
}

// FuzzStripJPEG: the lossless metadata strippers that make JPEG and PNG
// judge copies never panic, and what they finish is a whole JPEG or PNG;
// nor do the readers of embedded colour profiles, which never return more
// than maxICCSize.
func FuzzStripJPEG(f *testing.F) {
	fuzzSeeds(f)
	p3 := standardSpaces()[0].iccProfile()
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, format := range []string{"jpeg", "png", "webp", "tiff"} {
			if p, _ := embeddedICC(data, format); len(p) > maxICCSize {
				t.Fatalf("%s profile of %d bytes", format, len(p))
			}
		}
		_ = JPEGOrientation(data)
		var out bytes.Buffer
		if err := stripJPEG(&out, data, 6, p3); err == nil && (!bytes.HasPrefix(out.Bytes(), []byte{0xFF, 0xD8}) || !bytes.HasSuffix(out.Bytes(), []byte{0xFF, 0xD9})) {
			t.Fatalf("stripped output is not a JPEG")
		}
		out.Reset()
		if err := stripPNG(&out, data, pngColour{replace: true, iccp: iccpChunk("Display P3", p3)}); err == nil && (!bytes.HasPrefix(out.Bytes(), pngSignature) || !bytes.Contains(out.Bytes()[len(pngSignature):], []byte("IEND"))) {
			t.Fatalf("stripped output is not a PNG")
		}
	})
}

func jpegEncode(b *bytes.Buffer, img image.Image) error { return jpeg.Encode(b, img, nil) }
func pngEncode(b *bytes.Buffer, img image.Image) error  { return png.Encode(b, img) }
func gifEncode(b *bytes.Buffer, img image.Image) error  { return gif.Encode(b, img, nil) }
