import Testing
import SwitchyardGraph
import SwitchyardTensor
@testable import SwitchyardEngine

/// Float elementwise work between 8-bit tensors that a table cannot hold (per-channel float
/// inputs, more than two 8-bit inputs) runs as one QuantizedElementwise pass over the bytes, and
/// computes exactly what the QDQ graph computes on the reference kernels.
@Suite(.enabled(if: DNNLInt8Support.isAvailable, "oneDNN has no int8 JIT kernels on this CPU"))
struct QuantizedElementwiseFusionTests {
    typealias Kit = QuantizedKernelTestKit

    /// A feature-pyramid level as PP-OCR det computes it:
    /// `y = DQ(c) + DQ(c) · hardsigmoid(s) + Resize(DQ(p))`, quantized, where `c` and `p` are int8
    /// convolutions of `x` (`p` at stride 2, upsampled back to `c`'s size) and `s` is a float input
    /// of one value per item and channel.
    static func pyramidLevel(type: DataType, channels: Int, _ generator: inout Kit.Generator)
        -> (Graph, [String: Tensor]) {
        let full = Kit.qlinearConv(x: type, y: type, channels: 8, filters: channels, group: 1, stride: 1, &generator)
        let half = Kit.qlinearConv(x: type, y: type, channels: 8, filters: channels, group: 1, stride: 2, &generator)
        let zero: (Int64) -> Tensor = { Kit.scalar(type, type == .uint8 ? $0 : $0 - 128) }
        var initializers: [String: Tensor] = [
            "sy": Tensor(scalar: Float(0.17)), "zy": zero(97),
            "sizes": Tensor(dataType: .int64, shape: [4], int64s: [2, Int64(channels), 9, 9]),
        ]
        var convolutions: [Node] = []
        for (suffix, conv) in [("c", full), ("p", half)] {
            var node = conv.node
            node.name = "conv_\(suffix)"
            // The two share x; their weights and output parameters are their own.
            node.inputs = node.inputs.enumerated().map { $0.offset < 3 ? $0.element : "\($0.element)_\(suffix)" }
            node.outputs = [suffix]
            for (name, tensor) in zip(node.inputs, conv.inputs).dropFirst() { initializers[name] = tensor }
            convolutions.append(node)
        }
        let graph = Graph(nodes: convolutions + [
            Kit.dq("c", "c_d", "y_scale_c", "y_zp_c"),
            Kit.dq("p", "p_d", "y_scale_p", "y_zp_p"),
            Node(name: "up", opType: "Resize", inputs: ["p_d", "", "", "sizes"], outputs: ["p_up"],
                 attributes: ["mode": .string("nearest")]),
            Node(name: "gate", opType: "HardSigmoid", inputs: ["s"], outputs: ["g"], attributes: ["alpha": .float(0.2)]),
            Node(name: "scale", opType: "Mul", inputs: ["c_d", "g"], outputs: ["scaled"]),
            Node(name: "residual", opType: "Add", inputs: ["c_d", "scaled"], outputs: ["excited"]),
            Node(name: "sum", opType: "Add", inputs: ["excited", "p_up"], outputs: ["level"]),
            Kit.q("level", "level_q", "sy", "zy"), Kit.dq("level_q", "y", "sy", "zy"),
        ], inputs: [
            ValueInfo(name: "x", dataType: type, shape: [.fixed(2), .fixed(8), .fixed(9), .fixed(9)]),
            ValueInfo(name: "s", dataType: .float32, shape: [.fixed(2), .fixed(channels), .fixed(1), .fixed(1)]),
        ], outputs: [ValueInfo(name: "y")], initializers: initializers)
        let gate = Tensor(shape: [2, channels, 1, 1],
                          scalars: (0..<2 * channels).map { _ in Float.random(in: -4...4, using: &generator) })
        return (graph, ["x": full.inputs[0]!, "s": gate])
    }

