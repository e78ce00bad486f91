import SwitchyardTensor

/// QLinearConv (opset 10): Conv on uint8/int8 `x` and `w` after removing their zero points,
/// plus an optional int32 bias, accumulated in int32 and requantized with `y_scale` and
/// `y_zero_point`. `w`'s scale and zero point are per tensor or per output channel.
///
/// Engine extension: with the fused-activation attributes (`activation`, `activation_params`,
/// see `FusedActivation`; `QDQFusion` writes `Swish` for a Conv → SiLU → QuantizeLinear), the
/// activation is applied to the real value `acc · x_scale · w_scale` and the result quantized
/// with `y_scale` and `y_zero_point`, as the QDQ graph computes it.
enum QLinearConvKernel {
    static func run(_ context: OpContext) throws -> [Tensor] {
        let op = context.node.opType
        let xData = try context.input(0), wData = try context.input(3)
        try QuantizedOperand.requireEightBit(xData, op: op, name: "x")
        try QuantizedOperand.requireEightBit(wData, op: op, name: "w")
        let shape = try ConvolutionKernel.shape(context, x: xData, w: wData)
        let channels = shape.outputChannels
        let x = try QuantizedOperand(context, data: 0, name: "x")
        let w = try QuantizedOperand(context, data: 3, name: "w", allowedCounts: [1, channels])
        let yZeroPoint = context.optionalInput(7)
        let outputType = yZeroPoint?.dataType ?? xData.dataType
        let y = try QuantizedOperand(
            context, data: Tensor(zeros: outputType, shape: []), scale: 6, zeroPoint: 7, name: "y")
        var bias: [Int32]?
        if let b = context.optionalInput(8) {
            guard b.dataType == .int32, b.rank == 1, b.count == channels else {
                throw KernelError.invalidArgument("\(op): B must be int32 of shape [\(channels)] (one per output channel), got \(b.dataType) \(b.shape)")
            }
            bias = b.scalars(as: Int32.self)
        }
        let perChannel = wData.count / max(channels, 1)
        let accumulators = IntegerConvolution.run(
            shape: shape, x: x.shifted(), w: w.shifted { $0 / perChannel }, bias: bias)
        let outputCount = shape.geometry.outputCount
        let outputShape = [shape.batch, channels] + shape.geometry.outputSpatial
        if let activation = try FusedActivation(node: context.node) {
            let accumulatorScales = w.scales.map { Float(x.scales[0]) * Float($0) }
            return [try Requantization.activated(
                accumulators, shape: outputShape, accumulatorScales: accumulatorScales, activation: activation,
                outputScale: Float(y.scales[0]), zeroPoint: y.zeroPoint(0), type: outputType) { ($0 / max(outputCount, 1)) % channels }]
        }
        let multipliers = w.scales.map {
            Requantization.multiplier(x.scales[0], $0, y.scales[0], type: FloatPrecision.promoted(x.scaleType, w.scaleType))
        }
        return [try Requantization.output(
            accumulators, shape: [shape.batch, channels] + shape.geometry.outputSpatial, multipliers: multipliers,
            zeroPoint: y.zeroPoint(0), type: outputType) { ($0 / max(outputCount, 1)) % channels }]
    }
}

/// The int32 convolution of already zero-point-shifted operands, on the shared driver. Bias
/// is added with wrapping arithmetic, like the accumulation.
enum IntegerConvolution {
    static func run(shape: ConvolutionDriver.Shape, x: [Int32], w: [Int32], bias: [Int32]?) -> [Int32] {
        let outputCount = shape.geometry.outputCount
        let count = shape.batch * shape.outputChannels * outputCount
        guard count > 0 else { return [] }
        guard !x.isEmpty, !w.isEmpty else {
            // No input channels: every output is its bias.
            return (0..<count).map { bias?[($0 / outputCount) % shape.outputChannels] ?? 0 }
        }
        var output = [Int32](unsafeUninitializedCapacity: count) { output, initialized in
            x.withUnsafeBufferPointer { xBuffer in
                w.withUnsafeBufferPointer { wBuffer in
                    ConvolutionDriver.forward(shape: shape, input: xBuffer.baseAddress!, weights: wBuffer.baseAddress!,
                                              bias: nil, output: output.baseAddress!)
                }
            }
            initialized = count
        }
        if let bias {
            for index in 0..<count { output[index] &+= bias[(index / outputCount) % shape.outputChannels] }
        }
        return output
    }
}
