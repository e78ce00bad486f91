import Testing
import SwitchyardGraph
import SwitchyardTensor
@testable import SwitchyardEngine

/// Data movement between quantized tensors runs on their bytes, with a 256-entry table where the
/// scales differ, and computes exactly what the QDQ graph computes on the reference kernels.
@Suite(.enabled(if: DNNLInt8Support.isAvailable, "oneDNN has no int8 JIT kernels on this CPU"))
struct QuantizedMovementFusionTests {
    typealias Kit = QuantizedKernelTestKit

    /// Runs `graph` optimized under `execution` (default kernels: oneDNN regions) and
    /// unoptimized on the reference kernels; returns the optimized graph after checking that
    /// the outputs are identical.
    static func expectExact(_ graph: Graph, inputs: [String: Tensor],
                            execution: QuantizedExecution = .automatic) throws -> Graph {
        let model = Model(opsetImports: ["": 13], graph: graph)
        let optimized = try LoadedModel(model: model, options: LoadOptions(quantizedExecution: execution))
        let expected = try Session(model: LoadedModel(model: model, options: LoadOptions(optimize: false)),
                                   options: SessionOptions(referenceOnly: true)).run(inputs)["y"]!
        for threads in [1, 2] {
            let actual = try Session(model: optimized, options: SessionOptions(threads: threads)).run(inputs)["y"]!
            #expect(actual.shape == expected.shape)
            #expect(largestDifference(actual, expected) == 0, "threads \(threads)")
        }
        return optimized.graph
    }

    /// A C2f-like block after an int8 convolution: Split into two parts (each requantized to its
    /// own scale), MaxPool of one part (sharing its scale), Concat of all three into a scale one
    /// part already has.
    static func block(type: DataType, _ generator: inout Kit.Generator) -> (Graph, [String: Tensor]) {
        let conv = Kit.qlinearConv(x: type, y: type, channels: 8, filters: 8, group: 1, stride: 1, &generator)
        let zero: (Int64) -> Tensor = { Kit.scalar(type, type == .uint8 ? $0 : $0 - 128) }
        var initializers: [String: Tensor] = [
            "sa": Tensor(scalar: Float(0.21)), "za": zero(120),
            "sb": Tensor(scalar: Float(0.13)), "zb": zero(131),
        ]
        for (name, tensor) in zip(conv.node.inputs, conv.inputs).dropFirst() { initializers[name] = tensor }
        var convolution = conv.node
        convolution.outputs = ["conv"]
        let graph = Graph(nodes: [
            convolution,
            Kit.dq("conv", "conv_d", "y_scale", "y_zp"),
            Node(name: "split", opType: "Split", inputs: ["conv_d"], outputs: ["part_a", "part_b"], attributes: ["axis": .int(1)]),
            Kit.q("part_a", "a_q", "sa", "za"), Kit.q("part_b", "b_q", "sb", "zb"),
            Kit.dq("b_q", "b_d", "sb", "zb"),
            Node(name: "pool", opType: "MaxPool", inputs: ["b_d"], outputs: ["pooled"],
                 attributes: ["kernel_shape": .ints([3, 3]), "pads": .ints([1, 1, 1, 1])]),
            Kit.q("pooled", "p_q", "sb", "zb"),
            Kit.dq("a_q", "a_d", "sa", "za"), Kit.dq("p_q", "p_d", "sb", "zb"),
            Node(name: "concat", opType: "Concat", inputs: ["a_d", "b_d", "p_d"], outputs: ["joined"],
                 attributes: ["axis": .int(1)]),
            Kit.q("joined", "joined_q", "sa", "za"), Kit.dq("joined_q", "y", "sa", "za"),
        ], inputs: [ValueInfo(name: "x", dataType: type, shape: [.fixed(2), .fixed(8), .fixed(9), .fixed(9)])],
        outputs: [ValueInfo(name: "y")], initializers: initializers)
        return (graph, ["x": conv.inputs[0]!])
    }

    @Test(arguments: [DataType.uint8, .int8])
    func splitPoolAndConcatMoveBytes(type: DataType) throws {
        var generator = Kit.Generator(seed: 700)
        let (graph, inputs) = Self.block(type: type, &generator)
        let optimized = try Self.expectExact(graph, inputs: inputs)
        let nodes = optimized.allNodes()
        // Split, MaxPool and Concat read bytes: the block's only DequantizeLinear is the last.
        #expect(nodes.filter { $0.opType == "DequantizeLinear" }.count == 1, "\(nodes.map(\.opType))")
        // Tables: a and b after the Split (conv scale → their own); b and p before the Concat
        // (their scale → the Concat's, which a already has); none around the MaxPool.
        #expect(nodes.filter { $0.opType == QuantizedLookupFusion.opType }.count == 4, "\(nodes.map(\.opType))")
    }

