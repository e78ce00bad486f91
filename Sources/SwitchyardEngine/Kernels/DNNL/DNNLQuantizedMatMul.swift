import CDNNL
import SwitchyardGraph

/// QLinearMatMul and MatMulInteger with a constant 2-D int8 B as one oneDNN int8 matmul: A
/// `[..., M, K]` is viewed as `[P, K]` (P = the product of its leading dimensions), uint8 (an
/// int8 A is shifted, see `DNNLQuantizedOperands`), B prepacked once per plan, per-column
/// output scales, A and Y zero points.
///
/// - `QLinearMatMul` (`requantized`): inputs a, a_scale, a_zp, b, b_scale, b_zp, y_scale, y_zp.
/// - `MatMulInteger`: inputs A, B, a_zero_point, b_zero_point; output int32.
struct DNNLQuantizedMatMulOperation: DNNLOperation {
    let opType: String

    var requantized: Bool { opType == "QLinearMatMul" }
    var takesIntegerData: Bool { true }
    /// MatMulInteger's a_zero_point is data: DynamicQuantizeLinear computes it per run.
    var parameterInputs: Set<Int> { requantized ? [1, 2, 4, 5, 6, 7] : [3] }

    func lower(_ inputs: [DNNLOperand?], into builder: inout DNNLPlanBuilder) throws -> [(slot: Int, shape: [Int])] {
        typealias Q = DNNLQuantizedOperands
        let a = try inputs.required(0, opType), b = try inputs.required(requantized ? 3 : 1, opType)
        try Q.requireSymmetricWeights(b, zeroPoint: inputs.optional(requantized ? 5 : 3), op: opType)
        guard a.shape.count >= 2, b.shape.count == 2, a.shape[a.shape.count - 1] == b.shape[0] else {
            throw KernelError.unsupported("\(opType): oneDNN path takes A [..., M, K] and a 2-D B [K, N]; got \(a.shape) and \(b.shape)")
        }
        let (k, n) = (b.shape[0], b.shape[1])
        let rows = a.shape.dropLast().reduce(1, *)
        let outputShape = Array(a.shape.dropLast()) + [n]

        let attributes = try DNNLAttributes()
        var runtimeZeroPoint: (Int32, Int)?
        if !requantized, let runtime = inputs.optional(2), runtime.value == nil {
            guard builder.desc(a.slot).dataType == dnnl_u8 else {
                throw KernelError.unsupported("\(opType): a runtime a_zero_point needs a uint8 A")
            }
            runtimeZeroPoint = try Q.runtimeSourceZeroPoint(runtime, attributes: attributes, builder: &builder)
        }
        let sourceZero: Int32 = try runtimeZeroPoint != nil ? 0 : Q.zeroPoint(inputs.optional(2), "a_zero_point", op: opType)
        var destinationZero: Int32 = 0
        let dstType: dnnl_data_type_t
        if requantized {
            let sa = try Q.scale(inputs.optional(1), "a_scale", op: opType)
            let sb = try Q.scales(inputs.optional(4), "b_scale", op: opType, allowed: [1, n])
            let sy = try Q.scale(inputs.optional(6), "y_scale", op: opType)
            destinationZero = try Q.zeroPoint(inputs.optional(7), "y_zero_point", op: opType)
            dstType = try Q.outputType(inputs.optional(7)?.value?.dataType ?? DNNLMemoryDesc.tensorType(of: builder.desc(a.slot).dataType), op: opType)
            try attributes.setOutputScales(Q.multipliers(source: sa, weights: sb, output: sy),
                                           perDimension: sb.count == 1 ? nil : 1)
        } else {
            dstType = dnnl_s32
        }
        let shiftsSource = builder.desc(a.slot).dataType == dnnl_s8
        let zeroPointArguments = try Q.zeroPointArguments(
            source: sourceZero + (shiftsSource ? 128 : 0), destination: destinationZero, attributes: attributes, builder: &builder)
            + (runtimeZeroPoint.map { [$0] } ?? [])
        let flat = try builder.reshape(a.slot, to: [rows, k])
        let pd = try DNNLMatMulOperation.descriptor(
            src: .plain([rows, k], type: dnnl_u8), weights: .any([k, n], type: dnnl_s8), bias: nil,
            dst: .plain([rows, n], type: dstType), attributes: attributes, engine: builder.engine, name: opType)
        guard let weightsChosen = pd.desc(dnnl_query_weights_md) else {
            throw KernelError.unsupported("\(opType): oneDNN reported no weights layout")
        }
        let flatOperand = DNNLOperand(slot: flat, shape: [rows, k], value: nil)
        let source = try Q.unsignedSource(flatOperand, zeroPoint: sourceZero, as: .plain([rows, k], type: dnnl_u8),
                                          builder: &builder)
        let output = builder.slot(try .plain([rows, n], type: dstType))
        try builder.add(pd, arguments: [
            (DNNL_ARG_SRC, source.slot),
            (DNNL_ARG_WEIGHTS, try builder.packed(b, source: .plain([k, n], type: dnnl_s8), as: weightsChosen)),
            (DNNL_ARG_DST, output),
        ] + zeroPointArguments)
        return [(output, outputShape)]
    }
}
