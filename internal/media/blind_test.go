package media

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"encoding/json"
	"image"
	"image/color"
	"image/jpeg"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The fixtures' patches, chosen so that converting them from Display P3
// or the calibrated space to sRGB moves each by more than ten 8-bit steps
// in some channel: a derivative left unconverted fails the colour check.
var patchColours = [6][3]uint8{{128, 0, 0}, {60, 180, 200}, {230, 120, 40}, {90, 160, 60}, {70, 140, 220}, {180, 60, 150}}

const patchSide = 160

// patches is a 3×2 grid of flat patches of patchColours (or, gray, of
// their first channel as grey levels).
func patches(gray bool) image.Image {
	r := image.Rect(0, 0, 3*patchSide, 2*patchSide)
	var img settable
	if gray {
		img = image.NewGray(r)
	} else {
		img = image.NewNRGBA(r)
	}
	for i, c := range patchColours {
		px := color.Color(color.NRGBA{c[0], c[1], c[2], 255})
		if gray {
			px = color.Gray{c[0]}
		}
		x0, y0 := i%3*patchSide, i/3*patchSide
		for y := y0; y < y0+patchSide; y++ {
			for x := x0; x < x0+patchSide; x++ {
				img.Set(x, y, px)
			}
		}
	}
	return img
}

type settable interface {
	image.Image
	Set(x, y int, c color.Color)
}

// patchAt reads the centre of patch i of a picture of the patches grid
// scaled to img's size.
func patchAt(img image.Image, i int) [3]uint8 {
	b := img.Bounds()
	x := b.Min.X + (i%3*patchSide+patchSide/2)*b.Dx()/(3*patchSide)
	y := b.Min.Y + (i/3*patchSide+patchSide/2)*b.Dy()/(2*patchSide)
	r, g, bl, _ := img.At(x, y).RGBA()
	return [3]uint8{uint8(r >> 8), uint8(g >> 8), uint8(bl >> 8)}
}

// jpegSegment is a JPEG marker segment.
func jpegSegment(marker byte, payload []byte) []byte {
	return append(binary.BigEndian.AppendUint16([]byte{0xFF, marker}, uint16(len(payload)+2)), payload...)
}

// plantedJPEG is the patches as a JPEG carrying profile in APP2 segments of
// at most 1000 bytes each (so that it is split, as big profiles are),
// after a JFIF header whose thumbnail bytes spell the entrant's name and
// an Adobe segment with her name after its flags.
func plantedJPEG(t *testing.T, img image.Image, profile []byte) []byte {
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 100}); err != nil {
		t.Fatal(err)
	}
	segs := [][]byte{
		// JFIF 1.02, no units, 1:1, a 4×1 thumbnail of 12 RGB bytes.
		jpegSegment(0xE0, append([]byte("JFIF\x00\x01\x02\x00\x00\x01\x00\x01\x04\x01"), "Amina Haddad"...)),
		// Adobe DCT 100, flags 0, 0, transform 1 (YCbCr), then a tail.
		jpegSegment(0xEE, append([]byte("Adobe\x00\x64\x00\x00\x00\x00\x01"), "Amina Haddad"...)),
	}
	n := (len(profile) + 999) / 1000
	for i := range n {
		chunk := profile[i*1000 : min(len(profile), (i+1)*1000)]
		segs = append(segs, jpegSegment(0xE2, append(append([]byte("ICC_PROFILE\x00"), byte(i+1), byte(n)), chunk...)))
	}
	return insertAfterSOI(b.Bytes(), segs...)
}

