import SwitchyardTensor

/// ONNX `NegativeLogLikelihoodLoss` (opsets 12, 13, 22): `loss[n, d…] = -input[n, target[n, d…], d…]
/// · weight[target[n, d…]]`, zero where the target equals `ignore_index`, then reduced by
/// `reduction` (`none`, `sum`, or `mean`: divided by the summed weights of the counted elements).
enum NegativeLogLikelihoodLoss {
    static func run(_ context: OpContext) throws(KernelError) -> [Tensor] {
        let op = "NegativeLogLikelihoodLoss"
        let input = try context.input(0)
        let values = try FloatingValues.read(input, op: op, input: "input")
        let problem = try Problem(context, input: input, op: op)
        return [try problem.loss(logProbabilities: values, type: input.dataType)]
    }

    /// The target, weights and reduction of a loss over `input` `[N, C, d…]`, shared with
    /// `SoftmaxCrossEntropyLoss`.
    struct Problem {
        let op: String
        let classes: Int
        /// Product of the trailing dimensions d….
        let inner: Int
        let targetShape: [Int]
        let targets: [Int]
        let weights: [Double]?
        let ignoreIndex: Int?
        let reduction: String

        init(_ context: OpContext, input: Tensor, op: String) throws(KernelError) {
            self.op = op
            let target = try context.input(1)
            guard input.rank >= 2 else {
                throw .invalidArgument("\(op): input must be [N, C, d…] (rank ≥ 2), got \(input.shape)")
            }
            guard target.dataType == .int32 || target.dataType == .int64 else {
                throw .invalidArgument("\(op): target must be int32 or int64, got \(target.dataType)")
            }
            let expected = [input.shape[0]] + input.shape.dropFirst(2)
            guard target.shape == expected else {
                throw .invalidArgument("\(op): target shape \(target.shape) must be \(expected) for input \(input.shape)")
            }
            classes = input.shape[1]
            inner = input.shape.dropFirst(2).reduce(1, *)
            targetShape = target.shape
            targets = target.ints()
            ignoreIndex = try context.int("ignore_index")
            reduction = try context.string("reduction", default: "mean")
            guard ["none", "sum", "mean"].contains(reduction) else {
                throw .invalidArgument("\(op): reduction must be none, sum or mean, got '\(reduction)'")
            }
            if let weight = context.optionalInput(2) {
                guard weight.shape == [classes], weight.dataType == input.dataType else {
                    throw .invalidArgument("\(op): weight must be \(input.dataType) of shape [\(classes)], got \(weight.dataType) \(weight.shape)")
                }
                weights = weight.doubles()
            } else {
                weights = nil
            }
            for target in targets where target != ignoreIndex && (target < 0 || target >= classes) {
                throw .invalidArgument("\(op): target class \(target) is out of range [0, \(classes)) and is not ignore_index")
            }
        }

        /// The reduced loss of `logProbabilities` (`[N, C, d…]` flattened).
        func loss(logProbabilities: [Double], type: DataType) throws(KernelError) -> Tensor {
            var losses = [Double](repeating: 0, count: targets.count)
            var weightSum = 0.0
            for (position, target) in targets.enumerated() where target != ignoreIndex {
                let (n, d) = position.quotientAndRemainder(dividingBy: inner)
                let weight = weights?[target] ?? 1
                losses[position] = -logProbabilities[(n * classes + target) * inner + d] * weight
                weightSum += weight
            }
            switch reduction {
            case "none": return Tensor(dataType: type, shape: targetShape, doubles: losses)
            case "sum": return Tensor(dataType: type, shape: [], doubles: [losses.reduce(0, +)])
            default: return Tensor(dataType: type, shape: [], doubles: [losses.reduce(0, +) / weightSum])
            }
        }
    }
}
