#!/usr/bin/env bash
# The serving frontend's CPU per request: `switchyard serve --threads 1` on the serving benchmark's
# repository, perf_analyzer at concurrency 8 on the frontend's core, and the CPU ticks of every
# server thread except the model instance's (`/proc/PID/task/*/stat`) over one 8 s measurement,
# divided by the requests the statistics extension counted. It moves less than throughput with what
# else the machine runs (±7 % run to run here), so it is the number to compare, over alternated runs,
# when changing the frontend.
#
#   benchmarks/frontend-cpu.sh [SWITCHYARD_BINARY] [http|grpc]   (defaults: .build/release/switchyard http)
# Needs scripts/setup-clients.sh (perf_analyzer) and models/ (scripts/fetch-models.sh).
set -euo pipefail
trap 'echo "frontend-cpu: failed at line $LINENO (server log: .cache/bench-serving/frontend-cpu-server.log)" >&2' ERR
cd "$(dirname "$0")/.."
binary=${1:-.build/release/switchyard}
protocol=${2:-http}
out=.cache/bench-serving
[[ -d $out/repository/cls ]] || .venv-clients/bin/python scripts/make-repository.py --only cls,cls_preferred,cls_nobatch --out "$out/repository"
# The serving benchmark's input image and free ports (benchmarks/serving_bench.py, local_ports.py).
read -r http grpc metrics < <(cd benchmarks && ../.venv-clients/bin/python -c '
from pathlib import Path
from local_ports import free_ports
from serving_bench import write_input_data
write_input_data(Path("../.cache/bench-serving/input-data"))
print(*free_ports(3))')
"$binary" serve --model-repository "$out/repository" --http-port "$http" --grpc-port "$grpc" \
    --metrics-port "$metrics" --threads 1 >"$out/frontend-cpu-server.log" 2>&1 &
server=$!
trap 'kill -TERM $server 2>/dev/null; wait $server 2>/dev/null || true' EXIT
for _ in $(seq 300); do curl -sf "http://127.0.0.1:$http/v2/models/cls/ready" >/dev/null && break; sleep 0.2; done
url=127.0.0.1:$http; [[ $protocol == grpc ]] && url=127.0.0.1:$grpc
cores=$(( $(nproc) > 1 ? 1 : 0 ))-$(( $(nproc) - 1 ))
analyzer() {
    PERF_ANALYZER_CORES=$cores scripts/perf_analyzer.sh -i "$protocol" -u "$url" -m cls --input-data "$out/input-data" \
        --concurrency-range 8 --measurement-interval "$1"
}
analyzer 2000 >/dev/null 2>&1  # warm-up

# Ticks of all the server's threads, and of the instance threads (named after their model: cls@0).
ticks() {
    local all=0 instance=0 task line fields
    for task in /proc/$server/task/*; do
        read -r line <"$task/stat" || continue
        read -r -a fields <<<"${line##*) }"
        all=$(( all + fields[11] + fields[12] ))
        [[ $(cat "$task/comm") == cls* ]] && instance=$(( instance + fields[11] + fields[12] ))
    done
    echo "$all $instance"
}
requests() {
    curl -sf "http://127.0.0.1:$http/v2/models/cls/stats" | python3 -c 'import json, sys; print(json.load(sys.stdin)["model_stats"][0]["inference_count"])'
}
read -r all0 instance0 < <(ticks); count0=$(requests)
throughput=$(analyzer 8000 2>&1 | grep -o "Throughput: [0-9.]* infer/sec" | tail -1 || true)
read -r all1 instance1 < <(ticks); count1=$(requests)
hz=$(getconf CLK_TCK)
frontend=$(( (all1 - all0) - (instance1 - instance0) ))
count=$(( count1 - count0 ))
echo "frontend-cpu: $protocol, $count requests, ${throughput:-no throughput}: frontend $(( frontend * 1000000 / hz / count )) µs CPU per request, instance $(( (instance1 - instance0) * 1000000 / hz / count )) µs"
