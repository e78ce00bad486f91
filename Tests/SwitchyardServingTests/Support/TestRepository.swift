import Foundation
import SwitchyardGraph
import SwitchyardONNX
import SwitchyardTensor

/// A model repository in a fresh temporary directory, with small models written in code.
struct TestRepository {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory
            .appendingPathComponent("switchyard-repo-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    /// Writes `model` as `<name>/<version>/model.onnx`, and `config` (if any) as `<name>/config.pbtxt`.
    func add(_ name: String, version: Int = 1, model: Model, config: String? = nil) throws {
        let versionDirectory = "\(path)/\(name)/\(version)"
        try FileManager.default.createDirectory(atPath: versionDirectory, withIntermediateDirectories: true)
        try ModelWriter.serialize(model).write(to: URL(fileURLWithPath: "\(versionDirectory)/model.onnx"))
        if let config { try writeConfig(name, config) }
    }

    func writeConfig(_ name: String, _ text: String) throws {
        try text.write(toFile: "\(path)/\(name)/config.pbtxt", atomically: true, encoding: .utf8)
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// Small models for serving tests.
enum TestModels {
    /// `y = x · W + b` with x [batch, 4] → y [batch, 3]; the batch dim is symbolic, so a
    /// missing config gets max_batch_size 4 and dynamic batching.
    static func affine(seed: UInt64 = 7) -> Model {
        var generator = SplitMix64(seed: seed)
        let weights = Tensor(shape: [4, 3], scalars: (0..<12).map { _ in Float.random(in: -1...1, using: &generator) })
        let bias = Tensor(shape: [3], scalars: (0..<3).map { _ in Float.random(in: -1...1, using: &generator) })
        let graph = Graph(
            name: "affine",
            nodes: [Node(name: "matmul", opType: "MatMul", inputs: ["x", "w"], outputs: ["xw"]),
                    Node(name: "add", opType: "Add", inputs: ["xw", "b"], outputs: ["y"])],
            inputs: [ValueInfo(name: "x", dataType: .float32, shape: [.symbolic("batch"), .fixed(4)])],
            outputs: [ValueInfo(name: "y", dataType: .float32, shape: [.symbolic("batch"), .fixed(3)])],
            initializers: ["w": weights, "b": bias])
        return Model(irVersion: 8, opsetImports: ["": 17], graph: graph)
    }

    /// `y = Gather(table, ids)` over a table of `rows` × 4 floats: a model whose weights are
    /// large (16 bytes a row) and whose work is tiny, for memory-budget and eviction tests.
    static func lookup(rows: Int, seed: UInt64 = 11) -> Model {
        var generator = SplitMix64(seed: seed)
        let table = Tensor(shape: [rows, 4], scalars: (0..<(rows * 4)).map { _ in Float(generator.next() % 1000) })
        let graph = Graph(
            name: "lookup",
            nodes: [Node(name: "gather", opType: "Gather", inputs: ["table", "ids"], outputs: ["y"])],
            inputs: [ValueInfo(name: "ids", dataType: .int64, shape: [.symbolic("batch")])],
            outputs: [ValueInfo(name: "y", dataType: .float32, shape: [.symbolic("batch"), .fixed(4)])],
            initializers: ["table": table])
        return Model(irVersion: 8, opsetImports: ["": 17], graph: graph)
    }
}
