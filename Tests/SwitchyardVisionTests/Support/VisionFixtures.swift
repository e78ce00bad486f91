import Foundation
import SwitchyardTensor
import SwitchyardVision

/// The reference outputs made by scripts/make-vision-fixtures.py (run by scripts/setup.sh) in
/// .cache/vision-fixtures/. Suites that need them are enabled only when the manifest exists.
enum VisionFixtures {
    static let directory: URL = {
        var url = URL(fileURLWithPath: #filePath)  // Tests/SwitchyardVisionTests/Support/VisionFixtures.swift
        for _ in 0..<4 { url.deleteLastPathComponent() }
        return url.appendingPathComponent(".cache/vision-fixtures")
    }()

    static var available: Bool {
        FileManager.default.fileExists(atPath: directory.appendingPathComponent("manifest.json").path)
    }

    static let missing: Comment = "vision fixtures missing: run scripts/make-vision-fixtures.py (scripts/setup.sh does)"

    /// One section of manifest.json (`codec`, `resize`, …) as decoded JSON.
    static func section(_ name: String) throws -> Any {
        let data = try Data(contentsOf: directory.appendingPathComponent("manifest.json"))
        let manifest = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        return try #require(manifest?[name], "manifest.json has no section \(name)")
    }

    static func path(_ relative: String) -> String { directory.appendingPathComponent(relative).path }

    static func tensor(_ relative: String) throws -> Tensor { try Tensor(npyFile: path(relative)) }

    /// A uint8 array saved as H×W or H×W×C, as an ``Image``.
    static func image(_ relative: String) throws -> Image {
        let t = try tensor(relative)
        let bytes = t.withUnsafeBytes { [UInt8]($0) }
        return try Image(width: t.shape[1], height: t.shape[0], channels: t.rank == 3 ? t.shape[2] : 1, pixels: bytes)
    }
}

/// How far apart two images are: the largest per-byte difference and how many bytes differ.
func pixelDifference(_ a: Image, _ b: Image) -> (max: Int, count: Int) {
    var largest = 0, count = 0
    for (x, y) in zip(a.pixels, b.pixels) where x != y {
        largest = max(largest, abs(Int(x) - Int(y)))
        count += 1
    }
    return (largest, count)
}

/// A seeded random image for tests that do not need a reference file.
func randomImage(width: Int, height: Int, channels: Int, seed: UInt64) -> Image {
    var generator = SplitMix64(seed: seed)
    let pixels = (0..<(width * height * channels)).map { _ in UInt8.random(in: 1...255, using: &generator) }
    return try! Image(width: width, height: height, channels: channels, pixels: pixels)
}
