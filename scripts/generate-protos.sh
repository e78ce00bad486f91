#!/usr/bin/env bash
# Regenerates the committed Swift code of each protobuf schema:
#   Sources/SwitchyardONNX/Schema/*.proto                 -> Sources/SwitchyardONNX/Generated/ (internal)
#   Sources/SwitchyardServing/Repository/Schema/*.proto   -> .../Repository/Generated/ (public: the
#     model configuration is part of the serving API)
#
# Needs `protoc` (Debian: protobuf-compiler) and swift-protobuf's `protoc-gen-swift` at the
# version Package.swift depends on. The plugin is found, in order: $PROTOC_GEN_SWIFT, on PATH
# at the right version, or built here from swift-protobuf's source into .cache/ (slow the first
# time: minutes). The generated code is committed, so builds never need this script.
set -euo pipefail

SWIFT_PROTOBUF_VERSION=1.39.0
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE_DIR="$ROOT/.cache"
SWIFT_PROTOBUF_SOURCE="${SWIFT_PROTOBUF_SOURCE:-https://github.com/apple/swift-protobuf.git}"
if [[ -d /opt/swift-packages/apple/swift-protobuf.git ]]; then
    SWIFT_PROTOBUF_SOURCE=/opt/swift-packages/apple/swift-protobuf.git
fi

command -v protoc >/dev/null || { echo "protoc not found: apt-get install protobuf-compiler" >&2; exit 1; }

plugin_version_ok() {
    [[ -x "$1" ]] && [[ "$("$1" --version 2>/dev/null)" == *"$SWIFT_PROTOBUF_VERSION"* ]]
}

find_plugin() {
    if [[ -n "${PROTOC_GEN_SWIFT:-}" ]] && plugin_version_ok "$PROTOC_GEN_SWIFT"; then
        echo "$PROTOC_GEN_SWIFT"; return
    fi
    local on_path
    on_path="$(command -v protoc-gen-swift || true)"
    if [[ -n "$on_path" ]] && plugin_version_ok "$on_path"; then
        echo "$on_path"; return
    fi
    local checkout="$CACHE_DIR/swift-protobuf-$SWIFT_PROTOBUF_VERSION"
    local built="$checkout/.build/release/protoc-gen-swift"
    if ! plugin_version_ok "$built"; then
        echo "building protoc-gen-swift $SWIFT_PROTOBUF_VERSION in $checkout (takes minutes)" >&2
        mkdir -p "$CACHE_DIR"
        if [[ ! -d "$checkout/.git" ]]; then
            git clone --quiet "$SWIFT_PROTOBUF_SOURCE" "$checkout" >&2
        fi
        git -C "$checkout" -c advice.detachedHead=false checkout --quiet "$SWIFT_PROTOBUF_VERSION" >&2
        (cd "$checkout" && swift build -c release --product protoc-gen-swift >&2)
    fi
    echo "$built"
}

PLUGIN="$(find_plugin)"

# generate SCHEMA_DIR OUT_DIR VISIBILITY
generate() {
    local schema_dir="$ROOT/$1" out_dir="$ROOT/$2" visibility="$3"
    mkdir -p "$out_dir"
    rm -f "$out_dir"/*.pb.swift
    protoc \
        --plugin=protoc-gen-swift="$PLUGIN" \
        --proto_path="$schema_dir" \
        --swift_out="$out_dir" \
        --swift_opt=Visibility="$visibility" \
        "$schema_dir"/*.proto
    echo "generated: $(cd "$out_dir" && ls *.pb.swift | tr '\n' ' ')"
}

generate Sources/SwitchyardONNX/Schema Sources/SwitchyardONNX/Generated Internal
generate Sources/SwitchyardServing/Repository/Schema Sources/SwitchyardServing/Repository/Generated Public
