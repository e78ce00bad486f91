import Foundation
import Testing
@testable import SwitchyardEngine
import SwitchyardGraph
import SwitchyardTensor

@Suite struct ElementwiseActivationTests {
    typealias Support = ElementwiseTestSupport

    static func softplus(_ x: Double) -> Double { log(1 + exp(x)) }

    static let cases: [(op: String, attributes: [String: Attribute], f: @Sendable (Double) -> Double)] = [
        ("Relu", [:], { max($0, 0) }),
        ("LeakyRelu", [:], { $0 < 0 ? 0.01 * $0 : $0 }),
        ("LeakyRelu", ["alpha": .float(0.3)], { $0 < 0 ? Double(Float(0.3)) * $0 : $0 }),
        ("Elu", ["alpha": .float(2)], { $0 < 0 ? 2 * (exp($0) - 1) : $0 }),
        ("Selu", [:], { $0 > 0 ? 1.0507009873554805 * $0 : 1.0507009873554805 * 1.6732632423543772 * (exp($0) - 1) }),
        ("Celu", ["alpha": .float(0.5)], { max(0, $0) + min(0, 0.5 * (exp($0 / 0.5) - 1)) }),
        ("Gelu", [:], { 0.5 * $0 * (1 + erf($0 / 2.0.squareRoot())) }),
        ("Gelu", ["approximate": .string("tanh")],
         { 0.5 * $0 * (1 + tanh((2 / Double.pi).squareRoot() * ($0 + 0.044715 * $0 * $0 * $0))) }),
        ("Mish", [:], { $0 * tanh(softplus($0)) }),
        ("HardSigmoid", [:], { max(0, min(1, 0.2 * $0 + 0.5)) }),
        ("HardSigmoid", ["alpha": .float(0.5), "beta": .float(0.25)], { max(0, min(1, 0.5 * $0 + 0.25)) }),
        ("HardSwish", [:], { $0 * max(0, min(1, $0 / 6 + 0.5)) }),
        ("Sigmoid", [:], { 1 / (1 + exp(-$0)) }),
        ("Softplus", [:], softplus),
        ("Softsign", [:], { $0 / (1 + abs($0)) }),
        ("ThresholdedRelu", [:], { $0 > 1 ? $0 : 0 }),
        ("ThresholdedRelu", ["alpha": .float(-0.5)], { $0 > -0.5 ? $0 : 0 }),
        ("Shrink", [:], { $0 < -0.5 ? $0 : ($0 > 0.5 ? $0 : 0) }),
        ("Shrink", ["bias": .float(1.5), "lambd": .float(1)], { $0 < -1 ? $0 + 1.5 : ($0 > 1 ? $0 - 1.5 : 0) }),
    ]

    @Test(arguments: cases.indices)
    func float32MatchesClosedForm(_ index: Int) throws {
        let (op, attributes, f) = Self.cases[index]
        var generator = Support.SeededGenerator(seed: UInt64(200 + index))
        let values = Support.nonZeroFloats(60, range: 5, generator: &generator)
        let y = try Support.run1(op, [Tensor(shape: [3, 4, 5], scalars: values)], attributes: attributes)
        #expect(y.shape == [3, 4, 5])
        #expect(Support.close(y.doubles(), values.map { f(Double($0)) }, tolerance: 2e-6), "\(op) \(attributes.keys)")
    }

    @Test func activationsKeepHalfPrecisionTypes() throws {
        var generator = Support.SeededGenerator(seed: 11)
        let values = Support.nonZeroFloats(16, generator: &generator)
        for type in [DataType.float16, .bfloat16, .float64] {
            let x = Tensor(shape: [16], scalars: values).converted(to: type)
            let y = try Support.run1("Sigmoid", [x])
            #expect(y.dataType == type)
            #expect(Support.close(y.doubles(), x.doubles().map { 1 / (1 + exp(-$0)) }, tolerance: 1e-2))
        }
    }

