import SwitchyardTensor

/// Conv and ConvInteger: N-D grouped convolution with strides, dilations, explicit or automatic
/// padding, the kernel shape taken from `W` when not given, and an optional bias.
enum ConvolutionKernel {
    /// Checks X and W against each other and `group`, and resolves the window geometry.
    static func shape(_ context: OpContext, x: Tensor, w: Tensor) throws(KernelError) -> ConvolutionDriver.Shape {
        let op = context.node.opType
        guard x.rank >= 3 else {
            throw .invalidArgument("\(op): X must have shape [N, C, spatial…] (rank ≥ 3), got \(x.shape)")
        }
        guard w.rank == x.rank else {
            throw .invalidArgument("\(op): W has rank \(w.rank) (shape \(w.shape)), expected rank \(x.rank) like X \(x.shape)")
        }
        let group = try context.int("group", default: 1)
        let channels = x.shape[1], outputChannels = w.shape[0]
        guard group > 0, channels % group == 0, outputChannels % group == 0 else {
            throw .invalidArgument("\(op): group \(group) must be positive and divide both the input channels \(channels) and the output channels \(outputChannels)")
        }
        guard w.shape[1] == channels / group else {
            throw .invalidArgument("\(op): W \(w.shape) expects \(w.shape[1] * group) input channels with group \(group), but X \(x.shape) has \(channels)")
        }
        let attributes = try WindowAttributes(context, spatialRank: x.rank - 2, kernelFromWeights: Array(w.shape[2...]))
        let geometry = try WindowGeometry.convolution(attributes, inputSpatial: Array(x.shape[2...]), op: op)
        return ConvolutionDriver.Shape(
            batch: x.shape[0], inputChannels: channels, outputChannels: outputChannels, group: group, geometry: geometry)
    }

    /// Conv (opsets 1, 11, 22): float16, float, double, bfloat16.
    static func conv(_ context: OpContext) throws -> [Tensor] {
        let op = context.node.opType
        let xInput = try context.input(0), wInput = try context.input(1)
        try FloatingCompute.requireSameType(wInput, as: xInput, op: op, input: "W")
        let shape = try shape(context, x: xInput, w: wInput)
        let x = try FloatingCompute.computeTensor(xInput, op: op, input: "X")
        let w = try FloatingCompute.computeTensor(wInput, op: op, input: "W")
        var b: Tensor?
        if let bias = context.optionalInput(2) {
            try FloatingCompute.requireSameType(bias, as: xInput, op: op, input: "B")
            guard bias.count == shape.outputChannels, bias.rank == 1 else {
                throw KernelError.invalidArgument("\(op): B must have shape [\(shape.outputChannels)] (one value per output channel), got \(bias.shape)")
            }
            b = try FloatingCompute.computeTensor(bias, op: op, input: "B")
        }
        let result: Tensor = switch x.dataType {
        case .float64: run(Double.self, shape: shape, x: x, w: w, b: b)
        default: run(Float.self, shape: shape, x: x, w: w, b: b)
        }
        return [result.converted(to: xInput.dataType)]
    }

    private static func run<T: ReferenceFloatingScalar>(_: T.Type, shape: ConvolutionDriver.Shape, x: Tensor, w: Tensor, b: Tensor?) -> Tensor {
        var y = Tensor(uninitialized: T.dataType, shape: [shape.batch, shape.outputChannels] + shape.geometry.outputSpatial)
        x.withUnsafeBufferPointer(of: T.self) { xBuffer in
            w.withUnsafeBufferPointer(of: T.self) { wBuffer in
                y.withUnsafeMutableBufferPointer(of: T.self) { yBuffer in
                    guard let xBase = xBuffer.baseAddress, let wBase = wBuffer.baseAddress, let yBase = yBuffer.baseAddress,
                          yBuffer.count > 0 else { return }
                    if let b {
                        b.withUnsafeBufferPointer(of: T.self) { bBuffer in
                            ConvolutionDriver.forward(shape: shape, input: xBase, weights: wBase, bias: bBuffer.baseAddress, output: yBase)
                        }
                    } else {
                        ConvolutionDriver.forward(shape: shape, input: xBase, weights: wBase, bias: nil, output: yBase)
                    }
                }
            }
        }
        return y
    }

    /// ConvInteger (opset 10): uint8/int8 X and W with zero points (a scalar for X; a scalar or
    /// one per output channel for W), int32 output.
    static func convInteger(_ context: OpContext) throws -> [Tensor] {
        let op = context.node.opType
        let x = try context.input(0), w = try context.input(1)
        for (tensor, name) in [(x, "x"), (w, "w")] where tensor.dataType != .uint8 && tensor.dataType != .int8 {
            throw KernelError.invalidArgument("\(op): input \(name) must be uint8 or int8, got \(tensor.dataType)")
        }
        let shape = try shape(context, x: x, w: w)
        let xZero = try ZeroPoints.read(context, index: 2, valueType: x.dataType, allowedCounts: [1], name: "x_zero_point")
        let wZero = try ZeroPoints.read(
            context, index: 3, valueType: w.dataType, allowedCounts: [1, shape.outputChannels], name: "w_zero_point")
        let xShifted = x.int64s().map { Int32(truncatingIfNeeded: $0) &- xZero[0] }
        let perChannel = w.count / max(shape.outputChannels, 1)
        let wShifted = w.int64s().enumerated().map { index, value in
            Int32(truncatingIfNeeded: value) &- wZero[wZero.count == 1 ? 0 : index / perChannel]
        }
        var y = Tensor(uninitialized: .int32, shape: [shape.batch, shape.outputChannels] + shape.geometry.outputSpatial)
        y.withUnsafeMutableBufferPointer(of: Int32.self) { yBuffer in
            guard let yBase = yBuffer.baseAddress, yBuffer.count > 0 else { return }
            xShifted.withUnsafeBufferPointer { xBuffer in
                wShifted.withUnsafeBufferPointer { wBuffer in
                    ConvolutionDriver.forward(shape: shape, input: xBuffer.baseAddress!, weights: wBuffer.baseAddress!, bias: nil, output: yBase)
                }
            }
        }
        return [y]
    }
}

/// The optional zero-point inputs of the integer operators (ConvInteger, MatMulInteger).
enum ZeroPoints {
    /// The zero points at input `index` as int32 (`[0]` when omitted). `allowedCounts` lists the
    /// element counts the operator accepts.
    static func read(
        _ context: OpContext, index: Int, valueType: DataType, allowedCounts: [Int], name: String
    ) throws(KernelError) -> [Int32] {
        guard let tensor = context.optionalInput(index) else { return [0] }
        let op = context.node.opType
        guard tensor.dataType == valueType else {
            throw .invalidArgument("\(op): \(name) has type \(tensor.dataType), expected \(valueType) like its data input")
        }
        guard tensor.rank <= 1, allowedCounts.contains(tensor.count) else {
            throw .invalidArgument("\(op): \(name) has shape \(tensor.shape); expected \(allowedCounts.map { $0 == 1 ? "a scalar" : "[\($0)]" }.joined(separator: " or "))")
        }
        return tensor.int64s().map { Int32(truncatingIfNeeded: $0) }
    }
}
