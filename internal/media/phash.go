package media

import (
	"fmt"
	"image"

	"github.com/disintegration/imaging"
)

// PHash returns a 64-bit perceptual difference hash (dHash) of img: the
// picture is reduced to 9×8 grey levels and each bit says whether a pixel
// is brighter than its right neighbour. Resized, recompressed or slightly
// retouched copies of a picture have hashes a few bits apart; different
// pictures differ in about half the bits.
func PHash(img image.Image) uint64 {
	small := imaging.Resize(img, 9, 8, imaging.Box)
	var grey [8][9]int
	for y := range 8 {
		for x := range 9 {
			p := small.Pix[y*small.Stride+x*4:]
			grey[y][x] = 299*int(p[0]) + 587*int(p[1]) + 114*int(p[2])
		}
	}
	var h uint64
	for y := range 8 {
		for x := range 8 {
			h <<= 1
			if grey[y][x] > grey[y][x+1] {
				h |= 1
			}
		}
	}
	return h
}

// FormatHash writes a hash as 16 lower-case hex digits, the form stored
// on assets.
func FormatHash(h uint64) string { return fmt.Sprintf("%016x", h) }
