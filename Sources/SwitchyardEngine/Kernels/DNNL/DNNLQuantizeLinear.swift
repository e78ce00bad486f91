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
        // A dense layout (`nhwc` between int8 convolutions, a blocked one without padding) is kept:
        // the detour through plain NCHW costs two more passes than the (de)quantization itself.
        // Padding is left to the plain path, where it would not stay zero.
        let given = builder.desc(x.slot)
        if given.isDense && !given.isPlain {
            do {
                return [(try convert(x.slot, to: given.withDataType(target), attributes, arguments, &builder), x.shape)]
            } catch {
                // No kernel converts this layout with these parameters: go through plain.
            }
        }
        let source = try builder.plain(x.slot)
        let output = try convert(source, to: .plain(builder.desc(source).dims, type: target), attributes, arguments, &builder)
        return [(output, x.shape)]
    }

    /// A reorder of `source` into a new slot laid out as `desc`, scaled and shifted by `attributes`.
    private func convert(_ source: Int, to desc: DNNLMemoryDesc, _ attributes: DNNLAttributes, _ arguments: [(Int32, Int)],
                         _ builder: inout DNNLPlanBuilder) throws -> Int {
        let reorder = try DNNLPrimitiveDescriptor(reorderFrom: builder.desc(source), to: desc, engine: builder.engine,
                                                  attributes: attributes)
        let output = builder.slot(desc)
        try builder.add(reorder, arguments: [(DNNL_ARG_FROM, source), (DNNL_ARG_TO, output)] + arguments)
        return output
    }
}
