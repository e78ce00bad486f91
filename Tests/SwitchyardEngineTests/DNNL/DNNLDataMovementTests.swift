import Testing
import SwitchyardGraph
import SwitchyardTensor
@testable import SwitchyardEngine

/// Concat, Split and Resize inside oneDNN regions (blocked layouts kept across them) against the
/// reference kernels, on random inputs.
@Suite("DNNL data movement in regions")
struct DNNLDataMovementTests {
    static let opsets = ["": 17]

    /// A YOLOv8 C2f-like block: conv → Split in two → conv on the second half → Concat of the
    /// halves and that conv → Resize ×`factor` (nearest, asymmetric, floor) → conv. `channels`
    /// a multiple of 16 keeps every part block-aligned; otherwise the split goes through plain.
    static func block(channels: Int, factor: Float = 2, seed: UInt64) -> Graph {
        var generator = SeededGenerator(seed: seed)
        let c = channels, half = channels / 2
        let pads: [String: Attribute] = ["pads": .ints([1, 1, 1, 1])]
        let initializers: [String: Tensor] = [
            "w1": generator.tensor([c, 3, 3, 3], in: -0.3...0.3), "b1": generator.tensor([c]),
            "w2": generator.tensor([half, half, 3, 3], in: -0.3...0.3),
            "w3": generator.tensor([c, c + half, 1, 1], in: -0.3...0.3),
            "sizes": Tensor(shape: [2], scalars: [Int64(half), Int64(c - half)]),
            "scales": Tensor(shape: [4], scalars: [1, 1, factor, factor] as [Float]),
        ]
        let nodes = [
            Node(name: "conv1", opType: "Conv", inputs: ["x", "w1", "b1"], outputs: ["c1"], attributes: pads),
            Node(name: "relu", opType: "Relu", inputs: ["c1"], outputs: ["r1"]),
            Node(name: "split", opType: "Split", inputs: ["r1", "sizes"], outputs: ["a", "b"], attributes: ["axis": .int(1)]),
            Node(name: "conv2", opType: "Conv", inputs: ["b", "w2"], outputs: ["c2"], attributes: pads),
            Node(name: "concat", opType: "Concat", inputs: ["a", "b", "c2"], outputs: ["cat"], attributes: ["axis": .int(1)]),
            Node(name: "resize", opType: "Resize", inputs: ["cat", "", "scales"], outputs: ["up"],
                 attributes: ["mode": .string("nearest"), "coordinate_transformation_mode": .string("asymmetric"),
                              "nearest_mode": .string("floor")]),
            Node(name: "conv3", opType: "Conv", inputs: ["up", "w3"], outputs: ["y"]),
        ]
        var graph = Graph(name: "c2f", nodes: nodes,
                          inputs: [ValueInfo(name: "x", dataType: .float32, shape: [.symbolic("N"), .fixed(3), .fixed(10), .fixed(12)])],
                          outputs: [ValueInfo(name: "y"), ValueInfo(name: "a")], initializers: initializers)
        ShapeInference.annotate(&graph, opsets: opsets)
        return graph
    }

    /// The compiled region kernel of `graph` after one run on `x`, and its outputs against the
    /// reference kernels' (largest absolute difference).
    static func compiled(_ graph: Graph, x: Tensor, threads: Int = 1) throws -> (kernel: DNNLRegionKernel, error: Float) {
        let region = DNNLRegionPartitioner.partition(graph, opsets: opsets).nodes[0]
        #expect(region.opType == "DNNLRegion")
        let kernel = try #require(DNNLKernels.makeKernel(for: region, opset: 1, constants: graph.initializers, threads: threads))
        _ = try kernel.run(region.inputs.map { $0 == "x" ? x : graph.initializers[$0] })
        #expect(kernel.fallbackReason == nil, "fell back: \(kernel.fallbackReason ?? "")")
        let ours = try Self.run(graph, dnnl: true, threads: threads, x: x)
        let reference = try Self.run(graph, dnnl: false, threads: 1, x: x)
        #expect(ours.map(\.shape) == reference.map(\.shape))
        let error = zip(ours, reference).map { DNNLHarness.maxError($0, $1) }.max() ?? .infinity
        return (kernel, error)
    }

    static func run(_ graph: Graph, dnnl: Bool, threads: Int, x: Tensor) throws -> [Tensor] {
        let executable = dnnl ? DNNLRegionPartitioner.partition(graph, opsets: opsets) : graph
        let program = try GraphProgram(graph: executable, opsets: opsets, outerNames: []) { node, opset in
            (dnnl ? DNNLKernels.kernel(for: node, opset: opset, constants: graph.initializers, threads: threads) : nil)
                ?? ReferenceKernels.kernel(opType: node.opType, domain: node.domain)
        }
        return try program.run(inputs: [x])
    }

