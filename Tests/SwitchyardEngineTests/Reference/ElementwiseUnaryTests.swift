import Foundation
import Testing
@testable import SwitchyardEngine
import SwitchyardTensor

@Suite struct ElementwiseUnaryTests {
    typealias Support = ElementwiseTestSupport

    static let realCases: [(op: String, domain: ClosedRange<Float>, f: @Sendable (Double) -> Double)] = [
        ("Acos", -0.95...0.95, acos), ("Acosh", 1.05...4, acosh), ("Asin", -0.95...0.95, asin),
        ("Asinh", -3...3, asinh), ("Atan", -3...3, atan), ("Atanh", -0.95...0.95, atanh),
        ("Ceil", -3...3, { $0.rounded(.up) }), ("Cos", -3...3, cos), ("Cosh", -3...3, cosh),
        ("Erf", -3...3, erf), ("Exp", -3...3, exp), ("Floor", -3...3, { $0.rounded(.down) }),
        ("Log", 0.05...5, log), ("Reciprocal", 0.05...5, { 1 / $0 }), ("Sin", -3...3, sin),
        ("Sinh", -3...3, sinh), ("Sqrt", 0.05...9, { $0.squareRoot() }), ("Tan", -1.4...1.4, tan),
        ("Tanh", -3...3, tanh), ("Abs", -3...3, { abs($0) }), ("Neg", -3...3, { -$0 }),
        ("Sign", -3...3, { $0 > 0 ? 1 : -1 }),
    ]

    @Test(arguments: realCases.indices)
    func float32MatchesClosedForm(_ index: Int) throws {
        let (op, domain, f) = Self.realCases[index]
        var generator = Support.SeededGenerator(seed: UInt64(100 + index))
        let values = (0..<24).map { _ in Float.random(in: domain, using: &generator) }
        let y = try Support.run1(op, [Tensor(shape: [2, 3, 4], scalars: values)])
        #expect(y.dataType == .float32)
        #expect(y.shape == [2, 3, 4])
        #expect(Support.close(y.doubles(), values.map { Double(Float(f(Double($0)))) }, tolerance: 2e-6), "\(op)")
    }

    @Test(arguments: [DataType.float64, .float16, .bfloat16])
    func otherFloatTypesKeepTheirType(_ type: DataType) throws {
        var generator = Support.SeededGenerator(seed: 7)
        let x = Tensor(shape: [10], scalars: Support.nonZeroFloats(10, generator: &generator)).converted(to: type)
        let y = try Support.run1("Exp", [x])
        #expect(y.dataType == type)
        let tolerance = type == .float64 ? 1e-12 : (type == .float16 ? 1e-3 : 8e-3)
        #expect(Support.close(y.doubles(), x.doubles().map(exp), tolerance: tolerance))
    }

    @Test func roundHalvesToEven() throws {
        let x = Tensor(shape: [8], scalars: [Float(0.5), 1.5, 2.5, -0.5, -1.5, -2.5, 2.4, -2.6])
        #expect(try Support.run1("Round", [x]).scalars(as: Float.self) == [0, 2, 2, -0, -2, -2, 2, -3])
    }

    @Test func integerAbsNegSignWrapLikeC() throws {
        let x = Tensor(shape: [5], scalars: [Int8.min, -3, 0, 4, Int8.max])
        #expect(try Support.run1("Abs", [x]).scalars(as: Int8.self) == [Int8.min, 3, 0, 4, Int8.max])
        #expect(try Support.run1("Neg", [x]).scalars(as: Int8.self) == [Int8.min, 3, 0, -4, -Int8.max])
        #expect(try Support.run1("Sign", [x]).scalars(as: Int8.self) == [-1, -1, 0, 1, 1])
        let unsigned = Tensor(shape: [3], scalars: [UInt32(0), 7, .max])
        #expect(try Support.run1("Sign", [unsigned]).scalars(as: UInt32.self) == [0, 1, 1])
        #expect(throws: KernelError.self) { try Support.run1("Neg", [unsigned]) }
    }

    @Test func isNaNAndIsInfHonourTheirAttributes() throws {
        let x = Tensor(shape: [5], scalars: [Float(1), .nan, .infinity, -.infinity, -2])
        #expect(try Support.run1("IsNaN", [x]).scalars(as: Bool.self) == [false, true, false, false, false])
        #expect(try Support.run1("IsInf", [x]).scalars(as: Bool.self) == [false, false, true, true, false])
        #expect(try Support.run1("IsInf", [x], attributes: ["detect_negative": .int(0)]).scalars(as: Bool.self)
            == [false, false, true, false, false])
        #expect(try Support.run1("IsInf", [x], attributes: ["detect_positive": .int(0)]).scalars(as: Bool.self)
            == [false, false, false, true, false])
        #expect(try Support.run1("IsNaN", [x.converted(to: .float16)]).scalars(as: Bool.self)
            == [false, true, false, false, false])
    }

    @Test func notAndBitwiseNot() throws {
        let flags = Tensor(shape: [2, 2], scalars: [true, false, false, true])
        #expect(try Support.run1("Not", [flags]).scalars(as: Bool.self) == [false, true, true, false])
        var generator = Support.SeededGenerator(seed: 3)
        let ints = Support.nonZeroInts(6, generator: &generator).map { Int32($0) }
        #expect(try Support.run1("BitwiseNot", [Tensor(shape: [6], scalars: ints)]).scalars(as: Int32.self)
            == ints.map { -$0 - 1 })
        #expect(try Support.run1("BitwiseNot", [Tensor(shape: [1], scalars: [UInt8(0b1010_0000)])])
            .scalars(as: UInt8.self) == [0b0101_1111])
    }

    @Test func erfOfIntegersTruncates() throws {
        let y = try Support.run1("Erf", [Tensor(shape: [3], scalars: [Int32(0), 1, -2])])
        #expect(y.dataType == .int32)
        #expect(y.scalars(as: Int32.self) == [0, 0, 0])
    }

    @Test func wrongTypesAreReportedNotCrashed() {
        #expect(throws: KernelError.self) { try Support.run1("Sqrt", [Tensor(shape: [1], scalars: [Int32(4)])]) }
        #expect(throws: KernelError.self) { try Support.run1("Not", [Tensor(shape: [1], scalars: [Float(1)])]) }
        #expect(throws: KernelError.self) { try Support.run1("BitwiseNot", [Tensor(shape: [1], scalars: [Float(1)])]) }
        #expect(throws: KernelError.self) { try Support.run1("Abs", [Tensor(shape: [1], strings: ["a"])]) }
    }

    @Test func emptyAndScalarTensors() throws {
        #expect(try Support.run1("Exp", [Tensor(zeros: .float32, shape: [0, 3])]).shape == [0, 3])
        #expect(try Support.run1("Neg", [Tensor(scalar: Float(2))]).scalars(as: Float.self) == [-2])
    }
}
