import CDNNL
import SwitchyardGraph

/// Per-tensor QuantizeLinear (float32 → uint8/int8) and DequantizeLinear (uint8/int8 →
/// float32) as one oneDNN reorder with an output scale and a zero point: the activations
/// between the int8 convolutions of a QDQ model that stay float (HardSwish, Add, Concat…).
/// oneDNN rounds half to even and saturates, as ONNX does; it multiplies by `1 / y_scale`
/// where ONNX divides, which can move a value lying on a rounding tie by one step.
struct DNNLQuantizeLinearOperation: DNNLOperation {
    let opType: String

    var quantizes: Bool { opType == "QuantizeLinear" }
    var takesIntegerData: Bool { true }
    var parameterInputs: Set<Int> { [1, 2] }

    func lower(_ inputs: [DNNLOperand?], into builder: inout DNNLPlanBuilder) throws -> [(slot: Int, shape: [Int])] {
        typealias Q = DNNLQuantizedOperands
        let x = try inputs.required(0, opType)
        let scale = try Q.scale(inputs.optional(1), "its scale", op: opType)
        let zeroPoint = try Q.zeroPoint(inputs.optional(2), "its zero point", op: opType)
        let sourceType = builder.desc(x.slot).dataType
        let attributes = try DNNLAttributes()
        let target: dnnl_data_type_t
        if quantizes {
            guard sourceType == dnnl_f32 else { throw KernelError.unsupported("\(opType): x must be float32") }
            target = try Q.outputType(inputs.optional(2)?.value?.dataType ?? .uint8, op: opType)
            try attributes.setOutputScales([1 / scale], perDimension: nil)
        } else {
            guard sourceType == dnnl_u8 || sourceType == dnnl_s8 else {
                throw KernelError.unsupported("\(opType): x must be uint8 or int8")
            }
            target = dnnl_f32
            try attributes.setOutputScales([scale], perDimension: nil)
        }
        var arguments: [(Int32, Int)] = []
        if zeroPoint != 0 {
            let argument = quantizes ? DNNL_ARG_DST : DNNL_ARG_SRC
            try attributes.setRuntimeZeroPoint(argument)
            arguments.append((dnnlZeroPointArgument(argument), try Q.int32Constant(zeroPoint, builder: &builder)))
        }
        let source = try builder.plain(x.slot)
        let dims = builder.desc(source).dims
        let output = builder.slot(try .plain(dims, type: target))
        let reorder = try DNNLPrimitiveDescriptor(reorderFrom: builder.desc(source), to: builder.desc(output),
                                                  engine: builder.engine, attributes: attributes)
        try builder.add(reorder, arguments: [(DNNL_ARG_FROM, source), (DNNL_ARG_TO, output)] + arguments)
        return [(output, x.shape)]
    }
}
