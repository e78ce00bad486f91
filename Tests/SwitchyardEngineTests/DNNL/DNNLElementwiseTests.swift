import Testing
import SwitchyardGraph
import SwitchyardTensor
@testable import SwitchyardEngine

@Suite("DNNL elementwise kernels")
struct DNNLElementwiseTests {
    static let shapes: [[Int]] = [[7], [3, 5], [2, 3, 4, 5], [1, 16, 9, 9], [2, 3, 2, 3, 4]]

    @Test("unary activations match the reference", arguments: [
        ("Relu", [String: Attribute]()), ("LeakyRelu", ["alpha": .float(0.3)]), ("Sigmoid", [:]), ("Tanh", [:]),
        ("Elu", ["alpha": .float(0.7)]), ("Selu", [:]), ("Exp", [:]), ("Abs", [:]), ("Neg", [:]),
        ("HardSwish", [:]), ("HardSigmoid", ["alpha": .float(0.25), "beta": .float(0.4)]),
        ("Gelu", [:]), ("Gelu", ["approximate": .string("tanh")]), ("Round", [:]),
    ])
    func unary(opType: String, attributes: [String: Attribute]) throws {
        var generator = SeededGenerator(seed: 11)
        for shape in Self.shapes {
            let node = DNNLHarness.node(opType, inputs: 1, attributes: attributes)
            let range: ClosedRange<Float> = opType == "Round" ? -4...4 : -3...3
            try DNNLHarness.check(node, opset: 20, inputs: [generator.tensor(shape, in: range)])
        }
    }

    @Test("functions of positive inputs match the reference", arguments: ["Sqrt", "Reciprocal"])
    func positiveDomain(opType: String) throws {
        var generator = SeededGenerator(seed: 12)
        for shape in Self.shapes {
            try DNNLHarness.check(DNNLHarness.node(opType, inputs: 1), opset: 13,
                                  inputs: [generator.tensor(shape, in: 0.1...5)])
        }
    }

    @Test("Clip with bounds as inputs (opset 13) and as attributes (opset 6)")
    func clip() throws {
        var generator = SeededGenerator(seed: 13)
        let x = generator.tensor([2, 3, 4, 5], in: -2...2)
        let bounds = DNNLHarness.node("Clip", inputs: 3)
        try DNNLHarness.check(bounds, opset: 13, inputs: [x, Tensor(scalar: Float(-0.5)), Tensor(scalar: Float(0.8))])
        try DNNLHarness.check(DNNLHarness.node("Clip", inputs: 3, omitted: [1]), opset: 13,
                              inputs: [x, nil, Tensor(scalar: Float(0.3))])
        let attributes = DNNLHarness.node("Clip", inputs: 1, attributes: ["min": .float(-0.2), "max": .float(0.6)])
        try DNNLHarness.check(attributes, opset: 6, inputs: [x])
    }

    @Test("Clip with min > max falls back to the reference")
    func clipInvertedBounds() throws {
        var generator = SeededGenerator(seed: 14)
        let node = DNNLHarness.node("Clip", inputs: 3)
        let inputs: [Tensor?] = [generator.tensor([4, 4]), Tensor(scalar: Float(0.5)), Tensor(scalar: Float(-0.5))]
        let (actual, kernel) = try DNNLHarness.runDNNL(node, opset: 13, inputs: inputs)
        #expect(kernel.implementationNames.isEmpty)
        #expect(DNNLHarness.maxError(actual, try DNNLHarness.runReference(node, opset: 13, inputs: inputs)) == 0)
    }

    @Test("binary operators with oneDNN-supported broadcasts", arguments: ["Add", "Sub", "Mul", "Div", "Max", "Min"])
    func binary(opType: String) throws {
        var generator = SeededGenerator(seed: 15)
        let pairs: [([Int], [Int])] = [
            ([2, 3, 4, 5], [2, 3, 4, 5]), ([2, 3, 4, 5], [1, 3, 1, 1]), ([2, 3, 4, 5], [5]), ([2, 3, 4, 5], []),
            ([4, 6], [4, 1]), ([1, 16, 7, 7], [16, 1, 1]), ([3, 1, 5], [3, 1, 5]),
        ]
        for (first, second) in pairs {
            try DNNLHarness.check(DNNLHarness.node(opType, inputs: 2), opset: 14,
                                  inputs: [generator.tensor(first), generator.tensor(second)])
        }
    }

