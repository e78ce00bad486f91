import Testing
import SwitchyardGraph
import SwitchyardTensor
@testable import SwitchyardEngine

/// Values between BF16 layers stored in BF16 (`DNNLRegionKernel.bf16RoundedValues`): a value
/// whose every reader rounds it to BF16 (a BF16 convolution, or Concat / Resize / DepthToSpace
/// feeding only such readers) is written in BF16 by its producer. That is the rounding the
/// reader did anyway, so results are the same bits as node by node, in half the bytes.
@Suite(.enabled(if: DNNLBF16Support.isAvailable, "needs a CPU with AVX-512 BF16"))
struct DNNLBF16StorageTests {
    private static let opsets = ["": 17]

    /// conv1 → conv2 ─┬→ Resize ─────────────┐
    ///                 ├→ conv3 → Resize ─────┴→ Concat → conv4 → DepthToSpace → conv5 → y
    ///                 └→ Add(bias) → conv6 → z
    /// conv1 computes in float32 (a layer the quantizer kept), the others in BF16. `c2` has a float
    /// reader (the Add), `y` and `z` leave the region.
    private static func graph(seed: UInt64) -> Graph {
        var generator = SeededGenerator(seed: seed)
        let marked: [String: Attribute] = [BF16ComputeMarking.attribute: .string(BF16ComputeMarking.bf16)]
        let padded = marked.merging(["pads": .ints([1, 1, 1, 1])]) { $1 }
        let nearest: [String: Attribute] = ["mode": .string("nearest"), "coordinate_transformation_mode": .string("asymmetric"),
                                            "nearest_mode": .string("floor")]
        let initializers: [String: Tensor] = [
            "w1": generator.tensor([32, 16, 3, 3], in: -0.3...0.3), "w2": generator.tensor([32, 32, 1, 1], in: -0.3...0.3),
            "w3": generator.tensor([32, 32, 3, 3], in: -0.3...0.3), "w4": generator.tensor([32, 64, 1, 1], in: -0.3...0.3),
            "w5": generator.tensor([8, 8, 3, 3], in: -0.3...0.3), "w6": generator.tensor([16, 32, 1, 1], in: -0.3...0.3),
            "bias": generator.tensor([1, 32, 1, 1]),
            "scales": Tensor(shape: [4], scalars: [1, 1, 2, 2] as [Float]),
        ]
        let nodes = [
            Node(name: "conv1", opType: "Conv", inputs: ["x", "w1"], outputs: ["c1"], attributes: ["pads": .ints([1, 1, 1, 1])]),
            Node(name: "conv2", opType: "Conv", inputs: ["c1", "w2"], outputs: ["c2"], attributes: marked),
            Node(name: "resize1", opType: "Resize", inputs: ["c2", "", "scales"], outputs: ["up1"], attributes: nearest),
            Node(name: "conv3", opType: "Conv", inputs: ["c2", "w3"], outputs: ["c3"], attributes: padded),
            Node(name: "resize2", opType: "Resize", inputs: ["c3", "", "scales"], outputs: ["up2"], attributes: nearest),
            Node(name: "concat", opType: "Concat", inputs: ["up1", "up2"], outputs: ["cat"], attributes: ["axis": .int(1)]),
            Node(name: "conv4", opType: "Conv", inputs: ["cat", "w4"], outputs: ["c4"], attributes: marked),
            Node(name: "d2s", opType: "DepthToSpace", inputs: ["c4"], outputs: ["d"], attributes: ["blocksize": .int(2)]),
            Node(name: "conv5", opType: "Conv", inputs: ["d", "w5"], outputs: ["y"], attributes: padded),
            Node(name: "add", opType: "Add", inputs: ["c2", "bias"], outputs: ["s"]),
            Node(name: "conv6", opType: "Conv", inputs: ["s", "w6"], outputs: ["z"], attributes: marked),
        ]
        var graph = Graph(name: "bf16-chain", nodes: nodes,
                          inputs: [ValueInfo(name: "x", dataType: .float32, shape: [.fixed(2), .fixed(16), .fixed(10), .fixed(12)])],
                          outputs: [ValueInfo(name: "y"), ValueInfo(name: "z")], initializers: initializers)
        ShapeInference.annotate(&graph, opsets: opsets)
        return graph
    }

    /// Runs `graph` as one region (`regions`) or node by node, each node a region of its own
    /// whose float32 output the next node rounds.
    private static func run(_ graph: Graph, regions: Bool, x: Tensor) throws -> [Tensor] {
        let executable = regions ? DNNLRegionPartitioner.partition(graph, opsets: opsets) : graph
        let program = try GraphProgram(graph: executable, opsets: opsets, outerNames: []) { node, opset in
            DNNLKernels.kernel(for: node, opset: opset, constants: graph.initializers, threads: 1)
                ?? ReferenceKernels.kernel(opType: node.opType, domain: node.domain)
        }
        return try program.run(inputs: [x])
    }

    private static func regionKernel(_ graph: Graph) throws -> (kernel: DNNLRegionKernel, inputs: [String]) {
        let partitioned = DNNLRegionPartitioner.partition(graph, opsets: opsets)
        #expect(partitioned.nodes.map(\.opType) == ["DNNLRegion"])
        let region = try #require(partitioned.nodes.first)
        let kernel = try #require(DNNLKernels.makeKernel(for: region, opset: 1, constants: graph.initializers, threads: 1))
        return (kernel, region.inputs)
    }

    @Test func valuesOnlyBF16ReadersRoundAreTheOnesStoredInBF16() throws {
        let graph = Self.graph(seed: 1201)
        let (kernel, _) = try Self.regionKernel(graph)
        #expect(kernel.bf16RoundedValues == ["c1", "c3", "up1", "up2", "cat", "c4", "d", "s"])
    }

    @Test("results are the bits the node-by-node run gives, in a smaller arena than float32's")
    func sameBitsAsNodeByNode() throws {
        var generator = SeededGenerator(seed: 1202)
        let graph = Self.graph(seed: 1203)
        let x = generator.tensor([2, 16, 10, 12])
        let regionOutputs = try Self.run(graph, regions: true, x: x)
        let nodeOutputs = try Self.run(graph, regions: false, x: x)
        for (region, node) in zip(regionOutputs, nodeOutputs) {
            #expect(region.shape == node.shape)
            #expect(region.scalars(as: Float.self) == node.scalars(as: Float.self),
                    "largest difference \(largestDifference(region, node))")
        }
        // The same graph computing in float32 keeps every value between the layers in float32.
        var float32 = graph
        for index in float32.nodes.indices { float32.nodes[index].attributes[BF16ComputeMarking.attribute] = nil }
        let (bf16Kernel, names) = try Self.regionKernel(graph)
        let (floatKernel, _) = try Self.regionKernel(float32)
        let inputs = names.map { $0 == "x" ? x : graph.initializers[$0] }
        _ = try bf16Kernel.run(inputs)
        _ = try floatKernel.run(inputs)
        #expect(bf16Kernel.fallbackReason == nil)
        #expect(bf16Kernel.implementationNames.contains { $0.contains("bf16") })
        #expect(bf16Kernel.arenaBytes < floatKernel.arenaBytes * 3 / 4,
                "arena: BF16 \(bf16Kernel.arenaBytes) bytes, float32 \(floatKernel.arenaBytes)")
    }
}
