import Foundation
import Testing
import SwitchyardGraph
import SwitchyardTensor
@testable import SwitchyardEngine

@Suite struct BatchNormalizationTests {
    typealias F = NormRNNFixtures

    /// Per-channel batch mean and population variance of an `[N, C, inner]` array, by direct
    /// summation.
    static func channelStatistics(_ x: [Double], n: Int, c: Int, inner: Int) -> (mean: [Double], variance: [Double]) {
        var mean = [Double](repeating: 0, count: c), variance = [Double](repeating: 0, count: c)
        let count = Double(n * inner)
        for channel in 0..<c {
            var sum = 0.0
            for batch in 0..<n { for i in 0..<inner { sum += x[(batch * c + channel) * inner + i] } }
            mean[channel] = sum / count
            var squares = 0.0
            for batch in 0..<n {
                for i in 0..<inner { squares += pow(x[(batch * c + channel) * inner + i] - mean[channel], 2) }
            }
            variance[channel] = squares / count
        }
        return (mean, variance)
    }

    static func normalized(_ x: [Double], n: Int, c: Int, inner: Int, scale: [Double], bias: [Double],
                           mean: [Double], variance: [Double], epsilon: Double) -> [Double] {
        var y = x
        for batch in 0..<n {
            for channel in 0..<c {
                for i in 0..<inner {
                    let index = (batch * c + channel) * inner + i
                    y[index] = scale[channel] * (x[index] - mean[channel]) / sqrt(variance[channel] + epsilon) + bias[channel]
                }
            }
        }
        return y
    }

    @Test(arguments: [DataType.float32, .float64, .float16, .bfloat16])
    func inferenceMatchesFormula(type: DataType) throws {
        var rng = F.SeededGenerator(seed: 11)
        let (n, c, h, w) = (2, 3, 4, 5)
        // Round inputs to the tested type first, so the expectation sees the same data.
        let x = F.tensor([n, c, h, w], F.values(n * c * h * w, using: &rng), type)
        let scale = F.tensor([c], F.values(c, using: &rng), type)
        let bias = F.tensor([c], F.values(c, using: &rng), type)
        let mean = F.tensor([c], F.values(c, using: &rng), type)
        let variance = F.tensor([c], F.values(c, in: 0.1...2, using: &rng), type)
        let outputs = try F.run("BatchNormalization", opset: 15, inputs: [x, scale, bias, mean, variance],
                                attributes: ["epsilon": .float(0.01)])
        #expect(outputs.count == 1)
        #expect(outputs[0].dataType == type)
        let expected = Self.normalized(x.doubles(), n: n, c: c, inner: h * w, scale: scale.doubles(),
                                       bias: bias.doubles(), mean: mean.doubles(), variance: variance.doubles(),
                                       epsilon: Double(Float(0.01)))
        let tolerance = switch type { case .float16: 4e-3; case .bfloat16: 3e-2; default: 1e-5 }
        F.expectClose(outputs[0], expected, shape: [n, c, h, w], tolerance: tolerance)
    }

    @Test func trainingModeOpset15ReturnsRunningStatistics() throws {
        var rng = F.SeededGenerator(seed: 12)
        let (n, c, inner) = (3, 2, 6)
        let xValues = F.values(n * c * inner, using: &rng)
        let scale = F.values(c, using: &rng), bias = F.values(c, using: &rng)
        let mean = F.values(c, using: &rng), variance = F.values(c, in: 0.1...2, using: &rng)
        let outputs = try F.run(
            "BatchNormalization", opset: 15,
            inputs: [F.tensor([n, c, 2, 3], xValues), F.tensor([c], scale), F.tensor([c], bias),
                     F.tensor([c], mean), F.tensor([c], variance)],
            attributes: ["training_mode": .int(1), "momentum": .float(0.8)],
            outputs: ["Y", "running_mean", "running_var"])
        #expect(outputs.count == 3)
        let batch = Self.channelStatistics(xValues, n: n, c: c, inner: inner)
        let y = Self.normalized(xValues, n: n, c: c, inner: inner, scale: scale, bias: bias,
                                mean: batch.mean, variance: batch.variance, epsilon: 1e-5)
        F.expectClose(outputs[0], y, shape: [n, c, 2, 3])
        let momentum = Double(Float(0.8))
        F.expectClose(outputs[1], (0..<c).map { mean[$0] * momentum + batch.mean[$0] * (1 - momentum) }, shape: [c])
        F.expectClose(outputs[2], (0..<c).map { variance[$0] * momentum + batch.variance[$0] * (1 - momentum) }, shape: [c])
    }

