// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "Switchyard",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "switchyard", targets: ["switchyard"]),
        .library(name: "SwitchyardEngine", targets: ["SwitchyardEngine"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
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
        .executableTarget(
            name: "switchyard",
            dependencies: [
                "SwitchyardEngine", "SwitchyardONNX", "SwitchyardGraph", "SwitchyardTensor",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "SwitchyardTensorTests", dependencies: ["SwitchyardTensor"]),
        .testTarget(name: "SwitchyardONNXTests", dependencies: ["SwitchyardONNX"]),
        .testTarget(name: "SwitchyardEngineTests", dependencies: ["SwitchyardEngine"]),
        .testTarget(name: "SwitchyardCLITests", dependencies: ["switchyard"]),
    ],
    swiftLanguageModes: [.v6]
)
