#!/usr/bin/env bash
# video.sh — poster and transcode figures of docs/BENCHMARKS.md: the cost of
# probing a video and taking its poster (which must not grow with the
# video's length: fast seek), and of the browser preview transcode.
#
#   bash bench/video.sh [WORKDIR]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
W=${1:-$(mktemp -d "${TMPDIR:-/tmp}/tessera-bench.XXXXXX")}
mkdir -p "$W"
command -v ffmpeg >/dev/null || { echo "video.sh: ffmpeg is missing" >&2; exit 1; }

go build -o "$W/tessera" ./cmd/tessera

# 1080p25 H.264/AAC test clips of two lengths, made once.
for secs in 30 300; do
	f=$W/clip-${secs}s.mp4
	[[ -s $f ]] || ffmpeg -nostdin -v error -y -f lavfi -i "testsrc2=size=1920x1080:rate=25" -f lavfi -i "sine=frequency=330" \
		-t "$secs" -c:v libx264 -preset ultrafast -crf 23 -pix_fmt yuv420p -c:a aac "$f"
done

measure() { # LABEL CMD... — one line: wall, cpu, peak RSS
	local label=$1
	shift
	/usr/bin/time -f "$label: %e s wall, %U+%S s cpu, %M KB peak" "$@" >/dev/null 2>"$W/time.txt" || { cat "$W/time.txt" >&2; exit 1; }
	tail -n 1 "$W/time.txt"
}

echo "machine: $(nproc) cores; $(lscpu | sed -n 's/^Model name: *//p'); $(ffmpeg -version | head -n 1)"
for rep in 1 2 3; do for secs in 30 300; do
	measure "run $rep: probe + poster + 3 thumbnails, ${secs}s clip" "$W/tessera" media process "$W/clip-${secs}s.mp4" --kind video --out "$W/out-$secs" --no-transcode --quiet
done; done
measure "full pipeline with 1080p preview transcode (2 threads), 30s clip" "$W/tessera" media process "$W/clip-30s.mp4" --kind video --out "$W/out-t" --quiet
ls -l "$W/out-t/video.mp4" | awk '{print "preview size: " $5 " bytes"}'
