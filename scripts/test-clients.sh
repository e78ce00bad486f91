#!/usr/bin/env bash
# Triton's real clients against Switchyard: installs them (scripts/setup-clients.sh), builds a model
# repository (scripts/make-repository.py), starts `switchyard serve` on free ports, runs the checks in
# tests/clients (tritonclient over HTTP and gRPC, perf_analyzer, concurrency, bad requests), then stops the server with
# SIGTERM while requests are in flight and checks that it answers them and exits 0.
#
#   scripts/test-clients.sh [SWITCHYARD_BINARY] [-- pytest arguments]
#
# The binary defaults to $SWITCHYARD_BIN, else .build/release/switchyard, else .build/debug/switchyard.
# Extra `serve` options: $SWITCHYARD_SERVE_ARGS. Logs: .cache/clients/server.log.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

binary=${SWITCHYARD_BIN:-}
if [[ $# -gt 0 && $1 != "--" ]]; then binary=$1; shift; fi
[[ ${1:-} == "--" ]] && shift
if [[ -z $binary ]]; then
    for candidate in .build/release/switchyard .build/debug/switchyard; do
        [[ -x $candidate ]] && { binary=$candidate; break; }
    done
fi
[[ -n $binary && -x $binary ]] || { echo "test-clients: no switchyard binary (build it, or pass its path)" >&2; exit 2; }
binary=$(cd "$(dirname "$binary")" && pwd)/$(basename "$binary")

scripts/setup-clients.sh
work=.cache/clients
rm -rf "$work"; mkdir -p "$work"
.venv-clients/bin/python scripts/make-repository.py --out "$work/repository" --switchyard "$binary"

read -r http_port grpc_port metrics_port < <(python3 -c '
import socket
sockets = [socket.socket() for _ in range(3)]
for s in sockets: s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in sockets])')

# shellcheck disable=SC2086  # SWITCHYARD_SERVE_ARGS is a list of options
"$binary" serve --model-repository "$work/repository" --http-port "$http_port" --grpc-port "$grpc_port" --metrics-port "$metrics_port" \
    ${SWITCHYARD_SERVE_ARGS:-} >"$work/server.log" 2>&1 &
server=$!
stop_server() { kill -TERM "$server" 2>/dev/null || true; }
trap stop_server EXIT

started=$(date +%s.%N)
for _ in $(seq 600); do
    if ! kill -0 "$server" 2>/dev/null; then
        echo "test-clients: switchyard serve exited before it was ready; its log:" >&2
        tail -50 "$work/server.log" >&2
        exit 1
    fi
    curl -sf "http://127.0.0.1:$http_port/v2/health/ready" >/dev/null && break
    sleep 0.2
done
curl -sf "http://127.0.0.1:$http_port/v2/health/ready" >/dev/null || { echo "test-clients: not ready after 120 s" >&2; tail -50 "$work/server.log" >&2; exit 1; }
echo "test-clients: $binary ready on :$http_port (gRPC :$grpc_port, metrics :$metrics_port) after" \
    "$(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s"

# Server-ready should imply every model is loaded (Triton's strict readiness); wait a little per
# model anyway so a slow load shows up here by name rather than as scattered check failures.
for model_dir in "$work/repository"/*/; do
    model=$(basename "$model_dir")
    for _ in $(seq 300); do
        curl -sf "http://127.0.0.1:$http_port/v2/models/$model/ready" >/dev/null && break
        sleep 0.2
    done
    curl -sf "http://127.0.0.1:$http_port/v2/models/$model/ready" >/dev/null \
        || echo "test-clients: WARNING: server ready, but model $model not ready 60 s later" >&2
done

export SWITCHYARD_URL=127.0.0.1:$http_port SWITCHYARD_GRPC_URL=127.0.0.1:$grpc_port SWITCHYARD_METRICS_URL=127.0.0.1:$metrics_port
export SWITCHYARD_BIN=$binary SWITCHYARD_REPOSITORY=$root/$work/repository SWITCHYARD_WORK=$root/$work
status=0
(cd tests/clients && "$root/.venv-clients/bin/python" -m pytest -v -rfE -p no:cacheprovider \
    check_clients.py check_grpc.py check_concurrency.py check_bad_requests.py check_perf_analyzer.py check_ensemble.py check_shadow.py "$@") || status=1

rss_kib=$(awk '/VmRSS/ {print $2}' "/proc/$server/status" 2>/dev/null || echo "?")
echo "test-clients: server RSS after the checks: ${rss_kib} KiB"

trap - EXIT
.venv-clients/bin/python tests/clients/check_shutdown.py --pid "$server" --url "$SWITCHYARD_URL" || status=1
exit_code=0
for _ in $(seq 300); do kill -0 "$server" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$server" 2>/dev/null; then
    echo "FAIL shutdown: switchyard serve still running 30 s after SIGTERM" >&2
    kill -KILL "$server"; status=1
fi
wait "$server" || exit_code=$?
if [[ $exit_code -ne 0 ]]; then
    echo "FAIL shutdown: switchyard serve exited $exit_code after SIGTERM (expected 0); log tail:" >&2
    tail -20 "$work/server.log" >&2
    status=1
else
    echo "PASS shutdown: switchyard serve exited 0 after SIGTERM"
fi
exit $status