    @Test func trainingOpset9IsSelectedByExtraOutputsAndSavesBatchStatistics() throws {
        var rng = F.SeededGenerator(seed: 13)
        let (n, c, inner) = (2, 4, 3)
        let xValues = F.values(n * c * inner, using: &rng)
        let parameters = (0..<4).map { index in F.values(c, in: index == 3 ? 0.1...2 : -2...2, using: &rng) }
        let inputs = [F.tensor([n, c, inner], xValues)] + parameters.map { F.tensor([c], $0) }
        let outputs = try F.run("BatchNormalization", opset: 9, inputs: inputs,
                                outputs: ["Y", "mean", "var", "saved_mean", "saved_var"])
        #expect(outputs.count == 5)
        let batch = Self.channelStatistics(xValues, n: n, c: c, inner: inner)
        F.expectClose(outputs[0], Self.normalized(xValues, n: n, c: c, inner: inner, scale: parameters[0],
                                                  bias: parameters[1], mean: batch.mean, variance: batch.variance,
                                                  epsilon: 1e-5), shape: [n, c, inner])
        let momentum = Double(Float(0.9))
        F.expectClose(outputs[1], (0..<c).map { parameters[2][$0] * momentum + batch.mean[$0] * (1 - momentum) }, shape: [c])
        F.expectClose(outputs[3], batch.mean, shape: [c])
        F.expectClose(outputs[4], batch.variance, shape: [c])

        // The same node with only Y runs inference with the given statistics.
        let inference = try F.run("BatchNormalization", opset: 9, inputs: inputs)
        F.expectClose(inference[0], Self.normalized(xValues, n: n, c: c, inner: inner, scale: parameters[0],
                                                    bias: parameters[1], mean: parameters[2], variance: parameters[3],
                                                    epsilon: 1e-5), shape: [n, c, inner])
    }

    @Test func opset6IsTestForcesInference() throws {
        var rng = F.SeededGenerator(seed: 14)
        let xValues = F.values(2 * 2 * 3, using: &rng)
        let parameters = (0..<4).map { index in F.values(2, in: index == 3 ? 0.5...2 : -2...2, using: &rng) }
        let inputs = [F.tensor([2, 2, 3], xValues)] + parameters.map { F.tensor([2], $0) }
        let outputs = try F.run("BatchNormalization", opset: 6, inputs: inputs,
                                attributes: ["is_test": .int(1)], outputs: ["Y", "mean", "var"])
        F.expectClose(outputs[0], Self.normalized(xValues, n: 2, c: 2, inner: 3, scale: parameters[0],
                                                  bias: parameters[1], mean: parameters[2], variance: parameters[3],
                                                  epsilon: 1e-5), shape: [2, 2, 3])
    }

    @Test func nonSpatialOpset7NormalizesEachFeature() throws {
        var rng = F.SeededGenerator(seed: 15)
        let (n, c, d) = (2, 2, 3)
        let xValues = F.values(n * c * d, using: &rng)
        let features = c * d
        let parameters = (0..<4).map { index in F.values(features, in: index == 3 ? 0.1...2 : -2...2, using: &rng) }
        let inputs = [F.tensor([n, c, d], xValues)] + parameters.map { F.tensor([c, d], $0) }
        let outputs = try F.run("BatchNormalization", opset: 7, inputs: inputs, attributes: ["spatial": .int(0)])
        // Each (c, d) position is its own feature: the same formula over [N, C*D, 1].
        F.expectClose(outputs[0], Self.normalized(xValues, n: n, c: features, inner: 1, scale: parameters[0],
                                                  bias: parameters[1], mean: parameters[2], variance: parameters[3],
                                                  epsilon: 1e-5), shape: [n, c, d])
        let training = try F.run("BatchNormalization", opset: 7, inputs: inputs, attributes: ["spatial": .int(0)],
                                 outputs: ["Y", "mean", "var", "saved_mean", "saved_var"])
        let batch = Self.channelStatistics(xValues, n: n, c: features, inner: 1)
        F.expectClose(training[3], batch.mean, shape: [c, d])
        F.expectClose(training[4], batch.variance, shape: [c, d])
    }

