import SwitchyardTensor

/// ONNX `SoftmaxCrossEntropyLoss` (opsets 12, 13): the negative log-likelihood loss of the
/// log-softmax of `scores` `[N, C, d…]` over the class axis. The optional second output is
/// that log-softmax.
enum SoftmaxCrossEntropyLoss {
    static func run(_ context: OpContext) throws(KernelError) -> [Tensor] {
        let op = "SoftmaxCrossEntropyLoss"
        let scores = try context.input(0)
        guard scores.dataType.isFloatingPoint else {
            throw .unsupported("\(op): scores have type \(scores.dataType); expected a floating-point type")
        }
        let problem = try NegativeLogLikelihoodLoss.Problem(context, input: scores, op: op)
        let logProbabilities = try Softmax.LogSoftmax.apply(
            scores, outer: scores.shape[0], length: problem.classes, inner: problem.inner)
        let loss = try problem.loss(logProbabilities: logProbabilities.doubles(), type: scores.dataType)
        return context.node.outputs.count >= 2 ? [loss, logProbabilities] : [loss]
    }
}
