import SwitchyardTensor

/// DynamicQuantizeLinear (opset 11): quantizes float32 `x` to uint8 with a scale and zero point
/// computed from its range (widened to include 0), returning `y`, `y_scale` and `y_zero_point`.
/// The arithmetic is float32, step by step as in ONNX's reference.
enum DynamicQuantizeLinearKernel {
    static func run(_ context: OpContext) throws -> [Tensor] {
        let x = try context.input(0)
        guard x.dataType == .float32 else {
            throw KernelError.invalidArgument("\(context.node.opType): x must be float32, got \(x.dataType)")
        }
        let values = x.scalars(as: Float.self)
        let (qmin, qmax): (Float, Float) = (0, 255)
        // NaN propagates through min/max as it does through NumPy's.
        let maximum = max(0, values.reduce(-Float.infinity) { $0.isNaN || $1.isNaN ? .nan : Swift.max($0, $1) })
        let minimum = min(0, values.reduce(Float.infinity) { $0.isNaN || $1.isNaN ? .nan : Swift.min($0, $1) })
        let scale = (maximum == minimum ? 1 : maximum - minimum) / (qmax - qmin)
        let initialZeroPoint = qmin - minimum / scale
        let zeroPoint = min(qmax, max(qmin, initialZeroPoint)).rounded(.toNearestOrEven)
        let range = Double(qmin)...Double(qmax)
        let quantized = values.map { value -> UInt8 in
            let shifted = (value / scale).rounded(.toNearestOrEven) + zeroPoint
            return UInt8(QuantizedType.saturate(Double(shifted), to: range))
        }
        return [Tensor(shape: x.shape, scalars: quantized), Tensor(scalar: scale), Tensor(scalar: UInt8(zeroPoint.isNaN ? 0 : zeroPoint))]
    }
}
