import SwitchyardTensor

/// ONNX `GRU` (opsets 1, 3, 7, 14, 22), gates in the order z (update), r (reset), h (hidden):
///
///     zt = f(Xt·Wzᵀ + Ht-1·Rzᵀ + Wbz + Rbz)
///     rt = f(Xt·Wrᵀ + Ht-1·Rrᵀ + Wbr + Rbr)
///     ht = g(Xt·Whᵀ + (rt ⊙ Ht-1)·Rhᵀ + Rbh + Wbh)      linear_before_reset = 0
///     ht = g(Xt·Whᵀ + rt ⊙ (Ht-1·Rhᵀ + Rbh) + Wbh)      linear_before_reset ≠ 0
///     Ht = (1 - zt) ⊙ ht + zt ⊙ Ht-1
///
/// with defaults `f = Sigmoid`, `g = Tanh`.
enum GRU {
    static func run(_ context: OpContext) throws(KernelError) -> [Tensor] {
        let layer = try RecurrentLayer(context, gateCount: 3, defaultActivations: ["Sigmoid", "Tanh"])
        let linearBeforeReset = try context.int("linear_before_reset", default: 0) != 0
        let hidden = layer.hiddenSize, batch = layer.batchSize
        let result = layer.run(initialCell: nil) { direction, projected, previous, _ in
            let f = layer.activations[direction][0], g = layer.activations[direction][1]
            // Ht-1·Rᵀ + Rb for z and r, and for h too when it does not depend on rt.
            let gateCount = linearBeforeReset ? 3 : 2
            let recurrent = layer.recurrentProduct(previous, direction: direction, gates: 0..<gateCount)
            var update = [Double](repeating: 0, count: batch * hidden)
            var reset = [Double](repeating: 0, count: batch * hidden)
            for entry in 0..<batch {
                for unit in 0..<hidden {
                    let input = entry * 3 * hidden + unit, state = entry * gateCount * hidden + unit
                    update[entry * hidden + unit] = f(layer.clipped(projected[input] + recurrent[state]))
                    reset[entry * hidden + unit] = f(layer.clipped(projected[input + hidden] + recurrent[state + hidden]))
                }
            }
            let candidateRecurrent: [Double]
            if linearBeforeReset {
                candidateRecurrent = (0..<(batch * hidden)).map { index in
                    let entry = index / hidden, unit = index % hidden
                    return reset[index] * recurrent[entry * 3 * hidden + 2 * hidden + unit]
                }
            } else {
                let resetState = zip(reset, previous).map { $0 * $1 }
                candidateRecurrent = layer.recurrentProduct(resetState, direction: direction, gates: 2..<3)
            }
            var next = [Double](repeating: 0, count: batch * hidden)
            for entry in 0..<batch {
                for unit in 0..<hidden {
                    let index = entry * hidden + unit
                    let candidate = g(layer.clipped(projected[entry * 3 * hidden + 2 * hidden + unit] + candidateRecurrent[index]))
                    next[index] = (1 - update[index]) * candidate + update[index] * previous[index]
                }
            }
            return (next, [])
        }
        return layer.outputs(result, context: context)
    }
}
