package media

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/image/tiff"
)

// identifying are strings the corpus hides in its metadata; none may reach
// a derivative or a judge copy.
var identifying = []string{"Jane Entrant", "SN-SECRET", "Secret", "Acme Camera Owner"}

// TestNoMetadataLeaks builds a corpus carrying GPS, Artist, camera serial
// numbers, XMP, IPTC, comments and document authors, runs every file
// through the pipeline, and reads every output back with exiftool: none
// may keep any of it (a JPEG judge copy may keep only its orientation).
func TestNoMetadataLeaks(t *testing.T) {
	needTools(t, "exiftool", "ffmpeg", "ffprobe", "pdftoppm", "pdftotext", "pdfinfo")
	dir := t.TempDir()
	tag := func(path string, args ...string) string {
		run(t, "exiftool", append(append([]string{"-q", "-overwrite_original"}, args...), path)...)
		return path
	}
	photoTags := []string{
		"-Artist=Jane Entrant", "-Copyright=Jane Entrant", "-SerialNumber=SN-SECRET-123", "-LensSerialNumber=SN-SECRET-456",
		"-OwnerName=Acme Camera Owner", "-GPSLatitude=48.8584", "-GPSLatitudeRef=N", "-GPSLongitude=2.2945", "-GPSLongitudeRef=E",
		"-XMP-dc:Creator=Jane Entrant", "-XMP-dc:Rights=Secret rights",
	}
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	jpg := tag(write("photo.jpg", encodeJPEG(t, gradient(900, 600))), append(photoTags,
		"-IPTC:By-line=Jane Entrant", "-Comment=Secret comment", "-Orientation#=6")...)
	png := tag(write("photo.png", encodePNG(t, gradient(400, 300))), "-PNG:Author=Jane Entrant", "-XMP-dc:Creator=Jane Entrant")
	tf, err := os.Create(filepath.Join(dir, "photo.tif"))
	if err != nil {
		t.Fatal(err)
	}
	if err := tiff.Encode(tf, gradient(300, 200), nil); err != nil {
		t.Fatal(err)
	}
	tf.Close()
	tif := tag(tf.Name(), photoTags...)
	mp4 := ffmpegFixture(t, "clip.mp4", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25", "-t", "1",
		"-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
		"-metadata", "artist=Jane Entrant", "-metadata", "location=+48.8584+002.2945/", "-metadata", "comment=Secret comment")
	pdf := write("design.pdf", makePDF(3, []string{"A mural"}, "Jane Entrant")) // every page is drawn
	docx := write("essay.docx", makeDOCX(t, []string{"An essay about birds and the sea."}, nil))

	corpus := []struct {
		path string
		kind Kind
	}{
		{jpg, KindPhoto}, {png, KindPhoto}, {tif, KindPhoto}, {mp4, KindVideo}, {pdf, KindMural}, {pdf, KindEssay}, {docx, KindEssay},
	}
	if _, err := os.Stat("/usr/bin/vips"); err == nil {
		webp := filepath.Join(dir, "photo.webp")
		run(t, "vips", "copy", png, webp)
		corpus = append(corpus, struct {
			path string
			kind Kind
		}{tag(webp, "-XMP-dc:Creator=Jane Entrant", "-Artist=Jane Entrant"), KindPhoto})
	}
	for _, c := range corpus {
		t.Run(string(c.kind)+"/"+filepath.Base(c.path), func(t *testing.T) {
			// The corpus file itself carries what we hide, or the test
			// proves nothing.
			if before := string(run(t, "exiftool", "-a", "-u", "-G1", c.path)); !strings.Contains(before, "Jane Entrant") && !strings.Contains(before, "Secret") {
				t.Fatalf("corpus file carries no identifying metadata:\n%s", before)
			}
			rep, _, err := processFile(t, c.path, c.kind, Options{Transcode: true, PDFRenderSide: 1000})
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Outputs) < 3 {
				t.Fatalf("outputs %+v", rep.Outputs)
			}
			args := []string{"-j", "-a", "-u", "-G1", "-b", "--System:all"}
			for _, o := range rep.Outputs {
				args = append(args, o.Path)
			}
			raw := run(t, "exiftool", args...)
			var tags []map[string]any
			if err := json.Unmarshal(raw, &tags); err != nil || len(tags) != len(rep.Outputs) {
				t.Fatalf("exiftool output (%v): %s", err, raw)
			}
			for i, o := range rep.Outputs {
				data, _ := os.ReadFile(o.Path)
				js, _ := json.Marshal(tags[i])
				for _, s := range identifying {
					if strings.Contains(string(js), s) || strings.Contains(string(data), s) {
						t.Errorf("%s (%s) carries %q", o.Name, o.File, s)
					}
				}
				for k, v := range tags[i] {
					group, name, _ := strings.Cut(k, ":")
					switch {
					case k == "SourceFile":
					case strings.Contains(name, "GPS"), strings.Contains(name, "Serial"), name == "Artist", name == "Creator", name == "Author",
						name == "Copyright", name == "By-line", name == "Comment", name == "OwnerName", name == "ThumbnailImage":
						t.Errorf("%s (%s) keeps %s = %v", o.Name, o.File, k, v)
					case group == "IFD0" && name != "Orientation":
						t.Errorf("%s (%s) keeps EXIF %s = %v", o.Name, o.File, k, v)
					case strings.HasPrefix(group, "XMP"), strings.HasPrefix(group, "IPTC"), group == "Photoshop", group == "ExifIFD", group == "GPS":
						t.Errorf("%s (%s) keeps %s = %v", o.Name, o.File, k, v)
					}
				}
			}
		})
	}
}
