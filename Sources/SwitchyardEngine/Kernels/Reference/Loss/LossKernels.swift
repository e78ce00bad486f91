extension ReferenceKernels {
    /// The loss functions.
    static let losses: [String: ReferenceKernel] = [
        "NegativeLogLikelihoodLoss": { try NegativeLogLikelihoodLoss.run($0) },
        "SoftmaxCrossEntropyLoss": { try SoftmaxCrossEntropyLoss.run($0) },
    ]
}
