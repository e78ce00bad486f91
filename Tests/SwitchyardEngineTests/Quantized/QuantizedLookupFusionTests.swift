import Testing
import SwitchyardGraph
import SwitchyardTensor
@testable import SwitchyardEngine

/// Elementwise chains between 8-bit tensors become table lookups that compute exactly what the
/// QDQ graph computes on the reference kernels.
@Suite(.enabled(if: DNNLInt8Support.isAvailable, "oneDNN has no int8 JIT kernels on this CPU"))
struct QuantizedLookupFusionTests {
    typealias Kit = QuantizedKernelTestKit

    /// Runs `graph` optimized (default kernels) and unoptimized on the reference kernels;
    /// expects `lookups` QuantizedLookup nodes and identical outputs.
    static func expectExact(_ graph: Graph, inputs: [String: Tensor], lookups: Int) throws {
        let model = Model(opsetImports: ["": 13], graph: graph)
        let optimized = try LoadedModel(model: model, options: LoadOptions(quantizedExecution: .integer))
        #expect(optimized.graph.nodes.filter { $0.opType == QuantizedLookupFusion.opType }.count == lookups,
                "\(optimized.graph.nodes.map(\.opType))")
        let actual = try Session(model: optimized).run(inputs)["y"]!
        let expected = try Session(model: LoadedModel(model: model, options: LoadOptions(optimize: false)),
                                   options: SessionOptions(referenceOnly: true)).run(inputs)["y"]!
        #expect(actual.dataType == expected.dataType && actual.shape == expected.shape)
        #expect(actual.doubles() == expected.doubles())
    }

    /// YOLOv8's SiLU in QDQ form: x · Sigmoid(x) with the sigmoid quantized on the way.
    @Test(arguments: [DataType.uint8, .int8])
    func siluChainBecomesOneTable(type: DataType) throws {
        var generator = Kit.Generator(seed: 600)
        let graph = Graph(nodes: [
            Kit.dq("x", "xd", "sx", "zx"),
            Node(name: "sig", opType: "Sigmoid", inputs: ["xd"], outputs: ["s"]),
            Kit.q("s", "sq", "ss", "zs"), Kit.dq("sq", "sd", "ss", "zs"),
            Node(name: "mul", opType: "Mul", inputs: ["xd", "sd"], outputs: ["m"]),
            Kit.q("m", "mq", "sm", "zm"), Kit.dq("mq", "y", "sm", "zm"),
        ], inputs: [ValueInfo(name: "x", dataType: type, shape: [.fixed(2), .fixed(4), .fixed(5), .fixed(5)])],
        outputs: [ValueInfo(name: "y")], initializers: [
            "sx": Tensor(scalar: Float(0.05)), "zx": Kit.scalar(type, type == .uint8 ? 100 : -20),
            "ss": Tensor(scalar: Float(1.0 / 255)), "zs": Kit.scalar(type, type == .uint8 ? 0 : -128),
            "sm": Tensor(scalar: Float(0.03)), "zm": Kit.scalar(type, type == .uint8 ? 10 : -118),
        ])
        try Self.expectExact(graph, inputs: ["x": Kit.data(type, [2, 4, 5, 5], &generator)], lookups: 1)
    }

    /// onnxruntime's `quantize_static` writes PP-OCR's HardSwish `x · Clip(x + 3, 0, 6) / 6` with the 3
    /// as a quantized scalar (`DQ(3 as uint8)`, a DequantizeLinear read by every such Add) and
    /// each step quantized: still one table over `x`. Before, the constant counted as a second
    /// input, and the chain ran as three float passes (the direction classifier's QDQ file: 4×
    /// slower than its FP32).
    @Test(arguments: [DataType.uint8, .int8])
    func hardSwishWithAQuantizedConstantBecomesOneTable(type: DataType) throws {
        var generator = Kit.Generator(seed: 607)
        // The Clip to [0, 6] is the saturation of the QuantizeLinear after the Add (scale 6/255):
        // onnxruntime drops it so.
        let graph = Graph(nodes: [
            Kit.dq("x", "xd", "sx", "zx"), Kit.dq("three", "threed", "st", "zt"),
            Node(name: "add", opType: "Add", inputs: ["xd", "threed"], outputs: ["a"]),
            Kit.q("a", "cq", "sc", "zc"), Kit.dq("cq", "cd", "sc", "zc"),
            Node(name: "mul", opType: "Mul", inputs: ["xd", "cd"], outputs: ["m"]),
            Kit.q("m", "mq", "sm", "zm"), Kit.dq("mq", "md", "sm", "zm"),
            Node(name: "div", opType: "Div", inputs: ["md", "six"], outputs: ["h"]),
            Kit.q("h", "hq", "sh", "zh"), Kit.dq("hq", "y", "sh", "zh"),
            // A second reader of the quantized 3, as in the real files.
            Node(name: "other", opType: "Add", inputs: ["threed", "threed"], outputs: ["unused"]),
        ], inputs: [ValueInfo(name: "x", dataType: type, shape: [.fixed(2), .fixed(6), .fixed(3), .fixed(4)])],
        outputs: [ValueInfo(name: "y"), ValueInfo(name: "unused")], initializers: [
            "sx": Tensor(scalar: Float(0.04)), "zx": Kit.scalar(type, type == .uint8 ? 120 : -8),
            "three": Kit.scalar(type, type == .uint8 ? 255 : 127), "st": Tensor(scalar: Float(3.0 / 255)),
            "zt": Kit.scalar(type, type == .uint8 ? 0 : -128),
            "sc": Tensor(scalar: Float(6.0 / 255)), "zc": Kit.scalar(type, type == .uint8 ? 0 : -128),
            "sm": Tensor(scalar: Float(0.05)), "zm": Kit.scalar(type, type == .uint8 ? 20 : -100),
            "six": Tensor(scalar: Float(6)),
            "sh": Tensor(scalar: Float(0.01)), "zh": Kit.scalar(type, type == .uint8 ? 30 : -90),
        ])
        try Self.expectExact(graph, inputs: ["x": Kit.data(type, [2, 6, 3, 4], &generator)], lookups: 1)
        // A table over `x` alone (256 entries), not over `x` and the constant (65,536).
        let loaded = try LoadedModel(model: Model(opsetImports: ["": 13], graph: graph),
                                     options: LoadOptions(quantizedExecution: .integer))
        let lookup = try #require(loaded.graph.nodes.first { $0.opType == QuantizedLookupFusion.opType })
        #expect(lookup.inputs == ["x"], "\(loaded.graph.nodes.map { "\($0.opType)\($0.inputs)" })")
    }

    /// A bare requantization, DQ → Q at another scale (a concatenation's part after
    /// `QuantizeHoisting`), is a table too: one byte read instead of a float pass each way.
    @Test(arguments: [DataType.uint8, .int8])
    func requantizationBecomesOneTable(type: DataType) throws {
        var generator = Kit.Generator(seed: 605)
        let graph = Graph(nodes: [
            Kit.dq("x", "xd", "sx", "zx"), Kit.q("xd", "rq", "sr", "zr"), Kit.dq("rq", "y", "sr", "zr"),
        ], inputs: [ValueInfo(name: "x", dataType: type, shape: [.fixed(2), .fixed(3), .fixed(9)])],
        outputs: [ValueInfo(name: "y")], initializers: [
            "sx": Tensor(scalar: Float(0.05)), "zx": Kit.scalar(type, type == .uint8 ? 100 : -20),
            "sr": Tensor(scalar: Float(0.037)), "zr": Kit.scalar(type, type == .uint8 ? 7 : 3),
        ])
        try Self.expectExact(graph, inputs: ["x": Kit.data(type, [2, 3, 9], &generator)], lookups: 1)
    }

    /// DQ(a), DQ(b) → Add → Q → DQ → y, for `a` and `b` of `type` and the given shapes.
    static func quantizedAdd(_ type: DataType, _ aShape: [Int], _ bShape: [Int], zeroPoints: [Int64]) -> Graph {
        Graph(nodes: [
            Kit.dq("a", "ad", "sa", "za"), Kit.dq("b", "bd", "sb", "zb"),
            Node(name: "add", opType: "Add", inputs: ["ad", "bd"], outputs: ["s"]),
            Kit.q("s", "sq", "sy", "zy"), Kit.dq("sq", "y", "sy", "zy"),
        ], inputs: [ValueInfo(name: "a", dataType: type, shape: aShape.map(Dimension.fixed)),
                    ValueInfo(name: "b", dataType: type, shape: bShape.map(Dimension.fixed))],
        outputs: [ValueInfo(name: "y")], initializers: [
            "sa": Tensor(scalar: Float(0.02)), "za": Kit.scalar(type, zeroPoints[0]), "sb": Tensor(scalar: Float(0.07)),
            "zb": Kit.scalar(type, zeroPoints[1]), "sy": Tensor(scalar: Float(0.08)), "zy": Kit.scalar(type, zeroPoints[2]),
        ])
    }

    /// A residual Add of two quantized tensors: a 65 536-entry table over both.
    @Test func addOfTwoQuantizedTensorsBecomesPairTable() throws {
        var generator = Kit.Generator(seed: 601)
        let graph = Self.quantizedAdd(.uint8, [3, 7], [3, 7], zeroPoints: [128, 3, 60])
        try Self.expectExact(graph, inputs: ["a": Kit.data(.uint8, [3, 7], &generator), "b": Kit.data(.uint8, [3, 7], &generator)],
                             lookups: 1)
    }

    /// Two tensors that broadcast (a per-column offset added to a matrix): the pair table reads
    /// them as Add broadcasts them.
    @Test func pairTableBroadcastsAsTheAddDoes() throws {
        var generator = Kit.Generator(seed: 603)
        let graph = Self.quantizedAdd(.int8, [2, 3, 7], [7], zeroPoints: [5, -3, 0])
        try Self.expectExact(graph, inputs: ["a": Kit.data(.int8, [2, 3, 7], &generator), "b": Kit.data(.int8, [7], &generator)],
                             lookups: 1)
    }

    /// One value per channel against a full tensor is `QuantizedElementwiseFusion`'s (it reads the
    /// channel values as floats, no 65,536-entry gather).
    @Test func perChannelPairIsLeftToTheElementwisePass() throws {
        var generator = Kit.Generator(seed: 604)
        let graph = Self.quantizedAdd(.int8, [2, 3, 7], [3, 1], zeroPoints: [5, -3, 0])
        try Self.expectExact(graph, inputs: ["a": Kit.data(.int8, [2, 3, 7], &generator), "b": Kit.data(.int8, [3, 1], &generator)],
                             lookups: 0)
    }

    /// A per-channel constant is not elementwise over one value: nothing is fused.
    @Test func perChannelConstantStaysFloat() throws {
        var generator = Kit.Generator(seed: 602)
        let graph = Graph(nodes: [
            Kit.dq("x", "xd", "sx", "zx"),
            Node(name: "mul", opType: "Mul", inputs: ["xd", "c"], outputs: ["m"]),
            Node(name: "relu", opType: "Relu", inputs: ["m"], outputs: ["r"]),
            Kit.q("r", "rq", "sx", "zx"), Kit.dq("rq", "y", "sx", "zx"),
        ], inputs: [ValueInfo(name: "x", dataType: .uint8, shape: [.fixed(1), .fixed(3), .fixed(4)])],
        outputs: [ValueInfo(name: "y")], initializers: [
            "sx": Tensor(scalar: Float(0.1)), "zx": Kit.scalar(.uint8, 20),
            "c": Tensor(shape: [3, 1], scalars: [Float(0.5), 2, -1]),
        ])
        try Self.expectExact(graph, inputs: ["x": Kit.data(.uint8, [1, 3, 4], &generator)], lookups: 0)
    }
}
