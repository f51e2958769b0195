package media

import (
	"bytes"
	"context"
	"fmt"
	"image"

	"github.com/disintegration/imaging"
	"golang.org/x/sync/semaphore"
)

// decodeImage decodes data, a JPEG at 1/denom scale when denom > 1 and
// the build can (see dctScaling), a TIFF only once checkTIFF has passed
// it. Decoder panics on hostile data become errors.
func decodeImage(data []byte, format string, denom int) (img image.Image, err error) {
	defer func() {
		if p := recover(); p != nil {
			img, err = nil, fmt.Errorf("image decoder panicked: %v", p)
		}
	}()
	switch format {
	case "jpeg":
		if img, ok, err := decodeJPEGFast(data, denom); ok {
			return img, err
		}
	case "tiff":
		return decodeTIFF(data)
	}
	img, _, err = image.Decode(bytes.NewReader(data))
	return img, err
}

// boxShrink averages k×k blocks of img. YCbCr images (decoded JPEGs) are
// shrunk plane by plane without conversion; other images go through NRGBA.
func boxShrink(img image.Image, k int) image.Image {
	if k < 2 {
		return img
	}
	if y, ok := img.(*image.YCbCr); ok {
		return shrinkYCbCr(y, k)
	}
	src, ok := img.(*image.NRGBA)
	if !ok || src.Rect.Min != (image.Point{}) {
		src = imaging.Clone(img)
	}
	w, h := src.Rect.Dx()/k, src.Rect.Dy()/k
	if w < 1 || h < 1 {
		return img
	}
	dst := image.NewNRGBA(image.Rect(0, 0, w, h))
	n := uint32(k * k)
	for y := range h {
		for x := range w {
			var r, g, b, a uint32
			for yy := y * k; yy < y*k+k; yy++ {
				p := src.Pix[yy*src.Stride+x*k*4:]
				for xx := 0; xx < k; xx++ {
					r += uint32(p[0])
					g += uint32(p[1])
					b += uint32(p[2])
					a += uint32(p[3])
					p = p[4:]
				}
			}
			d := dst.Pix[y*dst.Stride+x*4:]
			d[0], d[1], d[2], d[3] = uint8(r/n), uint8(g/n), uint8(b/n), uint8(a/n)
		}
	}
	return dst
}

func shrinkYCbCr(src *image.YCbCr, k int) image.Image {
	b := src.Rect
	w, h := b.Dx()/k, b.Dy()/k
	if w < 1 || h < 1 {
		return src
	}
	dst := image.NewYCbCr(image.Rect(0, 0, w, h), src.SubsampleRatio)
	shrinkPlane(dst.Y, dst.YStride, w, h, src.Y[src.YOffset(b.Min.X, b.Min.Y):], src.YStride, b.Dx(), b.Dy(), k)
	// Chroma plane sizes of source and destination follow the ratio.
	sc := src.COffset(b.Min.X, b.Min.Y)
	scw, sch := chromaSize(b.Dx(), b.Dy(), src.SubsampleRatio)
	dcw, dch := chromaSize(w, h, src.SubsampleRatio)
	shrinkPlane(dst.Cb, dst.CStride, dcw, dch, src.Cb[sc:], src.CStride, scw, sch, k)
	shrinkPlane(dst.Cr, dst.CStride, dcw, dch, src.Cr[sc:], src.CStride, scw, sch, k)
	return dst
}

func chromaSize(w, h int, r image.YCbCrSubsampleRatio) (int, int) {
	switch r {
	case image.YCbCrSubsampleRatio422:
		return (w + 1) / 2, h
	case image.YCbCrSubsampleRatio420:
		return (w + 1) / 2, (h + 1) / 2
	case image.YCbCrSubsampleRatio440:
		return w, (h + 1) / 2
	case image.YCbCrSubsampleRatio411:
		return (w + 3) / 4, h
	case image.YCbCrSubsampleRatio410:
		return (w + 3) / 4, (h + 1) / 2
	}
	return w, h
}

// shrinkPlane box-averages src (sw×sh) by k into dst (dw×dh), clamping
// blocks at the source's edges.
func shrinkPlane(dst []byte, dstride, dw, dh int, src []byte, sstride, sw, sh, k int) {
	for y := range dh {
		y0, y1 := y*k, min(y*k+k, sh)
		if y0 >= sh {
			y0, y1 = sh-1, sh
		}
		row := dst[y*dstride:]
		for x := range dw {
			x0, x1 := x*k, min(x*k+k, sw)
			if x0 >= sw {
				x0, x1 = sw-1, sw
			}
			var sum, n uint32
			for yy := y0; yy < y1; yy++ {
				p := src[yy*sstride+x0 : yy*sstride+x1]
				for _, v := range p {
					sum += uint32(v)
				}
				n += uint32(x1 - x0)
			}
			row[x] = uint8((sum + n/2) / n)
		}
	}
}

// Budget bounds how many decoded pixels image tasks sharing it hold at
// once, so that several huge images processed concurrently cannot exhaust
// memory: each decode reserves its pixel count first and waits while the
// budget is spent. A nil *Budget does not limit.
type Budget struct {
	sem *semaphore.Weighted
	cap int64
}

// NewBudget returns a budget of pixels decoded pixels (at about 4 bytes
// each, plus the derivatives' working copies); pixels <= 0 gives nil (no
// limit).
func NewBudget(pixels int64) *Budget {
	if pixels <= 0 {
		return nil
	}
	return &Budget{sem: semaphore.NewWeighted(pixels), cap: pixels}
}

// Acquire reserves px pixels (at most the whole budget, so a single image
// larger than the budget still runs, alone), waiting until they are free
// or ctx ends. The returned function gives them back.
func (b *Budget) Acquire(ctx context.Context, px int64) (release func(), err error) {
	if b == nil || px <= 0 {
		return func() {}, nil
	}
	px = min(px, b.cap)
	if err := b.sem.Acquire(ctx, px); err != nil {
		return nil, fmt.Errorf("media: waiting for image memory: %w", err)
	}
	return func() { b.sem.Release(px) }, nil
}

// TryAcquire is Acquire without waiting: it reports false when the pixels
// are not free now.
func (b *Budget) TryAcquire(px int64) (release func(), ok bool) {
	if b == nil || px <= 0 {
		return func() {}, true
	}
	px = min(px, b.cap)
	if !b.sem.TryAcquire(px) {
		return nil, false
	}
	return func() { b.sem.Release(px) }, true
}
