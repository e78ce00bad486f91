import CDNNL
import SwitchyardGraph

/// QLinearConv and ConvInteger as one oneDNN int8 convolution: uint8 source (an int8 source
/// is shifted, see `DNNLQuantizedOperands`), int8 weights prepacked once per plan, int32 bias,
/// per-channel output scales, source and destination zero points. Layouts are oneDNN's
/// choice (`nhwc` and blocked weights for int8 on AVX2).
///
/// - `QLinearConv` (`requantized`): inputs x, x_scale, x_zp, w, w_scale, w_zp, y_scale, y_zp, B;
///   output uint8/int8 with y's scale and zero point.
/// - `ConvInteger`: inputs x, w, x_zp, w_zp; output the int32 accumulators.
///
/// Where the CPU has AVX-512 VNNI, some shapes run on the engine's own kernels instead: a first
/// layer over a planar input of at most 4 channels and narrow layers with a fused SiLU
/// (`DNNLQuantizedNarrowConvolution`), and depthwise layers (`DNNLQuantizedDepthwise`), with no
/// activation, a SiLU or a HardSwish.
///
/// A QLinearConv with a fused activation (`QDQFusion`'s SiLU or HardSwish) scales the accumulator to its
/// real value (`x_scale · w_scale`), applies the activation as eltwise post-ops, then a
/// `linear(1 / y_scale)` post-op; oneDNN adds the destination zero point after the post-ops
/// and rounds and saturates last, so the output is `Q(activation(real))` as the QDQ graph's.
struct DNNLQuantizedConvolutionOperation: DNNLOperation {
    let opType: String
    let window: DNNLWindowAttributes
    let group: Int
    /// Eltwise post-ops applied to the real accumulator (QLinearConv only; empty for none).
    var activation: [DNNLEltwiseFunction] = []

    var requantized: Bool { opType == "QLinearConv" }
    var takesIntegerData: Bool { true }
    /// ConvInteger's x_zero_point is data: DynamicQuantizeLinear computes it per run.
    var parameterInputs: Set<Int> { requantized ? [1, 2, 4, 5, 6, 7, 8] : [3] }