// plantedPNG is img as a PNG carrying profile in an iCCP chunk named
// after the entrant, a tIME of 2019 and a compressed comment naming her.
func plantedPNG(t *testing.T, img image.Image, profile []byte) []byte {
	var z, c bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write(profile)
	zw.Close()
	cw := zlib.NewWriter(&c)
	cw.Write([]byte("Shot by Amina Haddad for Cooperative Tissage Atlas"))
	cw.Close()
	data := encodePNG(t, img)
	var chunks []byte
	chunks = append(chunks, pngChunk("iCCP", append([]byte(plantedDesc+"\x00\x00"), z.Bytes()...))...)
	chunks = append(chunks, pngChunk("tIME", []byte{0x07, 0xE3, 3, 4, 10, 20, 30})...)
	chunks = append(chunks, pngChunk("zTXt", append([]byte("Comment\x00\x00"), c.Bytes()...))...)
	return append(append(append([]byte{}, data[:33]...), chunks...), data[33:]...)
}

// plantedTags is what exiftool writes into every fixture: the entrant as
// artist and creator, where she stood, when.
var plantedTags = []string{
	"-Artist=Amina Haddad", "-Copyright=Cooperative Tissage Atlas", "-DateTimeOriginal=2019:03:04 10:20:30",
	"-GPSLatitude=33.5731", "-GPSLatitudeRef=N", "-GPSLongitude=7.5898", "-GPSLongitudeRef=W",
	"-XMP-dc:Creator=Amina Haddad", "-XMP-dc:Rights=Cooperative Tissage Atlas",
}

// allowedTags are the only tags (exiftool -G1 names, group:*) a
// derivative may show: its format, size and encoding, an orientation, and
// Tessera's own profile of a standard space on a judge copy.
var allowedTags = []string{
	"SourceFile", "ExifTool:*", "File:*", "Composite:ImageSize", "Composite:Megapixels",
	"JFIF:JFIFVersion", "JFIF:ResolutionUnit", "JFIF:XResolution", "JFIF:YResolution",
	"Adobe:DCTEncodeVersion", "Adobe:APP14Flags0", "Adobe:APP14Flags1", "Adobe:ColorTransform",
	"IFD0:Orientation",
	"PNG:ImageWidth", "PNG:ImageHeight", "PNG:BitDepth", "PNG:ColorType", "PNG:Compression", "PNG:Filter", "PNG:Interlace",
	"PNG:PixelsPerUnitX", "PNG:PixelsPerUnitY", "PNG:PixelUnits", "PNG:Palette",
}

// tessera's profile tags, allowed on a judge copy of a standard space only.
var profileTags = []string{"ICC-header:*", "ICC_Profile:*", "PNG:ProfileName"}

func allowed(key string, list []string) bool {
	group, _, _ := strings.Cut(key, ":")
	for _, a := range list {
		if a == key || a == group+":*" {
			return true
		}
	}
	return false
}

