import Testing
import SwitchyardTensor
@testable import SwitchyardQuantization

/// Per-channel weight scales: a channel of subnormal weights (PP-OCRv4 rec after BatchNorm
/// folding) quantizes like an all-zero one, so its bias still fits int32 and the layer can run in int8.
@Suite struct WeightQuantizationTests {
    @Test func subnormalChannelsQuantizeToZeroAtScaleOne() throws {
        let weights = Tensor(shape: [3, 2], scalars: [0.5, -0.25, 8e-40, -3e-40, 0, 0] as [Float])
        let quantized = WeightQuantization.quantize(weights, axis: 0)
        #expect(quantized.scales[0] == 0.5 / 127)
        #expect(quantized.scales[1] == 1 && quantized.scales[2] == 1)
        #expect(quantized.values.int64s() == [127, -64, 0, 0, 0, 0])
        let bias = Tensor(shape: [3], scalars: [0.1, 6.8, -2] as [Float])
        let int32 = try #require(WeightQuantization.quantizeBias(bias, inputScale: 0.02, weightScales: quantized.scales))
        #expect(int32.values.int64s() == [1270, 340, -100])
    }

    @Test func smallNormalWeightsKeepTheirOwnScale() {
        let quantized = WeightQuantization.quantize(Tensor(shape: [1, 2], scalars: [1.5e-20, -2e-20] as [Float]), axis: 0)
        #expect(quantized.scales == [Float(2e-20) / 127])
        #expect(quantized.values.int64s() == [95, -127])
    }
}

/// Tiny but normal weights with a real bias: the scale floor keeps the bias within int32.
@Suite struct WeightScaleFloorTests {
    @Test func aNearlyDeadChannelGetsAScaleItsBiasFits() throws {
        let weights = Tensor(shape: [2, 2], scalars: [0.5, -0.25, 3e-30, -1e-30] as [Float])
        let bias = Tensor(shape: [2], scalars: [0.1, 6.8] as [Float])
        let inputScale: Float = 0.02
        let unfloored = WeightQuantization.quantize(weights, axis: 0)
        #expect(WeightQuantization.quantizeBias(bias, inputScale: inputScale, weightScales: unfloored.scales) == nil)

        let floors = WeightQuantization.smallestScalesFitting(bias, inputScale: inputScale)
        let quantized = WeightQuantization.quantize(weights, axis: 0, minimumScales: floors)
        #expect(quantized.scales[0] == 0.5 / 127)  // a live channel keeps its own scale
        #expect(quantized.values.int64s() == [127, -64, 0, 0])
        let int32 = try #require(WeightQuantization.quantizeBias(bias, inputScale: inputScale, weightScales: quantized.scales))
        // The dead channel's bias survives to within its step.
        let restored = Double(int32.values.int64s()[1]) * Double(inputScale * quantized.scales[1])
        #expect(abs(restored - 6.8) < 1e-5)
    }
}
