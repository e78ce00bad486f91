#!/usr/bin/env bash
# Regenerates the committed Swift code of each protobuf schema:
#   Sources/SwitchyardONNX/Schema/*.proto                 -> Sources/SwitchyardONNX/Generated/ (internal)
#   Sources/SwitchyardServing/Repository/Schema/*.proto   -> .../Repository/Generated/ (public: the
#     model configuration is part of the serving API)
#   Sources/SwitchyardGRPC/Schema/*.proto                 -> Sources/SwitchyardGRPC/Generated/ (internal;
#     messages and grpc-swift 2's service and client code; model_config.proto's types come from
#     SwitchyardServing)
#
# Needs `protoc` (Debian: protobuf-compiler), swift-protobuf's `protoc-gen-swift` and
# grpc-swift-protobuf's `protoc-gen-grpc-swift-2` at the versions Package.swift depends on. Each
# plugin is found, in order: $PROTOC_GEN_SWIFT / $PROTOC_GEN_GRPC_SWIFT, on PATH at the right
# version, or built here from the package's source into .cache/ (slow the first time: minutes).
# The generated code is committed, so builds never need this script.
set -euo pipefail

SWIFT_PROTOBUF_VERSION=1.39.0
GRPC_SWIFT_PROTOBUF_VERSION=2.4.1
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE_DIR="$ROOT/.cache"
SWIFT_PROTOBUF_SOURCE="${SWIFT_PROTOBUF_SOURCE:-https://github.com/apple/swift-protobuf.git}"
if [[ -d /opt/swift-packages/apple/swift-protobuf.git ]]; then
    SWIFT_PROTOBUF_SOURCE=/opt/swift-packages/apple/swift-protobuf.git
fi

command -v protoc >/dev/null || { echo "protoc not found: apt-get install protobuf-compiler" >&2; exit 1; }

plugin_version_ok() {  # binary, version
    [[ -x "$1" ]] && [[ "$("$1" --version 2>/dev/null)" == *"$2"* ]]
}

# find_plugin NAME VERSION OVERRIDE OWNER/REPO: prints the path of a working plugin binary.
find_plugin() {
    local name=$1 version=$2 override=$3 repository=$4
    if [[ -n "$override" ]] && plugin_version_ok "$override" "$version"; then
        echo "$override"; return
    fi
    local on_path
    on_path="$(command -v "$name" || true)"
    if [[ -n "$on_path" ]] && plugin_version_ok "$on_path" "$version"; then
        echo "$on_path"; return
    fi
    local source="https://github.com/$repository.git"
    [[ -d /opt/swift-packages/$repository.git ]] && source=/opt/swift-packages/$repository.git
    local checkout="$CACHE_DIR/$(basename "$repository")-$version"
    local built="$checkout/.build/release/$name"
    if ! plugin_version_ok "$built" "$version"; then
        echo "building $name $version in $checkout (takes minutes)" >&2
        mkdir -p "$CACHE_DIR"
        if [[ ! -d "$checkout/.git" ]]; then
            git clone --quiet "$source" "$checkout" >&2
        fi
        git -C "$checkout" -c advice.detachedHead=false checkout --quiet "$version" >&2
        (cd "$checkout" && swift build -c release --product "$name" >&2)
    fi
    echo "$built"
}

PLUGIN="$(find_plugin protoc-gen-swift "$SWIFT_PROTOBUF_VERSION" "${PROTOC_GEN_SWIFT:-}" apple/swift-protobuf)"
GRPC_PLUGIN="$(find_plugin protoc-gen-grpc-swift-2 "$GRPC_SWIFT_PROTOBUF_VERSION" "${PROTOC_GEN_GRPC_SWIFT:-}" grpc/grpc-swift-protobuf)"

# generate SCHEMA_DIR OUT_DIR VISIBILITY [MODULE_MAPPINGS_FILE] [grpc]
generate() {
    local schema_dir="$ROOT/$1" out_dir="$ROOT/$2" visibility="$3" mappings="${4:-}" grpc="${5:-}"
    local options=(--swift_opt=Visibility="$visibility")
    [[ -n $mappings ]] && options+=(--swift_opt=ProtoPathModuleMappings="$mappings")
    if [[ -n $grpc ]]; then
        options+=(--plugin=protoc-gen-grpc-swift="$GRPC_PLUGIN" --grpc-swift_out="$out_dir"
                  --grpc-swift_opt=Visibility="$visibility" --grpc-swift_opt=Server=true --grpc-swift_opt=Client=true)
        [[ -n $mappings ]] && options+=(--grpc-swift_opt=ProtoPathModuleMappings="$mappings")
    fi
    mkdir -p "$out_dir"
    rm -f "$out_dir"/*.pb.swift "$out_dir"/*.grpc.swift
    protoc \
        --plugin=protoc-gen-swift="$PLUGIN" \
        --proto_path="$schema_dir" \
        --proto_path="$ROOT/Sources/SwitchyardServing/Repository/Schema" \
        --swift_out="$out_dir" \
        "${options[@]}" \
        "$schema_dir"/*.proto
    echo "generated: $(cd "$out_dir" && ls *.swift | tr '\n' ' ')"
}

generate Sources/SwitchyardONNX/Schema Sources/SwitchyardONNX/Generated Internal
generate Sources/SwitchyardServing/Repository/Schema Sources/SwitchyardServing/Repository/Generated Public
mappings="$CACHE_DIR/grpc-module-mappings.asciipb"
mkdir -p "$CACHE_DIR"
printf 'mapping {\n  module_name: "SwitchyardServing"\n  proto_file_path: "model_config.proto"\n}\n' > "$mappings"
generate Sources/SwitchyardGRPC/Schema Sources/SwitchyardGRPC/Generated Internal "$mappings" grpc