// TestJudgeCopiesCarryPixelsOnly runs photos and a mural design that carry
// the entrant's name, place and date in every place a file can (EXIF with
// GPS, XMP, IPTC, comments, PNG text and time chunks, the JFIF thumbnail,
// and above all the ICC profile: its description, copyright, device
// descriptions, header date, creator and ID, and a PNG's profile name)
// through the pipeline, then reads every derivative with exiftool and as
// bytes: none of it may remain. The colours are converted to sRGB, or
// the judge copy keeps its pixels and carries Tessera's own profile of the
// same standard space.
func TestJudgeCopiesCarryPixelsOnly(t *testing.T) {
	needTools(t, "exiftool", "vips")
	p3 := testProfile{primaries: p3xy, planted: true}.bytes()
	calibrated := testProfile{primaries: calibratedxy, gamma: 1.75, planted: true}.bytes()
	grey := testProfile{gray: true, gamma: 1, planted: true}.bytes()
	ownP3 := standardSpaces()[0].iccProfile()
	dir := t.TempDir()
	write := func(name string, data []byte, tags ...string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		run(t, "exiftool", append(append([]string{"-q", "-overwrite_original"}, append(plantedTags, tags...)...), p)...)
		return p
	}
	vipsCopy := func(src, name string, tags ...string) string {
		p := filepath.Join(dir, name)
		run(t, "vips", "copy", src, p+"[lossless]")
		run(t, "exiftool", append(append([]string{"-q", "-overwrite_original"}, append(plantedTags, tags...)...), p)...)
		return p
	}
	jpegTags := []string{"-IPTC:By-line=Amina Haddad", "-Comment=Amina Haddad"}
	pngTags := []string{"-PNG:Author=Amina Haddad", "-PNG:CreationTime=2019:03:04 10:20:30"}
	p3PNG := write("p3.png", plantedPNG(t, patches(false), p3), pngTags...)
	calPNG := write("calibrated.png", plantedPNG(t, patches(false), calibrated), pngTags...)

	type fixture struct {
		name string
		path string
		kind Kind
		// primaries and gamma of the file's space; nil primaries: grey.
		primaries *[3]xy
		gamma     float64
		// judgeKeeps: the judge copy keeps the file's pixels and carries
		// Tessera's Display P3 profile; otherwise it is converted.
		judgeKeeps bool
		judgeType  string
	}
	fixtures := []fixture{
		{"jpeg Display P3", write("p3.jpg", plantedJPEG(t, patches(false), p3), jpegTags...), KindPhoto, &p3xy, 0, true, "image/jpeg"},
		{"jpeg calibrated", write("calibrated.jpg", plantedJPEG(t, patches(false), calibrated), jpegTags...), KindPhoto, &calibratedxy, 1.75, false, "image/jpeg"},
		{"mural jpeg calibrated", write("mural.jpg", plantedJPEG(t, patches(false), calibrated), jpegTags...), KindMural, &calibratedxy, 1.75, false, "image/jpeg"},
		{"png Display P3", p3PNG, KindPhoto, &p3xy, 0, true, "image/png"},
		{"png calibrated", calPNG, KindMural, &calibratedxy, 1.75, false, "image/png"},
		{"png grey", write("grey.png", plantedPNG(t, patches(true), grey), pngTags...), KindPhoto, nil, 1, false, "image/png"},
		{"webp Display P3", vipsCopy(p3PNG, "p3.webp"), KindPhoto, &p3xy, 0, true, "image/png"},
		{"tiff calibrated", vipsCopy(calPNG, "calibrated.tif"), KindPhoto, &calibratedxy, 1.75, false, "image/png"},
		// No profile: the pixels are kept as they are (gamma 0 below).
		{"gif", gifWithComment(t, dir), KindPhoto, nil, 0, false, "image/png"},
	}
	for _, f := range fixtures {
		t.Run(f.name, func(t *testing.T) {
			src, err := os.ReadFile(f.path)
			if err != nil {
				t.Fatal(err)
			}
			// The fixture carries what must go, or the test proves nothing.
			before := string(run(t, "exiftool", "-a", "-G1", "-s", f.path))
			want := []string{plantedDesc, plantedCopyright, "2019:03:04", "GPSLatitude", "Amina Haddad"}
			if strings.HasSuffix(f.path, ".gif") {
				want = []string{"Comment", "Amina Haddad", "Tissage Atlas"}
			}
			for _, s := range want {
				if !strings.Contains(before, s) {
					t.Fatalf("fixture lacks %q:\n%s", s, before)
				}
			}
			rep, _, err := processFile(t, f.path, f.kind, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Outputs) != 4 {
				t.Fatalf("outputs %+v", rep.Outputs)
			}
			args := []string{"-j", "-a", "-G1", "-s", "--System:all"}
			for _, o := range rep.Outputs {
				args = append(args, o.Path)
			}
			var tags []map[string]any
			if raw := run(t, "exiftool", args...); json.Unmarshal(raw, &tags) != nil || len(tags) != len(rep.Outputs) {
				t.Fatalf("exiftool: %s", raw)
			}
			for i, o := range rep.Outputs {
				data, err := os.ReadFile(o.Path)
				if err != nil {
					t.Fatal(err)
				}
				js, _ := json.Marshal(tags[i])
				for _, s := range planted {
					if bytes.Contains(data, []byte(s)) {
						t.Errorf("%s: its bytes hold %q", o.File, s)
					}
					if strings.Contains(string(js), s) {
						t.Errorf("%s: exiftool reads %q in %s", o.File, s, js)
					}
				}
				keepsProfile := o.Name == NameJudge && f.judgeKeeps
				for k, v := range tags[i] {
					if !allowed(k, allowedTags) && !(keepsProfile && allowed(k, profileTags)) {
						t.Errorf("%s: keeps %s = %v", o.File, k, v)
					}
				}
				if o.Name == NameJudge && o.ContentType != f.judgeType {
					t.Errorf("judge copy is %s, want %s", o.ContentType, f.judgeType)
				}
				if keepsProfile {
					if got := run(t, "exiftool", "-b", "-ICC_Profile", o.Path); !bytes.Equal(got, ownP3) {
						t.Errorf("%s: profile is not Tessera's Display P3 (%d bytes)", o.File, len(got))
					}
				}
			}
			checkColours(t, f.path, src, rep, f.primaries, f.gamma, f.judgeKeeps)
		})
	}
}