    /// oneDNN's int8 convolutions may round an output one step away from the reference kernel's
    /// (within ONNX Runtime's tolerance), so the region is checked on the convolutions' own
    /// outputs: the model also returns `c` and `p`, and the region alone (without the
    /// convolutions) runs on the reference kernels from them.
    @Test(arguments: [DataType.uint8, .int8], [8, 24, 200, 300])
    func pyramidLevelRunsOnBytes(type: DataType, channels: Int) throws {
        var generator = Kit.Generator(seed: 710)
        var (graph, inputs) = Self.pyramidLevel(type: type, channels: channels, &generator)
        graph.outputs += [ValueInfo(name: "c"), ValueInfo(name: "p")]
        var region = graph
        region.nodes.removeAll { $0.opType == "QLinearConv" }
        region.inputs = [ValueInfo(name: "c"), ValueInfo(name: "p"), graph.inputs[1]]
        region.outputs = [ValueInfo(name: "y")]
        let optimized = try LoadedModel(model: Model(opsetImports: ["": 13], graph: graph))
        let reference = try Session(model: LoadedModel(model: Model(opsetImports: ["": 13], graph: region),
                                                       options: LoadOptions(optimize: false)),
                                    options: SessionOptions(referenceOnly: true))
        for threads in [1, 2] {
            let actual = try Session(model: optimized, options: SessionOptions(threads: threads)).run(inputs)
            let expected = try reference.run(["c": actual["c"]!, "p": actual["p"]!, "s": inputs["s"]!])["y"]!
            #expect(largestDifference(actual["y"]!, expected) == 0, "threads \(threads)")
        }
        let nodes = Self.executed(optimized.graph)
        let fused = try #require(nodes.first { $0.opType == QuantizedElementwiseFusion.opType }, "\(nodes.map(\.opType))")
        #expect(Set(fused.inputs) == ["c", "p_up_bytes", "g"])
        // The upsampling moves p's bytes; the only float work left is the gate and the output's dequantization.
        #expect(nodes.filter { $0.opType == "DequantizeLinear" }.count == 1, "\(nodes.map(\.opType))")
        #expect(!nodes.contains { $0.opType == "Add" || $0.opType == "Mul" })
    }

    /// The fused node's reference kernel (its body) computes what the nodes it replaced computed.
    @Test func referenceKernelIsTheBody() throws {
        var generator = Kit.Generator(seed: 713)
        let (graph, inputs) = Self.pyramidLevel(type: .uint8, channels: 16, &generator)
        let model = Model(opsetImports: ["": 13], graph: graph)
        let expected = try Session(model: LoadedModel(model: model, options: LoadOptions(optimize: false)),
                                   options: SessionOptions(referenceOnly: true)).run(inputs)["y"]!
        let optimized = try LoadedModel(model: model)
        #expect(optimized.graph.allNodes().contains { $0.opType == QuantizedElementwiseFusion.opType })
        let actual = try Session(model: optimized, options: SessionOptions(referenceOnly: true)).run(inputs)["y"]!
        #expect(largestDifference(actual, expected) == 0)
    }

    /// Plain layout (the 8-bit input is a graph input, not an `nhwc` convolution output), a
    /// per-channel constant broadcast over the batch, and a scalar.
    @Test func plainLayoutWithConstants() throws {
        var generator = Kit.Generator(seed: 711)
        let graph = Graph(nodes: [
            Kit.dq("x", "xd", "sx", "zx"), Kit.dq("w", "wd", "sw", "zw"),
            Node(name: "mul", opType: "Mul", inputs: ["xd", "bias"], outputs: ["m"]),
            Node(name: "add", opType: "Add", inputs: ["m", "wd"], outputs: ["a"]),
            Node(name: "sub", opType: "Sub", inputs: ["a", "half"], outputs: ["b"]),
            Node(name: "div", opType: "Div", inputs: ["b", "xd"], outputs: ["c"]),
            Node(name: "relu", opType: "Relu", inputs: ["c"], outputs: ["r"]),
            Kit.q("r", "rq", "sy", "zy"), Kit.dq("rq", "y", "sy", "zy"),
        ], inputs: [
            ValueInfo(name: "x", dataType: .uint8, shape: [.fixed(3), .fixed(5), .fixed(7), .fixed(11)]),
            ValueInfo(name: "w", dataType: .uint8, shape: [.fixed(3), .fixed(5), .fixed(7), .fixed(11)]),
        ], outputs: [ValueInfo(name: "y")], initializers: [
            "sx": Tensor(scalar: Float(0.03)), "zx": Kit.scalar(.uint8, 128),
            "sw": Tensor(scalar: Float(0.07)), "zw": Kit.scalar(.uint8, 90),
            "sy": Tensor(scalar: Float(0.02)), "zy": Kit.scalar(.uint8, 3),
            "bias": Tensor(shape: [1, 5, 1, 1], scalars: [0.5, -1.25, 2, 3.5, -0.75] as [Float]),
            "half": Tensor(scalar: Float(0.5)),
        ])
        let inputs = ["x": Kit.data(.uint8, [3, 5, 7, 11], &generator), "w": Kit.data(.uint8, [3, 5, 7, 11], &generator)]
        let optimized = try QuantizedMovementFusionTests.expectExact(graph, inputs: inputs, execution: .integer)
        let fused = try #require(optimized.allNodes().first { $0.opType == QuantizedElementwiseFusion.opType })
        #expect(fused.inputs.count == 4)
    }

