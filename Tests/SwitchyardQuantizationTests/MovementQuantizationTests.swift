import Testing
import SwitchyardEngine
import SwitchyardGraph
import SwitchyardTensor
@testable import SwitchyardQuantization

/// The data movement between int8 layers is quantized so that the engine moves it as bytes:
/// YOLOv8's C2f (Split, bottleneck, residual Add, Concat) and SPPF (MaxPool, Concat) blocks.
@Suite struct MovementQuantizationTests {
    /// x[1,4,8,8] → conv1(8) → Split(4, 4) → part_a, part_b; conv2(part_b) → m;
    /// Add(part_b, m) → r; MaxPool(c1) → p; Concat(part_a, part_b, r, p) → conv3(8) → y.
    static func blockNet(seed: UInt64 = 91) -> Model {
        var random = SplitMix64(seed: seed)
        let pads: [String: Attribute] = ["pads": .ints([1, 1, 1, 1])]
        let graph = Graph(
            name: "block", nodes: [
                Node(name: "conv1", opType: "Conv", inputs: ["x", "w1"], outputs: ["c1"], attributes: pads),
                Node(name: "split", opType: "Split", inputs: ["c1"], outputs: ["part_a", "part_b"], attributes: ["axis": .int(1)]),
                Node(name: "conv2", opType: "Conv", inputs: ["part_b", "w2"], outputs: ["m"], attributes: pads),
                Node(name: "add", opType: "Add", inputs: ["part_b", "m"], outputs: ["r"]),
                Node(name: "pool", opType: "MaxPool", inputs: ["c1"], outputs: ["p"],
                     attributes: ["kernel_shape": .ints([3, 3]), "pads": .ints([1, 1, 1, 1])]),
                Node(name: "concat", opType: "Concat", inputs: ["part_a", "part_b", "r", "p"], outputs: ["joined"],
                     attributes: ["axis": .int(1)]),
                Node(name: "conv3", opType: "Conv", inputs: ["joined", "w3"], outputs: ["y"], attributes: pads),
            ],
            inputs: [ValueInfo(name: "x", dataType: .float32, shape: [.symbolic("N"), .fixed(4), .fixed(8), .fixed(8)])],
            outputs: [ValueInfo(name: "y", dataType: .float32)],
            initializers: [
                // conv1's second half spans less than its first, as YOLOv8n's parts do.
                "w1": Tensor(shape: [8, 4, 3, 3], scalars: TinyModels.uniform([8, 4, 3, 3], &random).scalars(as: Float.self)
                    .enumerated().map { $0.offset < 4 * 36 ? $0.element * 0.6 : $0.element * 0.15 }),
                "w2": TinyModels.uniform([4, 4, 3, 3], &random, scale: 0.3),
                "w3": TinyModels.uniform([8, 20, 3, 3], &random, scale: 0.2),
            ])
        return Model(opsetImports: ["": 13], graph: graph)
    }

    private func quantize() throws -> Model {
        let samples = try SampleSet(directory: TinyModels.sampleFolder(TinyModels.inputs(count: 8, seed: 5)), inputNames: ["x"])
        return try Quantizer.quantize(Self.blockNet(), options: QuantizationOptions(precision: .int8), calibration: samples).model
    }

    /// The scale each value is quantized with.
    private func scales(_ model: Model) -> [String: Float] {
        var result: [String: Float] = [:]
        for node in model.graph.nodes where node.opType == "QuantizeLinear" {
            result[node.inputs[0]] = model.graph.initializers[node.inputs[1]]?.scalars(as: Float.self).first
        }
        return result
    }

    @Test func movementBetweenInt8LayersIsQuantized() throws {
        let scales = scales(try quantize())
        #expect(Set(scales.keys).isSuperset(of: ["x", "c1", "part_a", "part_b", "r", "p", "joined"]), "\(scales.keys.sorted())")
        // part_a and r are read by the Concat alone: they take its scale (rounded once).
        #expect(scales["part_a"] == scales["joined"] && scales["r"] == scales["joined"])
        // part_b feeds conv2 too: it keeps its own, finer scale.
        #expect(scales["part_b"]! < 0.7 * scales["joined"]!, "\(scales)")
        // The MaxPool selects values of c1: it shares c1's scale, so its bytes move unchanged.
        #expect(scales["p"] == scales["c1"])
    }

    /// The engine then runs the block without a float round trip: Split, MaxPool and Concat read
    /// bytes, the Add is a table, and the result is what the QDQ graph computes.
    @Test(.enabled(if: DNNLInt8Support.isAvailable, "oneDNN has no int8 JIT kernels on this CPU"))
    func theEngineMovesTheBlockAsBytes() throws {
        let model = try quantize()
        let loaded = try LoadedModel(model: model, options: LoadOptions(quantizedExecution: .integer))
        let nodes = loaded.graph.allNodes()
        let dequantized = Set(nodes.filter { $0.opType == "DequantizeLinear" }.flatMap(\.outputs))
        for opType in ["Split", "MaxPool", "Concat", "Add"] {
            #expect(!nodes.contains { $0.opType == opType && $0.inputs.contains(where: dequantized.contains) },
                    "\(opType) reads a dequantized value: \(nodes.map(\.opType))")
        }
        let reference = try Session(model: LoadedModel(model: model, options: LoadOptions(optimize: false)),
                                    options: SessionOptions(referenceOnly: true))
        let fast = try Session(model: loaded)
        let float = try Session(model: Self.blockNet())
        for input in TinyModels.inputs(count: 3, seed: 17) {
            let expected = try reference.run(["x": input])["y"]!, actual = try fast.run(["x": input])["y"]!
            // Integer kernels and the QDQ graph differ by at most one output step.
            let step = model.graph.initializers.first { $0.key.hasPrefix("y_scale") }?.value.scalars(as: Float.self).first
            #expect(TinyModels.maxAbsDifference(actual, expected) <= 1.01 * (step ?? 0.05) + 1e-4)
            let exact = try float.run(["x": input])["y"]!
            #expect(TinyModels.maxAbsDifference(actual, exact) < 0.1 * TinyModels.maxAbs(exact))
        }
    }
}
