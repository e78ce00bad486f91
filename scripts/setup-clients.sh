#!/usr/bin/env bash
# Installs Triton's real clients for the client checks (scripts/test-clients.sh) and the serving
# benchmark (scripts/bench-serving.sh), each in its own venv, with the versions verified on Debian 12:
#   .venv-clients   tritonclient[http,grpc] (newest: the Python client API), numpy, pytest, onnx (for the
#                   tiny test model scripts/make-repository.py writes)
#   .venv-perf      tritonclient 2.51.0 for its perf_analyzer binary (newer wheels need glibc 2.38) and
#                   libcudart.so.12 from nvidia-cuda-runtime-cu12, both --no-deps; plus apt libb64-0d.
#                   Run it through scripts/perf_analyzer.sh, which sets LD_LIBRARY_PATH.
#   .venv-pytriton  (only with --pytriton) nvidia-pytriton 0.7.0 (a real Triton 2.51) + ONNX Runtime,
#                   the benchmark's Triton peer (benchmarks/pytriton_peer.py).
# Idempotent; a second run only checks, so it works offline once the first run succeeded.
set -euo pipefail
cd "$(dirname "$0")/.."

with_pytriton=0
for argument in "$@"; do
    case "$argument" in
        --pytriton) with_pytriton=1 ;;
        *) echo "usage: scripts/setup-clients.sh [--pytriton]" >&2; exit 2 ;;
    esac
done

clients_packages=("tritonclient[http,grpc]==2.73.0" "numpy==2.4.6" "pytest==9.2.0" "onnx==1.23.2")
perf_packages=("tritonclient==2.51.0" "nvidia-cuda-runtime-cu12==12.9.79")
pytriton_packages=("nvidia-pytriton==0.7.0" "onnxruntime==1.31.1" "numpy==1.26.4")
pip_flags=(-q --disable-pip-version-check)

if ! dpkg -s libb64-0d >/dev/null 2>&1; then
    sudo=""; [[ $(id -u) -ne 0 ]] && sudo="sudo"
    if ! apt-cache show libb64-0d >/dev/null 2>&1; then
        $sudo apt-get update -qq
    fi
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq libb64-0d >/dev/null
fi

# Creates venv $1 if missing and installs the pinned packages ($3…) unless `python -c "$2"` succeeds.
ensure_venv() {
    local venv=$1 check=$2; shift 2
    [[ -x "$venv/bin/python" ]] || python3 -m venv "$venv"
    if ! "$venv/bin/python" -c "$check" >/dev/null 2>&1; then
        "$venv/bin/pip" install "${pip_flags[@]}" "$@"
        "$venv/bin/python" -c "$check"
    fi
}

ensure_venv .venv-clients "import tritonclient.http, tritonclient.grpc, numpy, pytest, onnx
from importlib.metadata import version
assert version('tritonclient') == '2.73.0', version('tritonclient')" "${clients_packages[@]}"

ensure_venv .venv-perf "import sysconfig, os
site = sysconfig.get_paths()['purelib']
assert os.path.exists(os.path.join(site, 'nvidia/cuda_runtime/lib/libcudart.so.12'))
from importlib.metadata import version
assert version('tritonclient') == '2.51.0', version('tritonclient')" --no-deps "${perf_packages[@]}"
scripts/perf_analyzer.sh --version >/dev/null 2>&1 || { echo "setup-clients: perf_analyzer does not run:" >&2; scripts/perf_analyzer.sh --version; exit 1; }

if ((with_pytriton)); then
    ensure_venv .venv-pytriton "import pytriton.triton, onnxruntime, numpy
from importlib.metadata import version
assert version('nvidia-pytriton') == '0.7.0', version('nvidia-pytriton')" "${pytriton_packages[@]}"
fi
