import Testing
import SwitchyardGraph
import SwitchyardTensor
@testable import SwitchyardEngine

/// `GlobalAveragePool(DequantizeLinear(x))` after an int8 layer (a squeeze-excitation's pooling)
/// runs as one DequantizedMean over the bytes, within float rounding of the QDQ graph.
@Suite(.enabled(if: DNNLInt8Support.isAvailable, "oneDNN has no int8 JIT kernels on this CPU"))
struct DequantizedMeanFusionTests {
    typealias Kit = QuantizedKernelTestKit

    /// Float `xf` quantized, an int8 convolution of it (`filters` channels, `nhwc` bytes in the
    /// region) whose output is dequantized and pooled: y = GlobalAveragePool(DQ(c)).
    static func pooledConvolution(type: DataType, filters: Int, _ generator: inout Kit.Generator) -> (Graph, [String: Tensor]) {
        let conv = Kit.qlinearConv(x: type, y: type, channels: 8, filters: filters, group: 1, stride: 1, &generator)
        var initializers: [String: Tensor] = [:]
        for (name, tensor) in zip(conv.node.inputs, conv.inputs).dropFirst() { initializers[name] = tensor }
        var node = conv.node
        node.outputs = ["c"]
        let graph = Graph(nodes: [
            Kit.q("xf", "x", "x_scale", "x_zp"), node, Kit.dq("c", "c_d", "y_scale", "y_zp"),
            Node(name: "pool", opType: "GlobalAveragePool", inputs: ["c_d"], outputs: ["y"]),
        ], inputs: [ValueInfo(name: "xf", dataType: .float32, shape: [.fixed(2), .fixed(8), .fixed(9), .fixed(9)])],
        outputs: [ValueInfo(name: "y"), ValueInfo(name: "c")], initializers: initializers)
        return (graph, ["xf": QuantizationTestKit.floats([2, 8, 9, 9], in: -2...2, using: &generator)])
    }

    /// The pooled means from the convolution's own bytes (`c`, returned too), against the
    /// reference kernels' DequantizeLinear and GlobalAveragePool of the same bytes.
    @Test(arguments: [DataType.uint8, .int8], [8, 20, 200])
    func meansOfAConvolutionsBytes(type: DataType, filters: Int) throws {
        var generator = Kit.Generator(seed: 730 + UInt64(filters))
        let (graph, inputs) = Self.pooledConvolution(type: type, filters: filters, &generator)
        let optimized = try LoadedModel(model: Model(opsetImports: ["": 13], graph: graph))
        #expect(Self.executed(optimized.graph).contains { $0.opType == DequantizedMeanFusion.opType })
        #expect(!Self.executed(optimized.graph).contains { $0.opType == "GlobalAveragePool" })
        let tail = Graph(nodes: Array(graph.nodes.dropFirst(2)), inputs: [ValueInfo(name: "c", dataType: type)],
                         outputs: [ValueInfo(name: "y")], initializers: graph.initializers)
        let reference = try Session(model: LoadedModel(model: Model(opsetImports: ["": 13], graph: tail),
                                                       options: LoadOptions(optimize: false)),
                                    options: SessionOptions(referenceOnly: true))
        for threads in [1, 2] {
            let actual = try Session(model: optimized, options: SessionOptions(threads: threads)).run(inputs)
            let expected = try reference.run(["c": actual["c"]!])["y"]!
            #expect(actual["y"]!.shape == [2, filters, 1, 1])
            #expect(largestDifference(actual["y"]!, expected) <= 1e-5 * max(1, Self.largest(expected)), "threads \(threads)")
        }
    }

    /// Under `.integer`, bytes quantized from a float input (plain NCHW) are averaged plane by plane.
    @Test(arguments: [DataType.uint8, .int8])
    func planarBytes(type: DataType) throws {
        var generator = Kit.Generator(seed: 740)
        let graph = Graph(nodes: [
            Kit.q("xf", "x", "sx", "zx"), Kit.dq("x", "xd", "sx", "zx"),
            Node(name: "pool", opType: "GlobalAveragePool", inputs: ["xd"], outputs: ["y"]),
        ], inputs: [ValueInfo(name: "xf", dataType: .float32, shape: [.fixed(2), .fixed(3), .fixed(17), .fixed(23)])],
        outputs: [ValueInfo(name: "y")],
        initializers: ["sx": Tensor(scalar: Float(0.05)), "zx": Kit.scalar(type, type == .uint8 ? 128 : 3)])
        let inputs = ["xf": QuantizationTestKit.floats([2, 3, 17, 23], in: -7...7, using: &generator)]
        let model = Model(opsetImports: ["": 13], graph: graph)
        let optimized = try LoadedModel(model: model, options: LoadOptions(quantizedExecution: .integer))
        #expect(Self.executed(optimized.graph).contains { $0.opType == DequantizedMeanFusion.opType })
        let expected = try Session(model: LoadedModel(model: model, options: LoadOptions(optimize: false)),
                                   options: SessionOptions(referenceOnly: true)).run(inputs)["y"]!
        let actual = try Session(model: optimized).run(inputs)["y"]!
        #expect(actual.shape == [2, 3, 1, 1])
        #expect(largestDifference(actual, expected) <= 1e-5 * max(1, Self.largest(expected)))
    }

    /// Under `.automatic`, bytes no int8 operator produced (a QuantizeLinear of a float input) stay
    /// on the float path.
    @Test func floatNeighbourhoodStaysFloat() throws {
        let graph = Graph(nodes: [
            Kit.q("xf", "x", "sx", "zx"), Kit.dq("x", "xd", "sx", "zx"),
            Node(name: "pool", opType: "GlobalAveragePool", inputs: ["xd"], outputs: ["y"]),
        ], inputs: [ValueInfo(name: "xf", dataType: .float32, shape: [.fixed(1), .fixed(4), .fixed(3), .fixed(3)])],
        outputs: [ValueInfo(name: "y")], initializers: ["sx": Tensor(scalar: Float(0.05)), "zx": Kit.scalar(.uint8, 128)])
        let optimized = try LoadedModel(model: Model(opsetImports: ["": 13], graph: graph))
        #expect(!Self.executed(optimized.graph).contains { $0.opType == DequantizedMeanFusion.opType })
    }

    private static func largest(_ tensor: Tensor) -> Float { tensor.floats().reduce(0) { max($0, abs($1)) } }

    /// The nodes that run, inside oneDNN regions too.
    static func executed(_ graph: Graph) -> [Node] {
        graph.nodes.flatMap { node -> [Node] in
            guard case .graph(let body)? = node.attributes["body"] else { return [node] }
            return executed(body)
        }
    }
}
