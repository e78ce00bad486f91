import Foundation
import SwitchyardGraph
import SwitchyardTensor

/// Small models built in code for the quantization tests, with seeded random weights.
enum TinyModels {
    static func uniform(_ shape: [Int], _ random: inout SplitMix64, scale: Float = 1) -> Tensor {
        let count = shape.reduce(1, *)
        return Tensor(shape: shape, scalars: (0..<count).map { _ in Float.random(in: -scale...scale, using: &random) })
    }

    /// x[1,4,8,8] → Conv(16, 3×3) → BatchNormalization (one variance 1e8) → Relu → Conv(32, 3×3)
    /// → Relu → GlobalAveragePool → Flatten → Gemm(64, transB) → Relu → MatMul(10) → y[1,10].
    static func convNet(seed: UInt64 = 7) -> Model {
        var random = SplitMix64(seed: seed)
        var initializers: [String: Tensor] = [
            "w1": uniform([16, 4, 3, 3], &random, scale: 0.3), "b1": uniform([16], &random, scale: 0.1),
            "w2": uniform([32, 16, 3, 3], &random, scale: 0.1), "b2": uniform([32], &random, scale: 0.1),
            "wg": uniform([64, 32], &random, scale: 0.3), "bg": uniform([64], &random, scale: 0.1),
            "wm": uniform([64, 10], &random, scale: 0.2),
        ]
        var variance = (0..<16).map { _ in Float.random(in: 0.5...2, using: &random) }
        variance[3] = 1e8
        var gamma = (0..<16).map { _ in Float.random(in: 0.5...1.5, using: &random) }
        gamma[3] = 1e4
        initializers["gamma"] = Tensor(shape: [16], scalars: gamma)
        initializers["beta"] = uniform([16], &random, scale: 0.2)
        initializers["mean"] = uniform([16], &random, scale: 0.2)
        initializers["variance"] = Tensor(shape: [16], scalars: variance)
        let pads: [String: Attribute] = ["pads": .ints([1, 1, 1, 1])]
        let nodes = [
            Node(name: "conv1", opType: "Conv", inputs: ["x", "w1", "b1"], outputs: ["c1"], attributes: pads),
            Node(name: "bn1", opType: "BatchNormalization", inputs: ["c1", "gamma", "beta", "mean", "variance"], outputs: ["n1"]),
            Node(name: "relu1", opType: "Relu", inputs: ["n1"], outputs: ["r1"]),
            Node(name: "conv2", opType: "Conv", inputs: ["r1", "w2", "b2"], outputs: ["c2"], attributes: pads),
            Node(name: "relu2", opType: "Relu", inputs: ["c2"], outputs: ["r2"]),
            Node(name: "pool", opType: "GlobalAveragePool", inputs: ["r2"], outputs: ["p"]),
            Node(name: "flatten", opType: "Flatten", inputs: ["p"], outputs: ["f"]),
            Node(name: "gemm", opType: "Gemm", inputs: ["f", "wg", "bg"], outputs: ["h"], attributes: ["transB": .int(1)]),
            Node(name: "relu3", opType: "Relu", inputs: ["h"], outputs: ["hr"]),
            Node(name: "matmul", opType: "MatMul", inputs: ["hr", "wm"], outputs: ["y"]),
        ]
        let graph = Graph(
            name: "tiny", nodes: nodes,
            inputs: [ValueInfo(name: "x", dataType: .float32, shape: [.symbolic("N"), .fixed(4), .fixed(8), .fixed(8)])],
            outputs: [ValueInfo(name: "y", dataType: .float32, shape: [.symbolic("N"), .fixed(10)])],
            initializers: initializers)
        return Model(opsetImports: ["": 13], graph: graph)
    }

    /// `count` random inputs for `convNet`, each [1,4,8,8].
    static func inputs(count: Int, seed: UInt64) -> [Tensor] {
        var random = SplitMix64(seed: seed)
        return (0..<count).map { _ in uniform([1, 4, 8, 8], &random) }
    }

    /// A fresh temporary folder holding `samples` as `0000.npy`, `0001.npy`….
    static func sampleFolder(_ samples: [Tensor]) throws -> String {
        let folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("switchyard-quantize-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for (index, sample) in samples.enumerated() {
            try sample.writeNpy(to: "\(folder)/\(String(format: "%04d", index)).npy")
        }
        return folder
    }

    /// Largest |a − b| over two float tensors of the same shape; a NaN on one side only is an
    /// infinite difference (`reduce` with `max` would skip it).
    static func maxAbsDifference(_ a: Tensor, _ b: Tensor) -> Float {
        zip(a.floats(), b.floats()).reduce(0) { largest, pair in
            let difference = abs(pair.0 - pair.1)
            return pair.0.isNaN && pair.1.isNaN ? largest : difference.isNaN ? .infinity : max(largest, difference)
        }
    }

    static func maxAbs(_ a: Tensor) -> Float { a.floats().reduce(0) { max($0, abs($1)) } }
}
