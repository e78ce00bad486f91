import SwitchyardTensor

/// DequantizeLinear (opsets 10, 13, 19, 21, 23): `y = (x − x_zero_point) · x_scale`, per tensor,
/// per axis (13) or per block (21). The output has the scale's type, or `output_dtype` (23).
enum DequantizeLinearKernel {
    static func run(_ context: OpContext) throws -> [Tensor] {
        let op = context.node.opType
        let x = try context.input(0), scale = try context.input(1)
        let zeroPoint = context.optionalInput(2)
        guard QuantizedType.range(of: x.dataType) != nil || x.dataType == .int32 else {
            throw KernelError.unsupported("\(op): x has type \(x.dataType); expected uint8, int8, uint16, int16 or int32")
        }
        guard scale.dataType.isFloatingPoint else {
            throw KernelError.invalidArgument("\(op): x_scale must be a floating-point tensor, got \(scale.dataType)")
        }
        if let zeroPoint, zeroPoint.dataType != x.dataType {
            throw KernelError.invalidArgument("\(op): x_zero_point has type \(zeroPoint.dataType), expected \(x.dataType) like x")
        }
        var outputType = scale.dataType
        if context.opset >= 23, let declared = try QuantizedType.dataType(attribute: "output_dtype", context) {
            guard declared.isFloatingPoint else {
                throw KernelError.invalidArgument("\(op): output_dtype \(declared) must be a floating-point type")
            }
            outputType = declared
        }
        let layout = try QuantizeLinearKernel.layout(context, data: x, scale: scale, name: "x_scale")
        let zeros = try QuantizationLayout.zeroPoints(zeroPoint, scale: scale, op: op, name: "x_zero_point")
        let scales = scale.doubles(), values = x.int64s()
        let indices = layout.parameterIndices()
        var result = [Double](repeating: 0, count: values.count)
        for i in 0..<values.count {
            let p = indices[i]
            result[i] = Double(values[i] - zeros[p]) * scales[p]
        }
        return [Tensor(dataType: outputType, shape: x.shape, doubles: result)]
    }
}
