#!/usr/bin/env bash
# gotags.sh — print the Go build tags this machine can build Tessera with:
# "turbojpeg" (libjpeg-turbo through cgo: DCT-scaled JPEG decode and SIMD
# encode, docs/MEDIA.md) when the header and a C compiler are present,
# nothing otherwise (the pure-Go codec). Used by the Makefile.
set -u
if [[ -e /usr/include/turbojpeg.h ]] && command -v "${CC:-cc}" >/dev/null 2>&1 &&
	[[ $(go env CGO_ENABLED 2>/dev/null) == 1 ]]; then
	echo turbojpeg
fi
