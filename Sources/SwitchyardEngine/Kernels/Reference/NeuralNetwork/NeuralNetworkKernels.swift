extension ReferenceKernels {
    /// The neural-network operators: convolutions, pooling, matrix products, resizing and
    /// non-maximum suppression.
    static let neuralNetwork: [String: ReferenceKernel] = [
        "Conv": { try ConvolutionKernel.conv($0) },
        "ConvInteger": { try ConvolutionKernel.convInteger($0) },
        "ConvTranspose": { try ConvTransposeKernel.run($0) },
        "MaxPool": { try MaxPoolKernel.run($0) },
        "AveragePool": { try AveragePoolKernel.run($0) },
        "LpPool": { try LpPoolKernel.run($0) },
        "GlobalAveragePool": { try GlobalPoolKernel.average($0) },
        "GlobalMaxPool": { try GlobalPoolKernel.maximum($0) },
        "GlobalLpPool": { try GlobalPoolKernel.lp($0) },
        "MaxUnpool": { try MaxUnpoolKernel.run($0) },
        "MatMul": { try MatMulKernel.matMul($0) },
        "MatMulInteger": { try MatMulKernel.matMulInteger($0) },
        "Gemm": { try GemmKernel.run($0) },
        "Resize": { try ResizeKernel.resize($0) },
        "Upsample": { try ResizeKernel.upsample($0) },
        "NonMaxSuppression": { try NonMaxSuppressionKernel.run($0) },
    ]
}
