import CDNNL
import SwitchyardGraph

/// Conv and the fused `ai.switchyard` FusedConv (bias, residual `Sum` input, activation) as one
/// oneDNN convolution whose layouts oneDNN picks (`format_tag_any`): blocked `nChw8c` data and
/// prepacked weights on AVX2. The residual add is a `sum` post-op on a destination buffer that
/// starts as a copy of `Sum`; the activation is eltwise post-ops.
struct DNNLConvolutionOperation: DNNLPostOpFusing {
    let opType: String
    let window: DNNLWindowAttributes
    let group: Int
    /// Eltwise post-ops after the bias and residual add (empty for plain Conv).
    var activation: [DNNLEltwiseFunction]
    /// Whether source and destination use oneDNN's preferred (blocked) layouts or stay plain
    /// row-major; plain exists to measure what blocking buys.
    var plainActivations = false
    /// The type the source and weights are computed in: `dnnl_bf16` for a layer whose weights are
    /// stored in BF16 (`BF16ComputeMarking`), on a CPU with BF16 arithmetic. The destination,
    /// bias and residual stay float32, so the layers around it are unchanged.
    var computeType = dnnl_f32

    var bf16RoundedInput: Int? { computeType == dnnl_bf16 ? 0 : nil }

    func lower(_ inputs: [DNNLOperand?], into builder: inout DNNLPlanBuilder) throws -> [(slot: Int, shape: [Int])] {
        let x = try inputs.required(0, opType), w = try inputs.required(1, opType)
        let bias = inputs.optional(2), sum = inputs.optional(3)
        let geometry = try DNNLChannelGeometry(x: x.shape, w: w.shape, group: group, outputChannelsAxis: 0, op: opType)
        let resolved = try window.resolve(spatial: geometry.spatial, kernel: geometry.kernel, op: opType)
        let dstShape = [geometry.batch, geometry.outputChannels] + resolved.outputs
        if let bias, bias.shape != [geometry.outputChannels] {
            throw KernelError.invalidArgument("\(opType): bias shape \(bias.shape) must be [\(geometry.outputChannels)]")
        }
        if let sum, sum.shape != dstShape {
            throw KernelError.unsupported("\(opType): Sum shape \(sum.shape) differs from the output \(dstShape)")
        }
        // oneDNN's grouped weights are [G, O/G, I/G, k...]: ONNX's [O, I/G, k...] split at O.
        let weightDims = group == 1 ? w.shape
            : [group, geometry.outputChannels / group] + Array(w.shape.dropFirst())

        let biasDesc = bias == nil ? nil : try DNNLMemoryDesc.plain([geometry.outputChannels])
        // A SiLU that ends the chain runs as its own pass over the result: oneDNN 2.6's swish
        // post-op costs about three times as much (YOLOv8n: 3 ms of its 30 ms of convolutions).
        let swishLast = activation.last.map { $0.alg == dnnl_eltwise_swish && $0.alpha == 1 } ?? false
        let postOps = swishLast ? Array(activation.dropLast()) : activation
        // A BF16 result is what every reader would round this one to (`bf16RoundedInput`); the
        // residual add and the SiLU pass read and write float32.
        var bf16Destination = builder.mayStoreBF16 && sum == nil && !swishLast
        func descriptor(_ postOps: [DNNLEltwiseFunction], type: dnnl_data_type_t,
                        storing stored: dnnl_data_type_t) throws -> DNNLConvolutionDescriptor {
            let src = plainActivations ? try DNNLMemoryDesc.plain(x.shape, type: type) : try DNNLMemoryDesc.any(x.shape, type: type)
            let dst = plainActivations ? try DNNLMemoryDesc.plain(dstShape, type: stored) : try DNNLMemoryDesc.any(dstShape, type: stored)
            let attributes = try DNNLAttributes()
            if sum != nil { try attributes.appendSum() }
            try DNNLActivations.appendPostOps(postOps, to: attributes)
            return try DNNLConvolutionDescriptor(source: src, weights: .any(weightDims, type: type), bias: biasDesc,
                                                 destination: dst, window: resolved, attributes: attributes,
                                                 engine: builder.engine, opType: opType)
        }
        func descriptor(_ postOps: [DNNLEltwiseFunction]) throws -> DNNLConvolutionDescriptor {
            let stored = bf16Destination ? dnnl_bf16 : dnnl_f32
            // A BF16 layer oneDNN has no JIT kernel for (a window shape, a post-op) computes in float32.
            if computeType != dnnl_f32, let reduced = DNNLPrimitiveDescriptor.firstFast(storing: [stored, dnnl_f32], primitive: { $0.primitive }, {
                try descriptor(postOps, type: computeType, storing: $0)
            }) {
                return reduced
            }
            // oneDNN 2.6 has no float32 convolution with a BF16 destination: a float32 layer (one
            // the quantizer kept) writes float32.
            return try descriptor(postOps, type: dnnl_f32, storing: dnnl_f32)
        }
        var convolution = try descriptor(postOps)
        // Post-ops only oneDNN's reference convolution takes (a long chain a region appended)
        // run as a separate elementwise pass instead.
        var separate: [DNNLEltwiseFunction] = []
        if !postOps.isEmpty && convolution.primitive.isReference {
            bf16Destination = false
            convolution = try descriptor([])
            separate = postOps
        }
        let pd = convolution.primitive
        let (srcChosen, weightsChosen, dstChosen) = (convolution.source, convolution.weights, convolution.destination)
        var arguments: [(Int32, Int)] = [
            (DNNL_ARG_SRC, try builder.reorder(x.slot, to: srcChosen)),
            (DNNL_ARG_WEIGHTS, try builder.packed(w, source: .plain(weightDims), as: weightsChosen)),
        ]
        if let bias, let biasChosen = pd.desc(dnnl_query_weights_md, index: 1) {
            arguments.append((DNNL_ARG_BIAS, try builder.packed(bias, as: biasChosen)))
        }
        let output = try sum.map { sum throws(DNNLError) in try builder.copy(sum.slot, to: dstChosen) }
            ?? builder.slot(dstChosen)
        arguments.append((DNNL_ARG_DST, output))
        try builder.add(pd, arguments: arguments)
        var result = output
        if !separate.isEmpty {
            result = try DNNLEltwiseOperation(opType: opType, chain: separate)
                .lower([DNNLOperand(slot: output, shape: dstShape, value: nil)], into: &builder)[0].slot
        }
        if swishLast { builder.swishInPlace(result) }
        return [(result, dstShape)]
    }
}

