import SwitchyardTensor

/// How a scale or zero-point tensor lines up with the tensor it quantizes (ONNX's
/// `reshape_input`): one value for everything, one value per index of `axis`, or — blocked
/// quantization (opset 21) — one value per `block_size` consecutive indices of `axis`, with the
/// parameter tensor shaped like the data except along `axis`.
struct QuantizationLayout: Equatable {
    enum Granularity: Equatable {
        case perTensor
        case perAxis
        case blocked(size: Int, parameterAxisLength: Int)
    }

    var granularity: Granularity
    /// Elements before, along and after the quantization axis of the data tensor.
    var outer: Int
    var axisLength: Int
    var inner: Int

    /// Resolves the layout of `parameter` (a scale) against `dataShape`.
    init(parameterShape: [Int], dataShape: [Int], axis: Int, blockSize: Int, op: String, name: String)
        throws(KernelError)
    {
        let parameterCount = parameterShape.reduce(1, *)
        if parameterShape.isEmpty || parameterCount == 1 {
            granularity = .perTensor
            outer = 1; axisLength = dataShape.reduce(1, *); inner = 1
            return
        }
        guard !dataShape.isEmpty else {
            throw .invalidArgument("\(op): \(name) has shape \(parameterShape) but the input is a scalar; expected one value")
        }
        let resolved = try ShapeMath.normalizedAxis(axis, rank: dataShape.count, op: op)
        outer = dataShape[..<resolved].reduce(1, *)
        axisLength = dataShape[resolved]
        inner = dataShape[(resolved + 1)...].reduce(1, *)
        if blockSize <= 0 {
            guard parameterShape.count == 1, parameterCount == axisLength else {
                throw .invalidArgument("\(op): \(name) has shape \(parameterShape); per-axis quantization along axis \(axis) of input \(dataShape) needs shape [\(axisLength)] (or a scalar)")
            }
            granularity = .perAxis
            return
        }
        let blocks = (axisLength + blockSize - 1) / blockSize
        var expected = dataShape
        expected[resolved] = blocks
        guard parameterShape == expected else {
            throw .invalidArgument("\(op): \(name) has shape \(parameterShape); blocked quantization with block_size \(blockSize) along axis \(axis) of input \(dataShape) needs shape \(expected)")
        }
        granularity = .blocked(size: blockSize, parameterAxisLength: blocks)
    }

    /// For each element of the data tensor (row-major), the index of its parameter.
    func parameterIndices() -> [Int] {
        let count = outer * axisLength * inner
        switch granularity {
        case .perTensor:
            return [Int](repeating: 0, count: count)
        case .perAxis:
            var indices = [Int](repeating: 0, count: count)
            var linear = 0
            for _ in 0..<outer {
                for a in 0..<axisLength {
                    for _ in 0..<inner { indices[linear] = a; linear += 1 }
                }
            }
            return indices
        case .blocked(let size, let blocks):
            var indices = [Int](repeating: 0, count: count)
            var linear = 0
            for o in 0..<outer {
                for a in 0..<axisLength {
                    let base = (o * blocks + a / size) * inner
                    for i in 0..<inner { indices[linear] = base + i; linear += 1 }
                }
            }
            return indices
        }
    }

    /// Checks that a zero point has the scale's shape (same layout) and returns its values, or
    /// zeros when it is omitted.
    static func zeroPoints(
        _ zeroPoint: Tensor?, scale: Tensor, op: String, name: String
    ) throws(KernelError) -> [Int64] {
        guard let zeroPoint else { return [Int64](repeating: 0, count: max(scale.count, 1)) }
        guard zeroPoint.count == scale.count, zeroPoint.rank == scale.rank || zeroPoint.count == 1 else {
            throw .invalidArgument("\(op): \(name) has shape \(zeroPoint.shape) but the scale has \(scale.shape); they must match")
        }
        return zeroPoint.int64s()
    }
}

/// The integer types a quantized tensor may have, with their ranges.
enum QuantizedType {
    /// The `[min, max]` of a quantized integer type, or nil when the type is not one.
    static func range(of type: DataType) -> ClosedRange<Double>? {
        switch type {
        case .uint8: 0...255
        case .int8: -128...127
        case .uint16: 0...65535
        case .int16: -32768...32767
        default: nil
        }
    }

    /// `value` rounded half to even and clamped to `range` (NaN gives the range's minimum, as
    /// ONNX's reference does through its int32 cast).
    @inline(__always)
    static func saturate(_ value: Double, to range: ClosedRange<Double>) -> Double {
        if value.isNaN { return range.lowerBound }
        return min(max(value.rounded(.toNearestOrEven), range.lowerBound), range.upperBound)
    }

    /// Reads an output data type attribute (`output_dtype`); nil when absent or 0.
    static func dataType(attribute name: String, _ context: OpContext) throws(KernelError) -> DataType? {
        guard let code = try context.int(name), code != 0 else { return nil }
        guard let type = DataType(rawValue: Int32(code)) else {
            throw .unsupported("\(context.node.opType): \(name) \(code) is a data type Switchyard does not support")
        }
        return type
    }
}

/// Floating-point rounding to a tensor type's precision, so a computation in `Double` gives
/// the results NumPy gets in the narrower type.
enum FloatPrecision {
    /// The wider of two floating-point types, as NumPy promotes them.
    static func promoted(_ a: DataType, _ b: DataType) -> DataType {
        func rank(_ type: DataType) -> Int {
            switch type { case .float64: 3; case .float32: 2; default: 1 }
        }
        return rank(a) >= rank(b) ? a : b
    }

    /// `value` rounded to the nearest value of `type` (unchanged for float64).
    @inline(__always)
    static func round(_ value: Double, to type: DataType) -> Double {
        switch type {
        case .float32: Double(Float(value))
        case .float16: Double(Float(Float16(value)))
        case .bfloat16: Double(BFloat16(Float(value)).floatValue)
        default: value
        }
    }
}
