#!/usr/bin/env bash
# The serving benchmark (BENCHMARKS.md, "Serving"): the same perf_analyzer sweep (concurrency
# 1,2,4,8,16, batch-1 requests of a finite image, HTTP with binary tensors; model `cls` also over
# gRPC, in turns with the HTTP runs) on the PP-OCR classifier against
#   1. a real Triton 2.51 (nvidia-pytriton, ONNX Runtime in its Python backend: benchmarks/pytriton_peer.py),
#   2. switchyard serve (model `cls`: dynamic batching; `cls_nobatch`: the same model without),
# one server at a time, plus `switchyard bench` in-process on the same model and thread count; then
# a table with medians, server overhead and batching on/off ratios (benchmarks/serving_bench.py).
#
#   scripts/bench-serving.sh [SWITCHYARD_BINARY]      (default .build/release/switchyard)
#   BENCH_SERVERS=pytriton scripts/bench-serving.sh   (only the peer; or BENCH_SERVERS=switchyard)
#   BENCH_REPEATS=3 BENCH_SCALE=1 BENCH_CONCURRENCY=1,2,4,8,16 BENCH_THREADS=1 (defaults)
#   BENCH_CLIENT_CORES=1 (default: the cores after the first BENCH_THREADS, which switchyard serve's
#   --frontend-cores auto gives its frontend; "any" = unpinned). perf_analyzer runs on the same box as the
#   server; pinned there it stands in for a remote client, which would take no core from the instances.
# BENCH_THREADS (server --threads, ONNX Runtime intra-op threads, `switchyard bench --threads`) is 1:
# perf_analyzer runs on the same 2 cores, and a 2-thread OpenMP team stalls whenever one of its cores
# is taken (measured: `switchyard bench` cls batch 1, 2 threads, other processes running: median
# 772 ms; 1 thread: 1.0 ms).
# Results: .cache/bench-serving/ (sweep JSONs, engine JSON, report.md, server logs).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
binary=${1:-${SWITCHYARD_BIN:-.build/release/switchyard}}
servers=${BENCH_SERVERS:-pytriton,switchyard}
threads=${BENCH_THREADS:-1}
client_cores=${BENCH_CLIENT_CORES:-$(( threads < $(nproc) ? threads : 0 ))-$(( $(nproc) - 1 ))}
[[ $client_cores == any ]] && client_cores=
export PERF_ANALYZER_CORES=$client_cores
model_file=models/ch_ppocr_mobile_v2.0_cls_infer.onnx
out=.cache/bench-serving
mkdir -p "$out"
# Keep earlier sweeps of a server not measured this time (the report dates each sweep).
for server in ${servers//,/ }; do rm -f "$out/sweep-$server-"*.json; done
[[ $servers == *switchyard* ]] && rm -f "$out/engine.json"

scripts/setup-clients.sh --pytriton
.venv-clients/bin/python scripts/make-repository.py --only cls,cls_preferred,cls_nobatch --out "$out/repository"
if [[ $servers == *switchyard* ]]; then
    [[ -x $binary ]] || { echo "bench-serving: no switchyard binary at $binary" >&2; exit 2; }
fi

free_ports() {
    python3 -c '
import socket
sockets = [socket.socket() for _ in range(3)]
for s in sockets: s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in sockets])'
}

# Waits until $1 answers ready for models cls and cls_nobatch; fails if pid $2 dies or after $3 s.
wait_ready() {
    local url=$1 pid=$2 seconds=$3 log=$4
    for _ in $(seq $((seconds * 5))); do
        kill -0 "$pid" 2>/dev/null || { echo "bench-serving: server exited; log tail:" >&2; tail -30 "$log" >&2; return 1; }
        if curl -sf "http://$url/v2/models/cls/ready" >/dev/null && curl -sf "http://$url/v2/models/cls_nobatch/ready" >/dev/null; then
            return 0
        fi
        sleep 0.2
    done
    echo "bench-serving: not ready after $seconds s; log tail:" >&2; tail -30 "$log" >&2; return 1
}

# Stops pid $1 with SIGTERM and waits up to 60 s.
stop() {
    kill -TERM "$1" 2>/dev/null || return 0
    for _ in $(seq 600); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
    wait "$1" 2>/dev/null || true
}

sweep() {  # server label, HTTP url, gRPC url, targets (comma-separated: warmed up first, then measured in turns per level)
    .venv-clients/bin/python benchmarks/serving_bench.py sweep --server "$1" --url "$2" --grpc-url "$3" --model "$4" \
        --out "$out/sweep-$1-{model}.json"
}

echo "bench-serving: $(date -u +%FT%TZ), $(nproc) cores, load average: $(cut -d' ' -f1-3 /proc/loadavg), perf_analyzer on cores ${client_cores:-any}"

if [[ $servers == *pytriton* ]]; then
    read -r http grpc metrics < <(free_ports)
    libdir=$(.venv-pytriton/bin/python -c 'import sysconfig; print(sysconfig.get_config_var("LIBDIR"))')
    LD_LIBRARY_PATH=$libdir .venv-pytriton/bin/python benchmarks/pytriton_peer.py --model "$model_file" \
        --http-port "$http" --grpc-port "$grpc" --metrics-port "$metrics" --threads "$threads" >"$out/pytriton.log" 2>&1 &
    peer=$!
    trap 'stop $peer' EXIT
    wait_ready "127.0.0.1:$http" "$peer" 180 "$out/pytriton.log"
    echo "bench-serving: pytriton (Triton 2.51) ready on :$http"
    sweep pytriton "127.0.0.1:$http" "127.0.0.1:$grpc" cls,cls_nobatch,cls@grpc
    stop "$peer"; trap - EXIT
fi

if [[ $servers == *switchyard* ]]; then
    read -r http grpc metrics < <(free_ports)
    "$binary" serve --model-repository "$out/repository" --http-port "$http" --grpc-port "$grpc" \
        --metrics-port "$metrics" --threads "$threads" >"$out/switchyard.log" 2>&1 &
    server=$!
    trap 'stop $server' EXIT
    wait_ready "127.0.0.1:$http" "$server" 180 "$out/switchyard.log"
    echo "bench-serving: switchyard ready on :$http"
    sweep switchyard "127.0.0.1:$http" "127.0.0.1:$grpc" cls,cls_preferred,cls_nobatch,cls@grpc
    grep -o "batch_profile=[^[]*" "$out/switchyard.log" >"$out/switchyard-batch-profiles.txt" || true
    for model in cls cls_preferred cls_nobatch; do  # per batch size: executions and compute time
        curl -sf "http://127.0.0.1:$http/v2/models/$model/stats" >"$out/switchyard-$model-stats.json" || true
    done
    stop "$server"; trap - EXIT

    echo "bench-serving: switchyard bench (in-process, $threads threads)"
    "$binary" bench "$model_file" --shape x=1x3x48x192 --batch 1,2,4,8,16 --threads "$threads" --seconds 3 --json \
        >"$out/engine.json"
fi

engine=(); [[ -s $out/engine.json ]] && engine=(--engine "$out/engine.json")
echo "bench-serving: load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
.venv-clients/bin/python benchmarks/serving_bench.py report --sweeps "$out"/sweep-*.json "${engine[@]}" \
    --markdown "$out/report.md"
echo "bench-serving: report in $root/$out/report.md"
