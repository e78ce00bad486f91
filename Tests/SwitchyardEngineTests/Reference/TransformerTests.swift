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

    @Test(arguments: [false, true])
    func causalConvWithState(silu: Bool) throws {
        var rng = F.SeededGenerator(seed: silu ? 90 : 91)
        let (batch, channels, length, k) = (2, 3, 5, 3)
        let x = F.values(batch * channels * length, using: &rng), w = F.values(channels * k, using: &rng)
        let bias = F.values(channels, using: &rng), past = F.values(batch * channels * (k - 1), using: &rng)
        var expected: [Double] = [], state: [Double] = []
        for row in 0..<(batch * channels) {
            let c = row % channels
            let history = Array(past[(row * (k - 1))..<((row + 1) * (k - 1))]) + x[(row * length)..<((row + 1) * length)]
            for t in 0..<length {
                let sum = bias[c] + (0..<k).map { w[c * k + $0] * history[t + $0] }.reduce(0, +)
                expected.append(silu ? sum / (1 + exp(-sum)) : sum)
            }
            state += history.suffix(k - 1)
        }
        let outputs = try F.run("CausalConvWithState", opset: 27, inputs: [
            F.tensor([batch, channels, length], x, .float64), F.tensor([channels, 1, k], w, .float64),
            F.tensor([channels], bias, .float64), F.tensor([batch, channels, k - 1], past, .float64),
        ], attributes: ["activation": .string(silu ? "silu" : "none")], outputs: ["output", "present_state"])
        F.expectClose(outputs[0], expected, shape: [batch, channels, length], tolerance: 1e-12)
        F.expectClose(outputs[1], state, shape: [batch, channels, k - 1], tolerance: 0)
        F.expectInvalid("past_state") {
            try F.run("CausalConvWithState", opset: 27, inputs: [
                F.tensor([batch, channels, length], x), F.tensor([channels, 1, k], w), nil, F.tensor([batch, channels, 1], Array(past.prefix(6))),
            ])
        }
    }

    /// Gated delta-rule linear attention with two query heads per key/value head, against the
    /// recurrence written with explicit matrices.
    @Test func linearAttentionGatedDelta() throws {
        var rng = F.SeededGenerator(seed: 92)
        let (batch, steps, qHeads, kvHeads, dk, dv) = (1, 3, 4, 2, 2, 3)
        let q = F.values(batch * steps * qHeads * dk, using: &rng), k = F.values(batch * steps * kvHeads * dk, using: &rng)
        let v = F.values(batch * steps * kvHeads * dv, using: &rng)
        let decay = F.values(batch * steps * kvHeads, in: -1...(-0.1), using: &rng)
        let beta = F.values(batch * steps * kvHeads, in: 0.1...1, using: &rng)
        var states = [[[Double]]](repeating: [[Double]](repeating: [Double](repeating: 0, count: dv), count: dk), count: kvHeads)
        var expected = [Double](repeating: 0, count: steps * qHeads * dv)
        for t in 0..<steps {
            for h in 0..<kvHeads {
                let key = (0..<dk).map { k[(t * kvHeads + h) * dk + $0] }
                let val = (0..<dv).map { v[(t * kvHeads + h) * dv + $0] }
                states[h] = states[h].map { $0.map { $0 * exp(decay[t * kvHeads + h]) } }
                let retrieved = (0..<dv).map { j in (0..<dk).map { states[h][$0][j] * key[$0] }.reduce(0, +) }
                let update = (0..<dv).map { beta[t * kvHeads + h] * (val[$0] - retrieved[$0]) }
                for i in 0..<dk { for j in 0..<dv { states[h][i][j] += key[i] * update[j] } }
                for qh in (2 * h)..<(2 * h + 2) {
                    for j in 0..<dv {
                        let dot = (0..<dk).map { q[(t * qHeads + qh) * dk + $0] * states[h][$0][j] }.reduce(0, +)
                        expected[(t * qHeads + qh) * dv + j] = 0.5 * dot
                    }
                }
            }
        }
        let outputs = try F.run("LinearAttention", opset: 27, inputs: [
            F.tensor([batch, steps, qHeads * dk], q, .float64), F.tensor([batch, steps, kvHeads * dk], k, .float64),
            F.tensor([batch, steps, kvHeads * dv], v, .float64), nil,
            F.tensor([batch, steps, kvHeads], decay, .float64), F.tensor([batch, steps, kvHeads], beta, .float64),
        ], attributes: ["q_num_heads": .int(qHeads), "kv_num_heads": .int(kvHeads), "scale": .float(0.5)],
           outputs: ["output", "present_state"])
        F.expectClose(outputs[0], expected, shape: [batch, steps, qHeads * dv], tolerance: 1e-12)
        F.expectClose(outputs[1], states.flatMap { $0.flatMap { $0 } }, shape: [batch, kvHeads, dk, dv], tolerance: 1e-12)
        F.expectInvalid("requires decay") {
            try F.run("LinearAttention", opset: 27, inputs: [
                F.tensor([batch, steps, qHeads * dk], q), F.tensor([batch, steps, kvHeads * dk], k),
                F.tensor([batch, steps, kvHeads * dv], v),
            ], attributes: ["q_num_heads": .int(qHeads), "kv_num_heads": .int(kvHeads)])
        }
    }
}
