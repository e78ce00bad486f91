import Testing
import SwitchyardGraph
import SwitchyardTensor
@testable import SwitchyardEngine

@Suite("DNNL convolution kernels")
struct DNNLConvolutionTests {
    /// A Conv case: input and weight shapes, attributes, the oracle's padding and output size.
    struct Case: Sendable, CustomTestStringConvertible {
        let x: [Int], w: [Int]
        var group = 1, strides: [Int]? = nil, dilations: [Int]? = nil, pads: [Int]? = nil, autoPad: String? = nil
        var bias = true
        var testDescription: String { "x\(x) w\(w) g\(group) s\(strides ?? []) d\(dilations ?? []) p\(pads ?? []) \(autoPad ?? "")" }

        var attributes: [String: Attribute] {
            var result: [String: Attribute] = ["group": .int(group)]
            if let strides { result["strides"] = .ints(strides) }
            if let dilations { result["dilations"] = .ints(dilations) }
            if let pads { result["pads"] = .ints(pads) }
            if let autoPad { result["auto_pad"] = .string(autoPad) }
            return result
        }
    }

    static let cases: [Case] = [
        Case(x: [1, 3, 8, 8], w: [4, 3, 3, 3]),
        Case(x: [2, 3, 8, 9], w: [5, 3, 3, 3], pads: [1, 1, 1, 1]),
        Case(x: [1, 4, 9, 7], w: [6, 4, 3, 2], strides: [2, 1], pads: [1, 0, 2, 1]),
        Case(x: [1, 4, 11, 11], w: [4, 4, 3, 3], dilations: [2, 3], pads: [2, 3, 2, 3]),
        Case(x: [1, 4, 7, 7], w: [6, 2, 3, 3], group: 2, pads: [1, 1, 1, 1], bias: false),
        Case(x: [2, 8, 9, 9], w: [8, 1, 3, 3], group: 8, strides: [2, 2], pads: [1, 1, 1, 1]),
        Case(x: [1, 16, 10, 10], w: [32, 16, 1, 1]),
        Case(x: [1, 3, 10, 9], w: [4, 3, 3, 3], strides: [2, 2], autoPad: "SAME_UPPER"),
        Case(x: [1, 3, 10, 9], w: [4, 3, 4, 4], strides: [2, 3], autoPad: "SAME_LOWER"),
        Case(x: [1, 3, 10, 9], w: [4, 3, 3, 3], strides: [2, 2], autoPad: "VALID"),
        Case(x: [2, 3, 20], w: [5, 3, 3], strides: [2], pads: [1, 2]),
        Case(x: [1, 2, 5, 6, 7], w: [3, 2, 3, 3, 3], pads: [1, 1, 1, 1, 1, 1]),
        Case(x: [1, 16, 14, 14], w: [16, 16, 3, 3], pads: [1, 1, 1, 1]),
    ]

    @Test("Conv matches the reference kernel", arguments: cases)
    func matchesReference(_ testCase: Case) throws {
        var generator = SeededGenerator(seed: 31)
        let node = DNNLHarness.node("Conv", inputs: testCase.bias ? 3 : 2, attributes: testCase.attributes)
        var inputs: [Tensor?] = [generator.tensor(testCase.x), generator.tensor(testCase.w)]
        if testCase.bias { inputs.append(generator.tensor([testCase.w[0]])) }
        // Weights as an initializer (prepacked) and as a runtime input (reordered per call).
        try DNNLHarness.check(node, opset: 11, inputs: inputs, constantIndices: [1, 2])
        try DNNLHarness.check(node, opset: 11, inputs: inputs)
    }