    @Test("commutative operators broadcast a smaller first input by swapping", arguments: ["Add", "Mul", "Max", "Min"])
    func swappedBroadcast(opType: String) throws {
        var generator = SeededGenerator(seed: 16)
        try DNNLHarness.check(DNNLHarness.node(opType, inputs: 2), opset: 14,
                              inputs: [generator.tensor([1, 8, 1, 1]), generator.tensor([2, 8, 5, 5])])
    }

    @Test("two-way broadcasts and non-float inputs fall back to the reference")
    func fallbacks() throws {
        var generator = SeededGenerator(seed: 17)
        let sub = DNNLHarness.node("Sub", inputs: 2)
        let twoWay: [Tensor?] = [generator.tensor([3, 1]), generator.tensor([1, 4])]
        let (difference, kernel) = try DNNLHarness.runDNNL(sub, opset: 14, inputs: twoWay)
        #expect(kernel.implementationNames.isEmpty)
        #expect(DNNLHarness.maxError(difference, try DNNLHarness.runReference(sub, opset: 14, inputs: twoWay)) == 0)

        let ints: [Tensor?] = [Tensor(shape: [3], scalars: [Int32(1), 2, 3]), Tensor(shape: [3], scalars: [Int32(4), 5, 6])]
        let (sum, intKernel) = try DNNLHarness.runDNNL(DNNLHarness.node("Add", inputs: 2), opset: 14, inputs: ints)
        #expect(intKernel.implementationNames.isEmpty)
        #expect(sum.scalars(as: Int32.self) == [5, 7, 9])
    }
}

@Suite("DNNL elementwise accuracy")
struct DNNLElementwiseAccuracyTests {
    /// Every pointwise result within `floor + 1e-4 * |expected|` of the reference, with the
    /// conformance floor of 1e-7 (tighter rtol than conformance): pointwise functions have no
    /// cancellation to excuse, so small outputs must be relatively accurate too. Exception:
    /// oneDNN's Gelu deviates in its underflowing tail by up to 2.5e-7 absolute.
    @Test("activations are relatively accurate across a wide input range", arguments: [
        "Relu", "LeakyRelu", "Sigmoid", "Tanh", "Elu", "Selu", "Exp", "Abs", "Neg", "HardSwish", "HardSigmoid",
        "Gelu", "Sqrt", "Reciprocal",
    ])
    func wideRange(opType: String) throws {
        let positive = ["Sqrt", "Reciprocal"].contains(opType)
        let floor: Float = opType == "Gelu" ? 2.5e-7 : 1e-7
        let low: Float = positive ? 1e-3 : opType == "Exp" ? -80 : -30
        let count = 4001
        let values = (0..<count).map { low + (30 - low) * Float($0) / Float(count - 1) } + [1, 0.999, 1.001, 1e-4, -1e-4]
        let x = Tensor(shape: [values.count], scalars: values.map { positive ? abs($0) + 1e-3 : $0 })
        let node = DNNLHarness.node(opType, inputs: 1)
        let (actual, _) = try DNNLHarness.runDNNL(node, opset: 20, inputs: [x])
        let expected = try DNNLHarness.runReference(node, opset: 20, inputs: [x])
        let a = actual.scalars(as: Float.self), e = expected.scalars(as: Float.self), input = x.scalars(as: Float.self)
        var failures: [String] = []
        for index in a.indices where !(a[index].isNaN && e[index].isNaN) && a[index] != e[index] {
            if abs(a[index] - e[index]) > floor + 1e-4 * abs(e[index]) {
                failures.append("x=\(input[index]): \(a[index]) vs \(e[index])")
            }
        }
        #expect(failures.isEmpty, "\(opType): \(failures.count) inaccurate, e.g. \(failures.prefix(4))")
    }
}

@Suite("DNNL elementwise exclusions")
struct DNNLElementwiseExclusionTests {
    @Test("Log, Softplus and Mish, inaccurate in oneDNN 2.6, have no DNNL kernel", arguments: ["Log", "Softplus", "Mish"])
    func excluded(opType: String) {
        #expect(DNNLKernels.kernel(for: DNNLHarness.node(opType, inputs: 1), opset: 20) == nil)
    }
}
