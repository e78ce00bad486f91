import Foundation
import Testing
import SwitchyardGraph
import SwitchyardTensor
@testable import SwitchyardEngine

@Suite struct LossTests {
    typealias F = NormRNNFixtures

    /// Naive weighted NLL over `[n, c, d]` scores with `ignore` excluded from the mean.
    static func nll(_ x: [Double], targets: [Int], n: Int, c: Int, d: Int, weights: [Double]?, ignore: Int?,
                    reduction: String) -> [Double] {
        var losses: [Double] = [], weightSum = 0.0
        for i in 0..<n { for p in 0..<d {
            let target = targets[i * d + p]
            if target == ignore { losses.append(0); continue }
            let w = weights?[target] ?? 1
            losses.append(-x[(i * c + target) * d + p] * w)
            weightSum += w
        } }
        switch reduction {
        case "none": return losses
        case "sum": return [losses.reduce(0, +)]
        default: return [losses.reduce(0, +) / weightSum]
        }
    }

    @Test(arguments: ["none", "sum", "mean"])
    func negativeLogLikelihood(reduction: String) throws {
        var rng = F.SeededGenerator(seed: 40)
        let (n, c, d1, d2) = (2, 4, 2, 3)
        let x = F.values(n * c * d1 * d2, using: &rng), weights = F.values(c, in: 0.1...2, using: &rng)
        let targets = (0..<(n * d1 * d2)).map { _ in Int.random(in: 0..<c, using: &rng) }
        let expected = Self.nll(x, targets: targets, n: n, c: c, d: d1 * d2, weights: weights, ignore: targets[1],
                                reduction: reduction)
        let y = try F.run("NegativeLogLikelihoodLoss", opset: 13, inputs: [
            F.tensor([n, c, d1, d2], x), Tensor(shape: [n, d1, d2], scalars: targets.map(Int64.init)), F.tensor([c], weights),
        ], attributes: ["reduction": .string(reduction), "ignore_index": .int(targets[1])])
        F.expectClose(y[0], expected, shape: reduction == "none" ? [n, d1, d2] : [])
    }

    @Test func softmaxCrossEntropyWithLogProbabilities() throws {
        var rng = F.SeededGenerator(seed: 41)
        let (n, c, d) = (3, 5, 2)
        let x = F.values(n * c * d, using: &rng)
        let targets = (0..<(n * d)).map { _ in Int.random(in: 0..<c, using: &rng) }
        var logProbabilities = x
        for i in 0..<n { for p in 0..<d {
            let column = (0..<c).map { x[(i * c + $0) * d + p] }
            let logSum = log(column.map(exp).reduce(0, +))
            for k in 0..<c { logProbabilities[(i * c + k) * d + p] = x[(i * c + k) * d + p] - logSum }
        } }
        let expected = Self.nll(logProbabilities, targets: targets, n: n, c: c, d: d, weights: nil, ignore: nil, reduction: "mean")
        let outputs = try F.run("SoftmaxCrossEntropyLoss", opset: 13, inputs: [
            F.tensor([n, c, d], x, .float64), Tensor(shape: [n, d], scalars: targets.map(Int32.init)),
        ], outputs: ["loss", "log_prob"])
        F.expectClose(outputs[0], expected, shape: [])
        F.expectClose(outputs[1], logProbabilities, shape: [n, c, d])
    }

    @Test func rejectsBadTargets() {
        let x = F.tensor([2, 3], [0.1, 0.2, 0.3, 0.4, 0.5, 0.6])
        F.expectInvalid("out of range") {
            try F.run("NegativeLogLikelihoodLoss", opset: 13, inputs: [x, Tensor(shape: [2], scalars: [Int64(0), 3])])
        }
        F.expectInvalid("target shape") {
            try F.run("SoftmaxCrossEntropyLoss", opset: 13, inputs: [x, Tensor(shape: [3], scalars: [Int64(0), 1, 2])])
        }
    }
}
