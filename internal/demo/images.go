package demo

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"math"
)

// Pattern names the generated sample pictures.
type Pattern int

// The sample pictures: a woven textile, a tiled mosaic, glazed pottery.
const (
	Weave Pattern = iota
	Mosaic
	Pottery
)

// SampleJPEG draws a w×h picture in the given pattern and returns it as a
// JPEG, so the demo needs no bundled media.
func SampleJPEG(p Pattern, w, h int) ([]byte, error) {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	palettes := [][]color.RGBA{
		{{176, 58, 46, 255}, {241, 196, 15, 255}, {33, 97, 140, 255}, {244, 236, 220, 255}},
		{{22, 160, 133, 255}, {243, 156, 18, 255}, {142, 68, 173, 255}, {236, 240, 241, 255}},
		{{120, 66, 18, 255}, {211, 84, 0, 255}, {93, 109, 126, 255}, {250, 229, 211, 255}},
	}
	pal := palettes[int(p)%len(palettes)]
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			var c color.RGBA
			switch p {
			case Weave:
				band := (y / 24) % len(pal)
				if (x/12+y/12)%2 == 0 {
					band = (x / 24) % len(pal)
				}
				c = pal[band]
			case Mosaic:
				tx, ty := x/40, y/40
				c = pal[(tx*7+ty*13+tx*ty)%len(pal)]
				if x%40 < 3 || y%40 < 3 {
					c = color.RGBA{60, 60, 60, 255}
				}
			default:
				cx, cy := float64(w)/2, float64(h)/2
				d := math.Hypot(float64(x)-cx, (float64(y)-cy)*1.4)
				ring := int(d/30) % len(pal)
				c = pal[ring]
				if d > float64(h)*0.45 {
					c = pal[3]
				}
			}
			// a little shading so the picture is not flat
			shade := 0.85 + 0.15*math.Sin(float64(x+y)/90)
			img.SetRGBA(x, y, color.RGBA{uint8(float64(c.R) * shade), uint8(float64(c.G) * shade), uint8(float64(c.B) * shade), 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 88}); err != nil {
		return nil, fmt.Errorf("encode sample: %w", err)
	}
	return buf.Bytes(), nil
}
