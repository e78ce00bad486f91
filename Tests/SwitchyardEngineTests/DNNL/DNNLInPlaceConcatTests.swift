import Testing
import SwitchyardGraph
import SwitchyardTensor
@testable import SwitchyardEngine

/// Split parts read in place and Concat parts written by their producers straight into their
/// slices (`DNNLPlanBuilder+Placement`): in channel-blocked layouts the copies disappear at batch 1, and the results still
/// match the reference kernels, including the orders and sources where a copy must stay.
@Suite("DNNL in-place Split and Concat")
struct DNNLInPlaceConcatTests {
    static let opsets = DNNLDataMovementTests.opsets

    @Test("in blocked layouts the C2f block's Split and Concat copy nothing at batch 1, and copy at batch 2", arguments: [1, 2])
    func c2fCopiesVanish(threads: Int) throws {
        var generator = SeededGenerator(seed: 91)
        let graph = DNNLDataMovementTests.block(channels: 16, seed: 92)
        let single = try DNNLDataMovementTests.compiled(graph, x: generator.tensor([1, 3, 10, 12]), threads: threads)
        let pair = try DNNLDataMovementTests.compiled(graph, x: generator.tensor([2, 3, 10, 12]), threads: threads)
        #expect(single.error <= 1e-4)
        #expect(pair.error <= 1e-4)
        // In channel-blocked layouts (AVX2's jit convolutions), two split parts and three
        // concatenated parts copy at batch 2: five reorders, four with AVX-512's blocks (measured);
        // none of them at batch 1. AVX-512's brgconv keeps float in `nhwc`, where a channel slice is
        // never contiguous: the parts copy at both batch sizes, and no reorder to NCHW is added.
        let copies = pair.kernel.implementationNames.count - single.kernel.implementationNames.count
        let channelsLast = single.kernel.implementationNames.contains { $0.hasPrefix("brgconv") }
        #expect(channelsLast ? copies == 0 : (copies == 5 || copies == 4),
                "batch 1: \(single.kernel.implementationNames), batch 2: \(pair.kernel.implementationNames)")
    }

    /// Parts concatenated out of order (the second split part first: its buffer cannot move in
    /// without landing on the next slice), a part used twice, the region's input (no producer to
    /// redirect) and a value other nodes read before the concatenation.
    @Test("parts in any order and from any source match the reference",
          arguments: [["b", "a", "c2"], ["a", "b", "c2", "c2"], ["c2", "a", "b"], ["x8", "a", "b", "c2"], ["x", "a", "b", "c2"]])
    func unsafeOrdersCopy(parts: [String]) throws {
        var generator = SeededGenerator(seed: 93)
        let pads: [String: Attribute] = ["pads": .ints([1, 1, 1, 1])]
        let initializers: [String: Tensor] = [
            "w1": generator.tensor([16, 8, 3, 3], in: -0.3...0.3), "w2": generator.tensor([8, 8, 3, 3], in: -0.3...0.3),
            "sizes": Tensor(shape: [2], scalars: [Int64(8), Int64(8)]),
        ]
        let width = 8 * parts.count
        let w3 = generator.tensor([8, width, 1, 1], in: -0.3...0.3)
        var graph = Graph(name: "orders", nodes: [
            Node(name: "relu0", opType: "Relu", inputs: ["x"], outputs: ["x8"]),
            Node(name: "conv1", opType: "Conv", inputs: ["x8", "w1"], outputs: ["r1"], attributes: pads),
            Node(name: "split", opType: "Split", inputs: ["r1", "sizes"], outputs: ["a", "b"], attributes: ["axis": .int(1)]),
            Node(name: "conv2", opType: "Conv", inputs: ["b", "w2"], outputs: ["c2"], attributes: pads),
            Node(name: "concat", opType: "Concat", inputs: parts, outputs: ["cat"], attributes: ["axis": .int(1)]),
            Node(name: "conv3", opType: "Conv", inputs: ["cat", "w3"], outputs: ["y"]),
        ], inputs: [ValueInfo(name: "x", dataType: .float32, shape: [.fixed(1), .fixed(8), .fixed(9), .fixed(7)])],
        outputs: [ValueInfo(name: "y"), ValueInfo(name: "cat")], initializers: initializers.merging(["w3": w3]) { $1 })
        ShapeInference.annotate(&graph, opsets: Self.opsets)
        let result = try DNNLDataMovementTests.compiled(graph, x: generator.tensor([1, 8, 9, 7]))
        #expect(result.error <= 1e-4)
    }

    /// YOLOv8's head: a box and a class convolution (64 and 18 channels) concatenated as the
    /// region's output. Each part is converted to plain NCHW on its way into its slice; no reorder
    /// of the whole follows.
    @Test("a concatenation that leaves the region is written plain: one copy per part, none after")
    func regionOutputConcatIsPlain() throws {
        var generator = SeededGenerator(seed: 95)
        var graph = Graph(name: "head", nodes: [
            Node(name: "box", opType: "Conv", inputs: ["x", "wb"], outputs: ["b"]),
            Node(name: "cls", opType: "Conv", inputs: ["x", "wc"], outputs: ["c"]),
            Node(name: "concat", opType: "Concat", inputs: ["b", "c"], outputs: ["cat"], attributes: ["axis": .int(1)]),
        ], inputs: [ValueInfo(name: "x", dataType: .float32, shape: [.fixed(2), .fixed(32), .fixed(6), .fixed(5)])],
        outputs: [ValueInfo(name: "cat")],
        initializers: ["wb": generator.tensor([64, 32, 1, 1], in: -0.3...0.3), "wc": generator.tensor([18, 32, 1, 1], in: -0.3...0.3)])
        ShapeInference.annotate(&graph, opsets: Self.opsets)
        let result = try DNNLDataMovementTests.compiled(graph, x: generator.tensor([2, 32, 6, 5]))
        #expect(result.error <= 1e-4)
        // Two convolutions, two copies into the slices, at most one reorder of the input.
        #expect(result.kernel.implementationNames.count <= 5, "\(result.kernel.implementationNames)")
    }

    @Test("a channel slice of a batch-1 tensor and a batch slice have byte offsets; a channel slice of batch 2 none")
    func placementGeometry() throws {
        let parent = try DNNLMemoryDesc.plain([1, 24, 5, 6])
        let middle = try #require(parent.placement(of: [1, 8, 5, 6], at: [0, 8, 0, 0]))
        #expect(middle.byteOffset == 8 * 5 * 6 * 4)
        #expect(parent.placement(of: [2, 8, 5, 6], at: [0, 8, 0, 0]) == nil)
        let batch2 = try DNNLMemoryDesc.plain([2, 24, 5, 6])
        #expect(batch2.placement(of: [2, 8, 5, 6], at: [0, 8, 0, 0]) == nil)
        #expect(batch2.placement(of: [1, 24, 5, 6], at: [1, 0, 0, 0])?.byteOffset == 24 * 5 * 6 * 4)
    }
}
