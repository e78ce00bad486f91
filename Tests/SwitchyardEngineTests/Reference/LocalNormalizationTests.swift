import Foundation
import Testing
import SwitchyardGraph
import SwitchyardTensor
@testable import SwitchyardEngine

/// LpNormalization, MeanVarianceNormalization and LRN.
@Suite struct LocalNormalizationTests {
    typealias F = NormRNNFixtures

    @Test(arguments: [(1, 0), (1, -1), (2, 1), (2, -1), (2, 0)])
    func lpNormalization(p: Int, axis: Int) throws {
        var rng = F.SeededGenerator(seed: 51)
        let shape = [3, 4, 2]
        let x = F.tensor(shape, F.values(24, using: &rng)).doubles()
        let outputs = try F.run("LpNormalization", opset: 22, inputs: [F.tensor(shape, x)],
                                attributes: ["p": .int(p), "axis": .int(axis)])
        let resolved = axis < 0 ? axis + 3 : axis
        var expected = x
        for a in 0..<shape[0] { for b in 0..<shape[1] { for c in 0..<shape[2] {
            var norm = 0.0
            for k in 0..<shape[resolved] {
                var index = [a, b, c]
                index[resolved] = k
                let value = x[(index[0] * 4 + index[1]) * 2 + index[2]]
                norm += p == 1 ? abs(value) : value * value
            }
            if p == 2 { norm = sqrt(norm) }
            expected[(a * 4 + b) * 2 + c] = x[(a * 4 + b) * 2 + c] / norm
        } } }
        F.expectClose(outputs[0], expected, shape: shape)
    }

    @Test func lpNormalizationZeroNormGivesZero() throws {
        let x = F.tensor([2, 3], [0, 0, 0, 3, -4, 0])
        let outputs = try F.run("LpNormalization", opset: 1, inputs: [x])
        F.expectClose(outputs[0], [0, 0, 0, 0.6, -0.8, 0], shape: [2, 3])
        F.expectInvalid("p must be 1 or 2") {
            try F.run("LpNormalization", opset: 22, inputs: [x], attributes: ["p": .int(3)])
        }
    }

    @Test(arguments: [[0, 2, 3], [1], [-1, 0], [0, 1, 2, 3]])
    func meanVarianceNormalization(axes: [Int]) throws {
        var rng = F.SeededGenerator(seed: 52)
        let shape = [2, 3, 2, 2]
        let x = F.tensor(shape, F.values(24, using: &rng)).doubles()
        let attributes: [String: Attribute] = axes == [0, 2, 3] ? [:] : ["axes": .ints(axes)]
        let outputs = try F.run("MeanVarianceNormalization", opset: 13, inputs: [F.tensor(shape, x)],
                                attributes: attributes)
        let reduced = Set(axes.map { $0 < 0 ? $0 + 4 : $0 })
        // Two elements share statistics when they agree on every axis that is not reduced.
        func coordinates(_ flat: Int) -> [Int] { [flat / 12, (flat / 4) % 3, (flat / 2) % 2, flat % 2] }
        func key(_ flat: Int) -> [Int] { coordinates(flat).enumerated().map { reduced.contains($0) ? 0 : $1 } }
        let expected = (0..<24).map { flat -> Double in
            let members = (0..<24).filter { key($0) == key(flat) }.map { x[$0] }
            let mean = members.reduce(0, +) / Double(members.count)
            let variance = members.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(members.count)
            return (x[flat] - mean) / (sqrt(variance) + 1e-9)
        }
        F.expectClose(outputs[0], expected, shape: shape)
        F.expectInvalid("appears more than once") {
            try F.run("MeanVarianceNormalization", opset: 13, inputs: [F.tensor(shape, x)],
                      attributes: ["axes": .ints([1, -3])])
        }
    }

