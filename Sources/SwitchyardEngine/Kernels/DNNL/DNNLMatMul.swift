import CDNNL
import SwitchyardGraph

/// MatMul (batched, NumPy-broadcast batch dimensions) and the fused `ai.switchyard`
/// FusedMatMul (bias on the last axis, activation as eltwise post-ops) as one oneDNN matmul.
/// A constant right-hand side is prepacked in the layout oneDNN prefers.
struct DNNLMatMulOperation: DNNLOperation {
    let opType: String
    let activation: [DNNLEltwiseFunction]
    /// `dnnl_bf16` for a matmul whose constant weights are stored in BF16 (`BF16ComputeMarking`),
    /// on a CPU with BF16 arithmetic: the left operand and the weights compute in BF16, the
    /// result stays float32.
    var computeType = dnnl_f32

    func lower(_ inputs: [DNNLOperand?], into builder: inout DNNLPlanBuilder) throws -> [(slot: Int, shape: [Int])] {
        let a = try inputs.required(0, opType), b = try inputs.required(1, opType), bias = inputs.optional(2)
        guard !a.shape.isEmpty, !b.shape.isEmpty else {
            throw KernelError.invalidArgument("\(opType): inputs must have rank 1 or more, got \(a.shape) and \(b.shape)")
        }
        let left = a.shape.count == 1 ? [1] + a.shape : a.shape
        let right = b.shape.count == 1 ? b.shape + [1] : b.shape
        let rank = max(left.count, right.count)
        let leftPadded = [Int](repeating: 1, count: rank - left.count) + left
        let rightPadded = [Int](repeating: 1, count: rank - right.count) + right
        let (m, k, n) = (leftPadded[rank - 2], leftPadded[rank - 1], rightPadded[rank - 1])
        guard rightPadded[rank - 2] == k else {
            throw KernelError.invalidArgument("\(opType): inner dimensions differ in \(a.shape) x \(b.shape)")
        }
        let batch = try ShapeMath.broadcast([Array(left.dropLast(2)), Array(right.dropLast(2))])
        let dstDims = [Int](repeating: 1, count: rank - 2 - batch.count) + batch + [m, n]
        var outputShape = batch
        if a.shape.count > 1 { outputShape.append(m) }
        if b.shape.count > 1 { outputShape.append(n) }

        var biasDims: [Int]?
        if let bias {
            guard bias.shape.reduce(1, *) == n, bias.shape.last == n || n == 1 else {
                throw KernelError.unsupported("\(opType): bias \(bias.shape) is not a vector over the last axis (\(n))")
            }
            biasDims = [Int](repeating: 1, count: rank - 1) + [n]
        }
        let attributes = try DNNLAttributes()
        try DNNLActivations.appendPostOps(activation, to: attributes)
        var src = try builder.reshape(a.slot, to: leftPadded)
        func descriptor(type: dnnl_data_type_t) throws -> DNNLPrimitiveDescriptor {
            let weightsDesc = b.value != nil ? try DNNLMemoryDesc.any(rightPadded, type: type) : try DNNLMemoryDesc.plain(rightPadded)
            return try DNNLMatMulOperation.descriptor(
                src: .plain(leftPadded, type: type), weights: weightsDesc, bias: biasDims.map { try .plain($0) },
                dst: .plain(dstDims), attributes: attributes, engine: builder.engine, name: opType)
        }
        var pd = try descriptor(type: dnnl_f32)
        // BF16 only with constant weights, and only where oneDNN has a JIT kernel for it.
        if computeType != dnnl_f32, b.value != nil, let reduced = try? descriptor(type: computeType),
           !reduced.isReference {
            pd = reduced
            src = try builder.reorder(src, to: .plain(leftPadded, type: computeType))
        }
        var arguments: [(Int32, Int)] = [
            (DNNL_ARG_SRC, src),
            (DNNL_ARG_WEIGHTS, try packWeights(b, dims: rightPadded, pd: pd, builder: &builder)),
        ]
        if let bias, let biasDims {
            arguments.append((DNNL_ARG_BIAS, try builder.reshape(bias.slot, to: biasDims)))
        }
        let output = builder.slot(try .plain(dstDims))
        arguments.append((DNNL_ARG_DST, output))
        try builder.add(pd, arguments: arguments)
        return [(output, outputShape)]
    }

    private func packWeights(_ b: DNNLOperand, dims: [Int], pd: DNNLPrimitiveDescriptor, builder: inout DNNLPlanBuilder) throws -> Int {
        guard let chosen = pd.desc(dnnl_query_weights_md) else {
            throw KernelError.unsupported("\(opType): oneDNN reported no weights layout")
        }
        if b.value != nil { return try builder.packed(b, source: .plain(dims), as: chosen) }
        return try builder.reshape(b.slot, to: dims)
    }

