import Foundation
import Testing
import SwitchyardGraph
import SwitchyardTensor
@testable import SwitchyardEngine

@Suite struct TransformerTests {
    typealias F = NormRNNFixtures

    @Test(arguments: [DataType.float32, .float64, .float16])
    func swishAndSwiGLU(type: DataType) throws {
        var rng = F.SeededGenerator(seed: 7)
        let a = F.values(24, using: &rng), b = F.values(24, using: &rng)
        let swish = a.map { $0 / (1 + exp(-0.7 * $0)) }
        let y = try F.run("Swish", opset: 24, inputs: [F.tensor([2, 3, 4], a, type)], attributes: ["alpha": .float(0.7)])
        let tolerance = type == .float16 ? 3e-3 : 1e-6
        F.expectClose(y[0], swish, shape: [2, 3, 4], tolerance: tolerance)
        let glu = try F.run("SwiGLU", opset: 28, inputs: [F.tensor([4, 6], a, type), F.tensor([4, 6], b, type)],
                            attributes: ["alpha": .float(0.7)])
        F.expectClose(glu[0], zip(swish, b).map { $0 * $1 }, shape: [4, 6], tolerance: 2 * tolerance)
        F.expectInvalid("identical shapes") {
            try F.run("SwiGLU", opset: 28, inputs: [F.tensor([4, 6], a, type), F.tensor([24], b, type)])
        }
    }

    @Test(arguments: [0, 1, 2, -1])
    func rmsNormalization(axis: Int) throws {
        var rng = F.SeededGenerator(seed: 100 + UInt64(axis + 2))
        let shape = [2, 3, 4], resolved = axis < 0 ? axis + 3 : axis
        let x = F.values(24, using: &rng), scale = F.values(4, using: &rng)
        let cols = shape[resolved...].reduce(1, *)
        var expected = x
        for row in 0..<(24 / cols) {
            let slice = x[(row * cols)..<((row + 1) * cols)]
            let rms = sqrt(slice.map { $0 * $0 }.reduce(0, +) / Double(cols) + 1e-3)
            for i in (row * cols)..<((row + 1) * cols) { expected[i] = x[i] / rms * scale[i % 4] }
        }
        let y = try F.run("RMSNormalization", opset: 23, inputs: [F.tensor(shape, x), F.tensor([4], scale)],
                          attributes: ["axis": .int(axis), "epsilon": .float(1e-3)])
        F.expectClose(y[0], expected, shape: shape)
        F.expectInvalid("does not broadcast") {
            try F.run("RMSNormalization", opset: 23, inputs: [F.tensor(shape, x), F.tensor([3], Array(scale.prefix(3)))])
        }
    }

    /// RotaryEmbedding on a 4-D input with position ids, checked against the rotation written
    /// out per pair.
    @Test(arguments: [false, true])
    func rotaryEmbedding(interleaved: Bool) throws {
        var rng = F.SeededGenerator(seed: interleaved ? 31 : 32)
        let (batch, heads, sequence, headSize, rotary) = (2, 2, 3, 6, 4)
        let x = F.values(batch * heads * sequence * headSize, using: &rng)
        let angles = F.values(5 * rotary / 2, using: &rng)
        let positions: [Int64] = [0, 4, 2, 1, 3, 0]
        var expected = x
        for b in 0..<batch { for h in 0..<heads { for s in 0..<sequence {
            let base = ((b * heads + h) * sequence + s) * headSize
            let p = Int(positions[b * sequence + s])
            for k in 0..<(rotary / 2) {
                let (i, j) = interleaved ? (base + 2 * k, base + 2 * k + 1) : (base + k, base + rotary / 2 + k)
                let theta = angles[p * rotary / 2 + k]
                expected[i] = cos(theta) * x[i] - sin(theta) * x[j]
                expected[j] = sin(theta) * x[i] + cos(theta) * x[j]
            }
        } } }
        let y = try F.run("RotaryEmbedding", opset: 23, inputs: [
            F.tensor([batch, heads, sequence, headSize], x), F.tensor([5, 2], angles.map(cos)),
            F.tensor([5, 2], angles.map(sin)), Tensor(shape: [batch, sequence], scalars: positions),
        ], attributes: ["interleaved": .int(interleaved ? 1 : 0), "rotary_embedding_dim": .int(rotary)])
        F.expectClose(y[0], expected, shape: [batch, heads, sequence, headSize])
        F.expectInvalid("out of range") {
            try F.run("RotaryEmbedding", opset: 23, inputs: [
                F.tensor([batch, heads, sequence, headSize], x), F.tensor([5, 2], angles.map(cos)),
                F.tensor([5, 2], angles.map(sin)), Tensor(shape: [batch, sequence], scalars: positions.map { $0 + 3 }),
            ], attributes: ["rotary_embedding_dim": .int(rotary)])
        }
    }
}
