import SwitchyardTensor

/// QuantizeLinear (opsets 10, 13, 19, 21, 23): `y = saturate(round(x / y_scale) + y_zero_point)`
/// with rounding half to even, per tensor, per axis (13) or per block (21). The output type is
/// the zero point's, else `output_dtype`, else uint8. Float8 and int4 outputs are not
/// representable in `Tensor`; `saturate` only concerns float8, so it has no effect here.
enum QuantizeLinearKernel {
    static func run(_ context: OpContext) throws -> [Tensor] {
        let op = context.node.opType
        let x = try context.input(0), scale = try context.input(1)
        let zeroPoint = context.optionalInput(2)
        for (tensor, name) in [(x, "x"), (scale, "y_scale")] where !tensor.dataType.isFloatingPoint {
            throw KernelError.invalidArgument("\(op): \(name) must be a floating-point tensor, got \(tensor.dataType)")
        }
        let outputType = try outputType(context, zeroPoint: zeroPoint)
        guard let range = QuantizedType.range(of: outputType) else {
            throw KernelError.unsupported("\(op): output type \(outputType) is not supported; expected uint8, int8, uint16 or int16")
        }
        let layout = try layout(context, data: x, scale: scale, name: "y_scale")
        let zeros = try QuantizationLayout.zeroPoints(zeroPoint, scale: scale, op: op, name: "y_zero_point")
        let computeType = try computeType(context, x: x, scale: scale)
        let scales = scale.doubles(), values = x.doubles()
        let indices = layout.parameterIndices()
        var result = [Double](repeating: 0, count: values.count)
        for i in 0..<values.count {
            let p = indices[i]
            let quotient = FloatPrecision.round(values[i] / scales[p], to: computeType)
            result[i] = QuantizedType.saturate(quotient.rounded(.toNearestOrEven) + Double(zeros[p]), to: range)
        }
        return [Tensor(dataType: outputType, shape: x.shape, doubles: result)]
    }

    /// The quantization axis and block size of a QuantizeLinear or DequantizeLinear node,
    /// resolved against its scale. Before opset 21 the scale must be a scalar or 1-D.
    static func layout(_ context: OpContext, data: Tensor, scale: Tensor, name: String) throws(KernelError) -> QuantizationLayout {
        let op = context.node.opType
        let blockSize = context.opset >= 21 ? try context.int("block_size", default: 0) : 0
        guard blockSize >= 0 else {
            throw .invalidArgument("\(op): block_size \(blockSize) must not be negative")
        }
        if blockSize == 0 && scale.rank > 1 {
            throw .invalidArgument("\(op): \(name) has shape \(scale.shape); without block_size it must be a scalar or 1-D")
        }
        let axis = context.opset >= 13 ? try context.int("axis", default: 1) : 1
        return try QuantizationLayout(
            parameterShape: scale.shape, dataShape: data.shape, axis: axis, blockSize: blockSize, op: op, name: name)
    }

    private static func outputType(_ context: OpContext, zeroPoint: Tensor?) throws(KernelError) -> DataType {
        let declared = context.opset >= 21 ? try QuantizedType.dataType(attribute: "output_dtype", context) : nil
        if let zeroPoint {
            if let declared, declared != zeroPoint.dataType {
                throw .invalidArgument("\(context.node.opType): output_dtype \(declared) differs from y_zero_point's type \(zeroPoint.dataType)")
            }
            return zeroPoint.dataType
        }
        return declared ?? .uint8
    }

    /// The precision `x / y_scale` is computed in: `precision` (opset 23) when given, else the
    /// wider of the two input types, as NumPy does.
    private static func computeType(_ context: OpContext, x: Tensor, scale: Tensor) throws(KernelError) -> DataType {
        if context.opset >= 23, let precision = try QuantizedType.dataType(attribute: "precision", context) {
            guard precision.isFloatingPoint else {
                throw .invalidArgument("\(context.node.opType): precision \(precision) must be a floating-point type")
            }
            return precision
        }
        return FloatPrecision.promoted(x.dataType, scale.dataType)
    }
}
