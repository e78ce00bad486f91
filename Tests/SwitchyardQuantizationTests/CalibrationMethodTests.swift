import Foundation
import Testing
import SwitchyardQuantization
import SwitchyardTensor

@Suite struct CalibrationMethodTests {
    private func uniform(_ count: Int, in range: ClosedRange<Float>, seed: UInt64) -> [Float] {
        var random = SplitMix64(seed: seed)
        return (0..<count).map { _ in Float.random(in: range, using: &random) }
    }

    @Test func minmaxIsTheObservedRange() {
        var values = uniform(10_000, in: -0.5...2.5, seed: 1)
        values[17] = -0.75
        values[4242] = 3
        let range = ActivationRange.estimate(values, method: .minmax)
        #expect(range == ActivationRange(minimum: -0.75, maximum: 3))
        let (scale, zeroPoint) = range.quantizationParameters(for: .u8)
        #expect(abs(scale - 3.75 / 255) < 1e-7)
        #expect(zeroPoint == 51)  // round(0.75 / scale)
    }

    @Test func percentileDropsAnOutlier() {
        var values = uniform(100_000, in: -1...1, seed: 2)
        values[500] = 100
        let range = ActivationRange.estimate(values, method: .percentile, percentile: 99.99)
        #expect(range.maximum < 1.1)
        #expect(range.maximum > 0.95)
        #expect(range.minimum < -0.95)
    }

    @Test func entropyClipsAHeavyTail() {
        // Laplace-distributed values: most mass near 0, a long tail out to the maximum.
        var random = SplitMix64(seed: 3)
        let values = (0..<50_000).map { _ -> Float in
            let u = Float.random(in: Float.leastNonzeroMagnitude..<1, using: &random)
            let sign: Float = Bool.random(using: &random) ? 1 : -1
            return sign * -log(u)
        }
        let largest = values.map { abs($0) }.max()!
        let range = ActivationRange.estimate(values, method: .entropy)
        #expect(range.maximum < 0.8 * largest)
        #expect(range.maximum > 2)  // still covers the bulk (|x| < 2 holds 86% of the mass)
    }

    @Test func entropyKeepsTheMaxOfAUniformDistribution() {
        let values = uniform(50_000, in: 0...1, seed: 4)
        let range = ActivationRange.estimate(values, method: .entropy)
        #expect(range.maximum > 0.9)
    }

    @Test func zeroPointsStayInRange() {
        let negative = ActivationRange(minimum: -4, maximum: -1).quantizationParameters(for: .u8)
        #expect(negative.zeroPoint == 255)
        let signed = ActivationRange(minimum: 0, maximum: 6).quantizationParameters(for: .s8)
        #expect(signed.zeroPoint == -128)
        let constant = ActivationRange(minimum: 0, maximum: 0).quantizationParameters(for: .u8)
        #expect(constant.scale == 1 && constant.zeroPoint == 0)
    }
}
