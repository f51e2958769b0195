//go:build cgo && turbojpeg

package media

/*
#cgo LDFLAGS: -lturbojpeg
#include <stdlib.h>
#include <turbojpeg.h>
*/
import "C"

import (
	"errors"
	"image"
	"unsafe"

	"github.com/disintegration/imaging"
)

// dctScaling reports whether this build decodes JPEGs at reduced DCT
// scale: this one does, through libjpeg-turbo (build tag turbojpeg).
const dctScaling = true

// JPEGCodec names the JPEG decoder and encoder of this build.
const JPEGCodec = "libjpeg-turbo (cgo, DCT-scaled decode)"

func tjError(h C.tjhandle) error {
	return errors.New("libjpeg-turbo: " + C.GoString(C.tjGetErrorStr2(h)))
}

// decodeJPEGFast decodes data at 1/denom scale into an opaque NRGBA image.
// It reports ok=false for CMYK/YCCK JPEGs, which image/jpeg handles.
func decodeJPEGFast(data []byte, denom int) (image.Image, bool, error) {
	if len(data) == 0 {
		return nil, false, nil
	}
	h := C.tjInitDecompress()
	if h == nil {
		return nil, false, nil
	}
	defer C.tjDestroy(h)
	var w, ht, sub, cs C.int
	src := (*C.uchar)(unsafe.Pointer(&data[0]))
	if C.tjDecompressHeader3(h, src, C.ulong(len(data)), &w, &ht, &sub, &cs) != 0 {
		return nil, true, tjError(h)
	}
	if cs == C.TJCS_CMYK || cs == C.TJCS_YCCK {
		return nil, false, nil
	}
	if denom < 1 {
		denom = 1
	}
	sw := (int(w) + denom - 1) / denom
	sh := (int(ht) + denom - 1) / denom
	img := image.NewNRGBA(image.Rect(0, 0, sw, sh))
	if C.tjDecompress2(h, src, C.ulong(len(data)), (*C.uchar)(unsafe.Pointer(&img.Pix[0])),
		C.int(sw), C.int(img.Stride), C.int(sh), C.TJPF_RGBA, 0) != 0 {
		return nil, true, tjError(h)
	}
	return img, true, nil
}

// encodeJPEGFast encodes img as a 4:2:0 JPEG of the given quality.
func encodeJPEGFast(img image.Image, quality int) ([]byte, bool, error) {
	n, ok := img.(*image.NRGBA)
	if !ok || !n.Opaque() {
		n = imaging.Clone(flatten(img))
	}
	b := n.Bounds()
	if b.Dx() == 0 || b.Dy() == 0 {
		return nil, false, nil
	}
	h := C.tjInitCompress()
	if h == nil {
		return nil, false, nil
	}
	defer C.tjDestroy(h)
	var out *C.uchar
	var size C.ulong
	if C.tjCompress2(h, (*C.uchar)(unsafe.Pointer(&n.Pix[0])), C.int(b.Dx()), C.int(n.Stride), C.int(b.Dy()),
		C.TJPF_RGBA, &out, &size, C.TJSAMP_420, C.int(quality), 0) != 0 {
		return nil, true, tjError(h)
	}
	defer C.tjFree(out)
	return C.GoBytes(unsafe.Pointer(out), C.int(size)), true, nil
}
