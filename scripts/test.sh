#!/usr/bin/env bash
# The project's test command: installs what the tests need (scripts/setup.sh,
# scripts/setup-clients.sh), builds, runs every
# Swift test (ONNX's conformance cases, the real-model checks against ONNX Runtime, serving), then
# Triton's real clients (tritonclient, perf_analyzer) against `switchyard serve`
# (scripts/test-clients.sh), then the OCR example pipeline scored against its truth and rapidocr
# (scripts/test-ocr-example.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh system
# The Python side (the venvs, the example models, the test data, Triton's clients) installs while
# Swift compiles: it waits mostly on downloads and one core, and the first build is most of a
# clean run's time on 2 cores.
mkdir -p .cache
(scripts/setup.sh python && scripts/setup-clients.sh) > .cache/setup.log 2>&1 &
python_setup=$!
trap 'kill "$python_setup" 2>/dev/null || true' EXIT
# Only the test product: `--build-tests` would also build every tool of the dependencies
# (swift-protobuf's protoc from C++ sources), which takes half an hour on 2 cores.
swift build --product SwitchyardPackageTests
# Before the tests: KillAndResumeTests runs the real binary (and skips without it).
swift build --product switchyard
if ! wait "$python_setup"; then
    cat .cache/setup.log
    echo "scripts/setup.sh python or scripts/setup-clients.sh failed (log above)" >&2
    exit 1
fi
cat .cache/setup.log
swift test --skip-build 2>&1 | tee .cache/swift-test.log
scripts/test-clients.sh .build/debug/switchyard
scripts/test-ocr-example.sh .build/debug/switchyard
