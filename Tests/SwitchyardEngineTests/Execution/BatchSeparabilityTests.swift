import Testing
import SwitchyardGraph
import SwitchyardTensor
@testable import SwitchyardEngine

/// Which graphs keep the items of a batch apart: the verdict must be `separable` only when a
/// split run gives the same result, and name the node that mixes items otherwise.
@Suite("Batch separability")
struct BatchSeparabilityTests {
    static let batchInput = ValueInfo(name: "x", dataType: .float32, shape: [.symbolic("N"), .fixed(3), .fixed(8), .fixed(8)])

    /// Conv → Relu → GlobalAveragePool → Reshape(N, -1 through Shape) → Gemm → Softmax(axis 1).
    static func convolutionHead(seed: UInt64 = 41) -> Graph {
        var generator = SeededGenerator(seed: seed)
        let nodes = [
            Node(name: "conv", opType: "Conv", inputs: ["x", "w", "b"], outputs: ["c"], attributes: ["pads": .ints([1, 1, 1, 1])]),
            Node(name: "relu", opType: "Relu", inputs: ["c"], outputs: ["r"]),
            Node(name: "pool", opType: "GlobalAveragePool", inputs: ["r"], outputs: ["p"]),
            Node(name: "shape", opType: "Shape", inputs: ["p"], outputs: ["s"]),
            Node(name: "first", opType: "Gather", inputs: ["s", "zero"], outputs: ["n"], attributes: ["axis": .int(0)]),
            Node(name: "target", opType: "Concat", inputs: ["n", "minusOne"], outputs: ["t"], attributes: ["axis": .int(0)]),
            Node(name: "flatten", opType: "Reshape", inputs: ["p", "t"], outputs: ["f"]),
            Node(name: "dense", opType: "Gemm", inputs: ["f", "dw", "db"], outputs: ["g"], attributes: ["transB": .int(1)]),
            Node(name: "softmax", opType: "Softmax", inputs: ["g"], outputs: ["y"], attributes: ["axis": .int(1)]),
        ]
        let initializers: [String: Tensor] = [
            "w": generator.tensor([6, 3, 3, 3], in: -0.5...0.5), "b": generator.tensor([6]),
            "zero": Tensor(shape: [1], scalars: [Int64(0)]), "minusOne": Tensor(shape: [1], scalars: [Int64(-1)]),
            "dw": generator.tensor([4, 6]), "db": generator.tensor([4]),
        ]
        return Graph(name: "head", nodes: nodes, inputs: [batchInput], outputs: [ValueInfo(name: "y")], initializers: initializers)
    }

    /// `x` through one node `op` (with `extra` initializers as further inputs) to `y`.
    static func single(_ op: String, extra: [(String, Tensor)] = [], attributes: [String: Attribute] = [:]) -> Graph {
        let node = Node(name: "under_test", opType: op, inputs: ["x"] + extra.map(\.0), outputs: ["y"], attributes: attributes)
        return Graph(name: op, nodes: [node], inputs: [batchInput], outputs: [ValueInfo(name: "y")],
                     initializers: Dictionary(uniqueKeysWithValues: extra))
    }

    static func verdict(_ graph: Graph, opset: Int = 17) -> BatchSeparability {
        BatchSeparability.analyze(graph, opsets: ["": opset])
    }

    @Test("a convolutional head with shape arithmetic is separable")
    func convolutionHeadIsSeparable() {
        #expect(Self.verdict(Self.convolutionHead()) == .separable)
    }

    @Test("operators used along other axes than the batch are separable")
    func itemwiseUses() {
        #expect(Self.verdict(Self.single("Softmax", attributes: ["axis": .int(-1)])) == .separable)
        #expect(Self.verdict(Self.single("Transpose", attributes: ["perm": .ints([0, 2, 3, 1])])) == .separable)
        #expect(Self.verdict(Self.single("ReduceMean", attributes: ["axes": .ints([2, 3])]), opset: 13) == .separable)
        #expect(Self.verdict(Self.single("Add", extra: [("bias", Tensor(shape: [1, 3, 1, 1], scalars: [Float(1), 2, 3]))])) == .separable)
        #expect(Self.verdict(Self.single("Mul", extra: [("scale", Tensor(shape: [8], scalars: [Float](repeating: 2, count: 8)))])) == .separable)
    }

