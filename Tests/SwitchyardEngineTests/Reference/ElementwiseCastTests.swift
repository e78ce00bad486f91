import Foundation
import Testing
@testable import SwitchyardEngine
import SwitchyardGraph
import SwitchyardTensor

@Suite struct ElementwiseCastTests {
    typealias Support = ElementwiseTestSupport

    func cast(_ x: Tensor, to type: DataType) throws -> Tensor {
        try Support.run1("Cast", [x], attributes: ["to": .int(Int(type.rawValue))])
    }

    @Test func numericCastsTruncateAndRound() throws {
        let x = Tensor(shape: [5], scalars: [Float(1.9), -1.9, 300.5, -0.2, 65504])
        #expect(try cast(x, to: .int32).scalars(as: Int32.self) == [1, -1, 300, 0, 65504])
        #expect(try cast(x, to: .float64).scalars(as: Double.self) == [1.9, -1.9, 300.5, -0.2, 65504].map { Double(Float($0)) })
        #expect(try cast(x, to: .bool).scalars(as: Bool.self) == [true, true, true, true, true])
        #expect(try cast(x, to: .float16).scalars(as: Float16.self) == x.scalars(as: Float.self).map { Float16($0) })
        let big = Tensor(shape: [2], scalars: [UInt64(1) << 63, 12])
        #expect(try cast(big, to: .float64).scalars(as: Double.self) == [9.223372036854775808e18, 12])
        #expect(try cast(Tensor(shape: [2], scalars: [Int64(-1), 300]), to: .uint8).scalars(as: UInt8.self) == [255, 44])
        // double -> half rounds once: 1 + 2^-11 + 2^-30 is just above a half-way point.
        let double = Tensor(scalar: 1 + 0x1p-11 + 0x1p-30)
        #expect(try cast(double, to: .float16).scalars(as: Float16.self) == [Float16(1 + 0x1p-10)])
    }

    @Test func castToStringUsesNumPyFormatting() throws {
        // Expected strings are NumPy 2.4's `astype(str)`.
        let floats = Tensor(shape: [11], scalars: [Float(1), 0.1, -2.5, 1e16, 999999, 1e6, 16777216, 0.0001, 0.00015, .infinity, .nan])
        #expect(try cast(floats, to: .string).strings
            == ["1.0", "0.1", "-2.5", "1e+16", "999999.0", "1e+06", "1.6777216e+07", "1e-04", "0.00015", "inf", "nan"])
        #expect(try cast(Tensor(shape: [4], scalars: [Double(123456.789), 1.5e-7, 1e15, 1e16]), to: .string).strings
            == ["123456.789", "1.5e-07", "1000000000000000.0", "1e+16"])
        #expect(try cast(Tensor(shape: [4], scalars: [Float16(999), 1000, 65504, 0.1]), to: .string).strings
            == ["999.0", "1e+03", "6.55e+04", "0.1"])
        #expect(try cast(Tensor(shape: [2], scalars: [true, false]), to: .string).strings == ["True", "False"])
        #expect(try cast(Tensor(shape: [2], scalars: [Int8(-5), 7]), to: .string).strings == ["-5", "7"])
    }

    @Test func castFromStringParses() throws {
        let words = Tensor(shape: [5], strings: ["1.5", "-inf", "NaN", "2e3", " 7 "])
        let floats = try cast(words, to: .float32).scalars(as: Float.self)
        #expect(floats[0] == 1.5 && floats[1] == -.infinity && floats[2].isNaN && floats[3] == 2000 && floats[4] == 7)
        #expect(try cast(Tensor(shape: [2], strings: ["-12", "9000000000"]), to: .int64).scalars(as: Int64.self)
            == [-12, 9_000_000_000])
        // As NumPy: every non-empty string is true.
        #expect(try cast(Tensor(shape: [4], strings: ["True", "False", "0", ""]), to: .bool).scalars(as: Bool.self)
            == [true, true, true, false])
        #expect(throws: KernelError.self) { try cast(Tensor(shape: [1], strings: ["abc"]), to: .float32) }
        #expect(throws: KernelError.self) { try cast(Tensor(shape: [1], strings: ["1.5"]), to: .int32) }
    }

    @Test func castLikeTakesTheSecondInputsType() throws {
        let y = try Support.run1("CastLike", [Tensor(shape: [2], scalars: [Float(2.7), -3.2]), Tensor(zeros: .int16, shape: [0])])
        #expect(y.dataType == .int16)
        #expect(y.scalars(as: Int16.self) == [2, -3])
    }

    @Test func opset1NamesTheTargetType() throws {
        let x = Tensor(shape: [2], scalars: [Float(2.5), -1])
        let y = try Support.run1("Cast", [x], attributes: ["to": .string("INT64")], opset: 1)
        #expect(y.scalars(as: Int64.self) == [2, -1])
        #expect(try Support.run1("Cast", [x], attributes: ["to": .string("DOUBLE")], opset: 1).dataType == .float64)
        #expect(throws: KernelError.self) { try Support.run1("Cast", [x], attributes: ["to": .string("COMPLEX64")], opset: 1) }
    }

    @Test func unsupportedTargetsAreReported() {
        let x = Tensor(shape: [1], scalars: [Float(1)])
        // 17 is FLOAT8E4M3FN, which our tensors do not hold.
        #expect(throws: KernelError.self) { try Support.run1("Cast", [x], attributes: ["to": .int(17)]) }
        #expect(throws: KernelError.self) { try Support.run1("Cast", [x]) }
    }
}
