#!/usr/bin/env bash
# images.sh — the image benchmark of docs/BENCHMARKS.md: Tessera's photo
# derivatives (pure Go, and with -tags turbojpeg when libturbojpeg is
# installed) against vipsthumbnail on the same 24 MP JPEG, in the same run.
#
#   bash bench/images.sh [WORKDIR]      (RUNS=5 by default)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
W=${1:-$(mktemp -d "${TMPDIR:-/tmp}/tessera-bench.XXXXXX")}
mkdir -p "$W"
RUNS=${RUNS:-5}

for t in ffmpeg vipsthumbnail; do
	command -v "$t" >/dev/null || { echo "images.sh: $t is missing (scripts/services.sh installs it)" >&2; exit 1; }
done

# Two 6000×4000 (24 MP) pictures with fine detail and sensor-like noise:
# full chroma (4:4:4, quality ~92: the hard case) and 4:2:0 at quality ~90
# (what most cameras and phones write).
SRC444=$W/photo-24mp.jpg
SRC420=$W/photo-24mp-420.jpg
if [[ ! -s $SRC444 ]]; then
	ffmpeg -nostdin -v error -y -f lavfi -i "mandelbrot=size=6000x4000:maxiter=300" \
		-vf "noise=alls=12:allf=t,eq=saturation=1.2" -frames:v 1 -q:v 2 "$SRC444"
fi
if [[ ! -s $SRC420 ]]; then
	ffmpeg -nostdin -v error -y -i "$SRC444" -pix_fmt yuvj420p -q:v 3 "$SRC420"
fi

go build -o "$W/imagebench-go" ./bench/imagebench
bins="purego=$W/imagebench-go"
if [[ -e /usr/include/turbojpeg.h ]]; then
	CGO_ENABLED=1 go build -tags turbojpeg -o "$W/imagebench-turbo" ./bench/imagebench
	bins+=",turbojpeg=$W/imagebench-turbo"
fi

echo "machine: $(nproc) cores; $(lscpu | sed -n 's/^Model name: *//p')"
echo "vips: $(vipsthumbnail --version); go: $(go env GOVERSION)"
for src in "$SRC444" "$SRC420"; do
	"$W/imagebench-go" -src "$src" -dir "$W" -runs "$RUNS" -tessera "$bins"
	echo
done