// gifWithComment is the patches as a GIF whose comment and XMP name the
// entrant.
func gifWithComment(t *testing.T, dir string) string {
	p := filepath.Join(dir, "photo.gif")
	if err := os.WriteFile(p, encodeGIF(t, patches(false)), 0o644); err != nil {
		t.Fatal(err)
	}
	run(t, "exiftool", "-q", "-overwrite_original", "-Comment=Amina Haddad", "-XMP-dc:Creator=Amina Haddad",
		"-XMP-dc:Rights=Cooperative Tissage Atlas", p)
	return p
}

// checkColours compares the centre of every patch of every derivative with
// the sRGB colour the maths gives for the source's pixel there.
func checkColours(t *testing.T, path string, src []byte, rep Report, primaries *[3]xy, gamma float64, judgeKeeps bool) {
	t.Helper()
	var srcImg image.Image
	if strings.HasSuffix(path, ".webp") || strings.HasSuffix(path, ".tif") {
		srcImg = patches(false) // written losslessly by vips
	} else {
		srcImg = decodeRendition(t, src)
	}
	tolerance := 3
	if rep.Format == "jpeg" {
		tolerance = 5 // the two builds' decoders differ by a step or two
	}
	for _, o := range rep.Outputs {
		data, err := os.ReadFile(o.Path)
		if err != nil {
			t.Fatal(err)
		}
		img := decodeRendition(t, data)
		for i := range patchColours {
			dev := patchAt(srcImg, i)
			want := dev
			switch {
			case primaries != nil:
				want = expectSRGB(dev, *primaries, gamma)
			case gamma == 0: // no profile: nothing to convert
			default:
				l := math.Pow(float64(dev[0])/255, gamma)
				v := uint8(srgbOETF(l)*255 + 0.5)
				want = [3]uint8{v, v, v}
			}
			if o.Name == NameJudge && judgeKeeps {
				want = dev // lossless: the file's own pixels, with a profile saying what they mean
			} else if far(want, dev) < 10 && (primaries != nil || gamma != 0) {
				t.Fatalf("patch %d: %v converts to %v, too close to tell a conversion", i, dev, want)
			}
			if got := patchAt(img, i); far(got, want) > tolerance {
				t.Errorf("%s patch %d: %v, want %v (source %v)", o.File, i, got, want, dev)
			}
		}
	}
	if judgeKeeps {
		j, _ := rep.Output(NameJudge)
		data, _ := os.ReadFile(j.Path)
		a, b := decodeRendition(t, src), decodeRendition(t, data)
		if !samePixels(a, b) {
			t.Errorf("judge copy's pixels differ from the file's")
		}
	}
}

func far(a, b [3]uint8) int {
	d := 0
	for i := range 3 {
		d = max(d, absDiff(a[i], b[i]))
	}
	return d
}

