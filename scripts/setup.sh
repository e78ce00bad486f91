#!/usr/bin/env bash
# Installs what Switchyard needs on a fresh Debian 12 machine (as root, or with sudo available):
# oneDNN from Debian, a Python venv (.venv) with the reference tools (onnx, onnxruntime, numpy),
# the example models (models/) and ONNX's conformance cases (.cache/conformance).
# Idempotent: a second run only checks.
# `scripts/setup.sh system` installs only the Debian packages (what the Swift build links);
# `scripts/setup.sh python` only the rest (the venv, models and test data).
set -euo pipefail
cd "$(dirname "$0")/.."

phase="${1:-all}"
case "$phase" in
    all | system | python) ;;
    *) echo "usage: scripts/setup.sh [system|python]" >&2; exit 2 ;;
esac

apt_packages=(libdnnl-dev libturbojpeg0-dev libpng-dev libsqlite3-dev ffmpeg fonts-dejavu-core unzip python3-venv)
missing=()
for package in "${apt_packages[@]}"; do
    dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if [[ $phase != python ]] && ((${#missing[@]})); then
    sudo=""; [[ $(id -u) -ne 0 ]] && sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi
[[ $phase == system ]] && exit 0

if [[ ! -x .venv/bin/python ]]; then
    python3 -m venv .venv
fi
if ! .venv/bin/python -c "import onnx, onnxruntime, numpy, cv2, PIL, pyclipper, shapely, skimage, rapidocr_onnxruntime" 2>/dev/null; then
    .venv/bin/pip install -q --disable-pip-version-check -r scripts/requirements.txt
fi

scripts/fetch-models.sh
.venv/bin/python scripts/make-vision-fixtures.py .cache/vision-fixtures
# rapidocr's own pre-processing outputs, for the OCR processors' tests.
[[ -f .cache/ocr-fixtures/manifest.json ]] || .venv/bin/python scripts/make-ocr-fixtures.py
scripts/generate-conformance.sh .cache/conformance
# Held-out calibration/validation samples for quantization and the CTC decoder fixtures.
[[ -f .cache/heldout/ctc/real.json && -d .cache/heldout/det/validation ]] || .venv/bin/python scripts/make-heldout.py
# INT8 models made by ONNX Runtime's own quantizer, with ORT's outputs, for the engine's
# quantized-model tests (.cache/quantized; a few minutes on two cores, skipped when present).
.venv/bin/python scripts/make-quantized-models.py
