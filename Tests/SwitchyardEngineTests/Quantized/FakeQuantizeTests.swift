import Testing
import SwitchyardGraph
import SwitchyardTensor
@testable import SwitchyardEngine

/// The float path for quantized layers: an activation's QuantizeLinear → DequantizeLinear pair
/// becomes `ai.switchyard` FakeQuantize, computed by the reference kernel exactly as the pair,
/// by oneDNN as an eltwise chain (alone or as post-ops of the convolution or binary primitive
/// before it) within one quantization step.
@Suite struct FakeQuantizeTests {
    typealias Kit = QuantizationTestKit

    static func fakeQuantize(_ input: String, _ output: String, scale: Float, zeroPoint: Int, type: DataType) -> Node {
        Node(name: "fq_\(output)", opType: FakeQuantizeFusion.opType, domain: ReferenceKernels.switchyardDomain,
             inputs: [input], outputs: [output], attributes: [
                "scale": .float(scale), "zero_point": .int(zeroPoint), "quantized_type": .int(Int(type.rawValue)),
             ])
    }

    static let parameters: [(DataType, Int)] = [(.uint8, 120), (.uint8, 0), (.int8, -8)]

    /// Values spread past the quantized range on both sides, so saturation is exercised.
    static func input(_ shape: [Int], seed: UInt64) -> Tensor {
        var generator = Kit.Generator(seed: seed)
        return Kit.floats(shape, in: -4...4, using: &generator)
    }

    @Test(arguments: parameters)
    func referenceKernelIsQuantizeThenDequantize(type: DataType, zeroPoint: Int) throws {
        let scale: Float = 0.02
        let x = Self.input([3, 5, 7, 7], seed: 700)
        let node = Self.fakeQuantize("x", "y", scale: scale, zeroPoint: zeroPoint, type: type)
        let actual = try FakeQuantizeKernel.run(OpContext(node: node, opset: 1, inputs: [x]))[0]
        let zero = Tensor(dataType: type, shape: [], int64s: [Int64(zeroPoint)])
        let q = try #require(ReferenceKernels.kernel(opType: "QuantizeLinear", domain: ""))
        let dq = try #require(ReferenceKernels.kernel(opType: "DequantizeLinear", domain: ""))
        let quantized = try q(OpContext(node: Node(opType: "QuantizeLinear", inputs: ["x", "s", "z"], outputs: ["q"]),
                                        opset: 13, inputs: [x, Tensor(scalar: scale), zero]))[0]
        let expected = try dq(OpContext(node: Node(opType: "DequantizeLinear", inputs: ["q", "s", "z"], outputs: ["y"]),
                                        opset: 13, inputs: [quantized, Tensor(scalar: scale), zero]))[0]
        #expect(actual.shape == expected.shape)
        #expect(actual.scalars(as: Float.self) == expected.scalars(as: Float.self))
    }

    @Test(arguments: parameters)
    func oneDNNChainMatchesTheReference(type: DataType, zeroPoint: Int) throws {
        let scale: Float = 0.03
        let x = Self.input([2, 8, 9, 9], seed: 701)
        let node = Self.fakeQuantize("x", "y", scale: scale, zeroPoint: zeroPoint, type: type)
        let kernel = try #require(DNNLKernels.makeKernel(for: node, opset: 1))
        let actual = try kernel.run([x])[0]
        #expect(!kernel.implementationNames.isEmpty, "FakeQuantize fell back: \(kernel.fallbackReason ?? "")")
        let expected = try FakeQuantizeKernel.run(OpContext(node: node, opset: 1, inputs: [x]))[0]
        let pairs = Array(zip(actual.scalars(as: Float.self), expected.scalars(as: Float.self)))
        let worst = largestDifference(actual, expected)
        // 1/scale instead of a division moves at most a rounding tie, by one step.
        #expect(worst <= scale * 1.001, "max error \(worst), one step is \(scale)")
        #expect(pairs.filter { $0.0 != $0.1 }.count * 100 <= pairs.count, "more than 1% differ")
        #expect(Set(expected.scalars(as: Float.self)).count > 100, "the input spans many steps")
    }