func samePixels(a, b image.Image) bool {
	if a.Bounds() != b.Bounds() {
		return false
	}
	for y := a.Bounds().Min.Y; y < a.Bounds().Max.Y; y++ {
		for x := a.Bounds().Min.X; x < a.Bounds().Max.X; x++ {
			if a.At(x, y) != b.At(x, y) {
				r1, g1, b1, a1 := a.At(x, y).RGBA()
				r2, g2, b2, a2 := b.At(x, y).RGBA()
				if r1 != r2 || g1 != g2 || b1 != b2 || a1 != a2 {
					return false
				}
			}
		}
	}
	return true
}

// TestColourConversionAgreesWithLittleCMS: the sRGB preview of the
// calibrated picture matches what LittleCMS (vips icc_transform, relative
// colorimetric) makes of the same file.
func TestColourConversionAgreesWithLittleCMS(t *testing.T) {
	needTools(t, "vips")
	calibrated := testProfile{primaries: calibratedxy, gamma: 1.75, planted: true}.bytes()
	path := writeFile(t, "calibrated.png", plantedPNG(t, patches(false), calibrated))
	ref := filepath.Join(t.TempDir(), "lcms.png")
	run(t, "vips", "icc_transform", path, ref, "srgb", "--embedded", "--intent", "relative")
	refData, err := os.ReadFile(ref)
	if err != nil {
		t.Fatal(err)
	}
	want := decodeRendition(t, refData)
	res, err := DeriveImage(t.Context(), mustRead(t, path), ImageOptions{Judge: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res.Renditions {
		got := decodeRendition(t, r.Data)
		for i := range patchColours {
			if g, w := patchAt(got, i), patchAt(want, i); far(g, w) > 3 {
				t.Errorf("%s patch %d: %v, LittleCMS %v", r.Name, i, g, w)
			}
		}
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestProfilesWithoutConversion: a picture tagged sRGB takes the fast
// path (its judge copy is the file's pixels with no profile, its
// derivatives its colours as they are); a profile that cannot be read as
// a matrix/TRC profile is dropped and the pixels kept as decoded. Neither
// leaves a byte of the profile anywhere.
func TestProfilesWithoutConversion(t *testing.T) {
	srgb := testProfile{primaries: sRGBxy, planted: true}.bytes()
	lut := testProfile{primaries: p3xy, planted: true}.bytes()
	copy(lut[16:], "CMYK") // a CMYK profile on an RGB picture: unusable
	for name, profile := range map[string][]byte{"sRGB": srgb, "unusable": lut} {
		for _, format := range []string{"jpeg", "png"} {
			t.Run(name+" "+format, func(t *testing.T) {
				var data []byte
				if format == "jpeg" {
					data = plantedJPEG(t, patches(false), profile)
				} else {
					data = plantedPNG(t, patches(false), profile)
				}
				if plan := planColour(data, format, "rgb"); !plan.profiled || plan.toSRGB != nil || plan.standard != nil {
					t.Fatalf("plan %+v, want the profile seen and nothing done", plan)
				}
				res, err := DeriveImage(t.Context(), data, ImageOptions{Judge: true})
				if err != nil {
					t.Fatal(err)
				}
				src := decodeRendition(t, data)
				for _, r := range res.Renditions {
					for _, s := range []string{"Amina", "Atlas", "ICC_PROFILE", "iCCP", "acsp"} {
						if bytes.Contains(r.Data, []byte(s)) {
							t.Errorf("%s holds %q", r.Name, s)
						}
					}
					img := decodeRendition(t, r.Data)
					if r.Name == NameJudge {
						if !samePixels(src, img) {
							t.Error("judge copy's pixels differ from the file's")
						}
						continue
					}
					for i := range patchColours {
						if got, want := patchAt(img, i), patchAt(src, i); far(got, want) > 3 {
							t.Errorf("%s patch %d: %v, want %v as decoded", r.Name, i, got, want)
						}
					}
				}
			})
		}
	}
}

// TestSixteenBitConversion: a 16-bit PNG with a calibration profile keeps
// 16 bits in its converted judge copy, with the colours the maths gives.
func TestSixteenBitConversion(t *testing.T) {
	src := patches(false)
	deep := image.NewNRGBA64(src.Bounds())
	for y := range src.Bounds().Dy() {
		for x := range src.Bounds().Dx() {
			deep.Set(x, y, src.At(x, y))
		}
	}
	data := plantedPNG(t, deep, testProfile{primaries: calibratedxy, gamma: 1.75, planted: true}.bytes())
	res, err := DeriveImage(t.Context(), data, ImageOptions{Judge: true})
	if err != nil {
		t.Fatal(err)
	}
	j := renditionNamed(t, res, NameJudge)
	img := decodeRendition(t, j.Data)
	if _, ok := img.(*image.NRGBA64); !ok {
		if _, ok := img.(*image.RGBA64); !ok {
			t.Errorf("judge copy decodes as %T, want 16 bits", img)
		}
	}
	for i, c := range patchColours {
		if got, want := patchAt(img, i), expectSRGB(c, calibratedxy, 1.75); far(got, want) > 1 {
			t.Errorf("patch %d: %v, want %v", i, got, want)
		}
	}
}

// TestVideoDerivativesCarryNoMetadata: a video whose container, streams
// and chapters name the entrant, her place and the day it was shot gives
// a preview and poster frames with none of it: titles, artist, comment,
// location, creation times, stream handler names and languages,
// chapters.
func TestVideoDerivativesCarryNoMetadata(t *testing.T) {
	needTools(t, "ffmpeg", "ffprobe", "exiftool")
	chapters := writeFile(t, "chapters.txt", []byte(";FFMETADATA1\ntitle=Amina Haddad film\n[CHAPTER]\nTIMEBASE=1/1000\nSTART=0\nEND=1000\ntitle=Amina Haddad chapter\n"))
	clip := ffmpegFixture(t, "clip.mov", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25", "-f", "lavfi", "-i", "sine",
		"-i", chapters, "-map", "0", "-map", "1", "-map_metadata", "2", "-map_chapters", "2", "-t", "2",
		"-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac",
		"-metadata", "artist=Amina Haddad", "-metadata", "comment=Cooperative Tissage Atlas",
		"-metadata", "creation_time=2019-03-04T10:20:30Z", "-metadata", "location=+33.5731-007.5898/",
		"-metadata", "encoder=Amina Haddad's phone",
		"-metadata:s:v:0", "handler_name=Amina Haddad camera", "-metadata:s:v:0", "title=Amina Haddad video",
		"-metadata:s:v:0", "creation_time=2019-03-04T10:20:30Z",
		"-metadata:s:a:0", "handler_name=Amina Haddad microphone", "-metadata:s:a:0", "language=ber",
		"-metadata:s:a:0", "title=Cooperative Tissage Atlas sound")
	before := string(run(t, "exiftool", "-a", "-G1", "-s", clip))
	for _, s := range []string{"Amina Haddad camera", "Amina Haddad microphone", "Amina Haddad chapter", "2019:03:04", "GPSLatitude", "Tissage"} {
		if !strings.Contains(before, s) {
			t.Fatalf("fixture lacks %q:\n%s", s, before)
		}
	}
	rep, _, err := processFile(t, clip, KindVideo, Options{Transcode: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := rep.Output(NameVideo); !ok || len(rep.Outputs) != 4 {
		t.Fatalf("outputs %+v", rep.Outputs)
	}
	for _, o := range rep.Outputs {
		tags := string(run(t, "exiftool", "-a", "-G1", "-s", "-ee", "--System:all", o.Path))
		data, err := os.ReadFile(o.Path)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range append(planted, "GPS", "Chapter", ": ber") {
			if strings.Contains(tags, s) {
				t.Errorf("%s: exiftool reads %q:\n%s", o.File, s, tags)
			}
			if s != ": ber" && bytes.Contains(data, []byte(s)) {
				t.Errorf("%s: its bytes hold %q", o.File, s)
			}
		}
	}
}
