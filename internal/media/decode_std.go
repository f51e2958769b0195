//go:build !(cgo && turbojpeg)

package media

import "image"

// dctScaling reports whether this build decodes JPEGs at reduced DCT
// scale. The default build is pure Go (image/jpeg has no scaled decode);
// build with `-tags turbojpeg` (and cgo, with libturbojpeg0-dev installed)
// for libjpeg-turbo's scaled decoder and encoder.
const dctScaling = false

// JPEGCodec names the JPEG decoder and encoder of this build.
const JPEGCodec = "image/jpeg (pure Go)"

func decodeJPEGFast([]byte, int) (image.Image, bool, error) { return nil, false, nil }

func encodeJPEGFast(image.Image, int) ([]byte, bool, error) { return nil, false, nil }