    @Test(arguments: [1, 2, 3, 4])
    func lrnAcrossChannels(size: Int) throws {
        var rng = F.SeededGenerator(seed: 53)
        let (n, c, h, w) = (2, 5, 2, 3)
        let x = F.tensor([n, c, h, w], F.values(n * c * h * w, using: &rng)).doubles()
        let (alpha, beta, bias) = (0.02, 0.6, 1.5)
        let outputs = try F.run("LRN", opset: 13, inputs: [F.tensor([n, c, h, w], x)],
                                attributes: ["size": .int(size), "alpha": .float(Float(alpha)),
                                             "beta": .float(Float(beta)), "bias": .float(Float(bias))])
        var expected = x
        for index in 0..<x.count {
            let channel = (index / (h * w)) % c
            var squares = 0.0
            for neighbour in 0..<c
            where neighbour >= channel - (size - 1) / 2 && neighbour <= channel + Int(ceil(Double(size - 1) / 2)) {
                squares += pow(x[index + (neighbour - channel) * h * w], 2)
            }
            expected[index] = x[index] / pow(Double(Float(bias)) + Double(Float(alpha)) / Double(size) * squares, Double(Float(beta)))
        }
        F.expectClose(outputs[0], expected, shape: [n, c, h, w])
    }

    @Test func lrnRejectsMissingSizeAndLowRank() {
        F.expectInvalid("size is required") {
            try F.run("LRN", opset: 13, inputs: [F.tensor([1, 2, 1], [1, 2])])
        }
        F.expectInvalid("rank ≥ 3") {
            try F.run("LRN", opset: 13, inputs: [F.tensor([1, 2], [1, 2])], attributes: ["size": .int(3)])
        }
    }
}

/// Empty tensors pass through every normalization and recurrent kernel without trapping.
@Suite struct EmptyTensorNormalizationTests {
    typealias F = NormRNNFixtures

    @Test func emptyBatchesGiveEmptyOutputs() throws {
        let empty = F.tensor([0, 3, 2], [])
        let three = F.tensor([3], [1, 2, 3])
        let batchNorm = try F.run("BatchNormalization", opset: 15, inputs: [empty, three, three, three, three])
        #expect(batchNorm[0].shape == [0, 3, 2])
        let layerNorm = try F.run("LayerNormalization", opset: 17, inputs: [empty, F.tensor([2], [1, 1])],
                                  outputs: ["Y", "Mean", "InvStdDev"])
        #expect(layerNorm.map(\.shape) == [[0, 3, 2], [0, 3, 1], [0, 3, 1]])
        let groupNorm = try F.run("GroupNormalization", opset: 21, inputs: [empty, three, three],
                                  attributes: ["num_groups": .int(3)])
        #expect(groupNorm[0].shape == [0, 3, 2])
    }

    @Test func emptySequenceGivesZeroFinalState() throws {
        var rng = F.SeededGenerator(seed: 80)
        let x = F.tensor([0, 2, 3], [])
        let w = F.tensor([1, 12, 3], F.values(36, using: &rng))
        let r = F.tensor([1, 12, 3], F.values(36, using: &rng))
        let initialH = F.tensor([1, 2, 3], F.values(6, using: &rng))
        let outputs = try F.run("GRU", opset: 22, inputs: [x, F.tensor([1, 9, 3], F.values(27, using: &rng)),
                                                           F.tensor([1, 9, 3], F.values(27, using: &rng)), nil, nil, initialH],
                                outputs: ["Y", "Y_h"])
        #expect(outputs[0].shape == [0, 1, 2, 3])
        #expect(outputs[1].shape == [1, 2, 3])
        #expect(outputs[1].floats() == [Float](repeating: 0, count: 6))
        let lstm = try F.run("LSTM", opset: 22, inputs: [x, w, r], outputs: ["Y", "Y_h", "Y_c"])
        #expect(lstm.map(\.shape) == [[0, 1, 2, 3], [1, 2, 3], [1, 2, 3]])
    }
}
