import Foundation
import Testing
import SwitchyardGraph
import SwitchyardTensor
@testable import SwitchyardEngine

@Suite struct AttentionTests {
    typealias F = NormRNNFixtures

    /// Naive attention on 4-D `[b, h, s, d]` arrays: scores, optional softcap, additive mask
    /// `[s, t]`, causal offset by the past length, softmax, weighted sum. K and V already hold
    /// past and new keys.
    static func naive(q: [Double], k: [Double], v: [Double], batch: Int, heads: Int, kvHeads: Int,
                      s: Int, t: Int, d: Int, dv: Int, mask: [Double]?, causal: Bool, softcap: Double,
                      scale: Double) -> [Double] {
        var y = [Double](repeating: 0, count: batch * heads * s * dv)
        for b in 0..<batch { for h in 0..<heads {
            let kh = h / (heads / kvHeads)
            for i in 0..<s {
                var scores = (0..<t).map { j in
                    var dot = 0.0
                    for e in 0..<d { dot += q[((b * heads + h) * s + i) * d + e] * k[((b * kvHeads + kh) * t + j) * d + e] }
                    var score = dot * scale
                    if softcap > 0 { score = softcap * tanh(score / softcap) }
                    if let mask { score += mask[i * t + j] }
                    if causal && j > i + (t - s) { score = -.infinity }
                    return score
                }
                let top = scores.max()!
                scores = scores.map { exp($0 - top) }
                let total = scores.reduce(0, +)
                for e in 0..<dv {
                    var sum = 0.0
                    for j in 0..<t { sum += scores[j] / total * v[((b * kvHeads + kh) * t + j) * dv + e] }
                    y[((b * heads + h) * s + i) * dv + e] = sum
                }
            }
        } }
        return y
    }

    @Test(arguments: [(false, 0.0, false), (true, 0.0, false), (false, 2.0, true), (true, 0.0, true)])
    func fourDimensionalWithGroupedHeads(causal: Bool, softcap: Double, withMask: Bool) throws {
        var rng = F.SeededGenerator(seed: causal ? 3 : 4)
        let (batch, heads, kvHeads, s, t, d, dv) = (2, 4, 2, 3, 5, 4, 3)
        let q = F.values(batch * heads * s * d, using: &rng)
        let k = F.values(batch * kvHeads * t * d, using: &rng)
        let v = F.values(batch * kvHeads * t * dv, using: &rng)
        let mask = withMask ? F.values(s * t, using: &rng) : nil
        let expected = Self.naive(q: q, k: k, v: v, batch: batch, heads: heads, kvHeads: kvHeads, s: s, t: t, d: d, dv: dv,
                                  mask: mask, causal: causal, softcap: softcap, scale: 0.4)
        // Pass the first two keys as the cache so the causal frontier is offset by 2.
        func split(_ x: [Double], _ size: Int) -> ([Double], [Double]) {
            var past: [Double] = [], new: [Double] = []
            for m in 0..<(batch * kvHeads) {
                past += x[(m * t * size)..<((m * t + 2) * size)]
                new += x[((m * t + 2) * size)..<((m + 1) * t * size)]
            }
            return (past, new)
        }
        let (pastK, newK) = split(k, d), (pastV, newV) = split(v, dv)
        let outputs = try F.run("Attention", opset: 23, inputs: [
            F.tensor([batch, heads, s, d], q, .float64), F.tensor([batch, kvHeads, t - 2, d], newK, .float64),
            F.tensor([batch, kvHeads, t - 2, dv], newV, .float64), mask.map { F.tensor([s, t], $0, .float64) },
            F.tensor([batch, kvHeads, 2, d], pastK, .float64), F.tensor([batch, kvHeads, 2, dv], pastV, .float64),
        ], attributes: ["is_causal": .int(causal ? 1 : 0), "softcap": .float(Float(softcap)), "scale": .float(0.4)],
           outputs: ["Y", "present_key", "present_value"])
        F.expectClose(outputs[0], expected, shape: [batch, heads, s, dv], tolerance: 1e-6)
        F.expectClose(outputs[1], k, shape: [batch, kvHeads, t, d], tolerance: 0)
        F.expectClose(outputs[2], v, shape: [batch, kvHeads, t, dv], tolerance: 0)
    }

