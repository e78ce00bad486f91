import Foundation
import Testing
@testable import SwitchyardEngine
import SwitchyardGraph
import SwitchyardTensor

@Suite struct ElementwiseBinaryTests {
    typealias Support = ElementwiseTestSupport

    /// Shape pairs covering each loop: equal shapes, scalar on either side, per-channel
    /// ([N,C,1,1] and [1,C,1,1]), trailing vectors, outer products and rank growth.
    static let shapePairs: [([Int], [Int])] = [
        ([2, 3, 4, 5], [2, 3, 4, 5]), ([2, 3, 4, 5], []), ([], [2, 3]), ([2, 3, 4, 5], [2, 3, 1, 1]),
        ([2, 3, 4, 5], [1, 3, 1, 1]), ([1, 3, 1, 1], [2, 3, 4, 5]), ([2, 3, 4, 5], [5]), ([4, 1], [1, 6]),
        ([3, 1, 5], [2, 1, 4, 1]), ([2, 3, 4], [3, 1]), ([1], [7]), ([0, 3], [1, 3]),
    ]

    static let arithmetic: [(op: String, f: @Sendable (Float, Float) -> Float)] = [
        ("Add", { $0 + $1 }), ("Sub", { $0 - $1 }), ("Mul", { $0 * $1 }), ("Div", { $0 / $1 }),
    ]

    @Test(arguments: shapePairs.indices, arithmetic.indices)
    func float32ArithmeticBroadcasts(_ shapes: Int, _ operation: Int) throws {
        let (aShape, bShape) = Self.shapePairs[shapes]
        let (op, f) = Self.arithmetic[operation]
        var generator = Support.SeededGenerator(seed: UInt64(shapes * 10 + operation))
        let a = Support.nonZeroFloats(aShape.reduce(1, *), generator: &generator)
        let b = Support.nonZeroFloats(bShape.reduce(1, *), generator: &generator)
        let y = try Support.run1(op, [Tensor(shape: aShape, scalars: a), Tensor(shape: bShape, scalars: b)])
        let expected = Support.broadcastReference([(aShape, a), (bShape, b)]) { f($0[0], $0[1]) }
        #expect(y.shape == expected.shape)
        #expect(y.scalars(as: Float.self) == expected.values, "\(op) \(aShape) \(bShape)")
    }

    @Test(arguments: [DataType.int8, .int16, .int32, .int64, .uint8, .uint16, .uint32, .uint64, .float64, .float16, .bfloat16])
    func arithmeticKeepsTheElementType(_ type: DataType) throws {
        var generator = Support.SeededGenerator(seed: 21)
        let a = Support.nonZeroInts(12, range: 9, generator: &generator).map { type.isFloatingPoint || $0 > 0 ? $0 : -$0 }
        let b = Support.nonZeroInts(4, range: 9, generator: &generator).map { abs($0) }
        let x = Tensor(dataType: type, shape: [3, 4], int64s: a), y = Tensor(dataType: type, shape: [4], int64s: b)
        for (op, f) in [("Add", { (p: Int64, q: Int64) in p + q }), ("Mul", { $0 * $1 }), ("Max", { max($0, $1) })] {
            let result = try Support.run1(op, [x, y])
            #expect(result.dataType == type)
            let expected = Support.broadcastReference([([3, 4], a), ([4], b)]) { f($0[0], $0[1]) }
            #expect(result.int64s() == expected.values, "\(op) \(type)")
        }
    }

