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
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/adam-fowler/compress-nio", from: "1.5.0"),
    ],
    targets: [
        // oneDNN's C API (Debian libdnnl-dev) plus a shim for the macros Swift cannot import.
        .systemLibrary(name: "CDNNL", path: "Sources/CDNNL"),
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
                "SwitchyardEngine", "SwitchyardONNX", "SwitchyardGraph", "SwitchyardTensor",
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
        .executableTarget(
            name: "switchyard",
            dependencies: [
                "SwitchyardEngine", "SwitchyardONNX", "SwitchyardGraph", "SwitchyardTensor",
                "SwitchyardServing", "SwitchyardHTTP",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(name: "SwitchyardTensorTests", dependencies: ["SwitchyardTensor"]),
        .testTarget(name: "SwitchyardONNXTests", dependencies: ["SwitchyardONNX"]),
        .testTarget(name: "SwitchyardEngineTests", dependencies: ["SwitchyardEngine"]),
        .testTarget(name: "SwitchyardServingTests", dependencies: ["SwitchyardServing"]),
        .testTarget(
            name: "SwitchyardHTTPTests",
            dependencies: [
                "SwitchyardHTTP",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]
        ),
        .testTarget(name: "SwitchyardCLITests", dependencies: ["switchyard"]),
    ],
    swiftLanguageModes: [.v6]
)
