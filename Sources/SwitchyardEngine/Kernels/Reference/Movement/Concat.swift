import SwitchyardTensor

extension MovementOps {
    /// Concat: joins the inputs along `axis`, one contiguous block per input per outer index.
    static func concat(_ context: OpContext) throws(KernelError) -> [Tensor] {
        let inputs = context.inputs.compactMap { $0 }
        guard let first = inputs.first else { throw .invalidArgument("Concat needs at least one input") }
        guard let requestedAxis = try context.int("axis") else {
            throw .invalidArgument("Concat: attribute 'axis' is missing")
        }
        let axis = try MovementOps.resolvedAxis(requestedAxis, rank: first.rank, op: "Concat")
        var shape = first.shape
        shape[axis] = 0
        for input in inputs {
            guard input.dataType == first.dataType else {
                throw .invalidArgument("Concat: inputs mix \(first.dataType) and \(input.dataType)")
            }
            guard input.rank == first.rank,
                  input.shape.indices.allSatisfy({ $0 == axis || input.shape[$0] == first.shape[$0] }) else {
                throw .invalidArgument("Concat: input shape \(input.shape) does not match \(first.shape) outside axis \(axis)")
            }
            shape[axis] += input.shape[axis]
        }
        return [concatenated(inputs, axis: axis, shape: shape)]
    }

    /// The inputs (checked to agree outside `axis`) joined along `axis` into `shape`.
    static func concatenated(_ inputs: [Tensor], axis: Int, shape: [Int]) -> Tensor {
        let outer = shape[..<axis].reduce(1, *)
        let outputBlock = shape[axis...].reduce(1, *)
        return MovementCopy.build(from: inputs, shape: shape, writesEveryElement: true) { copiers in
            var position = 0
            for (input, copier) in zip(inputs, copiers) {
                let block = input.shape[axis...].reduce(1, *)
                for index in 0..<(block > 0 ? outer : 0) {
                    copier.copy(from: index * block, to: index * outputBlock + position, count: block)
                }
                position += block
            }
        }
    }
}
