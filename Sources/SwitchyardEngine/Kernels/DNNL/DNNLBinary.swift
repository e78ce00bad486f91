import CDNNL
import SwitchyardGraph
import SwitchyardTensor

/// Add, Sub, Mul, Div, Max and Min (two inputs) as a oneDNN binary primitive. oneDNN
/// broadcasts only its second operand, so the larger input comes first (swapped for the
/// commutative operators); broadcasting both ways is left to the reference kernel. The first
/// operand keeps whatever layout it arrives in; a broadcast second operand is plain.
/// Binary steps on the result and full-size tensors may follow as binary post-ops (`residual`:
/// PP-OCR det's squeeze-excitation `x + x · s`, and the FPN's upsampled Add after it), and
/// elementwise nodes after them as eltwise post-ops (`activation`).
struct DNNLBinaryOperation: DNNLPostOpFusing {
    let opType: String
    let alg: dnnl_alg_kind_t
    let commutative: Bool
    /// `result alg input 2`, then `alg input 3`…, applied before `activation` (`DNNLPostOpFusion`).
    var residual: [(opType: String, alg: dnnl_alg_kind_t)] = []
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
        first = DNNLOperand(slot: try builder.plainIfSingleChannel(first.slot), shape: first.shape, value: first.value)
        let residualOperands = try residual.indices.map { step throws(KernelError) in try inputs.required(2 + step, opType) }
        let dims = outputShape.isEmpty ? [1] : outputShape
        let secondDims = [Int](repeating: 1, count: dims.count - second.shape.count) + second.shape
        var output: Int
        // A failed attempt may have added steps (a reorder of the second operand): each retry
        // starts from the builder as it was.
        let before = builder
        do {
            output = try lower(first.slot, second, secondDims: secondDims, residual: residualOperands, into: &builder)
        } catch {
            builder = before
            if let inFirstLayout = try? lowerInFirstLayout(first.slot, second, secondDims: secondDims,
                                                           residual: residualOperands, into: &builder) {
                output = inFirstLayout
            } else {
                builder = before
                // Some broadcasts have no kernel for blocked layouts; plain layouts always do.
                let plainFirst = try builder.plain(first.slot)
                guard plainFirst != first.slot else { throw error }
                output = try lower(plainFirst, second, secondDims: secondDims, residual: residualOperands, into: &builder)
            }
        }
        return [(output, outputShape)]
    }

    /// The result's slot, with a broadcast second operand (a scalar, or a pooled `[N, C, 1, 1]`)
    /// in the first operand's blocked layout, so that the first is not reordered to plain and
    /// back (a QDQ model's HardSwish as `x · Clip(x + 3) / 6` with a FakeQuantize after each step).
    /// oneDNN takes only operators that keep padded channels zero there, so a Div by constants
    /// runs as a Mul by their reciprocals, as `ConvAffineFolding` folds one (the product may
    /// differ from the quotient in the last bit).
    private func lowerInFirstLayout(_ firstSlot: Int, _ second: DNNLOperand, secondDims: [Int], residual: [DNNLOperand],
                                    into builder: inout DNNLPlanBuilder) throws -> Int {
        guard let layout = builder.desc(firstSlot).sameLayout(dims: secondDims), !layout.isPlain else {
            throw KernelError.unsupported("\(opType): \(secondDims) has no blocked layout like the first input's")
        }
        guard alg == dnnl_binary_div else {
            return try lower(firstSlot, second, secondDims: secondDims, residual: residual, secondLayout: layout, into: &builder)
        }
        guard let divisors = second.value, divisors.dataType == .float32,
              !divisors.scalars(as: Float.self).contains(0) else {
            throw KernelError.unsupported("\(opType): oneDNN divides in blocked layouts by nonzero constants only")
        }
        let reciprocals = Tensor(shape: divisors.shape, scalars: divisors.scalars(as: Float.self).map { 1 / $0 })
        let multiply = DNNLBinaryOperation(opType: opType, alg: dnnl_binary_mul, commutative: true,
                                           residual: self.residual, activation: activation)
        return try multiply.lower(firstSlot, DNNLOperand(slot: second.slot, shape: second.shape, value: reciprocals),
                                  secondDims: secondDims, residual: residual, secondLayout: layout, into: &builder)
    }

    /// The result's slot. Residual steps whose operands have the output's shape are binary
    /// post-ops when oneDNN has a kernel for them; otherwise they and the activation run as passes
    /// of their own.
    private func lower(_ firstSlot: Int, _ second: DNNLOperand, secondDims: [Int], residual: [DNNLOperand],
                       secondLayout: DNNLMemoryDesc? = nil, into builder: inout DNNLPlanBuilder) throws -> Int {
        let src0 = builder.desc(firstSlot)
        let src1 = secondDims == src0.dims ? src0 : try secondLayout ?? DNNLMemoryDesc.plain(secondDims)
        let residualDesc = src0.withDataType(dnnl_f32)
        func descriptor(_ postOps: [DNNLEltwiseFunction], storing type: dnnl_data_type_t,
                        withResidual: Bool) throws -> DNNLPrimitiveDescriptor {
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
            if withResidual { for step in self.residual { try attributes.appendBinary(step.alg, source: residualDesc) } }
            try DNNLActivations.appendPostOps(postOps, to: attributes)
            return try DNNLPrimitiveDescriptor(op, attributes: attributes, engine: builder.engine, name: opType)
        }
        let stored = builder.storedType(src0.dataType)
        // One primitive for every step when oneDNN has a kernel for it (stored as wanted, else as
        // computed); otherwise the residual steps and the activation run as passes after it, in order.
        let oneStep = residual.allSatisfy { $0.shape == src0.dims }
        var pd = !oneStep ? nil : DNNLPrimitiveDescriptor.firstFast(storing: [stored, src0.dataType], primitive: { $0 }) {
            try descriptor(activation, storing: $0, withResidual: true)
        }
        let residualPasses = pd == nil ? residual : []
        var separate: [DNNLEltwiseFunction] = []
        if pd == nil {
            separate = activation
            pd = try descriptor([], storing: residualPasses.isEmpty && activation.isEmpty ? stored : src0.dataType,
                                withResidual: false)
        }
        guard let pd else { throw KernelError.unsupported("\(opType): no oneDNN binary kernel") }
        let secondSlot = secondDims == src0.dims ? try builder.reorder(second.slot, to: src0)
            : src1.isPlain ? try builder.reshape(second.slot, to: secondDims)
            : try builder.packed(DNNLOperand(slot: second.value != nil || builder.desc(second.slot).dims == secondDims
                                                 ? second.slot : try builder.reshape(second.slot, to: secondDims),
                                             shape: secondDims, value: second.value), as: src1)
        var arguments = [(DNNL_ARG_SRC_0, firstSlot), (DNNL_ARG_SRC_1, secondSlot)]
        if residualPasses.isEmpty {
            for (index, operand) in residual.enumerated() {
                arguments.append((dnnlBinaryPostOpSource(index), try builder.reorder(operand.slot, to: residualDesc)))
            }
        }
        var output = builder.slot(pd.desc(dnnl_query_dst_md) ?? src0)
        arguments.append((DNNL_ARG_DST, output))
        try builder.add(pd, arguments: arguments)
        let shape = builder.desc(output).dims
        let mayStoreBF16 = builder.mayStoreBF16
        defer { builder.mayStoreBF16 = mayStoreBF16 }
        for (index, (step, operand)) in zip(self.residual, residualPasses).enumerated() {
            // Stored as the member's output only by the last step, when no activation follows.
            builder.mayStoreBF16 = mayStoreBF16 && activation.isEmpty && index == residualPasses.count - 1
            output = try DNNLBinaryOperation(opType: step.opType, alg: step.alg, commutative: false)
                .lower([DNNLOperand(slot: output, shape: shape, value: nil), operand], into: &builder)[0].slot
        }
        guard !separate.isEmpty else { return output }
        return try DNNLEltwiseOperation(opType: opType, chain: separate)
            .lower([DNNLOperand(slot: output, shape: shape, value: nil)], into: &builder)[0].slot
    }
}
