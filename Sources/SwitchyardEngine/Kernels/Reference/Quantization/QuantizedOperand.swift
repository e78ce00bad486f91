import SwitchyardTensor

/// One quantized operand of a QLinear operator: its integer data with the scale and zero point
/// that give it meaning (`real = (q − zero_point) · scale`).
struct QuantizedOperand {
    var data: Tensor
    /// One scale, or one per channel (per output channel of a weight, per column of B).
    var scales: [Double]
    var zeroPoints: [Int64]
    var scaleType: DataType

    /// Reads the triple at inputs `index`, `index + 1`, `index + 2`. `allowedCounts` lists how
    /// many scales may be given (1 for per-tensor only); an omitted zero point means 0.
    init(_ context: OpContext, data index: Int, name: String, allowedCounts: Set<Int> = [1]) throws(KernelError) {
        try self.init(context, data: try context.input(index), scale: index + 1, zeroPoint: index + 2,
                      name: name, allowedCounts: allowedCounts)
    }

    /// Reads a scale and zero point at the given input indices for `data` (for an output,
    /// pass the tensor whose type the zero point must have, or nil to accept any 8-bit type).
    init(_ context: OpContext, data: Tensor, scale scaleIndex: Int, zeroPoint zeroIndex: Int, name: String,
         allowedCounts: Set<Int> = [1]) throws(KernelError)
    {
        let op = context.node.opType
        let scale = try context.input(scaleIndex)
        guard scale.dataType.isFloatingPoint else {
            throw .invalidArgument("\(op): \(name)_scale must be floating-point, got \(scale.dataType)")
        }
        guard scale.rank <= 1, allowedCounts.contains(scale.count) else {
            throw .invalidArgument("\(op): \(name)_scale has shape \(scale.shape); expected \(allowedCounts.sorted().map { $0 == 1 ? "a scalar" : "[\($0)]" }.joined(separator: " or "))")
        }
        self.data = data
        scales = scale.doubles()
        scaleType = scale.dataType
        if let zeroPoint = context.optionalInput(zeroIndex) {
            guard zeroPoint.dataType == data.dataType else {
                throw .invalidArgument("\(op): \(name)_zero_point has type \(zeroPoint.dataType), expected \(data.dataType) like \(name)")
            }
            guard zeroPoint.rank <= 1, zeroPoint.count == scale.count || zeroPoint.count == 1 else {
                throw .invalidArgument("\(op): \(name)_zero_point has shape \(zeroPoint.shape) but \(name)_scale has \(scale.shape)")
            }
            zeroPoints = zeroPoint.int64s()
        } else {
            zeroPoints = [0]
        }
    }

    /// The zero point of channel `channel`.
    @inline(__always) func zeroPoint(_ channel: Int) -> Int64 { zeroPoints[zeroPoints.count == 1 ? 0 : channel] }
    /// The scale of channel `channel`.
    @inline(__always) func scale(_ channel: Int) -> Double { scales[scales.count == 1 ? 0 : channel] }

    /// The data minus its zero point as int32; `channelOf` maps an element index to its channel.
    func shifted(channelOf: (Int) -> Int = { _ in 0 }) -> [Int32] {
        data.int64s().enumerated().map { index, value in
            Int32(truncatingIfNeeded: value - zeroPoint(channelOf(index)))
        }
    }

    /// Dequantized per-tensor values in float32, for the contrib operators.
    func realFloats() -> [Float] {
        let scale = Float(scales[0])
        return data.int64s().map { Float($0 - zeroPoints[0]) * scale }
    }

    /// Requires uint8 or int8 data.
    static func requireEightBit(_ tensor: Tensor, op: String, name: String) throws(KernelError) {
        guard tensor.dataType == .uint8 || tensor.dataType == .int8 else {
            throw .invalidArgument("\(op): \(name) must be uint8 or int8, got \(tensor.dataType)")
        }
    }
}

/// Converting int32 accumulators back to a quantized type: `saturate(round(acc · multiplier) +
/// zero_point)`, with the multiplier `a_scale · b_scale / y_scale` computed in the scales'
/// precision as ONNX's reference does.
enum Requantization {
    static func multiplier(_ aScale: Double, _ bScale: Double, _ yScale: Double, type: DataType) -> Double {
        FloatPrecision.round(FloatPrecision.round(aScale * bScale, to: type) / yScale, to: type)
    }

    /// Requantizes `accumulators` of `shape`; `channelOf` maps an element index to the channel
    /// whose multiplier applies.
    static func output(
        _ accumulators: [Int32], shape: [Int], multipliers: [Double], zeroPoint: Int64, type: DataType,
        channelOf: (Int) -> Int
    ) throws(KernelError) -> Tensor {
        guard let range = QuantizedType.range(of: type) else {
            throw .unsupported("QLinear output type \(type) is not supported")
        }
        let values = accumulators.enumerated().map { index, value in
            let channel = multipliers.count == 1 ? 0 : channelOf(index)
            return QuantizedType.saturate(Double(value) * multipliers[channel] + Double(zeroPoint), to: range)
        }
        return Tensor(dataType: type, shape: shape, doubles: values)
    }

    /// Requantizes `accumulators` through `activation`: `activation(acc · accumulatorScales[c])`
    /// in float32 (the real value the QDQ graph's float Conv computes), divided by `outputScale`,
    /// plus `zeroPoint`, rounded half to even and saturated to `type`.
    static func activated(
        _ accumulators: [Int32], shape: [Int], accumulatorScales: [Float], activation: FusedActivation, outputScale: Float,
        zeroPoint: Int64, type: DataType, channelOf: (Int) -> Int
    ) throws(KernelError) -> Tensor {
        guard let range = QuantizedType.range(of: type) else {
            throw .unsupported("QLinear output type \(type) is not supported")
        }
        let values = accumulators.enumerated().map { index, value in
            let channel = accumulatorScales.count == 1 ? 0 : channelOf(index)
            let real = activation(Float(value) * accumulatorScales[channel])
            return QuantizedType.saturate(Double(real / outputScale) + Double(zeroPoint), to: range)
        }
        return Tensor(dataType: type, shape: shape, doubles: values)
    }
}