    @Test func reluAndShrinkOnIntegers() throws {
        let x = Tensor(shape: [4], scalars: [Int32(-5), -1, 0, 9])
        #expect(try Support.run1("Relu", [x]).scalars(as: Int32.self) == [0, 0, 0, 9])
        let shrunk = try Support.run1("Shrink", [x], attributes: ["bias": .float(1), "lambd": .float(1.5)])
        #expect(shrunk.scalars(as: Int32.self) == [-4, 0, 0, 8])
    }

    @Test func preluBroadcastsTheSlopeOntoX() throws {
        var generator = Support.SeededGenerator(seed: 12)
        let x = Support.nonZeroFloats(2 * 3 * 4, generator: &generator)
        let slope: [Float] = [0.1, 0.2, 0.3]
        let y = try Support.run1("PRelu", [Tensor(shape: [2, 3, 4], scalars: x), Tensor(shape: [3, 1], scalars: slope)])
        let expected = Support.broadcastReference([([2, 3, 4], x), ([3, 1], slope)]) { $0[0] < 0 ? $0[0] * $0[1] : $0[0] }
        #expect(y.scalars(as: Float.self) == expected.values)
        // The slope may not grow X.
        #expect(throws: KernelError.self) {
            try Support.run1("PRelu", [Tensor(shape: [3], scalars: [Float(1), 2, 3]), Tensor(shape: [2, 3], scalars: [Float](repeating: 1, count: 6))])
        }
    }

    @Test func clipWithInputsAttributesAndMissingBounds() throws {
        var generator = Support.SeededGenerator(seed: 13)
        let values = Support.nonZeroFloats(20, generator: &generator)
        let x = Tensor(shape: [4, 5], scalars: values)
        let low = Tensor(scalar: Float(-1)), high = Tensor(scalar: Float(0.5))
        #expect(try Support.run1("Clip", [x, low, high]).scalars(as: Float.self) == values.map { min(max($0, -1), 0.5) })
        #expect(try Support.run1("Clip", [x, nil, high]).scalars(as: Float.self) == values.map { min($0, 0.5) })
        #expect(try Support.run1("Clip", [x, low]).scalars(as: Float.self) == values.map { max($0, -1) })
        #expect(try Support.run1("Clip", [x]).scalars(as: Float.self) == values)
        // min > max: everything becomes max, as in NumPy.
        #expect(try Support.run1("Clip", [x, Tensor(scalar: Float(2)), Tensor(scalar: Float(1))]).scalars(as: Float.self)
            == [Float](repeating: 1, count: 20))
        // Opset 6: bounds are attributes.
        let legacy = try Support.run1("Clip", [x], attributes: ["min": .float(-1), "max": .float(0.5)], opset: 6)
        #expect(legacy.scalars(as: Float.self) == values.map { min(max($0, -1), 0.5) })
        let ints = Tensor(shape: [4], scalars: [Int8(-100), -3, 7, 120])
        #expect(try Support.run1("Clip", [ints, Tensor(scalar: Int8(-5)), Tensor(scalar: Int8(100))]).scalars(as: Int8.self)
            == [-5, -3, 7, 100])
        #expect(throws: KernelError.self) { try Support.run1("Clip", [x, Tensor(scalar: Double(1))]) }
        #expect(throws: KernelError.self) { try Support.run1("Clip", [x, Tensor(shape: [2], scalars: [Float(1), 2])]) }
    }

    @Test func badAttributesAreErrors() {
        let x = Tensor(shape: [1], scalars: [Float(1)])
        #expect(throws: KernelError.self) { try Support.run1("Gelu", [x], attributes: ["approximate": .string("fast")]) }
        #expect(throws: KernelError.self) { try Support.run1("LeakyRelu", [x], attributes: ["alpha": .string("x")]) }
        #expect(throws: KernelError.self) { try Support.run1("Sigmoid", [Tensor(shape: [1], scalars: [Int32(1)])]) }
    }
}
