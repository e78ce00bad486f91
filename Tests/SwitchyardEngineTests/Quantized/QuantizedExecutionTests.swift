import Testing
import SwitchyardGraph
import SwitchyardTensor
@testable import SwitchyardEngine

/// `QuantizedExecution.automatic` runs a dense QDQ convolution with a long reduction in int8 and
/// a depthwise one on the float path (`Int8CostRule`), and both compute the QDQ graph within one
/// output step of the reference kernels.
@Suite(.enabled(if: DNNLInt8Support.isAvailable, "oneDNN has no int8 JIT kernels on this CPU"))
struct QuantizedExecutionTests {
    typealias Kit = QuantizationTestKit

    /// x `[2, c, 10, 10]` → Q/DQ (uint8) → Conv(DQ(per-channel 7-bit w), group) → Q/DQ → y.
    static func convGraph(channels c: Int, group: Int, seed: UInt64) -> Graph {
        var generator = Kit.Generator(seed: seed)
        let m = c, scale: Float = 0.02
        return Graph(nodes: [
            Node(name: "qx", opType: "QuantizeLinear", inputs: ["x", "sx", "zx"], outputs: ["xq"]),
            Node(name: "dqx", opType: "DequantizeLinear", inputs: ["xq", "sx", "zx"], outputs: ["xd"]),
            Node(name: "dqw", opType: "DequantizeLinear", inputs: ["w", "sw", "zw"], outputs: ["wd"], attributes: ["axis": .int(0)]),
            Node(name: "conv", opType: "Conv", inputs: ["xd", "wd"], outputs: ["c"],
                 attributes: ["pads": .ints([1, 1, 1, 1]), "kernel_shape": .ints([3, 3]), "group": .int(group)]),
            Node(name: "qy", opType: "QuantizeLinear", inputs: ["c", "sy", "zy"], outputs: ["yq"]),
            Node(name: "dqy", opType: "DequantizeLinear", inputs: ["yq", "sy", "zy"], outputs: ["y"]),
        ], inputs: [ValueInfo(name: "x", dataType: .float32, shape: [.fixed(2), .fixed(c), .fixed(10), .fixed(10)])],
        outputs: [ValueInfo(name: "y")], initializers: [
            "sx": Tensor(scalar: scale), "zx": Tensor(dataType: .uint8, shape: [], int64s: [128]),
            "w": QuantizedKernelTestKit.weights([m, c / group, 3, 3], &generator),
            "sw": Kit.scales([m], in: 0.002...0.01, using: &generator),
            "zw": Tensor(dataType: .int8, shape: [m], int64s: Array(repeating: 0, count: m)),
            "sy": Tensor(scalar: Float(0.05)), "zy": Tensor(dataType: .uint8, shape: [], int64s: [128]),
        ])
    }

    @Test func denseConvolutionWithALongReductionRunsInInt8() throws {
        let graph = Self.convGraph(channels: 16, group: 1, seed: 710)
        var generator = Kit.Generator(seed: 711)
        try QDQFusionTests.check(graph, input: Kit.floats([2, 16, 10, 10], in: -2...2, using: &generator),
                                 fusedOp: "QLinearConv", step: 0.05, execution: .automatic)
    }

    @Test func depthwiseConvolutionRunsOnTheFloatPathWithoutVNNI() throws {
        let graph = Self.convGraph(channels: 16, group: 16, seed: 712)
        let loaded = try LoadedModel(model: Model(opsetImports: ["": 13], graph: graph))
        let ops = loaded.graph.nodes.map(\.opType)
        if DNNLInt8Support.hasVNNI {
            #expect(ops.contains("QLinearConv"), "\(ops)")
        } else {
            #expect(!ops.contains("QLinearConv") && ops.contains(FakeQuantizeFusion.opType), "\(ops)")
        }
        var generator = Kit.Generator(seed: 713)
        try QDQFusionTests.check(graph, input: Kit.floats([2, 16, 10, 10], in: -2...2, using: &generator),
                                 fusedOp: DNNLInt8Support.hasVNNI ? "QLinearConv" : nil, step: 0.05, execution: .automatic)
    }

    @Test func theRuleFollowsTheMeasurements() {
        let automatic = QuantizedExecution.automatic
        #expect(Int8CostRule.convolutionRunsInteger(weightShape: [32, 1, 3, 3], group: 32, mode: .integer))
        #expect(!Int8CostRule.convolutionRunsInteger(weightShape: [32, 32, 1, 1], group: 1, mode: .float))
        if !DNNLInt8Support.hasVNNI {
            #expect(!Int8CostRule.convolutionRunsInteger(weightShape: [32, 1, 3, 3], group: 32, mode: automatic))
            #expect(!Int8CostRule.convolutionRunsInteger(weightShape: [32, 8, 1, 1], group: 1, mode: automatic))
            #expect(Int8CostRule.convolutionRunsInteger(weightShape: [32, 64, 1, 1], group: 1, mode: automatic))
            #expect(Int8CostRule.convolutionRunsInteger(weightShape: [32, 16, 3, 3], group: 1, mode: automatic))
            #expect(Int8CostRule.matMulRunsInteger(depth: 120, mode: automatic))
        }
    }
}
