#!/usr/bin/env bash
# perf_analyzer 2.51 from the tritonclient==2.51.0 wheel in .venv-perf (scripts/setup-clients.sh):
# it needs libcudart.so.12 (the nvidia-cuda-runtime-cu12 wheel; loads without a GPU) and libb64-0d.
# Usage: scripts/perf_analyzer.sh [perf_analyzer options] (e.g. -m cls -u localhost:8000 -i http)
# PERF_ANALYZER_CORES=1 runs it on those cores only (taskset), e.g. off a same-box server's inference cores.
set -euo pipefail
venv="$(cd "$(dirname "$0")/.." && pwd)/.venv-perf"
[[ -x "$venv/bin/perf_analyzer" ]] || { echo "perf_analyzer.sh: $venv/bin/perf_analyzer missing: run scripts/setup-clients.sh" >&2; exit 2; }
site=$("$venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
export LD_LIBRARY_PATH="$site/nvidia/cuda_runtime/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
if [[ -n ${PERF_ANALYZER_CORES:-} ]]; then
    exec taskset -c "$PERF_ANALYZER_CORES" "$venv/bin/perf_analyzer" "$@"
fi
exec "$venv/bin/perf_analyzer" "$@"