    /// Conv → FakeQuantize and Add → FakeQuantize in one region: each elementwise chain becomes
    /// post-ops of the primitive before it, and the region still computes the reference.
    @Test func chainsBecomePostOpsOfConvolutionAndBinary() throws {
        var generator = SeededGenerator(seed: 702)
        let c = 8
        let graph = Graph(name: "fq", nodes: [
            Node(name: "conv", opType: "Conv", inputs: ["x", "w", "b"], outputs: ["c"], attributes: ["pads": .ints([1, 1, 1, 1])]),
            Node(name: "relu", opType: "Relu", inputs: ["c"], outputs: ["r"]),
            Self.fakeQuantize("r", "rq", scale: 0.05, zeroPoint: 0, type: .uint8),
            Node(name: "add", opType: "Add", inputs: ["rq", "x"], outputs: ["s"]),
            Self.fakeQuantize("s", "y", scale: 0.04, zeroPoint: 128, type: .uint8),
        ], inputs: [ValueInfo(name: "x")], outputs: [ValueInfo(name: "y")], initializers: [
            "w": generator.tensor([c, c, 3, 3], in: -0.3...0.3), "b": generator.tensor([c]),
        ])
        let partitioned = DNNLRegionPartitioner.partition(graph, opsets: ["": 17])
        #expect(partitioned.nodes.map(\.opType) == [DNNLRegionPartitioner.opType])
        let region = try #require(partitioned.nodes.first)
        let kernel = try #require(DNNLKernels.makeKernel(for: region, opset: 1, constants: graph.initializers))
        #expect(kernel.members.map(\.node.opType) == ["Conv", "Add"])
        #expect(kernel.members.map { $0.originals.count } == [3, 2])
        let x = generator.tensor([2, c, 10, 10], in: -2...2)
        let actual = try kernel.run(region.inputs.map { $0 == "x" ? x : graph.initializers[$0] })[0]
        #expect(!kernel.implementationNames.isEmpty, "the region fell back: \(kernel.fallbackReason ?? "")")
        #expect(!kernel.implementationNames.contains { $0.hasPrefix("ref") }, "\(kernel.implementationNames)")
        let program = try GraphProgram(graph: graph, opsets: ["": 17], outerNames: []) { node, _ in
            ReferenceKernels.kernel(opType: node.opType, domain: node.domain)
        }
        let expected = try program.run(inputs: [x])[0]
        // Two quantizations in a row: a tie moved by the first can move the second by one step.
        let worst = largestDifference(actual, expected)
        #expect(worst <= (0.05 + 0.04) * 1.001, "max error \(worst)")
    }

    /// Conv → FakeQuantize → HardSwish → FakeQuantize: the second chain cannot join the
    /// convolution's post-ops (oneDNN 2.6 keeps one injector per eltwise kind), so it runs on
    /// its own — in one pass over the blocked values viewed flat when the layout has no padding
    /// (8 channels), step by step when it has (12 channels, padded to 16) — and both compute the
    /// reference. Sigmoid does not keep 0 at 0, so on the padded layout (whose padding must
    /// stay zero) its chain runs on the plain layout rather than oneDNN's `ref:any`.
    @Test(arguments: [(8, "HardSwish"), (12, "HardSwish"), (8, "Sigmoid"), (12, "Sigmoid")])
    func aSecondChainRunsInOnePassOverBlockedValues(channels: Int, activation: String) throws {
        var generator = SeededGenerator(seed: 705)
        let graph = Graph(name: "fq2", nodes: [
            Node(name: "conv", opType: "Conv", inputs: ["x", "w", "b"], outputs: ["c"], attributes: ["pads": .ints([1, 1, 1, 1])]),
            Self.fakeQuantize("c", "cq", scale: 0.05, zeroPoint: 128, type: .uint8),
            Node(name: "activation", opType: activation, inputs: ["cq"], outputs: ["h"]),
            Self.fakeQuantize("h", "y", scale: 0.03, zeroPoint: 10, type: .uint8),
        ], inputs: [ValueInfo(name: "x")], outputs: [ValueInfo(name: "y")], initializers: [
            "w": generator.tensor([channels, 4, 3, 3], in: -0.5...0.5), "b": generator.tensor([channels]),
        ])
        let partitioned = DNNLRegionPartitioner.partition(graph, opsets: ["": 17])
        let region = try #require(partitioned.nodes.first)
        let kernel = try #require(DNNLKernels.makeKernel(for: region, opset: 1, constants: graph.initializers))
        #expect(kernel.members.map(\.node.opType) == ["Conv", FakeQuantizeFusion.opType])
        let x = generator.tensor([2, 4, 9, 9], in: -2...2)
        let actual = try kernel.run(region.inputs.map { $0 == "x" ? x : graph.initializers[$0] })[0]
        #expect(kernel.fallbackReason == nil, "the region fell back: \(kernel.fallbackReason ?? "")")
        #expect(!kernel.implementationNames.contains { $0.hasPrefix("ref") }, "\(kernel.implementationNames)")
        if channels % 8 == 0 {
            // Input reorder, convolution, the chain's one pass, output reorder: no eltwise per step.
            #expect(kernel.implementationNames.count <= 4, "\(kernel.implementationNames)")
        }
        let program = try GraphProgram(graph: graph, opsets: ["": 17], outerNames: []) { node, _ in
            ReferenceKernels.kernel(opType: node.opType, domain: node.domain)
        }
        let expected = try program.run(inputs: [x])[0]
        let pairs = Array(zip(actual.scalars(as: Float.self), expected.scalars(as: Float.self)))
        let worst = largestDifference(actual, expected)
        // A tie moved by the first quantization can move the second output by a step or two.
        #expect(worst <= 0.03 * 2.001, "max error \(worst)")
        #expect(pairs.filter { $0.0 != $0.1 }.count * 50 <= pairs.count, "more than 2% differ")
        #expect(Set(expected.scalars(as: Float.self)).count > 20, "the output spans many steps")
    }

