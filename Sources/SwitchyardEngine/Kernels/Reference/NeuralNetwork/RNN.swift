import SwitchyardTensor

/// ONNX `RNN` (opsets 1, 7, 14, 22): `Ht = f(Xt·Wᵀ + Ht-1·Rᵀ + Wb + Rb)`, default `f = Tanh`.
/// Directions, layouts, sequence lengths, clipping and outputs are handled by `RecurrentLayer`.
enum RNN {
    static func run(_ context: OpContext) throws(KernelError) -> [Tensor] {
        let layer = try RecurrentLayer(context, gateCount: 1, defaultActivations: ["Tanh"])
        let hidden = layer.hiddenSize, batch = layer.batchSize
        let result = layer.run(initialCell: nil) { direction, projected, previous, _ in
            let f = layer.activations[direction][0]
            let recurrent = layer.recurrentProduct(previous, direction: direction, gates: 0..<1)
            let next = (0..<(batch * hidden)).map { f(layer.clipped(projected[$0] + recurrent[$0])) }
            return (next, [])
        }
        return layer.outputs(result, context: context)
    }
}
