package stack

import (
	"archive/zip"
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tessera/tessera/internal/testenv"
)

// The entrant of TestBlindScan and everything that identifies her. None of
// it may ever reach a judge of a blind round.
const (
	scanName      = "Zoubida Ouarzazi"
	scanFirstName = "Zoubida"
	scanSurname   = "Ouarzazi"
	scanEmail     = "zo.weaver@tissage-atlas.example"
	scanOrg       = "Cooperative Tissage Atlas"
	scanCountry   = "MA"
	scanCountryEn = "Morocco"
	scanPhone     = "+212 524 88 31 07"
	scanAddress   = "Derb Lalla Aicha 12, Ouarzazate"
	scanSerial    = "OZ93016628"
	scanGPSLat    = 30.9189 // N
	scanGPSLon    = 6.8934  // W
	scanGPSLatDMS = "30 deg 55'"
	scanGPSLonDMS = "6 deg 53'"
	scanICCDesc   = "Zoubida Ouarzazi calibrated sRGB"
	scanICCCopy   = "Copyright 2019 Zoubida Ouarzazi, Cooperative Tissage Atlas"
)

// Dates planted in the files' metadata (each file its own, so a finding
// tells which file leaked).
var scanPlanted = map[string]string{
	"2019-07-14": "JPEG EXIF DateTimeOriginal",
	"2018-03-09": "PNG tIME/tEXt creation time",
	"2020-11-22": "MP4 creation_time",
	"2017-05-06": "PDF CreationDate",
	"2016-02-28": "DOCX dcterms:created",
}

// scanUpload is one file the entrant uploads, with the name it had on her
// phone.
type scanUpload struct {
	medium, name, contentType, title string
	data                             []byte
}

// scanTools are the programs the scan needs: the media pipeline's and
// exiftool, which reads what a curious judge would read from a file.
var scanTools = []string{"exiftool", "ffmpeg", "ffprobe", "pdftoppm", "pdftotext", "pdfinfo"}

// needTools fails (under make test) or skips the test when a tool is
// missing.
func needTools(t *testing.T) {
	t.Helper()
	for _, tool := range scanTools {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("TESSERA_TEST_REQUIRE_SERVICES") == "1" {
				t.Fatalf("%s is not installed: make test must install it before running this test", tool)
			}
			t.Skipf("%s not installed: run `make test` to run this test with every tool", tool)
		}
	}
}

// scanFiles makes the entrant's five files, each carrying identifying
// metadata the way real cameras, phones and office programs write it.
func scanFiles(t *testing.T) []scanUpload {
	t.Helper()
	dir := t.TempDir()
	icc := iccProfile(scanICCDesc, scanICCCopy)
	return []scanUpload{
		{"photo", scanSurname + "_tapis_aube.jpg", "image/jpeg", "Carpet at dawn", scanJPEG(t, dir, icc)},
		{"mural", scanSurname + "_mur_indigo.png", "image/png", "Indigo wall", scanPNG(t, icc)},
		{"mural", scanSurname + "_fresque_souk.pdf", "application/pdf", "Souk fresco", scanPDF()},
		{"video", scanSurname + "_metier_a_tisser.mp4", "video/mp4", "The loom at work", scanMP4(t, dir)},
		{"essay", scanSurname + "_recit_laine.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "A story of wool", scanDOCX(t)},
	}
}

// scanStems are the distinctive parts of the original file names.
func scanStems(files []scanUpload) []string {
	var out []string
	for _, f := range files {
		out = append(out, f.name, strings.TrimSuffix(strings.TrimPrefix(f.name, scanSurname+"_"), filepath.Ext(f.name)))
	}
	return out
}

// testPicture is a small picture with some structure, so encoders and
// perceptual hashes have something to work on.
func testPicture(w, h int, shift uint8) image.Image {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{uint8(x*255/w) + shift, uint8(y*255/h) ^ shift, uint8((x + y) % 256), 255})
		}
	}
	return img
}

