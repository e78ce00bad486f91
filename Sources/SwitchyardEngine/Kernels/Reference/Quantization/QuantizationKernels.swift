extension ReferenceKernels {
    /// The quantization operators: linear (de)quantization and the quantized products.
    /// ConvInteger and MatMulInteger live with their float counterparts in NeuralNetwork.
    static let quantization: [String: ReferenceKernel] = [
        "QuantizeLinear": { try QuantizeLinearKernel.run($0) },
        "DequantizeLinear": { try DequantizeLinearKernel.run($0) },
        "DynamicQuantizeLinear": { try DynamicQuantizeLinearKernel.run($0) },
        "QLinearMatMul": { try QLinearMatMulKernel.run($0) },
        "QLinearConv": { try QLinearConvKernel.run($0) },
    ]

    /// Domain of onnxruntime's contrib operators.
    public static let microsoftDomain = "com.microsoft"

    /// The `com.microsoft` contrib operators of onnxruntime's QOperator quantized models.
    static let microsoft: [String: ReferenceKernel] = [
        "QLinearAdd": { try MicrosoftQLinearElementwise.binary($0, +) },
        "QLinearMul": { try MicrosoftQLinearElementwise.binary($0, *) },
        "QLinearSigmoid": { try MicrosoftQLinearElementwise.sigmoid($0) },
        "QLinearLeakyRelu": { try MicrosoftQLinearElementwise.leakyRelu($0) },
        "QLinearGlobalAveragePool": { try MicrosoftQLinearPoolConcat.globalAveragePool($0) },
        "QLinearConcat": { try MicrosoftQLinearPoolConcat.concat($0) },
        // The contrib QuantizeLinear/DequantizeLinear predate the ONNX ones and mean the same.
        "QuantizeLinear": { try QuantizeLinearKernel.run($0) },
        "DequantizeLinear": { try DequantizeLinearKernel.run($0) },
    ]
}
