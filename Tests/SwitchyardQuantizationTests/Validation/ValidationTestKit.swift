import Foundation
import SwitchyardGraph
import SwitchyardONNX
import SwitchyardTensor

/// Tiny models built in code for the validation tests: a two-layer MLP
/// `x[1,8] → MatMul(w1) → Relu → MatMul(w2) → y[1,4]` and its QDQ form, written to a fresh
/// temporary folder together with seeded random samples.
struct ValidationFixture {
    let directory: String
    let w1: [Float], w2: [Float]

    init(seed: UInt64) throws {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("switchyard-validate-\(seed)-\(UInt64.random(in: 1...UInt64.max))").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var generator = SplitMix64(seed: seed)
        w1 = (0..<(8 * 16)).map { _ in Float.random(in: -1...1, using: &generator) }
        w2 = (0..<(16 * 4)).map { _ in Float.random(in: -1...1, using: &generator) }
    }

    func path(_ name: String) -> String { directory + "/" + name }

    func remove() { try? FileManager.default.removeItem(atPath: directory) }

    /// The FP32 MLP; `scaleSecondLayer` multiplies w2 (a different model with the same inputs).
    func reference(scaleSecondLayer: Float = 1) -> Model {
        let graph = Graph(
            name: "mlp",
            nodes: [
                Node(name: "mm1", opType: "MatMul", inputs: ["x", "w1"], outputs: ["h"]),
                Node(name: "relu", opType: "Relu", inputs: ["h"], outputs: ["r"]),
                Node(name: "mm2", opType: "MatMul", inputs: ["r", "w2"], outputs: ["y"]),
            ],
            inputs: [ValueInfo(name: "x", dataType: .float32, shape: [.fixed(1), .fixed(8)])],
            outputs: [ValueInfo(name: "y", dataType: .float32, shape: [.fixed(1), .fixed(4)])],
            initializers: ["w1": Tensor(shape: [8, 16], scalars: w1),
                           "w2": Tensor(shape: [16, 4], scalars: w2.map { $0 * scaleSecondLayer })])
        return Model(opsetImports: ["": 17], graph: graph)
    }

    /// The QDQ form: activations u8 with the given scales (zero point 128), weights s8 per tensor.
    /// A coarse `reluScale` makes mm2's input quantization the costly one.
    func quantized(inputScale: Float = 1.0 / 127, reluScale: Float = 6.0 / 127) -> Model {
        var nodes: [Node] = []
        var initializers: [String: Tensor] = [:]
        func activation(_ name: String, scale: Float) -> String {
            initializers["\(name)_scale"] = Tensor(scalar: scale)
            initializers["\(name)_zero_point"] = Tensor(scalar: UInt8(128))
            nodes.append(Node(name: "\(name)_Q", opType: "QuantizeLinear", inputs: [name, "\(name)_scale", "\(name)_zero_point"], outputs: ["\(name)_q"]))
            nodes.append(Node(name: "\(name)_DQ", opType: "DequantizeLinear", inputs: ["\(name)_q", "\(name)_scale", "\(name)_zero_point"], outputs: ["\(name)_dq"]))
            return "\(name)_dq"
        }
        func weight(_ name: String, _ values: [Float], shape: [Int]) -> String {
            let scale = values.map(abs).max()! / 127
            initializers["\(name)_quantized"] = Tensor(shape: shape, scalars: values.map { Int8(($0 / scale).rounded()) })
            initializers["\(name)_scale"] = Tensor(scalar: scale)
            initializers["\(name)_zero_point"] = Tensor(scalar: Int8(0))
            nodes.append(Node(name: "\(name)_DQ", opType: "DequantizeLinear", inputs: ["\(name)_quantized", "\(name)_scale", "\(name)_zero_point"], outputs: ["\(name)_dq"]))
            return "\(name)_dq"
        }
        let x = activation("x", scale: inputScale), w1 = weight("w1", self.w1, shape: [8, 16])
        nodes.append(Node(name: "mm1", opType: "MatMul", inputs: [x, w1], outputs: ["h"]))
        nodes.append(Node(name: "relu", opType: "Relu", inputs: ["h"], outputs: ["r"]))
        let r = activation("r", scale: reluScale), w2 = weight("w2", self.w2, shape: [16, 4])
        nodes.append(Node(name: "mm2", opType: "MatMul", inputs: [r, w2], outputs: ["y"]))
        let graph = Graph(
            name: "mlp_qdq", nodes: nodes,
            inputs: [ValueInfo(name: "x", dataType: .float32, shape: [.fixed(1), .fixed(8)])],
            outputs: [ValueInfo(name: "y", dataType: .float32, shape: [.fixed(1), .fixed(4)])],
            initializers: initializers)
        return Model(opsetImports: ["": 17], graph: graph)
    }

    /// Writes `model` as `name` in the folder and returns its path.
    func write(_ model: Model, as name: String) throws -> String {
        try ModelWriter.serialize(model).write(to: URL(fileURLWithPath: path(name)))
        return path(name)
    }

    /// `count` samples of `shape` (uniform in -1...1) in `folder` as NNNN.npy; returns the folder.
    func writeSamples(_ count: Int, shape: [Int] = [1, 8], folder: String = "samples", seed: UInt64) throws -> String {
        let samples = path(folder)
        try FileManager.default.createDirectory(atPath: samples, withIntermediateDirectories: true)
        var generator = SplitMix64(seed: seed)
        for index in 0..<count {
            let values = (0..<shape.reduce(1, *)).map { _ in Float.random(in: -1...1, using: &generator) }
            try Tensor(shape: shape, scalars: values).writeNpy(to: samples + "/" + String(format: "%04d.npy", index))
        }
        return samples
    }

    /// The reference's output for a sample file (plain Swift: x·w1, relu, ·w2).
    func referenceOutput(of sample: String) throws -> [Float] {
        let x = try Tensor(npyFile: sample).floats()
        let hidden = (0..<16).map { j in max(0, (0..<8).reduce(Float(0)) { $0 + x[$1] * w1[$1 * 16 + j] }) }
        return (0..<4).map { k in (0..<16).reduce(Float(0)) { $0 + hidden[$1] * w2[$1 * 4 + k] } }
    }
}
