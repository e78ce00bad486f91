import Testing
import SwitchyardGraph
import SwitchyardTensor
@testable import SwitchyardEngine

/// QDQ graphs built in code (the form `quantize_static` writes) are rewritten into QLinearConv /
/// QLinearMatMul, and the engine's outputs stay within one output quantization step of the
/// unoptimized QDQ graph run on the reference kernels.
@Suite(.enabled(if: DNNLInt8Support.isAvailable, "oneDNN has no int8 JIT kernels on this CPU"))
struct QDQFusionTests {
    typealias Kit = QuantizationTestKit
    typealias Generator = QuantizationTestKit.Generator

    struct Quantization {
        var type: DataType
        var outputZeroPoint: Int64
    }

    /// x → Q/DQ → Conv(DQ(int8 per-channel w), bias) [→ activation] → Q → DQ → y, opset 13.
    static func convGraph(_ q: Quantization, activation: Node?, floatBias: Bool, _ generator: inout Generator) -> Graph {
        let m = 12, c = 6
        let sx: Float = 0.02, sy: Float = 0.05
        let weightScales = Kit.scales([m], in: 0.002...0.01, using: &generator)
        let biasScales = weightScales.scalars(as: Float.self).map { sx * $0 }
        let bias = Kit.integers(.int32, [m], in: -2000...2000, using: &generator)
        var nodes = [
            Node(name: "qx", opType: "QuantizeLinear", inputs: ["x", "sx", "zx"], outputs: ["xq"]),
            Node(name: "dqx", opType: "DequantizeLinear", inputs: ["xq", "sx", "zx"], outputs: ["xd"]),
            Node(name: "dqw", opType: "DequantizeLinear", inputs: ["w", "sw", "zw"], outputs: ["wd"], attributes: ["axis": .int(0)]),
        ]
        var initializers: [String: Tensor] = [
            "sx": Tensor(scalar: sx), "zx": Tensor(dataType: q.type, shape: [], int64s: [q.type == .uint8 ? 120 : -8]),
            "w": QuantizedKernelTestKit.weights([m, c, 3, 3], &generator), "sw": weightScales,
            "zw": Tensor(dataType: .int8, shape: [m], int64s: Array(repeating: 0, count: m)),
            "sy": Tensor(scalar: sy), "zy": Tensor(dataType: q.type, shape: [], int64s: [q.outputZeroPoint]),
        ]
        if floatBias {
            initializers["bd"] = Tensor(shape: [m], scalars: zip(bias.int64s(), biasScales).map { Float($0) * $1 })
        } else {
            nodes.append(Node(name: "dqb", opType: "DequantizeLinear", inputs: ["b", "sb"], outputs: ["bd"], attributes: ["axis": .int(0)]))
            initializers["b"] = bias
            initializers["sb"] = Tensor(shape: [m], scalars: biasScales)
        }
        nodes.append(Node(name: "conv", opType: "Conv", inputs: ["xd", "wd", "bd"], outputs: ["c"],
                          attributes: ["pads": .ints([1, 1, 1, 1]), "kernel_shape": .ints([3, 3])]))
        if var activation {
            activation.inputs[0] = "c"
            activation.outputs = ["r"]
            nodes.append(activation)
        }
        nodes += [
            Node(name: "qy", opType: "QuantizeLinear", inputs: [activation == nil ? "c" : "r", "sy", "zy"], outputs: ["yq"]),
            Node(name: "dqy", opType: "DequantizeLinear", inputs: ["yq", "sy", "zy"], outputs: ["y"]),
        ]
        return Graph(nodes: nodes, inputs: [ValueInfo(name: "x", dataType: .float32, shape: [.fixed(2), .fixed(c), .fixed(8), .fixed(8)])],
                     outputs: [ValueInfo(name: "y")], initializers: initializers)
    }

