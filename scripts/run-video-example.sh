#!/usr/bin/env bash
# The video example: a generated video of moving, changing text -> PP-OCRv4 detection ->
# recognition -> per-frame events, under drop-oldest. Plays it twice: at 1x (realtime, as a live
# camera delivers frames; frames the pipeline cannot keep up with are dropped and counted), then
# as fast as ffmpeg decodes. Events: .cache/video-events.db and .cache/video-events-fast.db.
#
#   scripts/run-video-example.sh [switchyard pipeline run options…]
# SWITCHYARD=path/to/switchyard skips the release build.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/prepare-ocr-example.sh
if [[ -z "${SWITCHYARD:-}" ]]; then
    swift build -c release --product switchyard
    SWITCHYARD=.build/release/switchyard
fi
# The as-fast-as-possible variant: the same spec with realtime off, its paths made relative to .cache/.
sed -e 's#\.\./\.\./\.cache/##' -e 's#realtime: true#realtime: false#' examples/video/pipeline.yaml > .cache/video-fast.yaml
for run in realtime fast; do
    events=.cache/video-events.db spec=examples/video/pipeline.yaml
    [[ $run == fast ]] && events=.cache/video-events-fast.db spec=.cache/video-fast.yaml
    rm -f "$events" "$events-wal" "$events-shm"
    echo "== video pipeline, $run"
    "$SWITCHYARD" pipeline run "$spec" --events "$events" "$@"
    sqlite3 "$events" "SELECT 'events: ' || COUNT(*) || ', frames with text: ' || COUNT(DISTINCT frame) FROM events WHERE text IS NOT NULL" 2>/dev/null \
        || .venv/bin/python -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); print('events: %d, frames with text: %d' % c.execute('SELECT COUNT(*), COUNT(DISTINCT frame) FROM events WHERE text IS NOT NULL').fetchone())" "$events"
done