    func lower(_ inputs: [DNNLOperand?], into builder: inout DNNLPlanBuilder) throws -> [(slot: Int, shape: [Int])] {
        typealias Q = DNNLQuantizedOperands
        let x = try inputs.required(0, opType), w = try inputs.required(requantized ? 3 : 1, opType)
        try Q.requireSymmetricWeights(w, zeroPoint: inputs.optional(requantized ? 5 : 3), op: opType)
        let geometry = try DNNLChannelGeometry(x: x.shape, w: w.shape, group: group, outputChannelsAxis: 0, op: opType)
        let resolved = try window.resolve(spatial: geometry.spatial, kernel: geometry.kernel, op: opType)
        let channels = geometry.outputChannels
        let dstShape = [geometry.batch, channels] + resolved.outputs
        let weightDims = group == 1 ? w.shape : [group, channels / group] + Array(w.shape.dropFirst())

        let attributes = try DNNLAttributes()
        var sourceZero: Int32, destinationZero: Int32 = 0
        let dstType: dnnl_data_type_t
        var bias: DNNLOperand?
        var runtimeZeroPoint: (Int32, Int)?
        if requantized {
            let sx = try Q.scale(inputs.optional(1), "x_scale", op: opType)
            let sw = try Q.scales(inputs.optional(4), "w_scale", op: opType, allowed: [1, channels])
            let sy = try Q.scale(inputs.optional(6), "y_scale", op: opType)
            sourceZero = try Q.zeroPoint(inputs.optional(2), "x_zero_point", op: opType)
            destinationZero = try Q.zeroPoint(inputs.optional(7), "y_zero_point", op: opType)
            dstType = try Q.outputType(inputs.optional(7)?.value?.dataType ?? DNNLMemoryDesc.tensorType(of: builder.desc(x.slot).dataType), op: opType)
            if activation.isEmpty {
                try attributes.setOutputScales(Q.multipliers(source: sx, weights: sw, output: sy),
                                               perDimension: sw.count == 1 ? nil : 1)
            } else {
                try attributes.setOutputScales(sw.map { sx * $0 }, perDimension: sw.count == 1 ? nil : 1)
                try DNNLActivations.appendPostOps(activation + [.init(alg: dnnl_eltwise_linear, alpha: 1 / sy, beta: 0)],
                                                  to: attributes)
            }
            bias = inputs.optional(8)
            if let bias {
                guard let value = bias.value, value.dataType == .int32, value.shape == [channels] else {
                    throw KernelError.unsupported("\(opType): oneDNN needs B as a constant int32 [\(channels)]")
                }
            }
            if let own = Self.ownKernelActivation(activation) {
                let requantization = DNNLOwnInt8Requantization(
                    activation: own, scales: own == SWITCHYARD_INT8_IDENTITY ? Q.multipliers(source: sx, weights: sw, output: sy)
                        : sw.map { sx * $0 },
                    outputScale: 1 / sy, destinationZero: destinationZero, destinationType: dstType)
                if let narrow = try DNNLQuantizedNarrowConvolution.lower(
                    x: x, weights: w, bias: bias, geometry: geometry, group: group, window: resolved,
                    requantization: requantization, sourceZero: sourceZero, builder: &builder) {
                    return [narrow]
                }
                if let depthwise = try DNNLQuantizedDepthwise.lower(
                    x: x, weights: w, bias: bias, geometry: geometry, group: group, window: resolved,
                    requantization: requantization, sourceZero: sourceZero, builder: &builder) {
                    return [depthwise]
                }
            }
        } else if let runtime = inputs.optional(2), runtime.value == nil {
            guard builder.desc(x.slot).dataType == dnnl_u8 else {
                throw KernelError.unsupported("\(opType): a runtime x_zero_point needs a uint8 x")
            }
            runtimeZeroPoint = try Q.runtimeSourceZeroPoint(runtime, attributes: attributes, builder: &builder)
            sourceZero = 0
            dstType = dnnl_s32
        } else {
            sourceZero = try Q.zeroPoint(inputs.optional(2), "x_zero_point", op: opType)
            dstType = dnnl_s32
        }

        let src = try DNNLMemoryDesc.any(x.shape, type: dnnl_u8)
        let weights = try DNNLMemoryDesc.any(weightDims, type: dnnl_s8)
        let dst = try DNNLMemoryDesc.any(dstShape, type: dstType)
        let biasDesc = bias == nil ? nil : try DNNLMemoryDesc.plain([channels], type: dnnl_s32)
        // The source may be shifted to uint8 below, which moves its zero point: declare the
        // zero points before creating the primitive (they are bound at execution).
        let shiftsSource = builder.desc(x.slot).dataType == dnnl_s8
        let effectiveSourceZero = sourceZero + (shiftsSource ? 128 : 0)
        let zeroPointArguments = try Q.zeroPointArguments(source: effectiveSourceZero, destination: destinationZero,
                                                          attributes: attributes, builder: &builder)
            + (runtimeZeroPoint.map { [$0] } ?? [])
        let convolution = try DNNLConvolutionDescriptor(source: src, weights: weights, bias: biasDesc, destination: dst,
                                                        window: resolved, attributes: attributes, engine: builder.engine,
                                                        opType: opType)
        let pd = convolution.primitive
        let (srcChosen, weightsChosen, dstChosen) = (convolution.source, convolution.weights, convolution.destination)
        let source = try Q.unsignedSource(x, zeroPoint: sourceZero, as: srcChosen, builder: &builder)
        var arguments: [(Int32, Int)] = [
            (DNNL_ARG_SRC, source.slot),
            (DNNL_ARG_WEIGHTS, try builder.packed(w, source: .plain(weightDims, type: dnnl_s8), as: weightsChosen)),
        ]
        if let bias, let value = bias.value, let biasChosen = pd.desc(dnnl_query_weights_md, index: 1) {
            arguments.append((DNNL_ARG_BIAS, try builder.constant(value.storage, source: .plain([channels], type: dnnl_s32),
                                                                  as: biasChosen)))
        }
        let output = builder.slot(dstChosen)
        arguments.append((DNNL_ARG_DST, output))
        try builder.add(pd, arguments: arguments + zeroPointArguments)
        return [(output, dstShape)]
    }

    /// The engine's own kernels' code for `activation` (none, SiLU, HardSwish), nil for others.
    static func ownKernelActivation(_ activation: [DNNLEltwiseFunction]) -> switchyard_int8_activation? {
        guard let only = activation.first else { return SWITCHYARD_INT8_IDENTITY }
        guard activation.count == 1 else { return nil }
        if only.alg == dnnl_eltwise_swish && only.alpha == 1 { return SWITCHYARD_INT8_SWISH }
        if only.alg == dnnl_eltwise_hardswish { return SWITCHYARD_INT8_HARDSWISH }
        return nil
    }
}
