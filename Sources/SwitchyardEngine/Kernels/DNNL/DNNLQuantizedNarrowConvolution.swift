import CDNNL

/// A QLinearConv with narrow filter rows on the engine's AVX-512 VNNI kernel
/// (`switchyard_narrow_u8`, `CDNNL/narrow_convolution.h`):
///
/// - the first layer over a planar input of at most 4 channels, read where it lies (oneDNN needed
///   a transposing reorder first: PP-OCR det's 8 images of 640², 4.5 ms reorder + 5.6 ms
///   `brgconv` → 4.1 ms here);
/// - a layer with a fused SiLU whose filter rows hold at most `SWITCHYARD_NARROW_MAX_ROW_BYTES`
///   (YOLOv8n's 16- to 96-channel layers), where oneDNN's `swish` post-op cost more than the
///   arithmetic.
enum DNNLQuantizedNarrowConvolution {
    /// The output slot and shape when the kernel can compute this QLinearConv, nil to leave it to
    /// oneDNN.
    static func lower(x: DNNLOperand, weights: DNNLOperand, bias: DNNLOperand?, geometry: DNNLChannelGeometry,
                      group: Int, window: DNNLWindow, requantization: DNNLOwnInt8Requantization, sourceZero: Int32,
                      builder: inout DNNLPlanBuilder) throws -> (slot: Int, shape: [Int])? {
        guard DNNLInt8Support.hasOwnKernels, window.fitsOwnInt8Kernels, group == 1,
              let weightValues = weights.value, weightValues.dataType == .int8 else { return nil }
        let (channels, outputChannels) = (geometry.inputChannels, geometry.outputChannels)
        let (kernelHeight, kernelWidth) = (geometry.kernel[0], geometry.kernel[1])
        let planar = channels <= Int(SWITCHYARD_NARROW_MAX_CHANNELS) && builder.desc(x.slot).isPlain
        let swish = requantization.activation == SWITCHYARD_INT8_SWISH
        guard planar || (swish && kernelWidth * channels <= Int(SWITCHYARD_NARROW_MAX_ROW_BYTES)) else { return nil }
        let shape = [geometry.batch, outputChannels] + window.outputs
        let layout: DNNLMemoryDesc = planar ? try .plain(x.shape, type: dnnl_u8) : try .channelsLast(x.shape, type: dnnl_u8)
        let source = try DNNLQuantizedOperands.unsignedSource(x, zeroPoint: sourceZero, as: layout, builder: &builder)
        let output = builder.slot(try .channelsLast(shape, type: requantization.destinationType))

        let padded = (outputChannels + 15) / 16 * 16
        var packed = [Int8](repeating: 0, count: switchyard_narrow_packed_weight_bytes(
            outputChannels, channels, Int32(kernelHeight), Int32(kernelWidth)))
        var packedBias = [Int32](repeating: 0, count: padded)
        var packedScales = [Float](repeating: 0, count: padded)
        let biasValues = bias?.value?.scalars(as: Int32.self)
        weightValues.scalars(as: Int8.self).withUnsafeBufferPointer { w in
            biasValues.withOptionalBuffer { b in
                switchyard_narrow_pack(w.baseAddress, b, requantization.scales, requantization.scales.count,
                                       outputChannels, channels, Int32(kernelHeight), Int32(kernelWidth),
                                       source.zeroPoint, &packed, &packedBias, &packedScales)
            }
        }
        var job = switchyard_narrow_job()
        job.batch = geometry.batch
        job.channels = channels
        (job.height, job.width) = (geometry.spatial[0], geometry.spatial[1])
        job.out_channels = outputChannels
        (job.out_height, job.out_width) = (window.outputs[0], window.outputs[1])
        (job.kernel_h, job.kernel_w) = (Int32(kernelHeight), Int32(kernelWidth))
        (job.stride_h, job.stride_w) = (Int32(window.strides[0]), Int32(window.strides[1]))
        (job.pad_top, job.pad_left) = (Int32(window.padBegin[0]), Int32(window.padBegin[1]))
        job.source_zero = UInt8(source.zeroPoint)
        job.channels_last = planar ? 0 : 1
        job.requantize(as: requantization)
        let step = DNNLOwnInt8ConvolutionStep(source: source.slot, destination: output, job: job, weights: packed,
                                         bias: packedBias, scales: packedScales)
        builder.kernel(step, work: shape.reduce(1, *) * channels * kernelHeight * kernelWidth)
        return (output, shape)
    }
}
