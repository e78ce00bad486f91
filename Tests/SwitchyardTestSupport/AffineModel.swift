import SwitchyardGraph
import SwitchyardTensor

/// `y = x·W + b` over a batch (optionally through a Relu): the small batching model that the
/// serving, pipeline and gRPC tests serve, with its answer computed in plain Swift.
public struct AffineModel: Sendable {
    /// `[rows, columns]`, row-major.
    public let weights: [Float]
    /// `[columns]`.
    public let bias: [Float]
    public let rows: Int
    public let columns: Int

    /// Weights drawn in −1…1, then the bias in `biasRange`, from `SplitMix64(seed:)`.
    public init(rows: Int = 4, columns: Int = 3, seed: UInt64, biasRange: ClosedRange<Float> = -1...1) {
        var generator = SplitMix64(seed: seed)
        let weights = (0..<(rows * columns)).map { _ in Float.random(in: -1...1, using: &generator) }
        let bias = (0..<columns).map { _ in Float.random(in: biasRange, using: &generator) }
        self.init(weights: weights, bias: bias)
    }

    /// Given weights (`bias.count` columns) and bias.
    public init(weights: [Float], bias: [Float]) {
        precondition(!bias.isEmpty && weights.count % bias.count == 0, "weights must be [rows, bias.count]")
        self.weights = weights
        self.bias = bias
        self.rows = weights.count / bias.count
        self.columns = bias.count
    }

    /// The graph: `input` [batch, rows] → `output` [batch, columns]. The batch dim is symbolic,
    /// so a repository without a config gets max_batch_size 4 and dynamic batching.
    public func model(name: String = "affine", input: String = "x", output: String = "y", relu: Bool = false) -> Model {
        var nodes = [Node(name: "matmul", opType: "MatMul", inputs: [input, "w"], outputs: ["xw"]),
                     Node(name: "add", opType: "Add", inputs: ["xw", "b"], outputs: [relu ? "pre" : output])]
        if relu { nodes.append(Node(name: "relu", opType: "Relu", inputs: ["pre"], outputs: [output])) }
        let graph = Graph(
            name: name,
            nodes: nodes,
            inputs: [ValueInfo(name: input, dataType: .float32, shape: [.symbolic("batch"), .fixed(rows)])],
            outputs: [ValueInfo(name: output, dataType: .float32, shape: [.symbolic("batch"), .fixed(columns)])],
            initializers: ["w": Tensor(shape: [rows, columns], scalars: weights), "b": Tensor(shape: [columns], scalars: bias)])
        return Model(irVersion: 8, opsetImports: ["": 17], graph: graph)
    }

    /// `x·W + b` (then Relu when `relu`) for the rows of `x`, computed row by row.
    public func expected(_ x: [Float], relu: Bool = false) -> [Float] {
        var y: [Float] = []
        y.reserveCapacity(x.count / rows * columns)
        for row in 0..<(x.count / rows) {
            for column in 0..<columns {
                var sum = bias[column]
                for k in 0..<rows { sum += x[row * rows + k] * weights[k * columns + column] }
                y.append(relu ? max(sum, 0) : sum)
            }
        }
        return y
    }
}