    @Test func floatExecutionMovesFloats() throws {
        var generator = Kit.Generator(seed: 701)
        let (graph, inputs) = Self.block(type: .uint8, &generator)
        let model = Model(opsetImports: ["": 13], graph: graph)
        let optimized = try LoadedModel(model: model, options: LoadOptions(quantizedExecution: .float))
        #expect(!optimized.graph.allNodes().contains { $0.opType == QuantizedLookupFusion.opType })
        _ = try Session(model: optimized).run(inputs)
    }

    /// Under `.automatic` bytes move only between int8 operators: a graph input quantized by a
    /// float QuantizeLinear keeps its float Split.
    @Test func floatNeighbourhoodStaysFloat() throws {
        var generator = Kit.Generator(seed: 702)
        let graph = Graph(nodes: [
            Kit.q("x", "xq", "s", "z"), Kit.dq("xq", "xd", "s", "z"),
            Node(name: "split", opType: "Split", inputs: ["xd"], outputs: ["a", "b"], attributes: ["axis": .int(1)]),
            Kit.q("a", "aq", "s", "z"), Kit.dq("aq", "ad", "s", "z"),
            Node(name: "add", opType: "Add", inputs: ["ad", "b"], outputs: ["y"]),
        ], inputs: [ValueInfo(name: "x", dataType: .float32, shape: [.fixed(1), .fixed(4), .fixed(3)])],
        outputs: [ValueInfo(name: "y")],
        initializers: ["s": Tensor(scalar: Float(0.05)), "z": Kit.scalar(.uint8, 128)])
        let input = Tensor(shape: [1, 4, 3], scalars: (0..<12).map { _ in Float.random(in: -5...5, using: &generator) })
        let optimized = try Self.expectExact(graph, inputs: ["x": input])
        let split = try #require(optimized.allNodes().first { $0.opType == "Split" })
        #expect(split.inputs[0] != "xq")
    }

    /// Nearest-neighbour upsampling copies bytes; with another output scale a table follows it.
    @Test(arguments: [false, true])
    func nearestResizeMovesBytes(requantized: Bool) throws {
        var generator = Kit.Generator(seed: 703)
        let graph = Graph(nodes: [
            Kit.dq("x", "xd", "s", "z"),
            Node(name: "resize", opType: "Resize", inputs: ["xd", "", "scales"], outputs: ["r"],
                 attributes: ["mode": .string("nearest")]),
            Kit.q("r", "rq", requantized ? "s2" : "s", requantized ? "z2" : "z"),
            Kit.dq("rq", "y", requantized ? "s2" : "s", requantized ? "z2" : "z"),
        ], inputs: [ValueInfo(name: "x", dataType: .uint8, shape: [.fixed(2), .fixed(3), .fixed(4), .fixed(5)])],
        outputs: [ValueInfo(name: "y")], initializers: [
            "s": Tensor(scalar: Float(0.05)), "z": Kit.scalar(.uint8, 100),
            "s2": Tensor(scalar: Float(0.08)), "z2": Kit.scalar(.uint8, 90),
            "scales": Tensor(shape: [4], scalars: [Float(1), 1, 2, 2]),
        ])
        let optimized = try Self.expectExact(graph, inputs: ["x": Kit.data(.uint8, [2, 3, 4, 5], &generator)],
                                             execution: .integer)
        let resize = try #require(optimized.allNodes().first { $0.opType == "Resize" })
        #expect(resize.inputs[0] == "x")
        #expect(optimized.allNodes().filter { $0.opType == QuantizedLookupFusion.opType }.count == (requantized ? 1 : 0))
    }

    /// The table is `Q(DQ(v))` for every byte, rounding half to even as QuantizeLinear does.
    @Test func requantizationTableRoundsAsTheNodesDo() throws {
        let graph = Graph(nodes: [], initializers: [
            "s": Tensor(scalar: Float(0.5)), "z": Kit.scalar(.int8, 0),
            "s2": Tensor(scalar: Float(1)), "z2": Kit.scalar(.int8, 3),
        ])
        let table = try #require(QuantizedMovementFusion.requantizationTable(
            from: Kit.dq("v", "d", "s", "z"), to: Kit.q("d", "w", "s2", "z2"), type: .int8, graph: graph,
            scope: PassScope(opsets: ["": 13])))
        let values = table.int64s()
        // Entry i holds v = i − 128: v · 0.5 rounded half to even, plus 3, saturated.
        for v: Int64 in [-128, -3, -1, 1, 3, 5, 127] {
            let expected = max(-128, min(127, Int64((Double(v) * 0.5).rounded(.toNearestOrEven)) + 3))
            #expect(values[Int(v + 128)] == expected, "v = \(v)")
        }
    }
}
