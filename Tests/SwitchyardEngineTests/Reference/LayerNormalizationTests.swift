import Foundation
import Testing
import SwitchyardGraph
import SwitchyardTensor
@testable import SwitchyardEngine

@Suite struct LayerNormalizationTests {
    typealias F = NormRNNFixtures

    /// The element of a parameter of `parameterShape` that broadcasts (NumPy rules) onto
    /// element `flat` of a tensor of `shape`.
    static func broadcastElement(_ flat: Int, shape: [Int], parameterShape: [Int]) -> Int {
        var coordinates = [Int](repeating: 0, count: shape.count)
        var remainder = flat
        for axis in stride(from: shape.count - 1, through: 0, by: -1) {
            coordinates[axis] = remainder % shape[axis]
            remainder /= shape[axis]
        }
        let offset = shape.count - parameterShape.count
        var index = 0
        for (axis, dim) in parameterShape.enumerated() {
            index = index * dim + (dim == 1 ? 0 : coordinates[offset + axis])
        }
        return index
    }

    struct Expected { var y: [Double]; var mean: [Double]; var invStdDev: [Double] }

    static func layerNorm(_ x: [Double], shape: [Int], axis: Int, scale: [Double], scaleShape: [Int],
                          bias: [Double]?, biasShape: [Int], epsilon: Double) -> Expected {
        let rows = shape[..<axis].reduce(1, *), cols = shape[axis...].reduce(1, *)
        var result = Expected(y: x, mean: [], invStdDev: [])
        for row in 0..<rows {
            let slice = x[(row * cols)..<((row + 1) * cols)]
            let mean = slice.reduce(0, +) / Double(cols)
            let variance = slice.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(cols)
            let invStdDev = 1 / sqrt(variance + epsilon)
            result.mean.append(mean)
            result.invStdDev.append(invStdDev)
            for flat in (row * cols)..<((row + 1) * cols) {
                var value = (x[flat] - mean) * invStdDev * scale[broadcastElement(flat, shape: shape, parameterShape: scaleShape)]
                if let bias { value += bias[broadcastElement(flat, shape: shape, parameterShape: biasShape)] }
                result.y[flat] = value
            }
        }
        return result
    }

    @Test(arguments: [(0, DataType.float32), (1, .float32), (2, .float32), (-1, .float32), (-2, .float64),
                      (-1, .float16), (1, .bfloat16)])
    func normalizesTrailingAxes(axis: Int, type: DataType) throws {
        var rng = F.SeededGenerator(seed: 21 + UInt64(axis + 3))
        let shape = [2, 3, 5]
        let resolved = axis < 0 ? axis + shape.count : axis
        let trailing = Array(shape[resolved...])
        let x = F.tensor(shape, F.values(30, using: &rng), type)
        let scale = F.tensor(trailing, F.values(trailing.reduce(1, *), using: &rng), type)
        let bias = F.tensor(trailing, F.values(trailing.reduce(1, *), using: &rng), type)
        let outputs = try F.run("LayerNormalization", opset: 17, inputs: [x, scale, bias],
                                attributes: ["axis": .int(axis), "epsilon": .float(1e-3)],
                                outputs: ["Y", "Mean", "InvStdDev"])
        #expect(outputs.count == 3)
        let expected = Self.layerNorm(x.doubles(), shape: shape, axis: resolved, scale: scale.doubles(),
                                      scaleShape: trailing, bias: bias.doubles(), biasShape: trailing,
                                      epsilon: Double(Float(1e-3)))
        let tolerance = switch type { case .float16: 4e-3; case .bfloat16: 3e-2; default: 1e-5 }
        #expect(outputs[0].dataType == type)
        F.expectClose(outputs[0], expected.y, shape: shape, tolerance: tolerance)
        let statisticsShape = Array(shape[..<resolved]) + [Int](repeating: 1, count: shape.count - resolved)
        #expect(outputs[1].dataType == .float32 && outputs[2].dataType == .float32)
        F.expectClose(outputs[1], expected.mean, shape: statisticsShape)
        F.expectClose(outputs[2], expected.invStdDev, shape: statisticsShape)
    }

    @Test func withoutBiasAndDefaultAttributes() throws {
        var rng = F.SeededGenerator(seed: 30)
        let shape = [4, 6]
        let x = F.values(24, using: &rng), scale = F.values(6, using: &rng)
        let outputs = try F.run("LayerNormalization", opset: 17, inputs: [F.tensor(shape, x), F.tensor([6], scale)])
        #expect(outputs.count == 1)
        let expected = Self.layerNorm(F.tensor(shape, x).doubles(), shape: shape, axis: 1,
                                      scale: F.tensor([6], scale).doubles(), scaleShape: [6], bias: nil,
                                      biasShape: [], epsilon: Double(Float(1e-5)))
        F.expectClose(outputs[0], expected.y, shape: shape)
    }

    @Test(arguments: [[1, 1, 4], [4], [3, 1], [2, 1, 4], [2, 3, 4]])
    func broadcastsScaleAndBias(scaleShape: [Int]) throws {
        var rng = F.SeededGenerator(seed: 31)
        let shape = [2, 3, 4]
        let x = F.tensor(shape, F.values(24, using: &rng))
        let count = scaleShape.reduce(1, *)
        let scale = F.tensor(scaleShape, F.values(count, using: &rng))
        let bias = F.tensor([4], F.values(4, using: &rng))
        let outputs = try F.run("LayerNormalization", opset: 17, inputs: [x, scale, bias],
                                attributes: ["axis": .int(1)])
        let expected = Self.layerNorm(x.doubles(), shape: shape, axis: 1, scale: scale.doubles(), scaleShape: scaleShape,
                                      bias: bias.doubles(), biasShape: [4], epsilon: Double(Float(1e-5)))
        F.expectClose(outputs[0], expected.y, shape: shape)
    }

    @Test func stashTypeSetsStatisticsType() throws {
        var rng = F.SeededGenerator(seed: 32)
        let x = F.tensor([3, 4], F.values(12, using: &rng), .float64)
        let scale = F.tensor([4], F.values(4, using: &rng), .float64)
        let outputs = try F.run("LayerNormalization", opset: 17, inputs: [x, scale],
                                attributes: ["stash_type": .int(Int(DataType.float64.rawValue))],
                                outputs: ["Y", "Mean", "InvStdDev"])
        #expect(outputs[1].dataType == .float64)
        let expected = Self.layerNorm(x.doubles(), shape: [3, 4], axis: 1, scale: scale.doubles(), scaleShape: [4],
                                      bias: nil, biasShape: [], epsilon: Double(Float(1e-5)))
        F.expectClose(outputs[1], expected.mean, shape: [3, 1], tolerance: 1e-12)
    }

    @Test func invalidInputsThrow() {
        let x = F.tensor([2, 3], [1, 2, 3, 4, 5, 6]), scale = F.tensor([3], [1, 2, 3])
        F.expectInvalid("axis 2 is out of range") {
            try F.run("LayerNormalization", opset: 17, inputs: [x, scale], attributes: ["axis": .int(2)])
        }
        F.expectInvalid("does not broadcast") {
            try F.run("LayerNormalization", opset: 17, inputs: [x, F.tensor([2], [1, 2])])
        }
        F.expectInvalid("stash_type 7") {
            try F.run("LayerNormalization", opset: 17, inputs: [x, scale], attributes: ["stash_type": .int(7)])
        }
        F.expectInvalid("must be INT") {
            try F.run("LayerNormalization", opset: 17, inputs: [x, scale], attributes: ["axis": .string("last")])
        }
    }
}