    /// A matmul primitive descriptor over the given layouts.
    static func descriptor(src: DNNLMemoryDesc, weights: DNNLMemoryDesc, bias: DNNLMemoryDesc?, dst: DNNLMemoryDesc,
                           attributes: DNNLAttributes, engine: DNNLEngine, name: String) throws(DNNLError) -> DNNLPrimitiveDescriptor {
        var op = dnnl_matmul_desc_t()
        let status = withUnsafePointer(to: src.raw) { srcRaw in
            withUnsafePointer(to: weights.raw) { weightsRaw in
                withUnsafePointer(to: dst.raw) { dstRaw in
                    withOptionalPointer(to: bias?.raw) { biasRaw in
                        dnnl_matmul_desc_init(&op, srcRaw, weightsRaw, biasRaw, dstRaw)
                    }
                }
            }
        }
        try dnnlCheck(status, "dnnl_matmul_desc_init(\(name))")
        return try DNNLPrimitiveDescriptor(op, attributes: attributes, engine: engine, name: name)
    }
}

/// Gemm: `alpha * A' * B' + beta * C` with `A'`/`B'` optionally transposed. Transposes are
/// strided views (no copy); `alpha` is a linear post-op; a full-size `C` is copied into the
/// destination and added by a `sum(beta)` post-op, a broadcast `C` by a binary-add post-op.
struct DNNLGemmOperation: DNNLOperation {
    let transA: Bool
    let transB: Bool
    let alpha: Float
    let beta: Float

    func lower(_ inputs: [DNNLOperand?], into builder: inout DNNLPlanBuilder) throws -> [(slot: Int, shape: [Int])] {
        let a = try inputs.required(0, "Gemm"), b = try inputs.required(1, "Gemm")
        let c = beta == 0 ? nil : inputs.optional(2)
        guard a.shape.count == 2, b.shape.count == 2 else {
            throw KernelError.invalidArgument("Gemm: A and B must be 2-D, got \(a.shape) and \(b.shape)")
        }
        let (m, k) = transA ? (a.shape[1], a.shape[0]) : (a.shape[0], a.shape[1])
        let (kb, n) = transB ? (b.shape[1], b.shape[0]) : (b.shape[0], b.shape[1])
        guard k == kb else { throw KernelError.invalidArgument("Gemm: inner dimensions \(k) and \(kb) differ") }

        let attributes = try DNNLAttributes()
        if alpha != 1 { try attributes.appendEltwise(dnnl_eltwise_linear, alpha: alpha, beta: 0) }
        var cPadded: [Int]?
        var sumInto: Int?
        var binarySource: (index: Int, slot: Int)?
        if let c {
            guard c.shape.count <= 2 else { throw KernelError.invalidArgument("Gemm: C must have rank 2 or less, got \(c.shape)") }
            let padded = [Int](repeating: 1, count: 2 - c.shape.count) + c.shape
            guard (padded[0] == 1 || padded[0] == m) && (padded[1] == 1 || padded[1] == n) else {
                throw KernelError.invalidArgument("Gemm: C \(c.shape) does not broadcast to [\(m), \(n)]")
            }
            cPadded = padded
            if padded == [m, n] {
                try attributes.appendSum(scale: beta)
            } else if beta == 1 || c.value != nil {
                try attributes.appendBinary(dnnl_binary_add, source: .plain(padded))
            } else {
                throw KernelError.unsupported("Gemm: broadcast runtime C with beta \(beta)")
            }
        }
        let aSource = transA ? try DNNLMemoryDesc.strided([m, k], strides: [1, m]) : try DNNLMemoryDesc.plain([m, k])
        let bSource = transB ? try DNNLMemoryDesc.strided([k, n], strides: [1, k]) : try DNNLMemoryDesc.plain([k, n])
        let pd = try DNNLMatMulOperation.descriptor(
            src: aSource, weights: b.value != nil ? .any([k, n]) : bSource, bias: nil, dst: .plain([m, n]),
            attributes: attributes, engine: builder.engine, name: "Gemm")
        guard let weightsChosen = pd.desc(dnnl_query_weights_md) else {
            throw KernelError.unsupported("Gemm: oneDNN reported no weights layout")
        }
        let src = builder.view(try builder.plain(a.slot), as: aSource)
        let weights = b.value != nil
            ? try builder.packed(b, source: bSource, as: weightsChosen)
            : builder.view(try builder.plain(b.slot), as: bSource)
        if let c, let cPadded {
            if cPadded == [m, n] {
                sumInto = try builder.copy(try builder.reshape(c.slot, to: cPadded), to: .plain([m, n]))
            } else if let value = c.value, beta != 1 {
                let scaled = value.scalars(as: Float.self).map { $0 * beta }
                binarySource = (attributes.postOpCount - 1, try builder.constant(scaled, shape: cPadded))
            } else {
                binarySource = (attributes.postOpCount - 1, try builder.reshape(c.slot, to: cPadded))
            }
        }
        let output = try sumInto ?? builder.slot(.plain([m, n]))
        var arguments: [(Int32, Int)] = [(DNNL_ARG_SRC, src), (DNNL_ARG_WEIGHTS, weights), (DNNL_ARG_DST, output)]
        if let binarySource { arguments.append((dnnlBinaryPostOpSource(binarySource.index), binarySource.slot)) }
        try builder.add(pd, arguments: arguments)
        return [(output, [m, n])]
    }
}
