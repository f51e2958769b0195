package media

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/png"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/image/tiff"
)

// tiffBomb is a 15-byte TIFF whose first IFD is said to start 3.8 GB in:
// golang.org/x/image/tiff alone allocates 4 GB reading its header.
var tiffBomb = []byte("II*\x00\x01\x03\x00\xe3\xff\xff\xff\x10\x00\x00\xff")

// byteOrder reads and appends in one byte order.
type byteOrder interface {
	binary.ByteOrder
	binary.AppendByteOrder
}

// rawTIFF is an uncompressed TIFF of img as three 8-bit RGB samples in
// one strip, in byte order bo, laid out as scanners write them: header,
// pixels, BitsPerSample's values, then the IFD.
func rawTIFF(bo byteOrder, img image.Image) []byte {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	out := []byte("II*\x00\x00\x00\x00\x00")
	if bo == binary.BigEndian {
		copy(out, "MM\x00*")
	}
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			out = append(out, byte(r>>8), byte(g>>8), byte(bl>>8))
		}
	}
	bps := len(out)
	out = bo.AppendUint16(bo.AppendUint16(bo.AppendUint16(out, 8), 8), 8)
	if len(out)%2 == 1 {
		out = append(out, 0)
	}
	bo.PutUint32(out[4:], uint32(len(out)))
	entries := [][4]uint32{ // tag, type, count, value
		{256, 4, 1, uint32(w)},
		{257, 4, 1, uint32(h)},
		{258, 3, 3, uint32(bps)},
		{259, 3, 1, 1}, // no compression
		{262, 3, 1, 2}, // RGB
		{273, 4, 1, 8},
		{277, 3, 1, 3},
		{278, 4, 1, uint32(h)},
		{279, 4, 1, uint32(w * h * 3)},
	}
	out = bo.AppendUint16(out, uint16(len(entries)))
	for _, e := range entries {
		out = bo.AppendUint16(bo.AppendUint16(out, uint16(e[0])), uint16(e[1]))
		out = bo.AppendUint32(out, e[2])
		if e[1] == 3 && e[2] == 1 {
			out = bo.AppendUint16(bo.AppendUint16(out, uint16(e[3])), 0)
		} else {
			out = bo.AppendUint32(out, e[3])
		}
	}
	return bo.AppendUint32(out, 0) // no next IFD
}

// tiffOrder is the byte order of a TIFF made by rawTIFF.
func tiffOrder(data []byte) binary.ByteOrder {
	if data[0] == 'M' {
		return binary.BigEndian
	}
	return binary.LittleEndian
}

// patchTIFFEntry returns a copy of the TIFF in data whose first IFD's
// entry for tag has been changed by fn (given the 12 bytes of the entry).
func patchTIFFEntry(t *testing.T, data []byte, tag uint16, fn func(bo binary.ByteOrder, e []byte)) []byte {
	t.Helper()
	data = bytes.Clone(data)
	bo := tiffOrder(data)
	off := bo.Uint32(data[4:])
	for i := range uint32(bo.Uint16(data[off:])) {
		e := data[off+2+12*i : off+14+12*i]
		if bo.Uint16(e) == tag {
			fn(bo, e)
			return data
		}
	}
	t.Fatalf("no tag %d", tag)
	return nil
}

// setTIFFEntryCount returns a copy of the TIFF in data whose first IFD
// says it has n entries.
func setTIFFEntryCount(data []byte, n uint16) []byte {
	data = bytes.Clone(data)
	bo := tiffOrder(data)
	bo.PutUint16(data[bo.Uint32(data[4:]):], n)
	return data
}

// tiffWithEntry is a TIFF header and a first IFD holding one entry.
func tiffWithEntry(bo byteOrder, tag, typ uint16, count, value uint32) []byte {
	out := []byte("II*\x00")
	if bo == binary.BigEndian {
		out = []byte("MM\x00*")
	}
	out = bo.AppendUint16(bo.AppendUint32(out, 8), 1)
	out = bo.AppendUint16(bo.AppendUint16(out, tag), typ)
	out = bo.AppendUint32(bo.AppendUint32(out, count), value)
	return bo.AppendUint32(out, 0)
}

