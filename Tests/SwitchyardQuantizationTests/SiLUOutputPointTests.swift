import Testing
import SwitchyardEngine
import SwitchyardGraph
import SwitchyardTensor
@testable import SwitchyardQuantization

/// Where a layer followed by a SiLU (`x · Sigmoid(x)`, YOLOv8's activation) is quantized: once
/// after the SiLU by default, or at the layer's own output and again after the SiLU
/// (`quantizeAfterSiLU = false`, the placement the engine's int8 kernels fuse).
@Suite struct SiLUOutputPointTests {
    /// x[1,4,8,8] → conv1 (biases near −6: mostly negative pre-activations) → SiLU → s1 → conv2 → y.
    static func siluNet(seed: UInt64 = 41) -> Model {
        var random = SplitMix64(seed: seed)
        let bias = (0..<16).map { _ in Float.random(in: -7 ... -5, using: &random) }
        let pads: [String: Attribute] = ["pads": .ints([1, 1, 1, 1])]
        let graph = Graph(
            name: "silu", nodes: [
                Node(name: "conv1", opType: "Conv", inputs: ["x", "w1", "b1"], outputs: ["c1"], attributes: pads),
                Node(name: "sigmoid1", opType: "Sigmoid", inputs: ["c1"], outputs: ["g1"]),
                Node(name: "mul1", opType: "Mul", inputs: ["c1", "g1"], outputs: ["s1"]),
                Node(name: "conv2", opType: "Conv", inputs: ["s1", "w2"], outputs: ["y"], attributes: pads),
            ],
            inputs: [ValueInfo(name: "x", dataType: .float32, shape: [.fixed(1), .fixed(4), .fixed(8), .fixed(8)])],
            outputs: [ValueInfo(name: "y", dataType: .float32, shape: [.fixed(1), .fixed(8), .fixed(8), .fixed(8)])],
            initializers: ["w1": TinyModels.uniform([16, 4, 3, 3], &random, scale: 0.6), "b1": Tensor(shape: [16], scalars: bias),
                           "w2": TinyModels.uniform([8, 16, 3, 3], &random, scale: 0.3)])
        return Model(opsetImports: ["": 13], graph: graph)
    }

    private func quantize(afterSiLU: Bool) throws -> Model {
        let samples = try SampleSet(directory: TinyModels.sampleFolder(TinyModels.inputs(count: 8, seed: 5)), inputNames: ["x"])
        var options = QuantizationOptions(precision: .int8)
        options.quantizeAfterSiLU = afterSiLU
        return try Quantizer.quantize(Self.siluNet(), options: options, calibration: samples).model
    }

    private func quantized(_ model: Model) -> Set<String> {
        Set(model.graph.nodes.filter { $0.opType == "QuantizeLinear" }.map { $0.inputs[0] })
    }

    /// Mean |y − y_FP32| over fresh inputs, computed exactly as the QDQ graph says.
    private func meanError(_ model: Model) throws -> Float {
        let reference = try Session(model: Self.siluNet())
        let candidate = try Session(model: model, options: SessionOptions(referenceOnly: true))
        var total: Float = 0, count = 0
        for input in TinyModels.inputs(count: 6, seed: 77) {
            let expected = try reference.run(["x": input])["y"]!.floats(), actual = try candidate.run(["x": input])["y"]!.floats()
            total += zip(expected, actual).reduce(0) { $0 + abs($1.0 - $1.1) }
            count += expected.count
        }
        return total / Float(count)
    }

    @Test func aSiLUOutputIsQuantizedOnceAfterTheActivation() throws {
        let after = try quantize(afterSiLU: true), before = try quantize(afterSiLU: false)
        #expect(quantized(after).isSuperset(of: ["x", "s1"]) && !quantized(after).contains("c1"))
        #expect(quantized(before).isSuperset(of: ["x", "c1", "s1"]))
        // Rounding c1 over its wide, mostly negative range costs more than the SiLU output's rounding.
        let errorAfter = try meanError(after), errorBefore = try meanError(before)
        #expect(errorAfter > 0 && errorAfter < 0.9 * errorBefore, "mean error after SiLU \(errorAfter), before \(errorBefore)")
    }

    @Test func aSiLUWhoseGateHasAnotherReaderIsNotMoved() throws {
        var model = Self.siluNet()
        model.graph.outputs.append(ValueInfo(name: "g1", dataType: .float32))
        let graph = model.graph
        let consumers = graph.nodes.enumerated().reduce(into: [String: [Int]]()) { map, item in
            for input in Set(item.element.inputs) { map[input, default: []].append(item.offset) }
        }
        #expect(QuantizationPlan.siluOutput(of: "c1", graph: graph, consumers: consumers, graphOutputs: ["g1"]) == nil)
        #expect(QuantizationPlan.siluOutput(of: "c1", graph: graph, consumers: consumers, graphOutputs: []) == "s1")
    }
}