    /// Under `.float` the QDQ convolution runs as a float convolution with FakeQuantize nodes
    /// and still computes the QDQ graph within one output step.
    @Test(.enabled(if: DNNLInt8Support.isAvailable, "QDQFusionTests' graphs need the int8 test kit"),
          arguments: [(DataType.uint8, Int64(0)), (.int8, -128), (.uint8, 128)])
    func floatExecutionComputesTheQDQGraph(type: DataType, zeroPoint: Int64) throws {
        var generator = QDQFusionTests.Generator(seed: 703)
        let graph = QDQFusionTests.convGraph(.init(type: type, outputZeroPoint: zeroPoint),
                                             activation: Node(opType: "Relu", inputs: [""], outputs: [""]),
                                             floatBias: false, &generator)
        let model = Model(opsetImports: ["": 13], graph: graph)
        let loaded = try LoadedModel(model: model, options: LoadOptions(quantizedExecution: .float))
        let ops = loaded.graph.nodes.map(\.opType)
        #expect(ops.contains(FakeQuantizeFusion.opType) && !ops.contains("QuantizeLinear"), "\(ops)")
        try QDQFusionTests.check(graph, input: Kit.floats([2, 6, 8, 8], in: -2...2, using: &generator), fusedOp: nil,
                                 step: 0.05, execution: .float)
    }

    /// PaddleOCR's decomposed HardSwish between two FakeQuantize nodes becomes one HardSwish,
    /// and the optimized graph computes what the unoptimized one does on the reference kernels.
    @Test func decomposedHardSwishAfterFakeQuantizeBecomesOneNode() throws {
        let graph = Graph(nodes: [
            Self.fakeQuantize("x", "a", scale: 0.03, zeroPoint: 128, type: .uint8),
            Node(name: "add", opType: "Add", inputs: ["a", "three"], outputs: ["b"]),
            Node(name: "clip", opType: "Clip", inputs: ["b", "zero", "six"], outputs: ["c"]),
            Node(name: "mul", opType: "Mul", inputs: ["a", "c"], outputs: ["d"]),
            Node(name: "div", opType: "Div", inputs: ["d", "six"], outputs: ["e"]),
            Self.fakeQuantize("e", "y", scale: 0.02, zeroPoint: 20, type: .uint8),
        ], inputs: [ValueInfo(name: "x", dataType: .float32, shape: [.fixed(2), .fixed(4), .fixed(6), .fixed(6)])],
        outputs: [ValueInfo(name: "y")], initializers: [
            "three": Tensor(scalar: Float(3)), "zero": Tensor(scalar: Float(0)), "six": Tensor(scalar: Float(6)),
        ])
        let model = Model(opsetImports: ["": 13], graph: graph)
        let loaded = try LoadedModel(model: model)
        let ops = loaded.graph.nodes.map(\.opType)
        #expect(ops == [FakeQuantizeFusion.opType, "HardSwish", FakeQuantizeFusion.opType], "\(ops)")
        let x = Self.input([2, 4, 6, 6], seed: 704)
        let actual = try Session(model: loaded).run(["x": x])["y"]!
        let expected = try Session(model: LoadedModel(model: model, options: LoadOptions(optimize: false)),
                                   options: SessionOptions(referenceOnly: true)).run(["x": x])["y"]!
        let worst = largestDifference(actual, expected)
        #expect(worst <= 0.02 * 1.001, "max error \(worst), one output step is 0.02")
    }

