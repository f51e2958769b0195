package media

import (
	"image"
	"image/color"
	"image/draw"
	"strings"
	"sync"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

// Cover page geometry, in pixels.
const (
	coverW, coverH = 600, 800
	coverMargin    = 54
)

var (
	fontsOnce        sync.Once
	titleFont, bodyF *opentype.Font
	fontsErr         error
)

func loadFonts() error {
	fontsOnce.Do(func() {
		if titleFont, fontsErr = opentype.Parse(gobold.TTF); fontsErr != nil {
			return
		}
		bodyF, fontsErr = opentype.Parse(goregular.TTF)
	})
	return fontsErr
}

// RenderCover draws a page for an essay, so essays sit in galleries beside
// pictures: the title in bold, then the opening of the text, on white. It
// needs no font on the machine (the Go fonts are built in); characters
// they lack show as boxes.
func RenderCover(title, text string) (image.Image, error) {
	if err := loadFonts(); err != nil {
		return nil, err
	}
	img := image.NewNRGBA(image.Rect(0, 0, coverW, coverH))
	draw.Draw(img, img.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	tf, err := opentype.NewFace(titleFont, &opentype.FaceOptions{Size: 32, DPI: 72, Hinting: font.HintingFull})
	if err != nil {
		return nil, err
	}
	defer tf.Close()
	bf, err := opentype.NewFace(bodyF, &opentype.FaceOptions{Size: 19, DPI: 72, Hinting: font.HintingFull})
	if err != nil {
		return nil, err
	}
	defer bf.Close()

	y := coverMargin
	width := coverW - 2*coverMargin
	ink := image.NewUniform(color.NRGBA{0x22, 0x22, 0x22, 0xff})
	drawLines := func(face font.Face, s string, lineH, maxLines int) {
		for _, para := range strings.Split(s, "\n") {
			for _, l := range wrap(face, para, width) {
				if maxLines == 0 || y+lineH > coverH-coverMargin {
					return
				}
				d := font.Drawer{Dst: img, Src: ink, Face: face, Dot: fixed.P(coverMargin, y+lineH*4/5)}
				d.DrawString(l)
				y += lineH
				maxLines--
			}
		}
	}
	if title = strings.TrimSpace(title); title != "" {
		drawLines(tf, title, 40, 4)
		y += 20
	}
	ink = image.NewUniform(color.NRGBA{0x44, 0x44, 0x44, 0xff})
	if len(text) > 4000 {
		text = text[:4000]
	}
	drawLines(bf, text, 27, -1)
	return img, nil
}

// wrap breaks s into lines no wider than width pixels in face.
func wrap(face font.Face, s string, width int) []string {
	words := strings.Fields(s)
	if len(words) == 0 {
		return []string{""}
	}
	var lines []string
	line := ""
	for _, w := range words {
		try := w
		if line != "" {
			try = line + " " + w
		}
		if font.MeasureString(face, try).Ceil() <= width || line == "" {
			line = try
			continue
		}
		lines = append(lines, line)
		line = w
	}
	return append(lines, line)
}
