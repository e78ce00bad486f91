// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "Switchyard",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "switchyard", targets: ["switchyard"]),
        .library(name: "SwitchyardEngine", targets: ["SwitchyardEngine"]),
        .library(name: "SwitchyardServing", targets: ["SwitchyardServing"]),
        .library(name: "SwitchyardHTTP", targets: ["SwitchyardHTTP"]),
        .library(name: "SwitchyardGRPC", targets: ["SwitchyardGRPC"]),
        .library(name: "SwitchyardVision", targets: ["SwitchyardVision"]),
        .library(name: "SwitchyardPipeline", targets: ["SwitchyardPipeline"]),
        .library(name: "SwitchyardQuantization", targets: ["SwitchyardQuantization"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/grpc/grpc-swift-2", from: "2.4.3"),
        .package(url: "https://github.com/grpc/grpc-swift-nio-transport", from: "2.9.2"),
        .package(url: "https://github.com/grpc/grpc-swift-protobuf", from: "2.4.1"),
        .package(url: "https://github.com/adam-fowler/compress-nio", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    ],
    targets: [
        // oneDNN's C API (Debian libdnnl-dev) plus a shim for the macros Swift cannot import.
        .systemLibrary(name: "CDNNL", path: "Sources/CDNNL"),
        // glibc calls Swift's Glibc module hides (thread affinity, malloc_trim).
        .target(name: "CSystemShims"),
        .target(name: "SwitchyardTensor"),
        .target(name: "SwitchyardGraph", dependencies: ["SwitchyardTensor"]),
        .target(
            name: "SwitchyardONNX",
            dependencies: [
                "SwitchyardTensor", "SwitchyardGraph",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ],
            // The .proto schema is compiled by scripts/generate-protos.sh into Generated/.
            exclude: ["Schema"]
        ),
        .target(
            name: "SwitchyardEngine",
            dependencies: [
                "SwitchyardTensor", "SwitchyardGraph", "SwitchyardONNX", "CDNNL",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "SwitchyardServing",
            dependencies: [
                "SwitchyardEngine", "SwitchyardONNX", "SwitchyardGraph", "SwitchyardTensor", "CSystemShims",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            // The .proto schema is compiled by scripts/generate-protos.sh into Repository/Generated/.
            exclude: ["Repository/Schema"]
        ),
        .target(
            name: "SwitchyardHTTP",
            dependencies: [
                "SwitchyardServing", "SwitchyardTensor",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        // KServe v2 over gRPC (Triton's `inference.GRPCInferenceService`), plaintext like Triton's
        // default. The transport is grpc-swift's HTTP/2 server on a NIOPosix listener of our own
        // (`PlaintextListenerFactory`): grpc-swift's Posix product also links swift-nio-ssl and
        // swift-crypto, two BoringSSL builds that would add minutes to every clean build on 2 cores.
        // The TransportServices product is taken for the transport core it re-exports (on Linux
        // it has no code of its own).
        .target(
            name: "SwitchyardGRPC",
            dependencies: [
                "SwitchyardServing", "SwitchyardTensor",
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2TransportServices", package: "grpc-swift-nio-transport"),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            // The .proto schema is compiled by scripts/generate-protos.sh into Generated/.
            exclude: ["Schema"]
        ),
        // Image codecs from Debian: libturbojpeg0-dev and libpng-dev.
        .systemLibrary(name: "CTurboJPEG", path: "Sources/CTurboJPEG"),
        .systemLibrary(name: "CPNG", path: "Sources/CPNG"),
        // Pre- and post-processing for vision models: decode, resize, crops, NMS, DB, CTC.
        .target(name: "SwitchyardVision", dependencies: ["SwitchyardTensor", "CTurboJPEG", "CPNG"]),
        // Queue-based pipelines: sources, processors, model stages through the batchers, sinks.
        .target(
            name: "SwitchyardPipeline",
            dependencies: [
                "SwitchyardVision", "SwitchyardServing", "SwitchyardONNX", "SwitchyardTensor",
                .product(name: "Yams", package: "Yams"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ]
        ),
        // Post-training quantization (FP16, BF16, INT8) and validation against a reference model.
        .target(
            name: "SwitchyardQuantization",
            dependencies: [
                "SwitchyardEngine", "SwitchyardONNX", "SwitchyardGraph", "SwitchyardTensor",
                "SwitchyardVision",  // CTC decoding for the ctc-exact validation metric
                // dnnl_get_effective_cpu_isa: which precisions this CPU computes natively.
                "CDNNL",
            ]
        ),
        .executableTarget(
            name: "switchyard",
            dependencies: [
                "SwitchyardEngine", "SwitchyardONNX", "SwitchyardGraph", "SwitchyardTensor",
                "SwitchyardServing", "SwitchyardHTTP", "SwitchyardGRPC", "SwitchyardPipeline", "SwitchyardQuantization",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        // What several test targets share: small models written in code and temporary repositories.
        .target(
            name: "SwitchyardTestSupport",
            dependencies: ["SwitchyardGraph", "SwitchyardONNX", "SwitchyardTensor"],
            path: "Tests/SwitchyardTestSupport"
        ),
        .testTarget(name: "SwitchyardTensorTests", dependencies: ["SwitchyardTensor"]),
        .testTarget(name: "SwitchyardONNXTests", dependencies: ["SwitchyardONNX"]),
        .testTarget(name: "SwitchyardEngineTests", dependencies: ["SwitchyardEngine"]),
        .testTarget(
            name: "SwitchyardServingTests",
            dependencies: ["SwitchyardServing", "SwitchyardTestSupport", .product(name: "MetricsTestKit", package: "swift-metrics")]
        ),
        .testTarget(
            name: "SwitchyardHTTPTests",
            dependencies: [
                "SwitchyardHTTP",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]
        ),
        .testTarget(
            name: "SwitchyardGRPCTests",
            dependencies: [
                "SwitchyardGRPC", "SwitchyardServing", "SwitchyardTestSupport", "SwitchyardTensor",
                // The generated client against the service, in process: every RPC through
                // grpc-swift's serialization and routing, no socket.
                .product(name: "GRPCInProcessTransport", package: "grpc-swift-2"),
            ]
        ),
        .testTarget(name: "SwitchyardVisionTests", dependencies: ["SwitchyardVision"]),
        .testTarget(
            name: "SwitchyardPipelineTests",
            dependencies: [
                "SwitchyardPipeline", "SwitchyardTestSupport", .product(name: "MetricsTestKit", package: "swift-metrics"),
                // Served pipelines: KServe routes and the Prometheus scrape, in process.
                "SwitchyardHTTP", .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        .testTarget(name: "SwitchyardQuantizationTests", dependencies: ["SwitchyardQuantization"]),
        .testTarget(name: "SwitchyardCLITests", dependencies: ["switchyard", "SwitchyardQuantization"]),
    ],
    swiftLanguageModes: [.v6]
)
