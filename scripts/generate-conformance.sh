#!/usr/bin/env bash
# Writes ONNX's node conformance cases into DIR (default .cache/conformance), once.
# Usage: scripts/generate-conformance.sh [DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-.cache/conformance}"
python="${SWITCHYARD_PYTHON:-.venv/bin/python}"
[[ -f "$out/.complete" ]] && exit 0
rm -rf "$out"
"$python" scripts/generate_conformance.py "$out"
touch "$out/.complete"
