/// A plain-Swift implementation of one operator: the oracle that fast kernels are tested
/// against, and the fallback for everything oneDNN does not cover.
public typealias ReferenceKernel = KernelFunction

/// The registry of reference kernels for the default ONNX domain, by op type. Each family of
/// operators lives in its own folder and contributes one table.
public enum ReferenceKernels {
    public static let all: [String: ReferenceKernel] = {
        var table: [String: ReferenceKernel] = [:]
        for family in [elementwise, reductions, movement, indexing, neuralNetwork, normalization,
                       recurrent, controlFlow, transformer, losses, layout, linearAlgebra, sampling,
                       quantization, signal, text] {
            table.merge(family) { _, _ in preconditionFailure("an op type is registered twice") }
        }
        return table
    }()

    /// Domain of the engine's own fused operators.
    public static let switchyardDomain = "ai.switchyard"

    /// The kernel for `opType` in `domain`, if there is one.
    public static func kernel(opType: String, domain: String) -> ReferenceKernel? {
        switch domain {
        case "", "ai.onnx": all[opType]
        case switchyardDomain: fused[opType]
        case trainingDomain: training[opType]
        case previewDomain: preview[opType]
        case microsoftDomain: microsoft[opType]
        default: nil
        }
    }
}