// TestHostileTIFFHeaders: TIFFs whose first IFD points outside the file,
// declares more data than the file holds, or is cut short are refused
// as damaged (a BigTIFF by name) before the decoder reads them, and
// refusing each costs next to no memory, whatever it claims.
func TestHostileTIFFHeaders(t *testing.T) {
	le, be := binary.LittleEndian, binary.BigEndian
	valid := rawTIFF(le, gradient(64, 48))
	validBE := rawTIFF(be, gradient(64, 48))
	tests := []struct {
		name   string
		data   []byte
		reason string
	}{
		{"IFD 3.8 GB past the end of 15 bytes", tiffBomb, reasonTIFFDamaged},
		{"IFD 3.8 GB past the end, big-endian", []byte("MM\x00*\xe3\x00\x03\x01\xff\xff\xff\x10\x00\x00\xff"), reasonTIFFDamaged},
		{"an entry declaring 4 G strip offsets", tiffWithEntry(le, 273, 3, 0xffffffe3, 16), reasonTIFFDamaged},
		{"4 G strip offsets, big-endian", tiffWithEntry(be, 273, 3, 0xffffffe3, 16), reasonTIFFDamaged},
		{"an entry of a tag nobody reads declaring 4 GB", tiffWithEntry(le, 700, 1, 0xffffffff, 16), reasonTIFFDamaged},
		{"header only", []byte("II*\x00"), reasonTIFFDamaged},
		{"IFD offset inside the header", append([]byte("MM\x00*\x00\x00\x00\x04"), validBE[8:]...), reasonTIFFDamaged},
		{"cut short in its IFD", valid[:len(valid)-20], reasonTIFFDamaged},
		{"cut short, big-endian", validBE[:len(validBE)-20], reasonTIFFDamaged},
		{"65535 entries", setTIFFEntryCount(valid, 0xffff), reasonTIFFDamaged},
		{"1001 entries", setTIFFEntryCount(valid, maxTIFFEntries+1), reasonTIFFDamaged},
		{"no entries", setTIFFEntryCount(validBE, 0), reasonTIFFDamaged},
		{"BitsPerSample values past the end", patchTIFFEntry(t, valid, 258, func(bo binary.ByteOrder, e []byte) { bo.PutUint32(e[8:], uint32(len(valid)-2)) }), reasonTIFFDamaged},
		{"strip offset past the end", patchTIFFEntry(t, validBE, 273, func(bo binary.ByteOrder, e []byte) { bo.PutUint32(e[8:], uint32(len(validBE)+5)) }), reasonTIFFDamaged},
		{"strip longer than the file", patchTIFFEntry(t, valid, 279, func(bo binary.ByteOrder, e []byte) { bo.PutUint32(e[8:], 0xfffffff0) }), reasonTIFFDamaged},
		{"image width of an unknown type", patchTIFFEntry(t, valid, 256, func(bo binary.ByteOrder, e []byte) { bo.PutUint16(e[2:], 99) }), reasonTIFFDamaged},
		{"4 M strip offsets, all in the file", patchTIFFEntry(t, append(bytes.Clone(valid), make([]byte, maxTIFFValues)...), 273, func(bo binary.ByteOrder, e []byte) {
			bo.PutUint16(e[2:], 1) // BYTE
			bo.PutUint32(e[4:], maxTIFFValues+1)
			bo.PutUint32(e[8:], 0)
		}), reasonTIFFDamaged},
		{"BigTIFF", []byte("II+\x00\x08\x00\x00\x00\x10\x00\x00\x00\x00\x00\x00\x00"), reasonBigTIFF},
		{"BigTIFF, big-endian", []byte("MM\x00+\x00\x08\x00\x00\x00\x00\x00\x00\x00\x00\x00\x10"), reasonBigTIFF},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			alloc := allocatedDuring(func() {
				_, err = DeriveImage(t.Context(), tt.data, ImageOptions{Judge: true})
			})
			rej, ok := IsReject(err)
			if !ok {
				t.Fatalf("err = %v, want a refusal", err)
			}
			if rej.Reason != tt.reason {
				t.Errorf("reason %q, want %q", rej.Reason, tt.reason)
			}
			if alloc > 16<<20 {
				t.Errorf("allocated %d MB refusing a %d-byte file", alloc>>20, len(tt.data))
			}
		})
	}
}

// gradient16 is an opaque w×h 16-bit image whose low bytes vary too, so
// that a copy cut to 8 bits would show.
func gradient16(w, h int) *image.RGBA64 {
	img := image.NewRGBA64(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.SetRGBA64(x, y, color.RGBA64{R: uint16(x * 65535 / w), G: uint16(y*65535/h) | 0x0101, B: 0x1234 + uint16(x+y), A: 0xffff})
		}
	}
	return img
}

