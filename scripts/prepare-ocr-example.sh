#!/usr/bin/env bash
# Prepares what the OCR and video example pipelines need, idempotently: the Python packages of
# scripts/requirements.txt (Pillow, rapidocr-onnxruntime) in .venv, the rendered pages with their
# truth (.cache/ocr-pages), the test video (.cache/ocr-video/text.mp4) and the model repository
# (.cache/ocr-repository). Run scripts/setup.sh first (it makes .venv and fetches the models).
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -x .venv/bin/python ]] || { echo "prepare-ocr-example: no .venv (run scripts/setup.sh)" >&2; exit 1; }
if ! .venv/bin/python -c "import PIL, rapidocr_onnxruntime" 2>/dev/null; then
    .venv/bin/pip install -q --disable-pip-version-check -r scripts/requirements.txt
fi
[[ -f .cache/ocr-pages/truth.jsonl ]] || .venv/bin/python scripts/make-ocr-pages.py --out .cache/ocr-pages
[[ -f .cache/ocr-video/text.mp4 ]] || scripts/make-text-video.sh .cache/ocr-video/text.mp4
.venv/bin/python scripts/make-ocr-repository.py --out .cache/ocr-repository