// scanJPEG writes a JPEG, then has exiftool write into it what a phone
// does: EXIF artist, owner, camera serial, dates and GPS, XMP and IPTC
// creator, a comment, and an ICC profile naming the entrant.
func scanJPEG(t *testing.T, dir string, icc []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, testPicture(480, 360, 0), &jpeg.Options{Quality: 85}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "photo.jpg")
	iccPath := filepath.Join(dir, "entrant.icc")
	if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(iccPath, icc, 0o600); err != nil {
		t.Fatal(err)
	}
	args := []string{"-q", "-overwrite_original",
		"-EXIF:Artist=" + scanName, "-EXIF:Copyright=" + scanOrg, "-EXIF:OwnerName=" + scanName,
		"-EXIF:SerialNumber=" + scanSerial, "-EXIF:Make=Tessera Test", "-EXIF:Model=Loom Cam",
		"-EXIF:DateTimeOriginal=2019:07:14 10:32:05", "-EXIF:CreateDate=2019:07:14 10:32:05", "-EXIF:ModifyDate=2019:07:14 10:32:05",
		fmt.Sprintf("-GPSLatitude=%v", scanGPSLat), "-GPSLatitudeRef=N", fmt.Sprintf("-GPSLongitude=%v", scanGPSLon), "-GPSLongitudeRef=W",
		"-XMP-dc:Creator=" + scanName, "-XMP-photoshop:Country=" + scanCountryEn, "-IPTC:By-line=" + scanName,
		"-Comment=Woven by " + scanName + ", " + scanEmail,
		"-ICC_Profile<=" + iccPath, path}
	if out, err := exec.Command("exiftool", args...).CombinedOutput(); err != nil {
		t.Fatalf("exiftool writing the photo's metadata: %v\n%s", err, out)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// scanPNG writes a PNG with an iCCP profile named after the entrant,
// tEXt Author, Copyright and Creation Time, and a tIME chunk.
func scanPNG(t *testing.T, icc []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, testPicture(400, 300, 60)); err != nil {
		t.Fatal(err)
	}
	raw := b.Bytes()
	// After the signature (8) and IHDR (4+4+13+4) come the extra chunks.
	const ihdrEnd = 8 + 25
	var extra bytes.Buffer
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	_, _ = zw.Write(icc)
	_ = zw.Close()
	pngChunk(&extra, "iCCP", append(append([]byte(scanName), 0, 0), z.Bytes()...))
	pngChunk(&extra, "tEXt", []byte("Author\x00"+scanName))
	pngChunk(&extra, "tEXt", []byte("Copyright\x00"+scanOrg))
	pngChunk(&extra, "tEXt", []byte("Creation Time\x002018:03:09 08:41:27"))
	pngChunk(&extra, "tIME", []byte{0x07, 0xe2, 3, 9, 8, 41, 27})
	out := append([]byte{}, raw[:ihdrEnd]...)
	out = append(out, extra.Bytes()...)
	return append(out, raw[ihdrEnd:]...)
}

func pngChunk(w *bytes.Buffer, typ string, data []byte) {
	_ = binary.Write(w, binary.BigEndian, uint32(len(data)))
	w.WriteString(typ)
	w.Write(data)
	crc := crc32.NewIEEE()
	crc.Write([]byte(typ))
	crc.Write(data)
	_ = binary.Write(w, binary.BigEndian, crc.Sum32())
}

// iccProfile builds a small ICC v2 display profile whose description and
// copyright are the given texts, as calibration tools write them.
func iccProfile(desc, copyright string) []byte {
	text := func(s string) []byte { // textType
		b := append([]byte("text\x00\x00\x00\x00"), s...)
		return append(b, 0)
	}
	description := func(s string) []byte { // textDescriptionType
		var b bytes.Buffer
		b.WriteString("desc\x00\x00\x00\x00")
		_ = binary.Write(&b, binary.BigEndian, uint32(len(s)+1))
		b.WriteString(s)
		b.WriteByte(0)
		b.Write(make([]byte, 4+4+2+1+67)) // no Unicode, no ScriptCode
		return b.Bytes()
	}
	xyz := func(x, y, z float64) []byte {
		var b bytes.Buffer
		b.WriteString("XYZ \x00\x00\x00\x00")
		for _, v := range []float64{x, y, z} {
			_ = binary.Write(&b, binary.BigEndian, int32(v*65536))
		}
		return b.Bytes()
	}
	tags := []struct {
		sig  string
		data []byte
	}{
		{"desc", description(desc)},
		{"cprt", text(copyright)},
		{"wtpt", xyz(0.9642, 1, 0.8249)},
	}
	headerLen := 128 + 4 + 12*len(tags)
	var body bytes.Buffer
	var table bytes.Buffer
	_ = binary.Write(&table, binary.BigEndian, uint32(len(tags)))
	for _, tg := range tags {
		for (headerLen+body.Len())%4 != 0 {
			body.WriteByte(0)
		}
		table.WriteString(tg.sig)
		_ = binary.Write(&table, binary.BigEndian, uint32(headerLen+body.Len()))
		_ = binary.Write(&table, binary.BigEndian, uint32(len(tg.data)))
		body.Write(tg.data)
	}
	size := headerLen + body.Len()
	h := make([]byte, 128)
	binary.BigEndian.PutUint32(h[0:], uint32(size))
	copy(h[4:], "none")
	binary.BigEndian.PutUint32(h[8:], 0x02100000)
	copy(h[12:], "mntr")
	copy(h[16:], "RGB ")
	copy(h[20:], "XYZ ")
	copy(h[36:], "acsp")
	binary.BigEndian.PutUint32(h[68:], 63190)
	binary.BigEndian.PutUint32(h[72:], 65536)
	binary.BigEndian.PutUint32(h[76:], 54061)
	out := append(h, table.Bytes()...)
	return append(out, body.Bytes()...)
}