    @Test func integerArithmeticWrapsAndDivisionTruncates() throws {
        let a = Tensor(shape: [6], scalars: [Int32.max, -7, 7, -7, Int32.min, 9])
        let b = Tensor(shape: [6], scalars: [Int32(1), 2, -2, -2, -1, 4])
        #expect(try Support.run1("Add", [a, b]).scalars(as: Int32.self) == [Int32.min, -5, 5, -9, Int32.max, 13])
        #expect(try Support.run1("Div", [a, b]).scalars(as: Int32.self) == [Int32.max, -3, -3, 3, Int32.min, 2])
        let unsigned = try Support.run1("Sub", [Tensor(shape: [1], scalars: [UInt8(1)]), Tensor(shape: [1], scalars: [UInt8(2)])])
        #expect(unsigned.scalars(as: UInt8.self) == [255])
        #expect(throws: KernelError.self) {
            try Support.run1("Div", [a, Tensor(shape: [1], scalars: [Int32(0)])])
        }
    }

    @Test func modFollowsTheDivisorOrTheDividend() throws {
        let a = Tensor(shape: [4], scalars: [Int64(-7), 7, -7, 7]), b = Tensor(shape: [4], scalars: [Int64(3), -3, -3, 3])
        #expect(try Support.run1("Mod", [a, b]).scalars(as: Int64.self) == [2, -2, -1, 1])
        #expect(try Support.run1("Mod", [a, b], attributes: ["fmod": .int(1)]).scalars(as: Int64.self) == [-1, 1, -1, 1])
        var generator = Support.SeededGenerator(seed: 22)
        let x = Support.nonZeroFloats(30, range: 9, generator: &generator)
        let y = Support.nonZeroFloats(30, range: 4, generator: &generator)
        let tx = Tensor(shape: [30], scalars: x), ty = Tensor(shape: [30], scalars: y)
        let truncated = try Support.run1("Mod", [tx, ty], attributes: ["fmod": .int(1)]).scalars(as: Float.self)
        #expect(truncated == zip(x, y).map { fmod($0, $1) })
        let floored = try Support.run1("Mod", [tx, ty]).scalars(as: Float.self)
        #expect(Support.close(floored.map(Double.init), zip(x, y).map { p, q in
            let r = Double(p) - Double(q) * (Double(p) / Double(q)).rounded(.down)
            return r
        }, tolerance: 1e-5))
        #expect(throws: KernelError.self) { try Support.run1("Mod", [a, Tensor(scalar: Int64(0))]) }
    }

    @Test func powMixesBaseAndExponentTypes() throws {
        let base = Tensor(shape: [3], scalars: [Float(1.5), 2, -3])
        #expect(try Support.run1("Pow", [base, Tensor(shape: [3], scalars: [Float(2), 0.5, 3])]).scalars(as: Float.self)
            == [2.25, Float(2).squareRoot(), -27])
        #expect(try Support.run1("Pow", [base, Tensor(shape: [3], scalars: [Int64(2), 3, 2])]).scalars(as: Float.self)
            == [2.25, 8, 9])
        #expect(try Support.run1("Pow", [base, Tensor(shape: [3], scalars: [UInt64(2), 3, 2])]).scalars(as: Float.self)
            == [2.25, 8, 9])
        let ints = Tensor(shape: [3], scalars: [Int32(2), -3, 5])
        #expect(try Support.run1("Pow", [ints, Tensor(shape: [3], scalars: [Int32(10), 3, 0])]).scalars(as: Int32.self)
            == [1024, -27, 1])
        #expect(try Support.run1("Pow", [ints, Tensor(scalar: Float(2.5))]).scalars(as: Int32.self)
            == [5, 0, 55])  // NaN (negative base, fractional power) casts to 0.
        #expect(throws: KernelError.self) { try Support.run1("Pow", [ints, Tensor(scalar: Int32(-1))]) }
    }

    @Test func comparisonsOnNumbersBoolsAndStrings() throws {
        var generator = Support.SeededGenerator(seed: 23)
        let a = Support.nonZeroInts(12, range: 3, generator: &generator).map(Double.init)
        let b = Support.nonZeroInts(4, range: 3, generator: &generator).map(Double.init)
        let ta = Tensor(shape: [3, 4], scalars: a), tb = Tensor(shape: [4], scalars: b)
        let cases: [(String, (Double, Double) -> Bool)] = [
            ("Equal", { $0 == $1 }), ("Greater", { $0 > $1 }), ("GreaterOrEqual", { $0 >= $1 }),
            ("Less", { $0 < $1 }), ("LessOrEqual", { $0 <= $1 }),
        ]
        for (op, f) in cases {
            let expected = Support.broadcastReference([([3, 4], a), ([4], b)]) { f($0[0], $0[1]) }.values
            #expect(try Support.run1(op, [ta, tb]).scalars(as: Bool.self) == expected, "\(op)")
            #expect(try Support.run1(op, [ta.converted(to: .int16), tb.converted(to: .int16)]).scalars(as: Bool.self) == expected)
            #expect(try Support.run1(op, [ta.converted(to: .float16), tb.converted(to: .float16)]).scalars(as: Bool.self) == expected)
        }
        let nan = Tensor(shape: [2], scalars: [Float.nan, 1])
        #expect(try Support.run1("Equal", [nan, nan]).scalars(as: Bool.self) == [false, true])
        let flags = Tensor(shape: [3], scalars: [true, false, true])
        #expect(try Support.run1("Equal", [flags, Tensor(scalar: true)]).scalars(as: Bool.self) == [true, false, true])
        let words = Tensor(shape: [3], strings: ["a", "b", "c"])
        #expect(try Support.run1("Equal", [words, Tensor(shape: [1], strings: ["b"])]).scalars(as: Bool.self) == [false, true, false])
        #expect(throws: KernelError.self) { try Support.run1("Greater", [flags, flags]) }
        #expect(throws: KernelError.self) { try Support.run1("Less", [ta, tb.converted(to: .float32)]) }
    }

    @Test func logicalAndBitwise() throws {
        let a = Tensor(shape: [2, 2], scalars: [true, true, false, false]), b = Tensor(shape: [2], scalars: [true, false])
        #expect(try Support.run1("And", [a, b]).scalars(as: Bool.self) == [true, false, false, false])
        #expect(try Support.run1("Or", [a, b]).scalars(as: Bool.self) == [true, true, true, false])
        #expect(try Support.run1("Xor", [a, b]).scalars(as: Bool.self) == [false, true, true, false])
        #expect(throws: KernelError.self) { try Support.run1("And", [a, Tensor(shape: [1], scalars: [Float(1)])]) }
        var generator = Support.SeededGenerator(seed: 24)
        let x = (0..<8).map { _ in UInt16.random(in: 1...UInt16.max, using: &generator) }
        let y = (0..<8).map { _ in UInt16.random(in: 1...UInt16.max, using: &generator) }
        let tx = Tensor(shape: [8], scalars: x), ty = Tensor(shape: [8], scalars: y)
        #expect(try Support.run1("BitwiseAnd", [tx, ty]).scalars(as: UInt16.self) == zip(x, y).map { $0 & $1 })
        #expect(try Support.run1("BitwiseOr", [tx, ty]).scalars(as: UInt16.self) == zip(x, y).map { $0 | $1 })
        #expect(try Support.run1("BitwiseXor", [tx, ty]).scalars(as: UInt16.self) == zip(x, y).map { $0 ^ $1 })
    }

    @Test func bitShiftDirectionsAndOutOfRangeAmounts() throws {
        let x = Tensor(shape: [4], scalars: [UInt8(0b1001), 1, 255, 16]), s = Tensor(shape: [4], scalars: [UInt8(1), 7, 8, 2])
        #expect(try Support.run1("BitShift", [x, s], attributes: ["direction": .string("LEFT")]).scalars(as: UInt8.self)
            == [0b10010, 128, 0, 64])
        #expect(try Support.run1("BitShift", [x, s], attributes: ["direction": .string("RIGHT")]).scalars(as: UInt8.self)
            == [0b100, 0, 0, 4])
        let signed = Tensor(shape: [3], scalars: [Int8(-16), 64, -1]), amounts = Tensor(shape: [3], scalars: [Int8(2), 1, 9])
        #expect(try Support.run1("BitShift", [signed, amounts], attributes: ["direction": .string("RIGHT")]).scalars(as: Int8.self)
            == [-4, 32, -1])
        #expect(try Support.run1("BitShift", [signed, amounts], attributes: ["direction": .string("LEFT")]).scalars(as: Int8.self)
            == [-64, -128, 0])
        #expect(throws: KernelError.self) { try Support.run1("BitShift", [x, s], attributes: ["direction": .string("UP")]) }
    }

    @Test func incompatibleShapesAndTypesAreErrors() {
        let a = Tensor(zeros: .float32, shape: [2, 3]), b = Tensor(zeros: .float32, shape: [4])
        for op in ["Add", "Sub", "Mul", "Div", "Pow", "Equal", "Max", "PRelu"] {
            #expect(throws: KernelError.self, "\(op)") { try Support.run1(op, [a, b]) }
        }
        #expect(throws: KernelError.self) { try Support.run1("Add", [a, Tensor(zeros: .float64, shape: [3])]) }
        #expect(throws: KernelError.self) { try Support.run1("Add", [a]) }
    }

    @Test func legacyBroadcastAttributeAlignsAtAxis() throws {
        var generator = Support.SeededGenerator(seed: 25)
        let a = Support.nonZeroFloats(24, generator: &generator), b = Support.nonZeroFloats(3, generator: &generator)
        let y = try Support.run1("Add", [Tensor(shape: [2, 3, 4], scalars: a), Tensor(shape: [3], scalars: b)],
                                 attributes: ["broadcast": .int(1), "axis": .int(1)], opset: 6)
        #expect(y.scalars(as: Float.self) == Support.broadcastReference([([2, 3, 4], a), ([3, 1], b)]) { $0[0] + $0[1] }.values)
        #expect(throws: KernelError.self) {
            try Support.run1("Add", [Tensor(shape: [2, 3, 4], scalars: a), Tensor(shape: [3], scalars: b)], opset: 6)
        }
    }
}
