import Foundation
import SwitchyardTensor

/// ONNX `LinearAttention` (opset 27): recurrent linear attention over packed 3-D inputs
/// (`[batch, T, heads · size]`). Per key/value head a state `S` (`[d_k, d_v]`) evolves with each
/// step t as `S ← exp(g_t) ⊙ S` (gated rules), `v_t ← β_t (v_t − Sᵀk_t)` (delta rules),
/// `S ← S + k_t v_tᵀ`, and each query head reads `scale · Sᵀq_t` from its group's state.
/// Outputs: `[batch, T, q_heads · d_v]` and the final state `[batch, kv_heads, d_k, d_v]`.
enum LinearAttention {
    static func run(_ context: OpContext) throws(KernelError) -> [Tensor] {
        let op = "LinearAttention"
        let query = try context.input(0), key = try context.input(1), value = try context.input(2)
        let rule = try context.string("update_rule", default: "gated_delta")
        guard ["linear", "gated", "delta", "gated_delta"].contains(rule) else {
            throw .invalidArgument("\(op): update_rule '\(rule)' is not linear, gated, delta or gated_delta")
        }
        guard let qHeads = try context.int("q_num_heads"), let kvHeads = try context.int("kv_num_heads"),
              qHeads > 0, kvHeads > 0, qHeads % kvHeads == 0 else {
            throw .invalidArgument("\(op): q_num_heads and kv_num_heads are required, positive, and q_num_heads a multiple of kv_num_heads")
        }
        guard query.rank == 3, key.rank == 3, value.rank == 3,
              key.shape[0] == query.shape[0], value.shape[0] == query.shape[0],
              key.shape[1] == query.shape[1], value.shape[1] == query.shape[1],
              query.shape[2] % qHeads == 0, value.shape[2] % kvHeads == 0,
              key.shape[2] * qHeads == query.shape[2] * kvHeads else {
            throw .invalidArgument("\(op): query \(query.shape), key \(key.shape), value \(value.shape) must be [B, T, heads · size] with matching B, T and key size")
        }
        let (batch, steps) = (query.shape[0], query.shape[1])
        let dk = query.shape[2] / qHeads, dv = value.shape[2] / kvHeads
        let q = try FloatingValues.read(query, op: op, input: "query")
        let k = try FloatingValues.read(key, op: op, input: "key")
        let v = try FloatingValues.read(value, op: op, input: "value")
        let gated = rule.hasPrefix("gated"), delta = rule.hasSuffix("delta")
        let decay = context.optionalInput(4), beta = context.optionalInput(5)
        guard gated == (decay != nil), delta == (beta != nil) else {
            throw .invalidArgument("\(op): update_rule '\(rule)' \(gated ? "requires" : "forbids") decay and \(delta ? "requires" : "forbids") beta")
        }
        let decayValues = try decay.map { (d) throws(KernelError) in try FloatingValues.read(d, op: op, input: "decay") }
        let betaValues = try beta.map { (b) throws(KernelError) in try FloatingValues.read(b, op: op, input: "beta") }
        // Decay is per head (last axis kv_heads) or per head and key feature (kv_heads · d_k).
        let decayPerFeature = decay?.shape.last == kvHeads * dk
        if let decay, decay.shape != [batch, steps, kvHeads], decay.shape != [batch, steps, kvHeads * dk] {
            throw .invalidArgument("\(op): decay must be [\(batch), \(steps), \(kvHeads)] or [\(batch), \(steps), \(kvHeads * dk)], got \(decay.shape)")
        }
        let betaPerHead = beta?.shape.last == kvHeads
        if let beta, beta.shape != [batch, steps, kvHeads], beta.shape != [batch, steps, 1] {
            throw .invalidArgument("\(op): beta must be [\(batch), \(steps), \(kvHeads)] or [\(batch), \(steps), 1], got \(beta.shape)")
        }
        var state = [Double](repeating: 0, count: batch * kvHeads * dk * dv)
        var stateType = query.dataType
        if let past = context.optionalInput(3) {
            guard past.shape == [batch, kvHeads, dk, dv] else {
                throw .invalidArgument("\(op): past_state must be [\(batch), \(kvHeads), \(dk), \(dv)], got \(past.shape)")
            }
            state = try FloatingValues.read(past, op: op, input: "past_state")
            stateType = past.dataType
        }
        let scaleAttribute = Double(try context.float("scale", default: 0))
        let scale = scaleAttribute == 0 ? 1 / Double(dk).squareRoot() : scaleAttribute
        let group = qHeads / kvHeads
        var output = [Double](repeating: 0, count: batch * steps * qHeads * dv)
        var corrected = [Double](repeating: 0, count: dv)
        for b in 0..<batch {
            for t in 0..<steps {
                for h in 0..<kvHeads {
                    let s = (b * kvHeads + h) * dk * dv
                    let kBase = (b * steps + t) * kvHeads * dk + h * dk
                    let vBase = (b * steps + t) * kvHeads * dv + h * dv
                    if let decayValues {
                        for i in 0..<dk {
                            let g = decayPerFeature ? decayValues[(b * steps + t) * kvHeads * dk + h * dk + i]
                                                    : decayValues[(b * steps + t) * kvHeads + h]
                            let factor = exp(g)
                            for j in 0..<dv { state[s + i * dv + j] *= factor }
                        }
                    }
                    for j in 0..<dv { corrected[j] = v[vBase + j] }
                    if let betaValues {
                        let strength = betaValues[(b * steps + t) * (betaPerHead ? kvHeads : 1) + (betaPerHead ? h : 0)]
                        for j in 0..<dv {
                            var retrieved = 0.0
                            for i in 0..<dk { retrieved += state[s + i * dv + j] * k[kBase + i] }
                            corrected[j] = strength * (v[vBase + j] - retrieved)
                        }
                    }
                    for i in 0..<dk { for j in 0..<dv { state[s + i * dv + j] += k[kBase + i] * corrected[j] } }
                    for qh in (h * group)..<((h + 1) * group) {
                        let qBase = (b * steps + t) * qHeads * dk + qh * dk
                        let oBase = (b * steps + t) * qHeads * dv + qh * dv
                        for j in 0..<dv {
                            var sum = 0.0
                            for i in 0..<dk { sum += q[qBase + i] * state[s + i * dv + j] }
                            output[oBase + j] = scale * sum
                        }
                    }
                }
            }
        }
        return [Tensor(dataType: query.dataType, shape: [batch, steps, qHeads * dv], doubles: output),
                Tensor(dataType: stateType, shape: [batch, kvHeads, dk, dv], doubles: state)]
    }
}