    /// 3-D inputs pack heads into the hidden axis; a boolean mask masks keys; mode 3 exposes
    /// the probabilities.
    @Test func threeDimensionalWithBooleanMask() throws {
        var rng = F.SeededGenerator(seed: 12)
        let (batch, heads, s, t, d) = (1, 2, 2, 3, 4)
        let q3 = F.values(batch * s * heads * d, using: &rng), k3 = F.values(batch * t * heads * d, using: &rng)
        let v3 = F.values(batch * t * heads * d, using: &rng)
        let keep: [Bool] = [true, false, true, true, true, false]
        // [b, s, h, d] → [b, h, s, d]
        func unpack(_ x: [Double], _ length: Int) -> [Double] {
            var r = x
            for p in 0..<length { for h in 0..<heads { for e in 0..<d { r[(h * length + p) * d + e] = x[(p * heads + h) * d + e] } } }
            return r
        }
        let y4 = Self.naive(q: unpack(q3, s), k: unpack(k3, t), v: unpack(v3, t), batch: 1, heads: heads, kvHeads: heads,
                            s: s, t: t, d: d, dv: d, mask: keep.map { $0 ? 0 : -.infinity }, causal: false, softcap: 0,
                            scale: 1 / 2)
        var expected = y4
        for h in 0..<heads { for p in 0..<s { for e in 0..<d { expected[(p * heads + h) * d + e] = y4[(h * s + p) * d + e] } } }
        let outputs = try F.run("Attention", opset: 23, inputs: [
            F.tensor([1, s, heads * d], q3), F.tensor([1, t, heads * d], k3), F.tensor([1, t, heads * d], v3),
            Tensor(shape: [s, t], scalars: keep),
        ], attributes: ["q_num_heads": .int(heads), "kv_num_heads": .int(heads), "qk_matmul_output_mode": .int(3)],
           outputs: ["Y", "", "", "qk"])
        F.expectClose(outputs[0], expected, shape: [1, s, heads * d])
        let probabilities = outputs[3].doubles()
        #expect(outputs[3].shape == [1, heads, s, t])
        #expect(probabilities[1] == 0 && probabilities[5] == 0)
        #expect(abs(probabilities[0] + probabilities[2] - 1) < 1e-6)
    }

    @Test func rejectsInconsistentInputs() {
        let q = F.tensor([1, 3, 2, 4], [Double](repeating: 0.5, count: 24))
        let k = F.tensor([1, 2, 2, 4], [Double](repeating: 0.5, count: 16))
        F.expectInvalid("not a multiple") { try F.run("Attention", opset: 23, inputs: [q, k, k]) }
        F.expectInvalid("q_num_heads") {
            try F.run("Attention", opset: 23, inputs: [q.reshaped([1, 6, 4]), k.reshaped([1, 4, 4]), k.reshaped([1, 4, 4])])
        }
        F.expectInvalid("together") { try F.run("Attention", opset: 23, inputs: [q, q, q, nil, q]) }
    }

    /// FlexAttention with grouped heads; score_mod (adding 0.5 where the key index is odd, a
    /// stand-in for a positional bias) runs through the subgraph runner.
    @Test func flexAttentionWithScoreModifier() throws {
        var rng = F.SeededGenerator(seed: 13)
        let (batch, heads, kvHeads, s, t, d) = (1, 4, 2, 2, 3, 4)
        let q = F.values(batch * heads * s * d, using: &rng), k = F.values(batch * kvHeads * t * d, using: &rng)
        let v = F.values(batch * kvHeads * t * d, using: &rng)
        let bias = (0..<(s * t)).map { $0 % t % 2 == 1 ? 0.5 : 0 }
        let expected = Self.naive(q: q, k: k, v: v, batch: batch, heads: heads, kvHeads: kvHeads, s: s, t: t, d: d, dv: d,
                                  mask: bias, causal: false, softcap: 0, scale: 0.5)
        let kernel = try #require(ReferenceKernels.kernel(opType: "FlexAttention", domain: ReferenceKernels.previewDomain))
        let node = Node(opType: "FlexAttention", inputs: ["q", "k", "v"], outputs: ["y"],
                        attributes: ["score_mod": .graph(Graph(name: "mod"))])
        let context = OpContext(node: node, opset: 1, inputs: [
            F.tensor([batch, heads, s, d], q, .float64), F.tensor([batch, kvHeads, t, d], k, .float64),
            F.tensor([batch, kvHeads, t, d], v, .float64),
        ]) { attribute, inputs in
            #expect(attribute == "score_mod")
            let scores = try #require(inputs[0])
            let shifted = scores.doubles().enumerated().map { $1 + ($0 % t % 2 == 1 ? 0.5 : 0) }
            return [Tensor(dataType: scores.dataType, shape: scores.shape, doubles: shifted)]
        }
        F.expectClose(try kernel(context)[0], expected, shape: [batch, heads, s, d], tolerance: 1e-6)
    }
}