    /// Loads `graph` with the optimizer (`execution`) and the default kernels, and without either; expects
    /// the optimized graph to hold `fusedOp` (or none when nil) and the outputs to agree
    /// within `step` (one quantization step of y).
    static func check(_ graph: Graph, input: Tensor, fusedOp: String?, step: Float,
                      execution: QuantizedExecution = .integer) throws {
        let model = Model(opsetImports: ["": 13], graph: graph)
        let optimized = try LoadedModel(model: model, options: LoadOptions(quantizedExecution: execution))
        let ops = optimized.graph.nodes.map(\.opType)
        if let fusedOp {
            #expect(ops.contains(fusedOp), "\(ops)")
            #expect(!ops.contains("Conv") && !ops.contains("MatMul"), "\(ops)")
        } else {
            #expect(!ops.contains("QLinearConv") && !ops.contains("QLinearMatMul"), "\(ops)")
        }
        let actual = try Session(model: optimized).run(["x": input])["y"]!
        let reference = try Session(model: LoadedModel(model: model, options: LoadOptions(optimize: false)),
                                    options: SessionOptions(referenceOnly: true)).run(["x": input])["y"]!
        #expect(actual.shape == reference.shape)
        let worst = largestDifference(actual, reference)
        // On failure, where and what: a saturated output and a moved rounding tie have different causes.
        let ours = actual.floats(), theirs = reference.floats()
        let at = ours.indices.first { abs(ours[$0] - theirs[$0]) >= worst || ours[$0].isNaN != theirs[$0].isNaN } ?? 0
        #expect(worst <= step * 1.001,
                "max error \(worst) at \(at): \(ours[at]) against \(theirs[at]), one step is \(step); optimized graph \(ops)")
    }

    @Test(arguments: [(DataType.uint8, Int64(0)), (.int8, -128)])
    func convWithReluFusesWhenSaturationComputesIt(type: DataType, zeroPoint: Int64) throws {
        var generator = Generator(seed: 500)
        let graph = Self.convGraph(.init(type: type, outputZeroPoint: zeroPoint),
                                   activation: Node(opType: "Relu", inputs: [""], outputs: [""]), floatBias: false, &generator)
        try Self.check(graph, input: Kit.floats([2, 6, 8, 8], in: -2...2, using: &generator), fusedOp: "QLinearConv", step: 0.05)
    }

    @Test(arguments: [DataType.uint8, .int8])
    func convWithoutActivationAndFloatBiasFuses(type: DataType) throws {
        var generator = Generator(seed: 501)
        let graph = Self.convGraph(.init(type: type, outputZeroPoint: type == .uint8 ? 128 : 0), activation: nil,
                                   floatBias: true, &generator)
        try Self.check(graph, input: Kit.floats([2, 6, 8, 8], in: -2...2, using: &generator), fusedOp: "QLinearConv", step: 0.05)
    }

    /// Relu before an output whose zero point is mid-range is not what saturation computes:
    /// the pattern stays float (and still agrees with the reference).
    @Test func reluWithMidRangeZeroPointStaysFloat() throws {
        var generator = Generator(seed: 502)
        let graph = Self.convGraph(.init(type: .uint8, outputZeroPoint: 128),
                                   activation: Node(opType: "Relu", inputs: [""], outputs: [""]), floatBias: false, &generator)
        try Self.check(graph, input: Kit.floats([2, 6, 8, 8], in: -2...2, using: &generator), fusedOp: nil, step: 0.05)
    }

    /// Full-range weights would saturate oneDNN's AVX2 int8 products: without VNNI the pattern
    /// stays on the float path (never slower than FP32), still agreeing with the reference.
    @Test(.enabled(if: !DNNLInt8Support.hasVNNI, "VNNI computes full-range weights exactly"))
    func fullRangeWeightsStayFloatWithoutVNNI() throws {
        var generator = Generator(seed: 505)
        var graph = Self.convGraph(.init(type: .uint8, outputZeroPoint: 128), activation: nil, floatBias: false, &generator)
        graph.initializers["w"] = Tensor(dataType: .int8, shape: [12, 6, 3, 3], int64s: (0..<648).map { $0 % 3 == 0 ? 127 : -90 })
        try Self.check(graph, input: Kit.floats([2, 6, 8, 8], in: -2...2, using: &generator), fusedOp: nil, step: 0.05)
    }

    /// `convGraph` with YOLOv8's SiLU, `c · Sigmoid(c)`, between the Conv and the QuantizeLinear.
    static func withSiLU(_ graph: Graph) -> Graph {
        var graph = graph
        let quantize = graph.nodes.firstIndex { $0.name == "qy" }!
        graph.nodes[quantize].inputs[0] = "r"
        graph.nodes.insert(contentsOf: [
            Node(name: "sigmoid", opType: "Sigmoid", inputs: ["c"], outputs: ["g"]),
            Node(name: "silu", opType: "Mul", inputs: ["c", "g"], outputs: ["r"]),
        ], at: quantize)
        return graph
    }

    /// Conv → SiLU → QuantizeLinear (what `quantize` writes for YOLOv8) becomes one QLinearConv
    /// whose activation is Swish; the output stays within one step of the QDQ graph's.
    @Test(arguments: [(DataType.uint8, Int64(10)), (.int8, -118)])
    func convWithSiLUFusesWithASwishActivation(type: DataType, zeroPoint: Int64) throws {
        var generator = Generator(seed: 506)
        let graph = Self.withSiLU(Self.convGraph(.init(type: type, outputZeroPoint: zeroPoint), activation: nil,
                                                 floatBias: false, &generator))
        let optimized = try LoadedModel(model: Model(opsetImports: ["": 13], graph: graph),
                                        options: LoadOptions(quantizedExecution: .integer))
        let conv = try #require(optimized.graph.nodes.first { $0.opType == "QLinearConv" })
        #expect(try FusedActivation(node: conv) == .swish(alpha: 1))
        #expect(!optimized.graph.nodes.contains { ["Sigmoid", "Mul"].contains($0.opType) }, "\(optimized.graph.nodes.map(\.opType))")
        try Self.check(graph, input: Kit.floats([2, 6, 8, 8], in: -2...2, using: &generator), fusedOp: "QLinearConv", step: 0.05)
    }

    /// `convGraph` with PaddleOCR's HardSwish, `c · Clip(c + 3, 0, 6) / 6`, between the Conv and
    /// the QuantizeLinear.
    static func withPaddleHardSwish(_ graph: Graph) -> Graph {
        var graph = graph
        let quantize = graph.nodes.firstIndex { $0.name == "qy" }!
        graph.nodes[quantize].inputs[0] = "r"
        graph.initializers["three"] = Tensor(scalar: Float(3))
        graph.initializers["zero"] = Tensor(scalar: Float(0))
        graph.initializers["six"] = Tensor(scalar: Float(6))
        graph.nodes.insert(contentsOf: [
            Node(name: "add", opType: "Add", inputs: ["c", "three"], outputs: ["a"]),
            Node(name: "clip", opType: "Clip", inputs: ["a", "zero", "six"], outputs: ["g"]),
            Node(name: "mul", opType: "Mul", inputs: ["c", "g"], outputs: ["m"]),
            Node(name: "div", opType: "Div", inputs: ["m", "six"], outputs: ["r"]),
        ], at: quantize)
        return graph
    }

    /// Conv → PaddleOCR's HardSwish → QuantizeLinear (what `quantize` writes for PP-OCR) becomes
    /// one QLinearConv whose activation is HardSwish, within one step of the QDQ graph's output.
    @Test(arguments: [(DataType.uint8, Int64(10)), (.int8, -118)])
    func convWithHardSwishFusesWithAHardSwishActivation(type: DataType, zeroPoint: Int64) throws {
        var generator = Generator(seed: 508)
        let graph = Self.withPaddleHardSwish(Self.convGraph(.init(type: type, outputZeroPoint: zeroPoint), activation: nil,
                                                            floatBias: false, &generator))
        let optimized = try LoadedModel(model: Model(opsetImports: ["": 13], graph: graph),
                                        options: LoadOptions(quantizedExecution: .integer))
        let conv = try #require(optimized.graph.nodes.first { $0.opType == "QLinearConv" })
        #expect(try FusedActivation(node: conv) == .hardSwish)
        #expect(!optimized.graph.nodes.contains { ["Add", "Clip", "Mul", "Div", "HardSwish"].contains($0.opType) },
                "\(optimized.graph.nodes.map(\.opType))")
        try Self.check(graph, input: Kit.floats([2, 6, 8, 8], in: -2...2, using: &generator), fusedOp: "QLinearConv", step: 0.05)
    }

    /// A SiLU whose pre-activation value has another reader is not absorbed: the Conv's output
    /// is needed in float, so the pattern stays on the float path.
    @Test func siluWithAnotherReaderStaysFloat() throws {
        var generator = Generator(seed: 507)
        var graph = Self.withSiLU(Self.convGraph(.init(type: .uint8, outputZeroPoint: 10), activation: nil,
                                                 floatBias: false, &generator))
        graph.nodes.append(Node(name: "tap", opType: "Relu", inputs: ["c"], outputs: ["t"]))
        graph.outputs.append(ValueInfo(name: "t"))
        let optimized = try LoadedModel(model: Model(opsetImports: ["": 13], graph: graph),
                                        options: LoadOptions(quantizedExecution: .integer))
        #expect(!optimized.graph.nodes.contains { $0.opType == "QLinearConv" }, "\(optimized.graph.nodes.map(\.opType))")
    }

    @Test func clipWithinTheOutputRangeFuses() throws {
        var generator = Generator(seed: 503)
        // y_scale 0.05, zero point 0: uint8 covers [0, 12.75], so Clip(0, 20) is saturation.
        var graph = Self.convGraph(.init(type: .uint8, outputZeroPoint: 0),
                                   activation: Node(opType: "Clip", inputs: ["", "lo", "hi"], outputs: [""]), floatBias: false, &generator)
        graph.initializers["lo"] = Tensor(scalar: Float(0))
        graph.initializers["hi"] = Tensor(scalar: Float(20))
        try Self.check(graph, input: Kit.floats([2, 6, 8, 8], in: -2...2, using: &generator), fusedOp: "QLinearConv", step: 0.05)
    }

    @Test(arguments: [DataType.uint8, .int8])
    func matMulFuses(type: DataType) throws {
        var generator = Generator(seed: 504)
        let (k, n) = (16, 6)
        let zero = Tensor(dataType: type, shape: [], int64s: [type == .uint8 ? 128 : 0])
        let graph = Graph(nodes: [
            Node(name: "qa", opType: "QuantizeLinear", inputs: ["x", "sa", "za"], outputs: ["aq"]),
            Node(name: "dqa", opType: "DequantizeLinear", inputs: ["aq", "sa", "za"], outputs: ["ad"]),
            Node(name: "dqb", opType: "DequantizeLinear", inputs: ["b", "sb"], outputs: ["bd"], attributes: ["axis": .int(1)]),
            Node(name: "mm", opType: "MatMul", inputs: ["ad", "bd"], outputs: ["p"]),
            Node(name: "qy", opType: "QuantizeLinear", inputs: ["p", "sy", "za"], outputs: ["yq"]),
            Node(name: "dqy", opType: "DequantizeLinear", inputs: ["yq", "sy", "za"], outputs: ["y"]),
        ], inputs: [ValueInfo(name: "x", dataType: .float32, shape: [.fixed(2), .fixed(5), .fixed(k)])],
        outputs: [ValueInfo(name: "y")], initializers: [
            "sa": Tensor(scalar: Float(0.02)), "za": zero, "sy": Tensor(scalar: Float(0.04)),
            "b": QuantizedKernelTestKit.weights([k, n], &generator),
            "sb": Kit.scales([n], in: 0.002...0.01, using: &generator),
        ])
        try Self.check(graph, input: Kit.floats([2, 5, k], in: -2...2, using: &generator), fusedOp: "QLinearMatMul", step: 0.04)
    }
}
