import CDNNL
import SwitchyardTensor

/// The scales and zero points of a quantized oneDNN operation, read at plan time from its
/// constant inputs, and the source conversion every quantized primitive shares.
///
/// oneDNN 2.6 computes `dst = saturate(round(output_scale · (Σ (src − src_zp) · wei + bias)) + dst_zp)`
/// with s8 weights only (no weight zero point); so weights must be int8 with zero points 0
/// (ORT's symmetric weights). On AVX2 (no VNNI) an s8 source makes oneDNN halve the weights to
/// avoid `vpmaddubsw` overflow, which loses precision: an int8 source is shifted to uint8
/// instead (`x + 128` with zero point `zp + 128`: the same real values, exactly).
enum DNNLQuantizedOperands {
    /// The single float of `operand` (a scale); `what` names it in errors.
    static func scale(_ operand: DNNLOperand?, _ what: String, op: String) throws(KernelError) -> Float {
        let values = try scales(operand, what, op: op, allowed: [1])
        return values[0]
    }

    /// The float32 values of a constant scale operand whose count is in `allowed`.
    static func scales(_ operand: DNNLOperand?, _ what: String, op: String, allowed: Set<Int>) throws(KernelError) -> [Float] {
        guard let value = operand?.value, value.dataType == .float32, value.rank <= 1, allowed.contains(value.count) else {
            throw .unsupported("\(op): oneDNN needs \(what) as a constant float32 with \(allowed.sorted()) values")
        }
        return value.scalars(as: Float.self)
    }

    /// The zero point of `operand` (0 when omitted); it must be one constant value.
    static func zeroPoint(_ operand: DNNLOperand?, _ what: String, op: String) throws(KernelError) -> Int32 {
        guard let operand else { return 0 }
        guard let value = operand.value, value.count == 1, [.uint8, .int8].contains(value.dataType) else {
            throw .unsupported("\(op): oneDNN needs \(what) as one constant uint8/int8 value")
        }
        return Int32(value.int64s()[0])
    }

    /// Largest weight magnitude oneDNN computes exactly without VNNI: AVX2's `vpmaddubsw` adds
    /// two u8 × s8 products into a saturating int16, and 2 · 255 · 63 = 32 130 fits where
    /// 2 · 255 · 127 does not (measured: full-range weights put MatMulInteger off by 17 774).
    /// ONNX Runtime's `reduce_range` quantization makes such 7-bit weights.
    static let largestExactWeightWithoutVNNI: Int64 = 63

    /// Requires constant int8 weights whose zero points (if given) are all 0, and that this CPU
    /// computes exactly (see `largestExactWeightWithoutVNNI`).
    static func requireSymmetricWeights(_ weights: DNNLOperand, zeroPoint: DNNLOperand?, op: String) throws(KernelError) {
        guard let value = weights.value, value.dataType == .int8 else {
            throw .unsupported("\(op): oneDNN needs the weights as a constant int8 initializer")
        }
        if !DNNLInt8Support.hasVNNI {
            let largest = value.int64s().reduce(Int64(0)) { max($0, abs($1)) }
            guard largest <= largestExactWeightWithoutVNNI else {
                throw .unsupported("\(op): weights reach \(largest); without VNNI oneDNN's u8 x s8 products saturate above \(largestExactWeightWithoutVNNI) (quantize with reduce_range for 7-bit weights)")
            }
        }
        if let zeroPoint {
            guard let zeros = zeroPoint.value, zeros.int64s().allSatisfy({ $0 == 0 }) else {
                throw .unsupported("\(op): oneDNN has no weight zero point; the weights' zero points must be 0")
            }
        }
    }

    /// `accumulator scale / output scale` per channel, rounded through float32 as ONNX's
    /// reference (and the engine's reference kernel) computes the requantization multiplier.
    static func multipliers(source: Float, weights: [Float], output: Float) -> [Float] {
        weights.map { (source * $0) / output }
    }

    /// The uint8 source slot a quantized primitive reads (layout `desc`), with its zero point:
    /// a uint8 `x` is reordered as is; an int8 `x` is shifted by 128 on the way.
    static func unsignedSource(_ x: DNNLOperand, zeroPoint: Int32, as desc: DNNLMemoryDesc,
                               builder: inout DNNLPlanBuilder) throws(DNNLError) -> (slot: Int, zeroPoint: Int32) {
        guard builder.desc(x.slot).dataType == dnnl_s8 else {
            return (try builder.reorder(x.slot, to: desc), zeroPoint)
        }
        let attributes = try DNNLAttributes()
        try attributes.setRuntimeZeroPoint(DNNL_ARG_DST)
        let target = builder.slot(desc)
        let reorder = try DNNLPrimitiveDescriptor(reorderFrom: builder.desc(x.slot), to: desc, engine: builder.engine,
                                                  attributes: attributes)
        let shift = try int32Constant(128, builder: &builder)
        try builder.add(reorder, arguments: [(DNNL_ARG_FROM, x.slot), (DNNL_ARG_TO, target),
                                             (dnnlZeroPointArgument(DNNL_ARG_DST), shift)])
        return (target, zeroPoint + 128)
    }

    /// A one-element s32 plan constant (a runtime zero point's memory).
    static func int32Constant(_ value: Int32, builder: inout DNNLPlanBuilder) throws(DNNLError) -> Int {
        let desc = try DNNLMemoryDesc.plain([1], type: dnnl_s32)
        return try builder.constant(Tensor(shape: [1], scalars: [value]).storage, source: desc, as: desc)
    }

    /// Adds runtime zero points for the source and destination to `attributes` when non-zero,
    /// and returns their execute arguments.
    static func zeroPointArguments(source: Int32, destination: Int32, attributes: DNNLAttributes,
                                   builder: inout DNNLPlanBuilder) throws(DNNLError) -> [(Int32, Int)] {
        var arguments: [(Int32, Int)] = []
        for (argument, value) in [(DNNL_ARG_SRC, source), (DNNL_ARG_DST, destination)] where value != 0 {
            try attributes.setRuntimeZeroPoint(argument)
            arguments.append((dnnlZeroPointArgument(argument), try int32Constant(value, builder: &builder)))
        }
        return arguments
    }

    /// A source zero point known only at run time (ConvInteger and MatMulInteger fed by
    /// DynamicQuantizeLinear): declared on `attributes`, its uint8 scalar converted to s32 by a
    /// plan step. Returns the execute argument. The source must not need the int8 shift.
    static func runtimeSourceZeroPoint(_ operand: DNNLOperand, attributes: DNNLAttributes,
                                       builder: inout DNNLPlanBuilder) throws -> (Int32, Int) {
        guard operand.shape.reduce(1, *) == 1, builder.desc(operand.slot).dataType == dnnl_u8 else {
            throw KernelError.unsupported("a runtime zero point must be one uint8 value")
        }
        try attributes.setRuntimeZeroPoint(DNNL_ARG_SRC)
        let scalar = try builder.reshape(operand.slot, to: [1])
        return (dnnlZeroPointArgument(DNNL_ARG_SRC), try builder.reorder(scalar, to: .plain([1], type: dnnl_s32)))
    }

    /// oneDNN's type of an 8-bit output zero point's tensor type.
    static func outputType(_ type: DataType, op: String) throws(KernelError) -> dnnl_data_type_t {
        switch type {
        case .uint8: return dnnl_u8
        case .int8: return dnnl_s8
        default: throw .unsupported("\(op): output type \(type) is not uint8 or int8")
        }
    }
}