    @Test("Conv matches a direct loop-by-loop convolution")
    func matchesNaive() throws {
        var generator = SeededGenerator(seed: 32)
        // (x, w, group, strides, dilations, pads begin+end)
        let cases: [([Int], [Int], Int, [Int], [Int], [Int])] = [
            ([1, 3, 6, 6], [2, 3, 3, 3], 1, [1, 1], [1, 1], [1, 1, 1, 1]),
            ([1, 4, 9, 7], [6, 2, 3, 2], 2, [2, 1], [1, 2], [1, 0, 2, 1]),
            ([2, 6, 8, 8], [6, 1, 3, 3], 6, [2, 2], [1, 1], [0, 1, 1, 0]),
            ([1, 2, 9], [3, 2, 3], 1, [2], [2], [2, 1]),
        ]
        for (xShape, wShape, group, strides, dilations, pads) in cases {
            let rank = xShape.count - 2
            let x = generator.tensor(xShape), w = generator.tensor(wShape), b = generator.tensor([wShape[0]])
            let outputs = (0..<rank).map { axis in
                (xShape[axis + 2] + pads[axis] + pads[axis + rank] - ((wShape[axis + 2] - 1) * dilations[axis] + 1)) / strides[axis] + 1
            }
            let expected = NaiveConvolution.conv(x: x, w: w, bias: b, group: group, strides: strides, dilations: dilations,
                                                 padBegin: Array(pads.prefix(rank)), outputSpatial: outputs)
            let node = DNNLHarness.node("Conv", inputs: 3, attributes: [
                "group": .int(group), "strides": .ints(strides), "dilations": .ints(dilations), "pads": .ints(pads),
            ])
            try DNNLHarness.check(node, opset: 11, inputs: [x, w, b], constantIndices: [1], expected: expected)
        }
    }

    @Test("Conv with a team of two OpenMP threads matches one thread")
    func threads() throws {
        var generator = SeededGenerator(seed: 35)
        let node = DNNLHarness.node("Conv", inputs: 3, attributes: ["pads": .ints([1, 1, 1, 1])])
        let inputs: [Tensor?] = [generator.tensor([2, 16, 20, 20]), generator.tensor([32, 16, 3, 3]), generator.tensor([32])]
        let (single, _) = try DNNLHarness.runDNNL(node, opset: 11, inputs: inputs, constantIndices: [1, 2], threads: 1)
        try DNNLHarness.check(node, opset: 11, inputs: inputs, constantIndices: [1, 2], expected: single, threads: 2)
    }

    @Test("Conv of a hand-computed case")
    func handComputed() throws {
        let x = Tensor(shape: [1, 1, 3, 3], scalars: (1...9).map(Float.init))
        let w = Tensor(shape: [1, 1, 2, 2], scalars: [Float(1), 0, 0, -1])
        let b = Tensor(shape: [1], scalars: [Float(0.5)])
        let (y, _) = try DNNLHarness.runDNNL(DNNLHarness.node("Conv", inputs: 3), opset: 11, inputs: [x, w, b])
        #expect(y.shape == [1, 1, 2, 2])
        #expect(y.scalars(as: Float.self) == [-3.5, -3.5, -3.5, -3.5])
    }

    @Test("FusedConv with Sum and each activation matches Conv + Add + activation",
          arguments: [("Relu", [Float]()), ("LeakyRelu", [0.2]), ("Clip", [-0.5, 0.7]), ("HardSigmoid", [0.3, 0.4]),
                      ("HardSwish", []), ("Sigmoid", []), ("Tanh", []), ("Elu", [0.8]), ("Gelu", [])])
    func fused(activation: String, parameters: [Float]) throws {
        var generator = SeededGenerator(seed: 33)
        let x = generator.tensor([1, 8, 10, 10]), w = generator.tensor([16, 8, 3, 3]), b = generator.tensor([16])
        let sum = generator.tensor([1, 16, 10, 10])
        var attributes: [String: Attribute] = ["pads": .ints([1, 1, 1, 1]), "activation": .string(activation)]
        if !parameters.isEmpty { attributes["activation_params"] = .floats(parameters) }
        let fused = DNNLHarness.node("FusedConv", domain: "ai.switchyard", inputs: 4, attributes: attributes)

        let conv = try DNNLHarness.runReference(DNNLHarness.node("Conv", inputs: 3, attributes: ["pads": .ints([1, 1, 1, 1])]),
                                                opset: 11, inputs: [x, w, b])
        let added = try DNNLHarness.runReference(DNNLHarness.node("Add", inputs: 2), opset: 14, inputs: [conv, sum])
        var activationAttributes: [String: Attribute] = [:]
        var activationInputs: [Tensor?] = [added]
        switch activation {
        case "LeakyRelu", "Elu": activationAttributes["alpha"] = .float(parameters[0])
        case "HardSigmoid":
            activationAttributes["alpha"] = .float(parameters[0])
            activationAttributes["beta"] = .float(parameters[1])
        case "Clip": activationInputs += [Tensor(scalar: parameters[0]), Tensor(scalar: parameters[1])]
        default: break
        }
        let expected = try DNNLHarness.runReference(
            DNNLHarness.node(activation, inputs: activationInputs.count, attributes: activationAttributes),
            opset: 20, inputs: activationInputs)
        try DNNLHarness.check(fused, opset: 1, inputs: [x, w, b, sum], constantIndices: [1, 2], expected: expected)
        // And against the fused reference kernel itself.
        try DNNLHarness.check(fused, opset: 1, inputs: [x, w, b, sum], constantIndices: [1, 2])
    }