    @Test("Split, Concat and Resize join the region of the convolutions around them")
    func partitions() throws {
        let graph = Self.block(channels: 16, seed: 81)
        let partitioned = DNNLRegionPartitioner.partition(graph, opsets: Self.opsets)
        #expect(partitioned.nodes.map(\.opType) == ["DNNLRegion"])
        guard case .graph(let body)? = partitioned.nodes.first?.attributes["body"] else {
            Issue.record("no region body")
            return
        }
        #expect(body.nodes.map(\.opType) == ["Conv", "Relu", "Split", "Conv", "Concat", "Resize", "Conv"])
    }

    @Test("the region runs in oneDNN and matches the reference kernels",
          arguments: [(16, Float(2), 1), (16, Float(3), 2), (12, Float(2), 2), (10, Float(1), 1)])
    func matchesReference(channels: Int, factor: Float, threads: Int) throws {
        var generator = SeededGenerator(seed: 82 + UInt64(channels))
        let graph = Self.block(channels: channels, factor: factor, seed: 83)
        let error = try Self.compiled(graph, x: generator.tensor([2, 3, 10, 12]), threads: threads).error
        #expect(error <= 1e-4)
    }

    /// The Concat copies each part into its slice of the output (a view, no concat primitive);
    /// here that output leaves the region, so its buffer is made by the first slice written.
    @Test("a Concat that ends the region writes its parts into the region's output",
          arguments: [16, 10])
    func concatAsRegionOutput(channels: Int) throws {
        var graph = Self.block(channels: channels, seed: 84)
        graph.nodes.removeLast(2)
        graph.outputs = [ValueInfo(name: "cat")]
        var generator = SeededGenerator(seed: 85)
        let x = generator.tensor([2, 3, 10, 12])
        let ours = try Self.run(graph, dnnl: true, threads: 1, x: x)
        let reference = try Self.run(graph, dnnl: false, threads: 1, x: x)
        #expect(ours.map(\.shape) == [[2, channels + channels / 2, 10, 12]])
        #expect(ours.map(\.shape) == reference.map(\.shape))
        for (a, b) in zip(ours, reference) where a.shape == b.shape {
            #expect(DNNLHarness.maxError(a, b) <= 1e-4)
        }
    }

    @Test("a Concat of integer shape values stays out of regions")
    func integerConcatStaysOut() {
        var graph = Graph(name: "shapes", nodes: [
            Node(name: "relu", opType: "Relu", inputs: ["x"], outputs: ["r"]),
            Node(name: "shape", opType: "Shape", inputs: ["r"], outputs: ["s"]),
            Node(name: "concat", opType: "Concat", inputs: ["s", "s"], outputs: ["ss"], attributes: ["axis": .int(0)]),
            Node(name: "neg", opType: "Neg", inputs: ["r"], outputs: ["n"]),
        ], inputs: [ValueInfo(name: "x", dataType: .float32, shape: [.fixed(2), .fixed(3)])],
        outputs: [ValueInfo(name: "ss"), ValueInfo(name: "n")])
        ShapeInference.annotate(&graph, opsets: Self.opsets)
        let partitioned = DNNLRegionPartitioner.partition(graph, opsets: Self.opsets)
        // Relu and Neg now run next to each other (`RegionFriendlyOrder`) and form a region; the
        // integer Concat stays outside it.
        #expect(partitioned.nodes.map(\.opType) == ["DNNLRegion", "Shape", "Concat"])
    }

    @Test("Resize modes oneDNN does not compute exactly keep the reference kernel")
    func resizeModes() {
        func resize(_ attributes: [String: Attribute]) -> Node {
            Node(name: "r", opType: "Resize", inputs: ["x", "", "s"], outputs: ["y"], attributes: attributes)
        }
        #expect(DNNLKernels.operation(for: resize(["mode": .string("nearest"), "coordinate_transformation_mode": .string("asymmetric"),
                                                   "nearest_mode": .string("floor")]), opset: 13) != nil)
        #expect(DNNLKernels.operation(for: resize(["mode": .string("nearest")]), opset: 13) != nil)
        #expect(DNNLKernels.operation(for: resize(["mode": .string("nearest"), "coordinate_transformation_mode": .string("asymmetric")]),
                                      opset: 13) == nil)
        #expect(DNNLKernels.operation(for: resize(["mode": .string("linear")]), opset: 13) == nil)
        #expect(DNNLKernels.operation(for: resize(["mode": .string("nearest")]), opset: 10) == nil)
    }
}