func encodeTIFF(t *testing.T, img image.Image, opt *tiff.Options) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := tiff.Encode(&b, img, opt); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestValidTIFFs: the header check lets real TIFFs through, in either byte
// order, 8 or 16 bits, compressed or not, and their judge copy has exactly
// their pixels.
func TestValidTIFFs(t *testing.T) {
	rgb := gradient(300, 200)
	deep := gradient16(300, 200)
	grey := image.NewGray(image.Rect(0, 0, 300, 200))
	for i := range grey.Pix {
		grey.Pix[i] = uint8(i)
	}
	tests := []struct {
		name string
		data []byte
		want image.Image
	}{
		{"8-bit RGB, little-endian", rawTIFF(binary.LittleEndian, rgb), rgb},
		{"8-bit RGB, big-endian", rawTIFF(binary.BigEndian, rgb), rgb},
		{"8-bit RGBA", encodeTIFF(t, rgb, nil), rgb},
		{"8-bit RGBA, deflate with predictor", encodeTIFF(t, rgb, &tiff.Options{Compression: tiff.Deflate, Predictor: true}), rgb},
		{"16-bit RGBA", encodeTIFF(t, deep, nil), deep},
		{"16-bit RGBA, deflate", encodeTIFF(t, deep, &tiff.Options{Compression: tiff.Deflate}), deep},
		{"8-bit grey", encodeTIFF(t, grey, nil), grey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := DeriveImage(t.Context(), tt.data, ImageOptions{Judge: true})
			if err != nil {
				t.Fatal(err)
			}
			if res.Width != 300 || res.Height != 200 || res.Format != "tiff" {
				t.Fatalf("read as %d×%d %s, want 300×200 tiff", res.Width, res.Height, res.Format)
			}
			judge := renditionNamed(t, res, NameJudge)
			img, err := png.Decode(bytes.NewReader(judge.Data))
			if err != nil {
				t.Fatalf("judge copy (%s): %v", judge.ContentType, err)
			}
			for y := 0; y < 200; y += 7 {
				for x := 0; x < 300; x += 11 {
					r1, g1, b1, a1 := img.At(x, y).RGBA()
					r2, g2, b2, a2 := tt.want.At(x, y).RGBA()
					if r1 != r2 || g1 != g2 || b1 != b2 || a1 != a2 {
						t.Fatalf("judge copy at %d,%d is %04x %04x %04x %04x, want %04x %04x %04x %04x", x, y, r1, g1, b1, a1, r2, g2, b2, a2)
					}
				}
			}
		})
	}
}

// TestTIFFsFromVips: TIFFs as an image editor writes them (many strips,
// tiles, LZW, PackBits, 16 bits) go through Process; a BigTIFF is refused
// with a reason that says what to do.
func TestTIFFsFromVips(t *testing.T) {
	needTools(t, "vips")
	src := writeFile(t, "src.png", encodePNG(t, gradient(300, 200)))
	tests := []struct {
		name, out string
		args      []string
		reason    string
	}{
		{name: "strips", out: "strips.tif"},
		{name: "tiled deflate", out: "tiled.tif[tile,tile-width=64,tile-height=64,compression=deflate]"},
		{name: "lzw", out: "lzw.tif[compression=lzw]"},
		{name: "packbits", out: "packbits.tif[compression=packbits]"},
		{name: "16-bit", out: "deep.tif", args: []string{"colourspace", src, "", "rgb16"}},
		{name: "bigtiff", out: "big.tif[bigtiff]", reason: "This TIFF image is a BigTIFF, which Tessera cannot read."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), tt.out)
			args := []string{"copy", src, out}
			if tt.args != nil {
				args = append([]string{}, tt.args...)
				args[2] = out
			}
			run(t, "vips", args...)
			path, _, _ := strings.Cut(out, "[")
			rep, _, err := processFile(t, path, KindMural, Options{})
			if tt.reason != "" {
				if rej, ok := IsReject(err); !ok || !strings.Contains(rej.Reason, tt.reason) {
					t.Fatalf("err = %v, want a refusal saying %q", err, tt.reason)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if rep.Format != "tiff" || rep.Width != 300 || rep.Height != 200 {
				t.Errorf("read as %d×%d %s, want 300×200 tiff", rep.Width, rep.Height, rep.Format)
			}
			if _, ok := rep.Output(NameJudge); !ok {
				t.Error("no judge copy")
			}
		})
	}
}