    @Test("FusedConv with Swish and without Sum matches the fused reference kernel")
    func fusedSwish() throws {
        var generator = SeededGenerator(seed: 36)
        let node = DNNLHarness.node("FusedConv", domain: "ai.switchyard", inputs: 3, attributes: [
            "strides": .ints([2, 2]), "activation": .string("Swish"), "activation_params": .floats([1.5]),
        ])
        try DNNLHarness.check(node, opset: 1, inputs: [generator.tensor([1, 6, 9, 9]), generator.tensor([8, 6, 3, 3]),
                                                       generator.tensor([8])], constantIndices: [1, 2])
    }

    static let transposeCases: [([Int], [Int], [String: Attribute])] = [
        ([1, 3, 5, 5], [3, 4, 3, 3], [:]),
        ([2, 4, 5, 6], [4, 3, 3, 3], ["strides": .ints([2, 2]), "pads": .ints([1, 1, 1, 1])]),
        ([1, 4, 5, 5], [4, 3, 3, 3], ["strides": .ints([2, 2]), "output_padding": .ints([1, 1])]),
        ([1, 4, 5, 5], [4, 2, 3, 3], ["group": .int(2), "strides": .ints([2, 1]), "dilations": .ints([1, 2])]),
        ([1, 3, 4, 4], [3, 2, 3, 3], ["strides": .ints([2, 2]), "auto_pad": .string("SAME_UPPER")]),
        ([1, 3, 7], [3, 2, 4], ["strides": .ints([3]), "pads": .ints([1, 2])]),
        ([1, 2, 3, 4, 3], [2, 2, 2, 2, 2], ["strides": .ints([2, 2, 2])]),
    ]

    @Test("ConvTranspose matches the reference kernel", arguments: 0..<transposeCases.count)
    func transpose(index: Int) throws {
        var generator = SeededGenerator(seed: 34)
        let (xShape, wShape, attributes) = Self.transposeCases[index]
        let group: Int = if case .int(let g)? = attributes["group"] { g } else { 1 }
        let node = DNNLHarness.node("ConvTranspose", inputs: 3, attributes: attributes)
        let inputs: [Tensor?] = [generator.tensor(xShape), generator.tensor(wShape), generator.tensor([wShape[1] * group])]
        try DNNLHarness.check(node, opset: 11, inputs: inputs, constantIndices: [1, 2])
        try DNNLHarness.check(node, opset: 11, inputs: inputs)
    }
}

@Suite("DNNL kernel factory")
struct DNNLKernelFactoryTests {
    @Test("a wrongly typed attribute gets no DNNL kernel, so the reference kernel reports it")
    func mistypedAttributes() {
        let conv = DNNLHarness.node("Conv", inputs: 2, attributes: ["pads": .int(1)])
        #expect(DNNLKernels.kernel(for: conv, opset: 11) == nil)
        let leaky = DNNLHarness.node("LeakyRelu", inputs: 1, attributes: ["alpha": .string("0.1")])
        #expect(DNNLKernels.kernel(for: leaky, opset: 16) == nil)
        #expect(DNNLKernels.kernel(for: DNNLHarness.node("LeakyRelu", inputs: 1), opset: 16) != nil)
    }

    @Test("unknown activations, extra outputs and foreign domains get no DNNL kernel")
    func unsupportedNodes() {
        let fused = DNNLHarness.node("FusedConv", domain: "ai.switchyard", inputs: 2, attributes: ["activation": .string("Softsign")])
        #expect(DNNLKernels.kernel(for: fused, opset: 1) == nil)
        let layerNorm = Node(opType: "LayerNormalization", inputs: ["x", "s"], outputs: ["y", "mean"])
        #expect(DNNLKernels.kernel(for: layerNorm, opset: 17) == nil)
        #expect(DNNLKernels.kernel(for: DNNLHarness.node("Relu", domain: "com.example", inputs: 1), opset: 1) == nil)
        #expect(DNNLKernels.kernel(for: DNNLHarness.node("ConvTranspose", inputs: 2,
                                                         attributes: ["output_shape": .ints([5, 5])]), opset: 11) == nil)
    }
}
