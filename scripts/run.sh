#!/usr/bin/env bash
# The main job: installs what Switchyard needs, fetches the example models, builds the release
# binary and runs each example model, side by side with ONNX Runtime on the same inputs.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
swift build -c release --product switchyard
bin=.build/release/switchyard
export SWITCHYARD_PYTHON="$PWD/.venv/bin/python"
for model in models/*.onnx; do
    echo "== $model"
    "$bin" inspect "$model"
done
"$bin" bench models/ch_ppocr_mobile_v2.0_cls_infer.onnx --shape x=1x3x48x192 --batch 1 --threads 1 --compare-onnxruntime
"$bin" bench models/ch_PP-OCRv4_rec_infer.onnx --shape x=1x3x48x320 --batch 1 --threads 1 --compare-onnxruntime
"$bin" bench models/ch_PP-OCRv4_det_infer.onnx --shape x=1x3x640x640 --batch 1 --threads 1 --compare-onnxruntime
"$bin" bench models/yolov8n-320.onnx --shape images=1x3x320x320 --batch 1 --threads 1 --compare-onnxruntime
