#!/usr/bin/env bash
# The main job: installs what Switchyard needs, fetches the example models (PP-OCR detector,
# recognizer and direction classifier, YOLOv8n), builds the release binary, lays the models out as
# a Triton model repository (.cache/repository) and serves them over KServe v2 HTTP on port 8000
# and gRPC on 8001, Prometheus metrics on 8002. Ctrl-C (or SIGTERM) stops it gracefully.
#
#   scripts/run.sh [switchyard serve options…]      e.g. --residency on-demand --memory-budget cpu=1GiB
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
swift build -c release --product switchyard
.venv/bin/python scripts/make-repository.py --out .cache/repository
cat <<'USAGE'
Serving .cache/repository on http://localhost:8000 and grpc://localhost:8001 (metrics: http://localhost:8002/metrics). Try:
  curl localhost:8000/v2/models/cls
  curl -X POST localhost:8000/v2/repository/index
  .build/release/switchyard inspect models/ch_ppocr_mobile_v2.0_cls_infer.onnx
USAGE
exec .build/release/switchyard serve --model-repository .cache/repository "$@"
