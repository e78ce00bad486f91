#!/usr/bin/env bash
# The project's test command: installs what the tests need (scripts/setup.sh), builds, and runs
# every test, including ONNX's conformance cases and the real-model checks against ONNX Runtime.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
swift build --build-tests
swift test --skip-build 2>&1 | tee .cache/swift-test.log
