import Testing
import SwitchyardGraph
import SwitchyardTensor
@testable import SwitchyardEngine

@Suite("DNNL elementwise kernels")
struct DNNLElementwiseTests {
    static let shapes: [[Int]] = [[7], [3, 5], [2, 3, 4, 5], [1, 16, 9, 9], [2, 3, 2, 3, 4]]

    @Test("unary activations match the reference", arguments: [
        ("Relu", [String: Attribute]()), ("LeakyRelu", ["alpha": .float(0.3)]), ("Sigmoid", [:]), ("Tanh", [:]),
        ("Elu", ["alpha": .float(0.7)]), ("Selu", [:]), ("Exp", [:]), ("Abs", [:]), ("Neg", [:]), ("Softplus", [:]),
        ("HardSwish", [:]), ("HardSigmoid", ["alpha": .float(0.25), "beta": .float(0.4)]), ("Mish", [:]),
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

    @Test("functions of positive inputs match the reference", arguments: ["Log", "Sqrt", "Reciprocal"])
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
