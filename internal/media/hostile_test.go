package media

import (
	"bytes"
	"encoding/binary"
	"io"
	"strings"
	"testing"
)

// gifHeader is a GIF logical screen claiming w×h with one image of the
// same size and no pixel data.
func gifHeader(w, h uint16) []byte {
	var b bytes.Buffer
	b.WriteString("GIF89a")
	_ = binary.Write(&b, binary.LittleEndian, []uint16{w, h})
	b.Write([]byte{0x00, 0, 0})       // no global colour table
	b.Write([]byte{0x2C, 0, 0, 0, 0}) // image descriptor at 0,0
	_ = binary.Write(&b, binary.LittleEndian, []uint16{w, h})
	b.Write([]byte{0x80, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff}) // local colour table of 2
	b.Write([]byte{0x02, 0x02, 0x44, 0x01, 0x00, 0x3B})
	return b.Bytes()
}

// jpegClaiming patches a small JPEG's frame header to claim w×h.
func jpegClaiming(t *testing.T, w, h uint16) []byte {
	data := encodeJPEG(t, gradient(16, 16))
	for i := 2; i+9 < len(data); i++ {
		if data[i] == 0xFF && data[i+1] == 0xC0 {
			binary.BigEndian.PutUint16(data[i+5:], h)
			binary.BigEndian.PutUint16(data[i+7:], w)
			return data
		}
	}
	t.Fatal("no SOF0")
	return nil
}

type repeatReader byte

func (r repeatReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(r)
	}
	return len(p), nil
}

// TestHostileFiles feeds the pipeline the files of issue item 7: each must
// be refused with a reason a person understands, without panicking and
// without allocating anywhere near what the file claims.
func TestHostileFiles(t *testing.T) {
	photo := encodeJPEG(t, gradient(640, 480))
	bomb := makeDOCX(t, nil, io.MultiReader(
		strings.NewReader(`<w:document xmlns:w="w"><w:body><w:p><w:r><w:t>`),
		io.LimitReader(repeatReader(' '), 40<<20),
		strings.NewReader(`</w:t></w:r></w:p></w:body></w:document>`)))
	tests := []struct {
		name   string
		kind   Kind
		file   string
		data   []byte
		ct     string // forced content type ("" sniffs)
		needs  []string
		reason string
	}{
		{name: "png claiming 100000×100000", kind: KindPhoto, file: "huge.png", data: pngHeader(100000, 100000),
			reason: "This image is 100000×100000 pixels (10000 megapixels); the limit is 100 megapixels."},
		{name: "gif claiming 65535×65535", kind: KindPhoto, file: "huge.gif", data: gifHeader(65535, 65535),
			reason: "This image is 65535×65535 pixels (4294.8 megapixels); the limit is 100 megapixels."},
		{name: "tiny jpeg declaring huge dimensions", kind: KindPhoto, file: "tiny.jpg", data: jpegClaiming(t, 60000, 50000),
			reason: "This image is 60000×50000 pixels (3000 megapixels); the limit is 100 megapixels."},
		{name: "tiff whose first IFD is 3.8 GB past its 15 bytes", kind: KindPhoto, file: "bomb.tif", data: tiffBomb,
			reason: "This TIFF image is damaged or incomplete"},
		{name: "the same as a mural design", kind: KindMural, file: "bomb.tif", data: tiffBomb,
			reason: "This TIFF image is damaged or incomplete"},
		{name: "tiff declaring 4 G strip offsets", kind: KindMural, file: "count.tif", data: tiffWithEntry(binary.BigEndian, 273, 3, 0xffffffe3, 16),
			reason: "This TIFF image is damaged or incomplete"},
		{name: "truncated jpeg", kind: KindPhoto, file: "cut.jpg", data: photo[:len(photo)/2],
			reason: "This JPEG image is damaged or incomplete"},
		{name: "html named .jpg", kind: KindPhoto, file: "page.jpg", data: []byte("<!DOCTYPE html><html><script>alert(1)</script></html>"),
			reason: "not an image Tessera can read (it looks like text/html)"},
		{name: "zero bytes", kind: KindPhoto, file: "empty.jpg", data: nil, reason: "This file is empty (0 bytes)."},
		{name: "hls playlist named .mp4", kind: KindVideo, file: "v.mp4", data: []byte("#EXTM3U\n#EXTINF:10,\nhttp://127.0.0.1:1/x.ts\nfile:///etc/passwd\n"),
			reason: "This file is a playlist or text, not a video"},
		{name: "hls playlist claimed to be mp4", kind: KindVideo, file: "v.mp4", ct: "video/mp4", needs: []string{"ffprobe"},
			data:   []byte("#EXTM3U\n#EXTINF:10,\nhttp://127.0.0.1:1/x.ts\nfile:///etc/passwd\n"),
			reason: "This video could not be read; it may be damaged, incomplete or not really a video"},
		{name: "concat list claimed to be quicktime", kind: KindVideo, file: "v.mov", ct: "video/quicktime", needs: []string{"ffprobe"},
			data:   []byte("ffconcat version 1.0\nfile '/etc/passwd'\n"),
			reason: "This video could not be read; it may be damaged, incomplete or not really a video"},
		{name: "zip bomb as docx", kind: KindEssay, file: "bomb.docx", data: bomb,
			reason: "looks like a ZIP bomb"},
		{name: "pdf with thousands of pages", kind: KindEssay, file: "long.pdf", data: makePDF(5000, []string{"x"}, "a"), needs: []string{"pdfinfo"},
			reason: "This PDF has 5000 pages; at most 200 are accepted here."},
		{name: "video in a photo category", kind: KindPhoto, file: "x.jpg", data: []byte("\x00\x00\x00\x18ftypisom\x00\x00\x00\x00isomavc1"),
			reason: "it looks like video/mp4"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			needTools(t, tt.needs...)
			path := writeFile(t, tt.file, tt.data)
			var err error
			alloc := allocatedDuring(func() {
				_, err = Process(t.Context(), Input{Path: path, ContentType: tt.ct, Kind: tt.kind, FileName: tt.file}, t.TempDir(), Options{})
			})
			rej, ok := IsReject(err)
			if !ok {
				t.Fatalf("err = %v, want a refusal", err)
			}
			if !strings.Contains(rej.Reason, tt.reason) {
				t.Errorf("reason %q, want it to contain %q", rej.Reason, tt.reason)
			}
			if strings.Contains(rej.Reason, path) || strings.Contains(rej.Reason, "0x") {
				t.Errorf("reason %q shows machine details", rej.Reason)
			}
			if alloc > 64<<20 {
				t.Errorf("allocated %d MB refusing it", alloc>>20)
			}
		})
	}
}
