#!/usr/bin/env bash
# The OCR example: PP-OCRv4 detection -> crop -> direction classifier -> recognition -> events, on
# rendered document pages with known text; then scores the events against the truth and against
# rapidocr-onnxruntime's own Python pipeline on the same pages (made once, ~2 min).
#
#   scripts/run-ocr-example.sh [switchyard pipeline run options…]      e.g. --threads 2
# SWITCHYARD=path/to/switchyard skips the release build.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/prepare-ocr-example.sh
if [[ -z "${SWITCHYARD:-}" ]]; then
    swift build -c release --product switchyard
    SWITCHYARD=.build/release/switchyard
fi
rm -f .cache/ocr-events.db .cache/ocr-events.db-wal .cache/ocr-events.db-shm
"$SWITCHYARD" pipeline run examples/ocr/pipeline.yaml --events .cache/ocr-events.db "$@"
[[ -f .cache/ocr-pages/rapidocr.jsonl ]] || .venv/bin/python scripts/rapidocr-reference.py --pages .cache/ocr-pages
.venv/bin/python scripts/score-ocr.py .cache/ocr-events.db --truth .cache/ocr-pages/truth.jsonl \
    --reference .cache/ocr-pages/rapidocr.jsonl --check