    @Test("operators that mix the items of a batch are refused, naming the node")
    func mixingUses() {
        let refused: [(Graph, Int)] = [
            (Self.single("Softmax", attributes: ["axis": .int(0)]), 17),
            (Self.single("ReduceMean", attributes: ["axes": .ints([0])]), 13),
            (Self.single("ReduceSum"), 17),
            (Self.single("Add", extra: [("perItem", Tensor(shape: [2, 1, 1, 1], scalars: [Float(1), 2]))]), 17),
            (Self.single("Flatten", attributes: ["axis": .int(0)]), 17),
            (Self.single("ArgMax"), 17),
            (Self.single("NonZero"), 17),
            (Self.single("Einsum", attributes: ["equation": .string("nchw->chw")]), 17),
        ]
        for (graph, opset) in refused {
            let verdict = Self.verdict(graph, opset: opset)
            guard case .notSeparable(let reason) = verdict else {
                Issue.record("\(graph.name) \(graph.nodes[0].attributes) was called separable")
                continue
            }
            #expect(reason.contains("under_test"), "\(reason)")
        }
    }

    @Test("the batch may move to another axis and back, but not be worked along there")
    func movedBatch() {
        func graph(softmaxAxis: Int) -> Graph {
            let nodes = [
                Node(name: "there", opType: "Transpose", inputs: ["x"], outputs: ["t"], attributes: ["perm": .ints([2, 0, 1, 3])]),
                Node(name: "under_test", opType: "Softmax", inputs: ["t"], outputs: ["s"], attributes: ["axis": .int(softmaxAxis)]),
                Node(name: "back", opType: "Transpose", inputs: ["s"], outputs: ["y"], attributes: ["perm": .ints([1, 2, 0, 3])]),
            ]
            return Graph(name: "moved", nodes: nodes, inputs: [Self.batchInput], outputs: [ValueInfo(name: "y")])
        }
        #expect(Self.verdict(graph(softmaxAxis: 0)) == .separable, "axis 0 of the transposed tensor is the input's axis 2")
        guard case .notSeparable(let reason) = Self.verdict(graph(softmaxAxis: 1)) else {
            Issue.record("a Softmax along the moved batch was called separable")
            return
        }
        #expect(reason.contains("under_test"))
        var unmoved = graph(softmaxAxis: 0)
        unmoved.nodes.removeLast()
        unmoved.outputs = [ValueInfo(name: "s")]
        #expect(!Self.verdict(unmoved).isSeparable, "an output must hold the batch first")
    }

    @Test("a value computed from the batch size may shape data but not be mixed into it")
    func batchSizeIsNotData() {
        var graph = Self.convolutionHead()
        // y2 = y * float(N): each item's result would depend on how many items share its run.
        graph.nodes += [
            Node(name: "count", opType: "Cast", inputs: ["n"], outputs: ["nf"], attributes: ["to": .int(Int(DataType.float32.rawValue))]),
            Node(name: "scaled", opType: "Mul", inputs: ["y", "nf"], outputs: ["y2"]),
        ]
        graph.outputs = [ValueInfo(name: "y2")]
        guard case .notSeparable(let reason) = Self.verdict(graph) else {
            Issue.record("a graph scaling by the batch size was called separable")
            return
        }
        #expect(reason.contains("scaled"))
    }

    @Test("a model without a free batch dimension is not separable")
    func fixedBatch() {
        var graph = Self.single("Relu")
        graph.inputs = [ValueInfo(name: "x", dataType: .float32, shape: [.fixed(1), .fixed(3)])]
        #expect(!Self.verdict(graph).isSeparable)
    }
}
