import SwitchyardTensor

/// ONNX `LSTM` (opsets 1, 7, 14, 22), gates in the order i (input), o (output), f (forget),
/// c (cell), peepholes P in the order i, o, f:
///
///     it = f(Xt·Wiᵀ + Ht-1·Riᵀ + Pi ⊙ Ct-1 + Wbi + Rbi)
///     ft = f(Xt·Wfᵀ + Ht-1·Rfᵀ + Pf ⊙ Ct-1 + Wbf + Rbf)    (1 - it when input_forget = 1)
///     ct = g(Xt·Wcᵀ + Ht-1·Rcᵀ + Wbc + Rbc)
///     Ct = ft ⊙ Ct-1 + it ⊙ ct
///     ot = f(Xt·Woᵀ + Ht-1·Roᵀ + Po ⊙ Ct + Wbo + Rbo)
///     Ht = ot ⊙ h(Ct)
///
/// with defaults `f = Sigmoid`, `g = h = Tanh`. `clip` bounds the inputs of f and g; the cell
/// state itself is not clipped before h, as in ONNX Runtime.
enum LSTM {
    static func run(_ context: OpContext) throws(KernelError) -> [Tensor] {
        let layer = try RecurrentLayer(context, gateCount: 4, defaultActivations: ["Sigmoid", "Tanh", "Tanh"])
        let hidden = layer.hiddenSize, batch = layer.batchSize
        let initialCell = try layer.state(context, input: 6, name: "initial_c")
        let inputForget = try context.int("input_forget", default: 0) != 0
        var peepholes = [Double](repeating: 0, count: layer.directionCount * 3 * hidden)
        if let p = context.optionalInput(7) {
            try NormalizationMath.requireFloatingPoint(p, "LSTM", "P")
            guard p.shape == [layer.directionCount, 3 * hidden] else {
                throw .invalidArgument("LSTM: P has shape \(p.shape); expected [num_directions, 3 * hidden_size] = \([layer.directionCount, 3 * hidden])")
            }
            peepholes = p.doubles()
        }

        let result = layer.run(initialCell: initialCell) { direction, projected, previous, previousCell in
            let activations = layer.activations[direction]
            let f = activations[0], g = activations[1], h = activations[2]
            let recurrent = layer.recurrentProduct(previous, direction: direction, gates: 0..<4)
            let peepholeBase = direction * 3 * hidden
            var nextHidden = [Double](repeating: 0, count: batch * hidden)
            var nextCell = [Double](repeating: 0, count: batch * hidden)
            for entry in 0..<batch {
                for unit in 0..<hidden {
                    let index = entry * hidden + unit
                    let gate = entry * 4 * hidden + unit
                    func preActivation(_ gateIndex: Int) -> Double {
                        projected[gate + gateIndex * hidden] + recurrent[gate + gateIndex * hidden]
                    }
                    let cellBefore = previousCell[index]
                    let inputGate = f(layer.clipped(preActivation(0) + peepholes[peepholeBase + unit] * cellBefore))
                    let forgetGate = inputForget
                        ? 1 - inputGate
                        : f(layer.clipped(preActivation(2) + peepholes[peepholeBase + 2 * hidden + unit] * cellBefore))
                    let candidate = g(layer.clipped(preActivation(3)))
                    let cell = forgetGate * cellBefore + inputGate * candidate
                    let outputGate = f(layer.clipped(preActivation(1) + peepholes[peepholeBase + hidden + unit] * cell))
                    nextCell[index] = cell
                    nextHidden[index] = outputGate * h(cell)
                }
            }
            return (nextHidden, nextCell)
        }
        return layer.outputs(result, context: context)
    }
}
