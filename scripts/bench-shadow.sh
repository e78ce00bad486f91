#!/usr/bin/env bash
# What shadow evaluation costs real requests (BENCHMARKS.md, "Shadow evaluation"): one
# `switchyard serve` holding three copies of the PP-OCR classifier, all serving the FP32 file with
# cls's batching config —
#   plain      no shadow parameters,
#   shadow5    shadow_reference fp16 (model.fp16.onnx from `switchyard quantize`) at rate 0.05,
#   shadow100  the same at rate 1 (every request sampled),
# then the perf_analyzer sweep of benchmarks/serving_bench.py (HTTP, binary, batch-1 requests of a
# finite image) on the models in turn within each repeat, and each model's shadow counters from the
# statistics.
#
#   scripts/bench-shadow.sh [SWITCHYARD_BINARY]     (default .build/release/switchyard)
#   BENCH_REPEATS=3 BENCH_CONCURRENCY=1,8 BENCH_THREADS=1 (defaults)
# Results: .cache/bench-shadow/ (sweep JSONs, server log, stats JSON).
set -euo pipefail
cd "$(dirname "$0")/.."
binary=${1:-${SWITCHYARD_BIN:-.build/release/switchyard}}
[[ -x $binary ]] || { echo "bench-shadow: no switchyard binary at $binary" >&2; exit 2; }
out=.cache/bench-shadow
rm -rf "$out"; mkdir -p "$out"
scripts/setup-clients.sh

make_model() {  # name, rate ("" = no shadow)
    local version=$out/repository/$1/1
    mkdir -p "$version"
    cp models/ch_ppocr_mobile_v2.0_cls_infer.onnx "$version/model.onnx"
    local parameters=""
    if [[ -n $2 ]]; then
        "$binary" quantize "$version/model.onnx" --precision fp16 >/dev/null
        parameters="parameters { key: \"shadow_reference\" value { string_value: \"fp16\" } }
parameters { key: \"shadow_sample_rate\" value { string_value: \"$2\" } }"
    fi
    cat >"$out/repository/$1/config.pbtxt" <<CONFIG
max_batch_size: 16
input [ { name: "x" data_type: TYPE_FP32 dims: [ 3, 48, 192 ] } ]
output [ { name: "save_infer_model/scale_0.tmp_1" data_type: TYPE_FP32 dims: [ 2 ] } ]
dynamic_batching { max_queue_delay_microseconds: 0 }
$parameters
CONFIG
}
make_model plain ""
make_model shadow5 0.05
make_model shadow100 1

read -r http metrics < <(python3 -c '
import socket
sockets = [socket.socket() for _ in range(2)]
for s in sockets: s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in sockets])')
"$binary" serve --model-repository "$out/repository" --http-port "$http" --metrics-port "$metrics" \
    --threads "${BENCH_THREADS:-1}" >"$out/server.log" 2>&1 &
server=$!
trap 'kill -TERM $server 2>/dev/null || true; wait $server 2>/dev/null || true' EXIT
for _ in $(seq 600); do
    curl -sf "http://127.0.0.1:$http/v2/models/shadow100/ready" >/dev/null && break
    kill -0 "$server" || { tail -30 "$out/server.log" >&2; exit 1; }
    sleep 0.2
done
echo "bench-shadow: $(date -u +%FT%TZ), load average: $(cut -d' ' -f1-3 /proc/loadavg)"
# The models take turns within each repeat, so load from other processes drifting over the run
# falls on all of them alike.
for repeat in $(seq "${BENCH_REPEATS:-3}"); do
    for model in plain shadow5 shadow100; do
        BENCH_CONCURRENCY=${BENCH_CONCURRENCY:-1,8} .venv-clients/bin/python benchmarks/serving_bench.py sweep \
            --server switchyard --url "127.0.0.1:$http" --model "$model" --repeats 1 --out "$out/sweep-$model-$repeat.json"
    done
done
curl -sf "http://127.0.0.1:$http/v2/models/stats" >"$out/stats.json"
.venv-clients/bin/python - "$out" <<'PY'
import json, sys
from pathlib import Path
out = Path(sys.argv[1])
from statistics import median
runs = {}  # (model, concurrency) -> [level of each repeat]
for path in sorted(out.glob("sweep-*-*.json")):
    sweep = json.loads(path.read_text())
    for level in sweep["levels"]:
        runs.setdefault((sweep["model"], level["concurrency"]), []).append(level)
def med(model, concurrency, key):
    return median(level[key] for level in runs[(model, concurrency)])
print("| model | concurrency | infer/s median (min–max) | × plain | p50 ms | p99 ms |")
print("|---|---|---|---|---|---|")
for model in ("plain", "shadow5", "shadow100"):
    for concurrency in sorted({c for m, c in runs if m == model}):
        throughputs = [level["throughput"] for level in runs[(model, concurrency)]]
        value = med(model, concurrency, "throughput")
        print(f"| {model} | {concurrency} | {value:.1f} ({min(throughputs):.1f}–{max(throughputs):.1f}) | "
              f"{value / med('plain', concurrency, 'throughput'):.3f} | {med(model, concurrency, 'p50_ms'):.2f} | "
              f"{med(model, concurrency, 'p99_ms'):.2f} |")
for stats in json.loads((out / "stats.json").read_text())["model_stats"]:
    if "shadow" in stats:
        s = stats["shadow"]
        print(f"{stats['name']}: sampled {s['sampled']}, compared {s['compared']}, dropped_busy {s['dropped_busy']}, "
              f"failed {s['failed']}, agreement {s['agreement']}, max_abs_error {s['max_abs_error']}")
PY
