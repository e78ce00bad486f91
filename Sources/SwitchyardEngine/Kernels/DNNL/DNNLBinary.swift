import CDNNL
import SwitchyardGraph

/// Add, Sub, Mul, Div, Max and Min (two inputs) as a oneDNN binary primitive. oneDNN
/// broadcasts only its second operand, so the larger input comes first (swapped for the
/// commutative operators); broadcasting both ways is left to the reference kernel. The first
/// operand keeps whatever layout it arrives in; a broadcast second operand is plain.
/// Elementwise nodes that follow may run as eltwise post-ops (`activation`).
struct DNNLBinaryOperation: DNNLPostOpFusing {
    let opType: String
    let alg: dnnl_alg_kind_t
    let commutative: Bool
    var activation: [DNNLEltwiseFunction] = []

    func lower(_ inputs: [DNNLOperand?], into builder: inout DNNLPlanBuilder) throws -> [(slot: Int, shape: [Int])] {
        var first = try inputs.required(0, opType), second = try inputs.required(1, opType)
        let outputShape = try ShapeMath.broadcast([first.shape, second.shape])
        if first.shape != outputShape {
            guard commutative, second.shape == outputShape else {
                throw KernelError.unsupported("\(opType): oneDNN cannot broadcast the first input (\(first.shape) with \(second.shape))")
            }
            swap(&first, &second)
        }
        let dims = outputShape.isEmpty ? [1] : outputShape
        let secondDims = [Int](repeating: 1, count: dims.count - second.shape.count) + second.shape
        do {
            return [(try lower(first.slot, second, secondDims: secondDims, into: &builder), outputShape)]
        } catch {
            // Some broadcasts have no kernel for blocked layouts; plain layouts always do.
            let plainFirst = try builder.plain(first.slot)
            guard plainFirst != first.slot else { throw error }
            return [(try lower(plainFirst, second, secondDims: secondDims, into: &builder), outputShape)]
        }
    }

    private func lower(_ firstSlot: Int, _ second: DNNLOperand, secondDims: [Int],
                       into builder: inout DNNLPlanBuilder) throws -> Int {
        let src0 = builder.desc(firstSlot)
        let src1 = secondDims == src0.dims ? src0 : try DNNLMemoryDesc.plain(secondDims)
        func descriptor(_ postOps: [DNNLEltwiseFunction], storing type: dnnl_data_type_t) throws -> DNNLPrimitiveDescriptor {
            let dst = src0.withDataType(type)
            var op = dnnl_binary_desc_t()
            let status = withUnsafePointer(to: src0.raw) { src0Raw in
                withUnsafePointer(to: src1.raw) { src1Raw in
                    withUnsafePointer(to: dst.raw) { dstRaw in
                        dnnl_binary_desc_init(&op, alg, src0Raw, src1Raw, dstRaw)
                    }
                }
            }
            try dnnlCheck(status, "dnnl_binary_desc_init(\(opType))")
            let attributes = try DNNLAttributes()
            try DNNLActivations.appendPostOps(postOps, to: attributes)
            return try DNNLPrimitiveDescriptor(op, attributes: attributes, engine: builder.engine, name: opType)
        }
        let stored = builder.storedType(src0.dataType)
        var pd = try descriptor(activation, storing: stored)
        if stored != src0.dataType && pd.implementationName.hasPrefix("ref") {
            pd = try descriptor(activation, storing: src0.dataType)
        }
        // Post-ops oneDNN has only a reference kernel for run as a separate chain instead, on
        // the float32 result.
        var separate: [DNNLEltwiseFunction] = []
        if !activation.isEmpty && pd.implementationName.hasPrefix("ref") {
            pd = try descriptor([], storing: src0.dataType)
            separate = activation
        }
        let secondSlot = secondDims == src0.dims
            ? try builder.reorder(second.slot, to: src0)
            : try builder.reshape(second.slot, to: secondDims)
        let output = builder.slot(pd.desc(dnnl_query_dst_md) ?? src0)
        try builder.add(pd, arguments: [(DNNL_ARG_SRC_0, firstSlot), (DNNL_ARG_SRC_1, secondSlot), (DNNL_ARG_DST, output)])
        guard !separate.isEmpty else { return output }
        let shape = builder.desc(output).dims
        return try DNNLEltwiseOperation(opType: opType, chain: separate)
            .lower([DNNLOperand(slot: output, shape: shape, value: nil)], into: &builder)[0].slot
    }
}
