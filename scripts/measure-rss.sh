#!/usr/bin/env bash
# Peak resident memory of one inference: Switchyard (`switchyard infer`, release build) against
# ONNX Runtime (scripts/ort_infer.py, one thread) on the same model and the same .npy input.
#
# Usage: scripts/measure-rss.sh MODEL NAME=SHAPE
#   e.g. scripts/measure-rss.sh models/ch_ppocr_mobile_v2.0_cls_infer.onnx x=1x3x48x192
# Environment: SWITCHYARD_PYTHON (default .venv/bin/python) with numpy and onnxruntime;
#   SWITCHYARD_BIN (default .build/release/switchyard).
set -euo pipefail

if [[ $# -ne 2 || "$2" != *=* ]]; then
    echo "usage: $0 MODEL NAME=SHAPE   (SHAPE like 1x3x48x192)" >&2
    exit 2
fi
model=$1
name=${2%%=*}
shape=${2#*=}
root=$(cd "$(dirname "$0")/.." && pwd)
python=${SWITCHYARD_PYTHON:-$root/.venv/bin/python}
switchyard=${SWITCHYARD_BIN:-$root/.build/release/switchyard}

if [[ ! -x /usr/bin/time ]]; then
    apt-get install -y time >/dev/null
fi
if [[ ! -x "$switchyard" ]]; then
    echo "no $switchyard: run 'swift build -c release --product switchyard' first" >&2
    exit 1
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$python" - "$work/input.npy" "$shape" <<'EOF'
import sys
import numpy as np
shape = [int(d) for d in sys.argv[2].split("x")]
np.save(sys.argv[1], np.random.default_rng(0).uniform(-1, 1, shape).astype(np.float32))
EOF

# Maximum resident set size (kbytes) reported by GNU time -v.
peak_kib() {
    /usr/bin/time -v "$@" 2>"$work/time.txt" >/dev/null || { cat "$work/time.txt" >&2; exit 1; }
    awk -F': ' '/Maximum resident set size/ { print $2 }' "$work/time.txt"
}

switchyard_kib=$(peak_kib "$switchyard" infer "$model" --input "$name=$work/input.npy" --output-dir "$work/sy")
ort_kib=$(peak_kib "$python" "$root/scripts/ort_infer.py" "$model" "$work/ort" "$name=$work/input.npy")
# What the Python interpreter with numpy and onnxruntime imported holds before any model.
baseline_kib=$(peak_kib "$python" -c "import numpy, onnxruntime")
switchyard_baseline_kib=$(peak_kib "$switchyard" --help)

awk -v s="$switchyard_kib" -v o="$ort_kib" -v b="$baseline_kib" -v sb="$switchyard_baseline_kib" -v m="$(basename "$model")" -v sh="$shape" 'BEGIN {
    printf "%s %s\n", m, sh
    printf "  switchyard peak RSS: %8.1f MiB\n", s / 1024
    printf "  onnxruntime peak RSS: %7.1f MiB\n", o / 1024
    printf "  ratio switchyard/onnxruntime: %.2f\n", s / o
    printf "  without the process baseline (python + numpy + onnxruntime imported: %.1f MiB;\n", b / 1024
    printf "    switchyard --help: %.1f MiB): switchyard %.1f MiB, onnxruntime %.1f MiB\n", sb / 1024, (s - sb) / 1024, (o - b) / 1024
}'
