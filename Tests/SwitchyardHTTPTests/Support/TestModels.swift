import SwitchyardGraph
import SwitchyardTensor

/// Tiny ONNX graphs built in code for the frontend tests.
enum TestModels {
    /// `affine`: x FP32 [N, 4] → `scaled` = x·w + b (per column) and `relu` = Relu(x).
    static let weights: [Float] = [0.5, -2, 3, 0.25]
    static let bias: [Float] = [1, 0, -1, 2]

    static func affine() -> Model {
        let graph = Graph(
            name: "affine",
            nodes: [
                Node(name: "mul", opType: "Mul", inputs: ["x", "w"], outputs: ["xw"]),
                Node(name: "add", opType: "Add", inputs: ["xw", "b"], outputs: ["scaled"]),
                Node(name: "relu", opType: "Relu", inputs: ["x"], outputs: ["relu"]),
            ],
            inputs: [ValueInfo(name: "x", dataType: .float32, shape: [.symbolic("N"), .fixed(4)])],
            outputs: [ValueInfo(name: "scaled", dataType: .float32, shape: [.symbolic("N"), .fixed(4)]),
                      ValueInfo(name: "relu", dataType: .float32, shape: [.symbolic("N"), .fixed(4)])],
            initializers: ["w": Tensor(shape: [4], scalars: weights), "b": Tensor(shape: [4], scalars: bias)])
        return Model(opsetImports: ["": 17], graph: graph)
    }

    /// `ints`: a INT32 [N, 3] and m INT64 [N, 3] → `neg` = −a (INT32) and `twice` = m + m (INT64).
    static func ints() -> Model {
        let graph = Graph(
            name: "ints",
            nodes: [
                Node(name: "neg", opType: "Neg", inputs: ["a"], outputs: ["neg"]),
                Node(name: "twice", opType: "Add", inputs: ["m", "m"], outputs: ["twice"]),
            ],
            inputs: [ValueInfo(name: "a", dataType: .int32, shape: [.symbolic("N"), .fixed(3)]),
                     ValueInfo(name: "m", dataType: .int64, shape: [.symbolic("N"), .fixed(3)])],
            outputs: [ValueInfo(name: "neg", dataType: .int32, shape: [.symbolic("N"), .fixed(3)]),
                      ValueInfo(name: "twice", dataType: .int64, shape: [.symbolic("N"), .fixed(3)])])
        return Model(opsetImports: ["": 17], graph: graph)
    }

    /// `flags`: f BOOL [N] → `not` = Not(f).
    static func flags() -> Model {
        let graph = Graph(
            name: "flags",
            nodes: [Node(name: "not", opType: "Not", inputs: ["f"], outputs: ["not"])],
            inputs: [ValueInfo(name: "f", dataType: .bool, shape: [.symbolic("N")])],
            outputs: [ValueInfo(name: "not", dataType: .bool, shape: [.symbolic("N")])])
        return Model(opsetImports: ["": 17], graph: graph)
    }
}
