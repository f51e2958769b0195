package media

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"testing"
)

func ftyp(major string, compatible ...string) []byte {
	var b bytes.Buffer
	size := 16 + 4*len(compatible)
	b.Write([]byte{0, 0, byte(size >> 8), byte(size)})
	b.WriteString("ftyp")
	b.WriteString(major)
	b.Write([]byte{0, 0, 0, 0})
	for _, c := range compatible {
		b.WriteString(c)
	}
	b.Write(make([]byte, 16)) // the next box
	return b.Bytes()
}

func TestSniff(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 4, 4))
	img.Set(1, 1, color.RGBA{R: 200, A: 255})
	var jpg, pngb bytes.Buffer
	if err := jpeg.Encode(&jpg, img, nil); err != nil {
		t.Fatal(err)
	}
	if err := png.Encode(&pngb, img); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name string
		head []byte
		want string
	}{
		{"jpeg", jpg.Bytes(), "image/jpeg"},
		{"png", pngb.Bytes(), "image/png"},
		{"gif", []byte("GIF89a\x01\x00\x01\x00"), "image/gif"},
		{"webp", []byte("RIFF\x24\x00\x00\x00WEBPVP8L\x00\x00"), "image/webp"},
		{"tiff little-endian", []byte("II*\x00\x08\x00\x00\x00"), "image/tiff"},
		{"tiff big-endian", []byte("MM\x00*\x00\x00\x00\x08"), "image/tiff"},
		{"bigtiff little-endian", []byte("II+\x00\x08\x00\x00\x00\x10\x00\x00\x00\x00\x00\x00\x00"), "image/tiff"},
		{"bigtiff big-endian", []byte("MM\x00+\x00\x08\x00\x00\x00\x00\x00\x00\x00\x00\x00\x10"), "image/tiff"},
		{"heic", ftyp("heic", "mif1", "heic"), "image/heic"},
		{"heix", ftyp("heix", "mif1"), "image/heic"},
		{"mif1 with heic brand", ftyp("mif1", "heic", "mif1"), "image/heic"},
		{"mif1 alone", ftyp("mif1", "mif1"), "image/heif"},
		{"heic claiming mp4 compatibility", ftyp("heic", "mp41", "heic"), "image/heic"},
		{"avif", ftyp("avif", "mif1", "miaf"), "image/avif"},
		{"mp4 isom", ftyp("isom", "isom", "iso2", "avc1", "mp41"), "video/mp4"},
		{"mp4 mp42", ftyp("mp42", "mp42", "isom"), "video/mp4"},
		{"quicktime", ftyp("qt  ", "qt  "), "video/quicktime"},
		{"webm", []byte{0x1A, 0x45, 0xDF, 0xA3, 0x9F, 0x42, 0x86, 0x81, 0x01}, "video/webm"},
		{"pdf", []byte("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"), "application/pdf"},
		{"text", []byte("An essay about light.\n"), "text/plain; charset=utf-8"},
		{"empty", nil, "text/plain; charset=utf-8"},
		{"unknown binary", []byte{0x00, 0x01, 0x02, 0x03, 0xff, 0xfe}, "application/octet-stream"},
		{"truncated ftyp", []byte("\x00\x00\x00\x18ftypqt"), "application/octet-stream"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Sniff(tt.head); got != tt.want {
				t.Errorf("Sniff = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestSniffLooksOnlyAtHead(t *testing.T) {
	long := append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte{0}, 10*SniffLen)...)
	if got := Sniff(long); got != "application/pdf" {
		t.Errorf("Sniff(long pdf) = %q", got)
	}
}
