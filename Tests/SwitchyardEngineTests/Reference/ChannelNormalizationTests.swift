import Foundation
import Testing
import SwitchyardGraph
import SwitchyardTensor
@testable import SwitchyardEngine

/// InstanceNormalization and GroupNormalization.
@Suite struct ChannelNormalizationTests {
    typealias F = NormRNNFixtures

    /// Group normalization by definition: for each instance and group, the mean and variance of
    /// the group's channels' elements; then `scale[c]`, `bias[c]` per channel.
    static func groupNorm(_ x: [Double], n: Int, c: Int, inner: Int, groups: Int,
                          channelScale: [Double], channelBias: [Double], epsilon: Double) -> [Double] {
        var y = x
        let size = c / groups
        for batch in 0..<n {
            for group in 0..<groups {
                var members: [Int] = []
                for channel in (group * size)..<((group + 1) * size) {
                    for i in 0..<inner { members.append((batch * c + channel) * inner + i) }
                }
                let mean = members.map { x[$0] }.reduce(0, +) / Double(members.count)
                let variance = members.map { pow(x[$0] - mean, 2) }.reduce(0, +) / Double(members.count)
                for index in members {
                    let channel = (index / inner) % c
                    y[index] = channelScale[channel] * (x[index] - mean) / sqrt(variance + epsilon) + channelBias[channel]
                }
            }
        }
        return y
    }

    @Test(arguments: [DataType.float32, .float64, .float16])
    func instanceNormalizationPerChannel(type: DataType) throws {
        var rng = F.SeededGenerator(seed: 41)
        let (n, c, h, w) = (2, 3, 2, 4)
        let x = F.tensor([n, c, h, w], F.values(n * c * h * w, using: &rng), type)
        let scale = F.tensor([c], F.values(c, using: &rng), type)
        let bias = F.tensor([c], F.values(c, using: &rng), type)
        let outputs = try F.run("InstanceNormalization", opset: 6, inputs: [x, scale, bias],
                                attributes: ["epsilon": .float(0.05)])
        let expected = Self.groupNorm(x.doubles(), n: n, c: c, inner: h * w, groups: c, channelScale: scale.doubles(),
                                      channelBias: bias.doubles(), epsilon: Double(Float(0.05)))
        F.expectClose(outputs[0], expected, shape: [n, c, h, w], tolerance: type == .float16 ? 4e-3 : 1e-5)
    }

    @Test(arguments: [1, 2, 3, 6])
    func groupNormalizationOpset21PerChannelParameters(groups: Int) throws {
        var rng = F.SeededGenerator(seed: 42)
        let (n, c, inner) = (2, 6, 5)
        let x = F.tensor([n, c, inner], F.values(n * c * inner, using: &rng))
        let scale = F.tensor([c], F.values(c, using: &rng)), bias = F.tensor([c], F.values(c, using: &rng))
        let outputs = try F.run("GroupNormalization", opset: 21, inputs: [x, scale, bias],
                                attributes: ["num_groups": .int(groups), "epsilon": .float(1e-2)])
        let expected = Self.groupNorm(x.doubles(), n: n, c: c, inner: inner, groups: groups, channelScale: scale.doubles(),
                                      channelBias: bias.doubles(), epsilon: Double(Float(1e-2)))
        F.expectClose(outputs[0], expected, shape: [n, c, inner])
    }

    @Test func groupNormalizationOpset18PerGroupParameters() throws {
        var rng = F.SeededGenerator(seed: 43)
        let (n, c, h, w, groups) = (1, 4, 3, 3, 2)
        let x = F.tensor([n, c, h, w], F.values(n * c * h * w, using: &rng))
        let scale = F.tensor([groups], F.values(groups, using: &rng))
        let bias = F.tensor([groups], F.values(groups, using: &rng))
        let outputs = try F.run("GroupNormalization", opset: 18, inputs: [x, scale, bias],
                                attributes: ["num_groups": .int(groups)])
        // Channel c belongs to group c / 2 and takes that group's scale and bias.
        let channelScale = (0..<c).map { scale.doubles()[$0 / 2] }
        let channelBias = (0..<c).map { bias.doubles()[$0 / 2] }
        let expected = Self.groupNorm(x.doubles(), n: n, c: c, inner: h * w, groups: groups, channelScale: channelScale,
                                      channelBias: channelBias, epsilon: Double(Float(1e-5)))
        F.expectClose(outputs[0], expected, shape: [n, c, h, w])

        // Opset 21 reads the same two-element parameters as per-channel: a shape error.
        F.expectInvalid("expected C = 4 elements") {
            try F.run("GroupNormalization", opset: 21, inputs: [x, scale, bias], attributes: ["num_groups": .int(groups)])
        }
    }

    @Test func groupNormalizationOpset18AcceptsPerChannelParameters() throws {
        // Exporters following the corrected (opset 21) definition give C values under opset 18.
        var rng = F.SeededGenerator(seed: 44)
        let (n, c, inner, groups) = (2, 4, 3, 2)
        let x = F.tensor([n, c, inner], F.values(n * c * inner, using: &rng))
        let scale = F.tensor([c], F.values(c, using: &rng)), bias = F.tensor([c], F.values(c, using: &rng))
        let outputs = try F.run("GroupNormalization", opset: 18, inputs: [x, scale, bias],
                                attributes: ["num_groups": .int(groups)])
        let expected = Self.groupNorm(x.doubles(), n: n, c: c, inner: inner, groups: groups, channelScale: scale.doubles(),
                                      channelBias: bias.doubles(), epsilon: Double(Float(1e-5)))
        F.expectClose(outputs[0], expected, shape: [n, c, inner])
    }

    @Test func invalidInputsThrow() {
        let x = F.tensor([1, 4, 2], [1, 2, 3, 4, 5, 6, 7, 8]), four = F.tensor([4], [1, 1, 1, 1])
        F.expectInvalid("must be positive and divide the channel count 4") {
            try F.run("GroupNormalization", opset: 21, inputs: [x, four, four], attributes: ["num_groups": .int(3)])
        }
        F.expectInvalid("num_groups is required") {
            try F.run("GroupNormalization", opset: 21, inputs: [x, four, four])
        }
        F.expectInvalid("'scale' has shape [3]") {
            try F.run("InstanceNormalization", opset: 6, inputs: [x, F.tensor([3], [1, 1, 1]), four])
        }
        F.expectInvalid("rank ≥ 2") {
            try F.run("InstanceNormalization", opset: 6, inputs: [F.tensor([4], [1, 2, 3, 4]), four, four])
        }
    }
}
