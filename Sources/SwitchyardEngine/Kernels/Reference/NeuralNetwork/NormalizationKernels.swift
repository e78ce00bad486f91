extension ReferenceKernels {
    /// The normalization operators.
    static let normalization: [String: ReferenceKernel] = [
        "BatchNormalization": { try BatchNormalization.run($0) },
        "InstanceNormalization": { try InstanceNormalization.run($0) },
        "LayerNormalization": { try LayerNormalization.run($0) },
        "GroupNormalization": { try GroupNormalization.run($0) },
        "LpNormalization": { try LpNormalization.run($0) },
        "MeanVarianceNormalization": { try MeanVarianceNormalization.run($0) },
        "LRN": { try LRN.run($0) },
    ]
}