/// Batch, channel and spatial sizes of a convolution's data and weights, validated.
struct DNNLChannelGeometry {
    let batch: Int
    let inputChannels: Int
    let outputChannels: Int
    let spatial: [Int]
    let kernel: [Int]

    /// `outputChannelsAxis` is 0 for Conv weights `[M, C/g, k...]` and 1 for ConvTranspose
    /// weights `[C, M/g, k...]`.
    init(x: [Int], w: [Int], group: Int, outputChannelsAxis: Int, op: String) throws(KernelError) {
        guard (3...5).contains(x.count), w.count == x.count else {
            throw .unsupported("\(op): oneDNN handles 1-D to 3-D windows; got input \(x) and weights \(w)")
        }
        guard group > 0, x[1] % group == 0 else {
            throw .invalidArgument("\(op): \(x[1]) input channels are not divisible by group \(group)")
        }
        batch = x[0]
        inputChannels = x[1]
        spatial = Array(x.dropFirst(2))
        kernel = Array(w.dropFirst(2))
        if outputChannelsAxis == 0 {
            guard w[0] % group == 0, w[1] * group == x[1] else {
                throw .invalidArgument("\(op): weights \(w) do not match \(x[1]) input channels in \(group) groups")
            }
            outputChannels = w[0]
        } else {
            guard w[0] == x[1] else {
                throw .invalidArgument("\(op): weights \(w) do not match \(x[1]) input channels")
            }
            outputChannels = w[1] * group
        }
    }
}

/// Calls `body` with a pointer to `value`, or with nil when there is none.
func withOptionalPointer<T, R>(to value: T?, _ body: (UnsafePointer<T>?) -> R) -> R {
    guard let value else { return body(nil) }
    return withUnsafePointer(to: value) { body($0) }
}