    /// Products that land on half-integer quotients of the output scale (0.1, whose inverse is
    /// not exact) round as the reference's division rounds them: a kernel that multiplied by the
    /// inverse instead would round some of them the other way (checked: 0.1 off).
    @Test func quotientsNearHalvesRoundAsTheDivision() throws {
        // Per channel, (k + 0.5) · 0.1 and its neighbours one and two ulps away.
        let values: [Float] = (0..<200).flatMap { k -> [Float] in
            let middle = (Float(k) + 0.5) * Float(0.1)
            return [middle, middle.nextUp, middle.nextDown, middle.nextUp.nextUp, middle.nextDown.nextDown]
        }
        let channels = values.count
        let graph = Graph(nodes: [
            Kit.dq("x", "xd", "sx", "zx"),
            Node(name: "mul", opType: "Mul", inputs: ["xd", "f"], outputs: ["m"]),
            Kit.q("m", "mq", "sy", "zy"), Kit.dq("mq", "y", "sy", "zy"),
        ], inputs: [
            ValueInfo(name: "x", dataType: .uint8, shape: [.fixed(1), .fixed(channels), .fixed(2), .fixed(3)]),
        ], outputs: [ValueInfo(name: "y")], initializers: [
            "sx": Tensor(scalar: Float(1)), "zx": Kit.scalar(.uint8, 0),
            "sy": Tensor(scalar: Float(0.1)), "zy": Kit.scalar(.uint8, 0),
            "f": Tensor(shape: [1, channels, 1, 1], scalars: values),
        ])
        let ones = Tensor(dataType: .uint8, shape: [1, channels, 2, 3], int64s: Array(repeating: 1, count: channels * 6))
        let optimized = try QuantizedMovementFusionTests.expectExact(graph, inputs: ["x": ones], execution: .integer)
        #expect(optimized.allNodes().contains { $0.opType == QuantizedElementwiseFusion.opType })
    }

