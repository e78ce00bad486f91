import Testing
import SwitchyardGraph
import SwitchyardTensor
@testable import SwitchyardEngine

/// A chain of int8 convolutions and the quantize steps around it runs as one oneDNN region, so
/// its u8 values stay in oneDNN's layouts between the layers, and computes what the reference
/// kernels do within one output step.
@Suite(.enabled(if: DNNLInt8Support.isAvailable, "oneDNN has no int8 JIT kernels on this CPU"))
struct QuantizedRegionTests {
    typealias Kit = QuantizationTestKit

    /// x → QuantizeLinear → QLinearConv → QLinearConv → DequantizeLinear → Sigmoid → y (opset 13):
    /// float and quantized members in one region, the int8 weights among its inputs.
    static func chain(_ generator: inout SeededGenerator) -> Graph {
        let c = 8, m = 16
        func conv(_ name: String, _ input: String, _ weights: String, _ output: String, scale: String) -> Node {
            Node(name: name, opType: "QLinearConv",
                 inputs: [input, "s_in_\(name)", "z", weights, "sw_\(name)", "zw_\(name)", scale, "z"],
                 outputs: [output], attributes: ["pads": .ints([1, 1, 1, 1])])
        }
        var initializers: [String: Tensor] = [
            "sx": Tensor(scalar: Float(0.02)), "z": Tensor(dataType: .uint8, shape: [], int64s: [128]),
            "s_in_conv1": Tensor(scalar: Float(0.02)), "s1": Tensor(scalar: Float(0.05)),
            "s_in_conv2": Tensor(scalar: Float(0.05)), "s2": Tensor(scalar: Float(0.08)),
        ]
        for (name, shape) in [("conv1", [m, c, 3, 3]), ("conv2", [m, m, 3, 3])] {
            initializers["w_\(name)"] = QuantizedKernelTestKit.weights(shape, &generator)
            initializers["sw_\(name)"] = Kit.scales([shape[0]], in: 0.002...0.01, using: &generator)
            initializers["zw_\(name)"] = Tensor(dataType: .int8, shape: [shape[0]], int64s: Array(repeating: 0, count: shape[0]))
        }
        return Graph(name: "int8-chain", nodes: [
            Node(name: "q", opType: "QuantizeLinear", inputs: ["x", "sx", "z"], outputs: ["xq"]),
            conv("conv1", "xq", "w_conv1", "y1", scale: "s1"),
            conv("conv2", "y1", "w_conv2", "y2", scale: "s2"),
            Node(name: "dq", opType: "DequantizeLinear", inputs: ["y2", "s2", "z"], outputs: ["yd"]),
            Node(name: "sigmoid", opType: "Sigmoid", inputs: ["yd"], outputs: ["y"]),
        ], inputs: [ValueInfo(name: "x", dataType: .float32, shape: [.fixed(2), .fixed(c), .fixed(10), .fixed(10)])],
        outputs: [ValueInfo(name: "y", dataType: .float32)], initializers: initializers)
    }

    @Test func anInt8ChainIsOneRegionAndMatchesTheReference() throws {
        var generator = SeededGenerator(seed: 951)
        let graph = Self.chain(&generator)
        let partitioned = DNNLRegionPartitioner.partition(graph, opsets: ["": 13])
        #expect(partitioned.nodes.map(\.opType) == [DNNLRegionPartitioner.opType], "\(partitioned.nodes.map(\.opType))")
        // The region runs on oneDNN, int8 weights and float Sigmoid together (no fallback).
        let region = try #require(partitioned.nodes.first)
        let kernel = try #require(DNNLKernels.makeKernel(for: region, opset: 1, constants: graph.initializers))
        let x = generator.tensor([2, 8, 10, 10], in: -2...2)
        _ = try kernel.run(region.inputs.map { $0 == "x" ? x : graph.initializers[$0] })
        #expect(kernel.fallbackReason == nil, "\(kernel.fallbackReason ?? "")")
        #expect(!kernel.implementationNames.isEmpty)

        let model = Model(opsetImports: ["": 13], graph: graph)
        let actual = try Session(model: LoadedModel(model: model, options: LoadOptions(optimize: false))).run(["x": x])["y"]!
        let reference = try Session(model: LoadedModel(model: model, options: LoadOptions(optimize: false)),
                                    options: SessionOptions(referenceOnly: true)).run(["x": x])["y"]!
        let worst = largestDifference(actual, reference)
        // One step of y2 (0.08), through the Sigmoid's slope of at most 1/4.
        #expect(worst <= 0.02 * 1.001, "max error \(worst); one output step is 0.02 after the Sigmoid")
        #expect(Set(actual.floats()).count > 10)
    }

    /// Scales that arrive at run time cannot be baked into a primitive: such a node stays out.
    @Test func aQuantizeStepWithARuntimeScaleStaysOutsideRegions() throws {
        var generator = SeededGenerator(seed: 952)
        var graph = Self.chain(&generator)
        graph.initializers["sx"] = nil
        graph.inputs.append(ValueInfo(name: "sx", dataType: .float32, shape: []))
        let partitioned = DNNLRegionPartitioner.partition(graph, opsets: ["": 13])
        #expect(partitioned.nodes.first?.opType == "QuantizeLinear")
        #expect(partitioned.nodes.dropFirst().map(\.opType) == [DNNLRegionPartitioner.opType])
    }
}
