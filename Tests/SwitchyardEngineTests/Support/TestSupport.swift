import Foundation
import SwitchyardTensor

/// Where the tests find what the project's scripts fetched: the package root is four levels
/// above this file.
enum TestPaths {
    static let root: String = {  // Tests/SwitchyardEngineTests/Support/TestSupport.swift
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }
        return url.path
    }()

    static func model(_ file: String) -> String { root + "/models/" + file }
    static func script(_ file: String) -> String { root + "/scripts/" + file }
    static var conformance: String { root + "/.cache/conformance" }
    static var python: String {
        ProcessInfo.processInfo.environment["SWITCHYARD_PYTHON"] ?? root + "/.venv/bin/python"
    }
}

/// The tests' seeded generator: a failing random input replays from the seed a test prints.
typealias SeededGenerator = SplitMix64

/// Image-like inputs: a light page with dark horizontal strokes, like lines of text.
enum SyntheticImage {
    /// NCHW pixels in [0, 1].
    static func textLines(shape: [Int], using generator: inout SeededGenerator) -> [Float] {
        let (batch, channels, height, width) = (shape[0], shape[1], shape[2], shape[3])
        var pixels = [Float](repeating: 0, count: batch * channels * height * width)
        for n in 0..<batch {
            let background = Float.random(in: 0.8...1, using: &generator)
            var mask = [Float](repeating: background, count: height * width)
            let lineHeight = max(4, height / 8)
            var top = Int.random(in: 0..<max(1, lineHeight), using: &generator)
            while top + lineHeight / 2 < height {
                var x = Int.random(in: 0..<max(1, width / 8), using: &generator)
                while x < width {
                    let stroke = Int.random(in: 1...max(1, width / 20), using: &generator)
                    let ink = Float.random(in: 0...0.3, using: &generator)
                    for y in top..<min(height, top + lineHeight / 2) {
                        for xx in x..<min(width, x + stroke) { mask[y * width + xx] = ink }
                    }
                    x += stroke + Int.random(in: 1...max(1, width / 30), using: &generator)
                }
                top += lineHeight
            }
            for c in 0..<channels {
                let base = (n * channels + c) * height * width
                for i in 0..<(height * width) {
                    let noise = Float.random(in: -0.03...0.03, using: &generator)
                    pixels[base + i] = min(1, max(0, mask[i] + noise))
                }
            }
        }
        return pixels
    }
}

/// How far a whole model's output is from a reference: `max|a - b| / max|b|` (per-element
/// relative error is meaningless where outputs cross zero).
enum ModelErrors {
    static func normalizedMax(_ a: [Float], _ b: [Float]) -> Double {
        var maxDifference = 0.0, maxMagnitude = 0.0
        for (x, y) in zip(a, b) {
            maxDifference = max(maxDifference, Double(abs(x - y)))
            maxMagnitude = max(maxMagnitude, Double(abs(y)))
        }
        return maxDifference / max(maxMagnitude, .leastNormalMagnitude)
    }
}
