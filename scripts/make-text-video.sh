#!/usr/bin/env bash
# Generates the video pipeline's test input: moving, changing text over a noisy moving background.
# A code line changes every second and scrolls left to right; a second line drifts down the
# frame; a third stays put. 640x360, 25 fps, H.264, 12 s (override with DURATION=…).
# Output: .cache/ocr-video/text.mp4 (or $1). Deterministic for a given ffmpeg build.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-.cache/ocr-video/text.mp4}"
duration="${DURATION:-12}"
font=/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf
mono=/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf
[ -f "$font" ] || { echo "make-text-video: $font is missing (apt-get install fonts-dejavu-core)" >&2; exit 1; }
command -v ffmpeg >/dev/null || { echo "make-text-video: ffmpeg is missing (apt-get install ffmpeg)" >&2; exit 1; }
mkdir -p "$(dirname "$out")"
# Background: a slow colour test pattern, darkened and with temporal noise (seeded by ffmpeg's
# fixed default), so the detector sees texture and the text is never on a flat field.
ffmpeg -hide_banner -loglevel error -y \
  -f lavfi -i "testsrc2=size=640x360:rate=25:duration=${duration}" \
  -vf "eq=brightness=-0.25:saturation=0.5,noise=alls=12:allf=t,\
drawbox=x=20:y=20:w=600:h=90:color=white@0.85:t=fill,\
drawtext=fontfile=${font}:fontsize=40:fontcolor=black:x=30+mod(t*40\,300):y=45:text='CODE %{eif\:1000+mod(trunc(t)*7919\,9000)\:d}',\
drawtext=fontfile=${mono}:fontsize=32:fontcolor=white:box=1:boxcolor=black@0.6:boxborderw=8:x=mod(t*80\,(w+tw))-tw:y=160:text='frame %{frame_num} second %{eif\:trunc(t)\:d}',\
drawtext=fontfile=${font}:fontsize=30:fontcolor=yellow:box=1:boxcolor=black@0.7:boxborderw=8:x=40:y=220+mod(t*10\,100):text='Switchyard video test'" \
  -c:v libx264 -preset veryfast -pix_fmt yuv420p "$out"
echo "make-text-video: ${duration}s 640x360 25 fps -> $out"
