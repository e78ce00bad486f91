#!/usr/bin/env bash
# The session's thread choice under load (BENCHMARKS.md, "One thread when that is faster"): each
# model on one thread, on two threads fixed (`--fixed-threads`), and on two threads as sessions
# run by default (one thread where that measured faster), while 0, 1 and then BUSY_MANY other
# processes keep the cores busy (shell loops, ended when each load is done). One configuration
# idles 50 ms after each run (`--idle-ms`), as a detector fed by a 20 fps camera does. Rounds
# alternate the three settings; a table row per round.
#
#   benchmarks/thread-choice.sh [SWITCHYARD_BINARY]   (default .build/release/switchyard)
#   ROUNDS=2 SECONDS_PER_RUN=3 BUSY_MANY=10 benchmarks/thread-choice.sh
# Needs models/ (scripts/fetch-models.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
binary=${1:-.build/release/switchyard}
rounds=${ROUNDS:-2}
seconds=${SECONDS_PER_RUN:-3}
# model, input shape, batch, idle milliseconds after each run
configs=(
    "models/yolov8n-320.onnx images=1x3x320x320 1 0"
    "models/yolov8n-320.onnx images=1x3x320x320 1 50"
    "models/ch_PP-OCRv4_rec_infer.onnx x=1x3x48x320 1 0"
    "models/yolov8n-320.onnx images=1x3x320x320 8 0"
)

busy=()
stop_busy() {
    ((${#busy[@]})) && kill "${busy[@]}" 2>/dev/null
    wait 2>/dev/null || true
    busy=()
}
trap stop_busy EXIT

# The median of one bench configuration, and how many of its runs took one thread.
median() {
    "$binary" bench "$1" --shape "$2" --batch "$3" --idle-ms "$4" --threads "$5" --seconds "$seconds" --warmup 2 "${@:6}" 2>/dev/null |
        awk 'NR == 3 { printf "%s ms%s", $3, (NF >= 9 ? sprintf(" (%s of %s on 1 thread)", $9, $8) : "") }'
}

echo "thread-choice: $(date -u +%FT%TZ), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), GOMP_SPINCOUNT=${GOMP_SPINCOUNT:-default}"
echo "| busy processes | model | batch | idle after runs | round | 1 thread | 2 threads, fixed | 2 threads, chosen per run |"
echo "|---:|---|---:|---:|---:|---:|---:|---:|"
for load in 0 1 "${BUSY_MANY:-10}"; do
    for _ in $(seq "$load"); do
        bash -c 'while :; do :; done' &
        busy+=($!)
    done
    for config in "${configs[@]}"; do
        read -r model shape batch idle <<<"$config"
        for round in $(seq "$rounds"); do
            one=$(median "$model" "$shape" "$batch" "$idle" 1)
            fixed=$(median "$model" "$shape" "$batch" "$idle" 2 --fixed-threads)
            chosen=$(median "$model" "$shape" "$batch" "$idle" 2)
            echo "| $load | $(basename "$model" .onnx) | $batch | $idle ms | $round | $one | $fixed | $chosen |"
        done
    done
    stop_busy
done