    /// On the int8 path the same pattern after a DequantizeLinear, left in float because its output
    /// is read in float, becomes one HardSwish too, and computes what the four nodes do.
    @Test func decomposedHardSwishAfterDequantizeLinearBecomesOneNode() throws {
        let graph = Graph(nodes: [
            Node(name: "dq", opType: "DequantizeLinear", inputs: ["xq", "s", "z"], outputs: ["a"]),
            Node(name: "add", opType: "Add", inputs: ["a", "three"], outputs: ["b"]),
            Node(name: "clip", opType: "Clip", inputs: ["b", "zero", "six"], outputs: ["c"]),
            Node(name: "mul", opType: "Mul", inputs: ["a", "c"], outputs: ["d"]),
            Node(name: "div", opType: "Div", inputs: ["d", "six"], outputs: ["y"]),
        ], inputs: [ValueInfo(name: "xq", dataType: .uint8, shape: [.fixed(2), .fixed(4), .fixed(6), .fixed(6)])],
        outputs: [ValueInfo(name: "y")], initializers: [
            "s": Tensor(scalar: Float(0.05)), "z": Tensor(dataType: .uint8, shape: [], int64s: [128]),
            "three": Tensor(scalar: Float(3)), "zero": Tensor(scalar: Float(0)), "six": Tensor(scalar: Float(6)),
        ])
        let model = Model(opsetImports: ["": 13], graph: graph)
        let loaded = try LoadedModel(model: model)
        let ops = loaded.graph.nodes.map(\.opType)
        #expect(ops == ["DequantizeLinear", "HardSwish"], "\(ops)")
        var generator = SeededGenerator(seed: 706)
        let codes = (0..<(2 * 4 * 6 * 6)).map { _ in Int64(generator.next() % 256) }
        let xq = Tensor(dataType: .uint8, shape: [2, 4, 6, 6], int64s: codes)
        let actual = try Session(model: loaded).run(["xq": xq])["y"]!
        let expected = try Session(model: LoadedModel(model: model, options: LoadOptions(optimize: false)),
                                   options: SessionOptions(referenceOnly: true)).run(["xq": xq])["y"]!
        // Inputs span -6.4 … 6.35: both sides of the Clip, and its linear middle.
        #expect(largestDifference(actual, expected) <= 1e-5, "max error \(largestDifference(actual, expected))")
        #expect(Set(expected.scalars(as: Float.self)).count > 100)
    }

    /// A QuantizeLinear whose 8-bit output is also a graph output is left alone.
    @Test func aQuantizedGraphOutputKeepsItsPair() throws {
        let graph = Graph(nodes: [
            Node(name: "q", opType: "QuantizeLinear", inputs: ["x", "s", "z"], outputs: ["xq"]),
            Node(name: "dq", opType: "DequantizeLinear", inputs: ["xq", "s", "z"], outputs: ["y"]),
        ], inputs: [ValueInfo(name: "x", dataType: .float32, shape: [.fixed(4)])],
        outputs: [ValueInfo(name: "y"), ValueInfo(name: "xq")],
        initializers: ["s": Tensor(scalar: Float(0.1)), "z": Tensor(dataType: .uint8, shape: [], int64s: [3])])
        let loaded = try LoadedModel(model: Model(opsetImports: ["": 13], graph: graph),
                                     options: LoadOptions(quantizedExecution: .float))
        #expect(loaded.graph.nodes.map(\.opType) == ["QuantizeLinear", "DequantizeLinear"])
    }
}