    @Test func mixedParameterTypesOpset15() throws {
        var rng = F.SeededGenerator(seed: 16)
        let xValues = F.values(2 * 3 * 4, using: &rng)
        let x = F.tensor([2, 3, 4], xValues, .float16)
        let scale = F.values(3, using: &rng), bias = F.values(3, using: &rng)
        let mean = F.values(3, using: &rng), variance = F.values(3, in: 0.2...2, using: &rng)
        let outputs = try F.run("BatchNormalization", opset: 15,
                                inputs: [x, F.tensor([3], scale), F.tensor([3], bias),
                                         F.tensor([3], mean, .float64), F.tensor([3], variance, .float64)])
        #expect(outputs[0].dataType == .float16)
        F.expectClose(outputs[0], Self.normalized(x.doubles(), n: 2, c: 3, inner: 4, scale: F.tensor([3], scale).doubles(),
                                                  bias: F.tensor([3], bias).doubles(), mean: mean, variance: variance,
                                                  epsilon: 1e-5), shape: [2, 3, 4], tolerance: 4e-3)
    }

    @Test func invalidInputsThrow() {
        var rng = F.SeededGenerator(seed: 17)
        let x = F.tensor([2, 3, 2], F.values(12, using: &rng))
        let three = F.tensor([3], [1, 2, 3]), four = F.tensor([4], [1, 2, 3, 4])
        F.expectInvalid("'scale' has shape [4]") {
            try F.run("BatchNormalization", opset: 15, inputs: [x, four, three, three, three])
        }
        F.expectInvalid("rank ≥ 2") {
            try F.run("BatchNormalization", opset: 15, inputs: [F.tensor([3], [1, 2, 3]), three, three, three, three])
        }
        F.expectInvalid("only valid with training_mode = 1") {
            try F.run("BatchNormalization", opset: 15, inputs: [x, three, three, three, three],
                      outputs: ["Y", "running_mean", "running_var"])
        }
        F.expectInvalid("must be float16, bfloat16, float or double") {
            try F.run("BatchNormalization", opset: 15,
                      inputs: [Tensor(shape: [1, 3], scalars: [Int32(1), 2, 3]), three, three, three, three])
        }
        F.expectInvalid("needs input 4") {
            try F.run("BatchNormalization", opset: 15, inputs: [x, three, three, three])
        }
    }

    @Test func largeFloat32InputUsesContiguousPath() throws {
        // A realistic activation shape: the float32 path must agree with the formula everywhere.
        var rng = F.SeededGenerator(seed: 18)
        let (n, c, h, w) = (1, 16, 12, 10)
        let xValues = F.values(n * c * h * w, using: &rng)
        let parameters = (0..<4).map { index in F.values(c, in: index == 3 ? 0.1...2 : -2...2, using: &rng) }
        let outputs = try F.run("BatchNormalization", opset: 15,
                                inputs: [F.tensor([n, c, h, w], xValues)] + parameters.map { F.tensor([c], $0) })
        let x32 = F.tensor([n, c, h, w], xValues).doubles(), p32 = parameters.map { F.tensor([c], $0).doubles() }
        F.expectClose(outputs[0], Self.normalized(x32, n: n, c: c, inner: h * w, scale: p32[0], bias: p32[1],
                                                  mean: p32[2], variance: p32[3], epsilon: 1e-5), shape: [n, c, h, w])
    }
}