    /// A QuantizeLinear after upsampling and concatenation moves before them (`QuantizeHoisting`):
    /// each branch's float work ends in its own QuantizeLinear and runs on bytes, and the bytes
    /// are upsampled and concatenated.
    @Test func quantizeMovesBeforeUpsamplingAndConcat() throws {
        var generator = Kit.Generator(seed: 714)
        let shape: [SwitchyardGraph.Dimension] = [.fixed(2), .fixed(4), .fixed(3), .fixed(5)]
        let graph = Graph(nodes: [
            Kit.dq("a", "ad", "sa", "za"), Kit.dq("b", "bd", "sb", "zb"),
            Node(name: "gate_a", opType: "Mul", inputs: ["ad", "ga"], outputs: ["ea"]),
            Node(name: "sum_a", opType: "Add", inputs: ["ad", "ea"], outputs: ["fa"]),
            Node(name: "gate_b", opType: "Mul", inputs: ["bd", "gb"], outputs: ["fb"]),
            Node(name: "up_a", opType: "Resize", inputs: ["fa", "", "scales"], outputs: ["ua"],
                 attributes: ["mode": .string("nearest")]),
            Node(name: "up_b", opType: "Resize", inputs: ["fb", "", "scales"], outputs: ["ub"],
                 attributes: ["mode": .string("nearest")]),
            Node(name: "join", opType: "Concat", inputs: ["ua", "ub"], outputs: ["joined"], attributes: ["axis": .int(1)]),
            Kit.q("joined", "joined_q", "sy", "zy"), Kit.dq("joined_q", "y", "sy", "zy"),
        ], inputs: [
            ValueInfo(name: "a", dataType: .uint8, shape: shape), ValueInfo(name: "b", dataType: .uint8, shape: shape),
            ValueInfo(name: "ga", dataType: .float32, shape: [.fixed(2), .fixed(4), .fixed(1), .fixed(1)]),
        ], outputs: [ValueInfo(name: "y")], initializers: [
            "sa": Tensor(scalar: Float(0.04)), "za": Kit.scalar(.uint8, 120),
            "sb": Tensor(scalar: Float(0.09)), "zb": Kit.scalar(.uint8, 10),
            "sy": Tensor(scalar: Float(0.06)), "zy": Kit.scalar(.uint8, 60),
            "gb": Tensor(shape: [1, 4, 1, 1], scalars: [0.25, 0.5, 0.75, 1] as [Float]),
            "scales": Tensor(shape: [4], scalars: [1, 1, 2, 2] as [Float]),
        ])
        let inputs = ["a": Kit.data(.uint8, [2, 4, 3, 5], &generator), "b": Kit.data(.uint8, [2, 4, 3, 5], &generator),
                      "ga": Tensor(shape: [2, 4, 1, 1], scalars: (0..<8).map { _ in Float.random(in: 0...1, using: &generator) })]
        let optimized = try QuantizedMovementFusionTests.expectExact(graph, inputs: inputs, execution: .integer)
        let nodes = Self.executed(optimized)
        #expect(nodes.filter { $0.opType == QuantizedElementwiseFusion.opType }.count == 2, "\(nodes.map(\.opType))")
        // The only float value left is the output's dequantization.
        #expect(nodes.filter { $0.opType == "DequantizeLinear" }.count == 1, "\(nodes.map(\.opType))")
        #expect(nodes.filter { $0.opType == "QuantizeLinear" }.isEmpty, "\(nodes.map(\.opType))")
    }

    /// Under `.automatic`, 8-bit inputs that no int8 operator produced stay float.
    @Test func floatNeighbourhoodStaysFloat() throws {
        var generator = Kit.Generator(seed: 712)
        let graph = Graph(nodes: [
            Kit.dq("x", "xd", "sx", "zx"),
            Node(name: "mul", opType: "Mul", inputs: ["xd", "s"], outputs: ["m"]),
            Kit.q("m", "mq", "sx", "zx"), Kit.dq("mq", "y", "sx", "zx"),
        ], inputs: [
            ValueInfo(name: "x", dataType: .uint8, shape: [.fixed(1), .fixed(4), .fixed(3), .fixed(3)]),
            ValueInfo(name: "s", dataType: .float32, shape: [.fixed(1), .fixed(4), .fixed(1), .fixed(1)]),
        ], outputs: [ValueInfo(name: "y")],
        initializers: ["sx": Tensor(scalar: Float(0.05)), "zx": Kit.scalar(.uint8, 128)])
        let inputs = ["x": Kit.data(.uint8, [1, 4, 3, 3], &generator),
                      "s": Tensor(shape: [1, 4, 1, 1], scalars: [0.5, 1, 2, -1] as [Float])]
        let optimized = try QuantizedMovementFusionTests.expectExact(graph, inputs: inputs)
        #expect(!optimized.allNodes().contains { $0.opType == QuantizedElementwiseFusion.opType })
    }

    /// The nodes that run, inside oneDNN regions too, but not the reference bodies of QuantizedElementwise nodes.
    static func executed(_ graph: Graph) -> [Node] {
        graph.nodes.flatMap { node -> [Node] in
            guard !QuantizedElementwiseFusion.isFused(node), case .graph(let body)? = node.attributes["body"] else { return [node] }
            return executed(body)
        }
    }
}

