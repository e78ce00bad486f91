import Testing
import SwitchyardEngine
import SwitchyardGraph
import SwitchyardTensor
@testable import SwitchyardQuantization

/// Where a convolution followed by a SiLU (`x · Sigmoid(x)`, YOLOv8's activation) or a HardSwish
/// (PaddleOCR's `x · Clip(x + 3, 0, 6) / 6`) is quantized: once after the activation by default,
/// or at the layer's own output and again after the activation (`quantizeAfterActivation = false`).
@Suite struct ActivationOutputPointTests {
    enum Activation { case silu, paddleHardSwish }

    /// x[1,4,8,8] → conv1 (biases near −6 for the SiLU: mostly negative pre-activations) →
    /// activation → a1 → conv2 → y.
    static func net(_ activation: Activation, seed: UInt64 = 41) -> Model {
        var random = SplitMix64(seed: seed)
        let center: Float = activation == .silu ? -6 : -1
        let bias = (0..<16).map { _ in Float.random(in: center - 1 ... center + 1, using: &random) }
        let pads: [String: Attribute] = ["pads": .ints([1, 1, 1, 1])]
        var initializers: [String: Tensor] = [
            "w1": TinyModels.uniform([16, 4, 3, 3], &random, scale: 0.6), "b1": Tensor(shape: [16], scalars: bias),
            "w2": TinyModels.uniform([8, 16, 3, 3], &random, scale: 0.3),
        ]
        var nodes = [Node(name: "conv1", opType: "Conv", inputs: ["x", "w1", "b1"], outputs: ["c1"], attributes: pads)]
        switch activation {
        case .silu:
            nodes += [Node(name: "sigmoid1", opType: "Sigmoid", inputs: ["c1"], outputs: ["g1"]),
                      Node(name: "mul1", opType: "Mul", inputs: ["c1", "g1"], outputs: ["a1"])]
        case .paddleHardSwish:
            initializers["three"] = Tensor(shape: [], scalars: [Float(3)])
            initializers["zero"] = Tensor(shape: [], scalars: [Float(0)])
            initializers["six"] = Tensor(shape: [], scalars: [Float(6)])
            nodes += [Node(name: "add1", opType: "Add", inputs: ["c1", "three"], outputs: ["g0"]),
                      Node(name: "clip1", opType: "Clip", inputs: ["g0", "zero", "six"], outputs: ["g1"]),
                      Node(name: "mul1", opType: "Mul", inputs: ["c1", "g1"], outputs: ["m1"]),
                      Node(name: "div1", opType: "Div", inputs: ["m1", "six"], outputs: ["a1"])]
        }
        nodes.append(Node(name: "conv2", opType: "Conv", inputs: ["a1", "w2"], outputs: ["y"], attributes: pads))
        let graph = Graph(
            name: "activation", nodes: nodes,
            inputs: [ValueInfo(name: "x", dataType: .float32, shape: [.fixed(1), .fixed(4), .fixed(8), .fixed(8)])],
            outputs: [ValueInfo(name: "y", dataType: .float32, shape: [.fixed(1), .fixed(8), .fixed(8), .fixed(8)])],
            initializers: initializers)
        return Model(opsetImports: ["": 13], graph: graph)
    }

    private func quantize(_ activation: Activation, after: Bool) throws -> Model {
        let samples = try SampleSet(directory: TinyModels.sampleFolder(TinyModels.inputs(count: 8, seed: 5)), inputNames: ["x"])
        var options = QuantizationOptions(precision: .int8)
        options.quantizeAfterActivation = after
        return try Quantizer.quantize(Self.net(activation), options: options, calibration: samples).model
    }

    private func quantized(_ model: Model) -> Set<String> {
        Set(model.graph.nodes.filter { $0.opType == "QuantizeLinear" }.map { $0.inputs[0] })
    }

    /// Mean |y − y_FP32| over fresh inputs, computed exactly as the QDQ graph says.
    private func meanError(_ model: Model, _ activation: Activation) throws -> Float {
        let reference = try Session(model: Self.net(activation))
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
        let after = try quantize(.silu, after: true), before = try quantize(.silu, after: false)
        #expect(quantized(after).isSuperset(of: ["x", "a1"]) && !quantized(after).contains("c1"))
        #expect(quantized(before).isSuperset(of: ["x", "c1", "a1"]))
        // Rounding c1 over its wide, mostly negative range costs more than the SiLU output's rounding.
        let errorAfter = try meanError(after, .silu), errorBefore = try meanError(before, .silu)
        #expect(errorAfter > 0 && errorAfter < 0.9 * errorBefore, "mean error after SiLU \(errorAfter), before \(errorBefore)")
    }

    @Test func aPaddleHardSwishOutputIsQuantizedOnceAfterTheActivation() throws {
        let after = try quantize(.paddleHardSwish, after: true), before = try quantize(.paddleHardSwish, after: false)
        #expect(quantized(after).isSuperset(of: ["x", "a1"]) && !quantized(after).contains("c1"))
        #expect(quantized(before).isSuperset(of: ["x", "c1", "a1"]))
        let errorAfter = try meanError(after, .paddleHardSwish), errorBefore = try meanError(before, .paddleHardSwish)
        #expect(errorAfter > 0 && errorAfter <= errorBefore * 1.05, "mean error after HardSwish \(errorAfter), before \(errorBefore)")
    }

    /// PP-OCRv4 rec's HardSwish is followed by a learnable affine step (a scalar Mul, then Add):
    /// there the HardSwish stays between the convolution's quantization and the affine step's,
    /// where the engine computes both as one byte table.
    @Test func aHardSwishBeforeScalarArithmeticKeepsTheQuantizationAtTheConvolution() throws {
        var model = Self.net(.paddleHardSwish)
        model.graph.initializers["lab_scale"] = Tensor(shape: [], scalars: [Float(0.8)])
        let conv2 = try #require(model.graph.nodes.firstIndex { $0.name == "conv2" })
        model.graph.nodes[conv2].inputs[0] = "lab"
        model.graph.nodes.insert(Node(name: "lab", opType: "Mul", inputs: ["a1", "lab_scale"], outputs: ["lab"]), at: conv2)
        let points = try quantize(model)
        #expect(points.contains("c1") && points.contains("lab") && !points.contains("a1"), "\(points)")
    }

    @Test func anActivationWhoseGateHasAnotherReaderIsNotMoved() throws {
        var model = Self.net(.silu)
        #expect(ActivationFinder(model.graph).activation(after: "c1", allowed: QDQFusion.int8Activations)?.output == "a1")
        model.graph.outputs.append(ValueInfo(name: "g1", dataType: .float32))
        #expect(ActivationFinder(model.graph).activation(after: "c1", allowed: QDQFusion.int8Activations) == nil)
        // The conv's output is then quantized where it is, before the activation.
        #expect(try quantize(model).contains("c1"))
    }

    private func quantize(_ model: Model) throws -> Set<String> {
        let samples = try SampleSet(directory: TinyModels.sampleFolder(TinyModels.inputs(count: 8, seed: 5)), inputNames: ["x"])
        return quantized(try Quantizer.quantize(model, options: QuantizationOptions(precision: .int8), calibration: samples).model)
    }
}
