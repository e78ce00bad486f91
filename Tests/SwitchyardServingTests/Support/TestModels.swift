import SwitchyardGraph
import SwitchyardTensor
import SwitchyardTestSupport

/// Small models for serving tests.
enum TestModels {
    /// `y = x · W + b` with x [batch, 4] → y [batch, 3]; the batch dim is symbolic, so a
    /// missing config gets max_batch_size 4 and dynamic batching.
    static func affine(seed: UInt64 = 7) -> Model {
        AffineModel(seed: seed).model()
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

    /// A 3×3 convolution over `channels` channels and a ReLU, with batch, height and width all
    /// free: a model whose arenas depend on the image size, which no config names.
    static func convolution(channels: Int = 8, seed: UInt64 = 13) -> Model {
        var generator = SplitMix64(seed: seed)
        let weights = Tensor(shape: [channels, channels, 3, 3],
                             scalars: (0..<(channels * channels * 9)).map { _ in Float(generator.next() % 200) / 1000 - 0.1 })
        let image: [Dimension] = [.symbolic("batch"), .fixed(channels), .symbolic("height"), .symbolic("width")]
        let graph = Graph(
            name: "convolution",
            nodes: [
                Node(name: "conv", opType: "Conv", inputs: ["x", "w"], outputs: ["c"], attributes: ["pads": .ints([1, 1, 1, 1])]),
                Node(name: "relu", opType: "Relu", inputs: ["c"], outputs: ["y"]),
            ],
            inputs: [ValueInfo(name: "x", dataType: .float32, shape: image)],
            outputs: [ValueInfo(name: "y", dataType: .float32, shape: image)],
            initializers: ["w": weights])
        return Model(irVersion: 8, opsetImports: ["": 17], graph: graph)
    }
}
