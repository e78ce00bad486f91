#!/usr/bin/env bash
# The project's test command: installs what the tests need (scripts/setup.sh), builds, runs every
# Swift test (ONNX's conformance cases, the real-model checks against ONNX Runtime, serving), then
# Triton's real clients (tritonclient, perf_analyzer) against `switchyard serve`
# (scripts/test-clients.sh), then the OCR example pipeline scored against its truth and rapidocr
# (scripts/test-ocr-example.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
# Only the test product: `--build-tests` would also build every tool of the dependencies
# (swift-protobuf's protoc from C++ sources), which takes half an hour on 2 cores.
swift build --product SwitchyardPackageTests
# Before the tests: KillAndResumeTests runs the real binary (and skips without it).
swift build --product switchyard
swift test --skip-build 2>&1 | tee .cache/swift-test.log
scripts/test-clients.sh .build/debug/switchyard
scripts/test-ocr-example.sh .build/debug/switchyard