// scanMP4 makes a two-second clip with the metadata a phone's camera app
// and an editor leave: title, artist, comment, copyright, creation time and
// the place it was shot.
func scanMP4(t *testing.T, dir string) []byte {
	t.Helper()
	out := filepath.Join(dir, "clip.mp4")
	args := []string{"-nostdin", "-loglevel", "error", "-y",
		"-f", "lavfi", "-i", "testsrc=size=160x120:rate=10:duration=2",
		"-f", "lavfi", "-i", "sine=frequency=440:duration=2", "-shortest",
		"-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "32k",
		"-metadata", "title=Filmed by " + scanName, "-metadata", "artist=" + scanName,
		"-metadata", "comment=" + scanOrg + ", " + scanEmail, "-metadata", "copyright=" + scanOrg,
		"-metadata", "creation_time=2020-11-22T17:45:33Z",
		"-metadata", fmt.Sprintf("location=+%07.4f-%08.4f/", scanGPSLat, scanGPSLon),
		"-movflags", "+use_metadata_tags", out}
	if b, err := exec.Command("ffmpeg", args...).CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg making the clip: %v\n%s", err, b)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// scanPDF writes a one-page mural design whose document information names
// the entrant, her organisation and the day she made it.
func scanPDF() []byte {
	content := "0.6 0.2 0.1 rg 40 500 530 250 re f\n0.1 0.3 0.6 rg 80 120 450 300 re f\n0 0 0 rg BT /F1 24 Tf 60 460 Td (A fresco for the souk) Tj ET\n"
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [6 0 R] /Count 1 >>",
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%sendstream", len(content), content),
		"<< /Author (" + scanName + ") /Title (Mural by " + scanName + ") /Creator (" + scanOrg + " design desk) " +
			"/Producer (Atlas PDF 2.1) /CreationDate (D:20170506123456+01'00') /ModDate (D:20170506123456+01'00') >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> /Contents 4 0 R >>",
	}
	return testenv.PDF(objs, 5)
}

// scanDOCX writes an essay whose document properties (never its text)
// name the entrant, her organisation and the day she wrote it.
func scanDOCX(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	add := func(name, body string) {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	add("[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/><Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/></Types>`)
	add("_rels/.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties" Target="docProps/app.xml"/></Relationships>`)
	add("docProps/core.xml", `<?xml version="1.0" encoding="UTF-8"?><cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">`+
		`<dc:creator>`+scanName+`</dc:creator><cp:lastModifiedBy>`+scanEmail+`</cp:lastModifiedBy>`+
		`<dcterms:created xsi:type="dcterms:W3CDTF">2016-02-28T09:10:11Z</dcterms:created></cp:coreProperties>`)
	add("docProps/app.xml", `<?xml version="1.0" encoding="UTF-8"?><Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"><Company>`+scanOrg+`</Company><Manager>`+scanName+`</Manager></Properties>`)
	var body strings.Builder
	body.WriteString(`<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>`)
	for _, p := range []string{"A story of wool", "The dyers rise before the sun and the indigo vats steam in the cold.", "Every knot is counted twice and every colour waits a season for its turn."} {
		body.WriteString(`<w:p><w:r><w:t xml:space="preserve">` + p + `</w:t></w:r></w:p>`)
	}
	body.WriteString(`</w:body></w:document>`)
	add("word/document.xml", body.String())
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
