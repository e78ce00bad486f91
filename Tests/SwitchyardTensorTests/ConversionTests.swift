import Testing
@testable import SwitchyardTensor

@Suite struct ConversionTests {
    @Test func floatToIntTruncatesAndSaturates() {
        let tensor = Tensor(shape: [5], scalars: [Float(1.9), -1.9, 1e20, -1e20, .nan])
        #expect(tensor.converted(to: .int32).scalars(as: Int32.self) == [1, -1, .max, .min, 0])
    }

    @Test func bfloat16RoundsToNearestEven() {
        // 1 + 2^-8 lies halfway between two bfloat16 values; ties go to the even one (1.0).
        #expect(BFloat16(Float(1 + 0x1p-8)).floatValue == 1)
        #expect(BFloat16(Float(1 + 3 * 0x1p-8)).floatValue == 1 + 0x1p-6)
        #expect(BFloat16(Float.nan).floatValue.isNaN)
    }

    @Test func copyOnWriteLeavesTheOriginal() {
        let original = Tensor(shape: [3], scalars: [Int64(1), 2, 3])
        var copy = original
        copy.withUnsafeMutableBufferPointer(of: Int64.self) { $0[0] = 9 }
        #expect(original.scalars(as: Int64.self) == [1, 2, 3])
        #expect(copy.scalars(as: Int64.self) == [9, 2, 3])
    }
}
