#!/usr/bin/env bash
# Low precision vs FP32 speed on this CPU (issue 4): quantizes the four models with `switchyard
# quantize --precision $PRECISION` (int8 by default; bf16, fp16; default settings: the speed gate
# included, int8's and, on CPUs that compute BF16, bf16's) and benches FP32 and the quantized file
# side by side with ONNX Runtime on the same file. Usage: [PRECISION=bf16] [MODELS="cls yolo"] benchmarks/precision-speed.sh [SWITCHYARD_BINARY] [OUT_DIR]
# Needs models/ (scripts/fetch-models.sh) and .cache/heldout (scripts/make-heldout.py: its det split
# holds the text pages the detector calibrates on).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-.build/release/switchyard}
PRECISION=${PRECISION:-int8}
OUT=${2:-.cache/precision-speed}
SECONDS_PER_CONFIG=${SECONDS_PER_CONFIG:-4}
mkdir -p "$OUT"

declare -A MODEL=([cls]=models/ch_ppocr_mobile_v2.0_cls_infer.onnx [rec]=models/ch_PP-OCRv4_rec_infer.onnx
                  [det]=models/ch_PP-OCRv4_det_infer.onnx [yolo]=models/yolov8n-320.onnx)
declare -A SHAPE=([cls]=x=1x3x48x192 [rec]=x=1x3x48x320 [det]=x=1x3x640x640 [yolo]=images=1x3x320x320)
declare -A CALIBRATION=([cls]=.cache/heldout/cls/calibration [rec]=.cache/heldout/rec/calibration
                        [det]=.cache/heldout/det/calibration [yolo]=.cache/heldout/yolo/calibration)

for name in ${MODELS:-cls rec det yolo}; do
    if [[ ! -f "$OUT/$name.$PRECISION.onnx" ]]; then
        echo "== quantize $name"
        calibration=()
        # int8 calibrates on them; bf16's speed gate times on them (on CPUs that compute BF16).
        [[ $PRECISION == int8 || $PRECISION == bf16 ]] && calibration=(--calibration "${CALIBRATION[$name]}")
        "$BIN" quantize "${MODEL[$name]}" --precision "$PRECISION" "${calibration[@]}" --threads 2 \
            --output "$OUT/$name.$PRECISION.onnx" | tee "$OUT/$name.$PRECISION.quantize.txt"
    fi
    for variant in fp32 "$PRECISION"; do
        file=${MODEL[$name]}
        [[ $variant != fp32 ]] && file=$OUT/$name.$PRECISION.onnx
        echo "== bench $name $variant (load average: $(cut -d' ' -f1-3 /proc/loadavg))"
        "$BIN" bench "$file" --shape "${SHAPE[$name]}" --batch 1,8 --threads 1,2 --seconds "$SECONDS_PER_CONFIG" \
            --compare-onnxruntime ${EXTRA_BENCH_ARGS:-} | tee "$OUT/$name.$variant.bench.txt"
    done
done
