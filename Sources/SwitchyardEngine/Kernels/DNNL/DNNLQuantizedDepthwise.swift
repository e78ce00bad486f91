import CDNNL

/// A depthwise QLinearConv (one 2-D filter per channel) on the engine's AVX-512 VNNI kernel
/// (`switchyard_dw_u8`, `CDNNL/depthwise.h`) instead of oneDNN.
///
/// oneDNN 2.6's depthwise int8 kernels multiply one filter tap per instruction, so int8 ran only
/// 1.3–1.7× faster than float32 where dense convolutions run 4× (PP-OCR rec's 5×5 depthwise
/// layers: 1.53 ms in `jit_int8`, 1.27 ms in `brdgmm_dw` without a source zero point, 0.75 ms
/// here, at batch 8 on one core). A fused SiLU or HardSwish (MobileNetV3's depthwise layers) is
/// applied as the bytes are written. The kernel reads and writes `nhwc` bytes, the layout oneDNN's
/// int8 convolutions choose, so no reorder comes between them.
enum DNNLQuantizedDepthwise {
    /// The output slot and shape when `kernel` can compute this QLinearConv, nil to leave it to oneDNN.
    static func lower(x: DNNLOperand, weights: DNNLOperand, bias: DNNLOperand?, geometry: DNNLChannelGeometry,
                      group: Int, window: DNNLWindow, requantization: DNNLOwnInt8Requantization, sourceZero: Int32,
                      builder: inout DNNLPlanBuilder) throws -> (slot: Int, shape: [Int])? {
        let channels = geometry.outputChannels
        guard DNNLInt8Support.hasOwnKernels, window.fitsOwnInt8Kernels, group == channels,
              geometry.inputChannels == channels, let weightValues = weights.value, weightValues.dataType == .int8
        else { return nil }
        let (height, width) = (geometry.spatial[0], geometry.spatial[1])
        let (kernelHeight, kernelWidth) = (geometry.kernel[0], geometry.kernel[1])
        let shape = [geometry.batch, channels] + window.outputs
        let source = try DNNLQuantizedOperands.unsignedSource(x, zeroPoint: sourceZero,
                                                              as: .channelsLast(x.shape, type: dnnl_u8), builder: &builder)
        let output = builder.slot(try .channelsLast(shape, type: requantization.destinationType))

        let padded = (channels + 15) / 16 * 16
        var packed = [Int8](repeating: 0, count: switchyard_dw_packed_weight_bytes(channels, Int32(kernelHeight),
                                                                                   Int32(kernelWidth)))
        var packedBias = [Int32](repeating: 0, count: padded)
        var packedScales = [Float](repeating: 0, count: padded)
        let biasValues = bias?.value?.scalars(as: Int32.self)
        weightValues.scalars(as: Int8.self).withUnsafeBufferPointer { w in
            biasValues.withOptionalBuffer { b in
                switchyard_dw_pack(w.baseAddress, b, requantization.scales, requantization.scales.count, channels,
                                   Int32(kernelHeight), Int32(kernelWidth), source.zeroPoint, &packed, &packedBias,
                                   &packedScales)
            }
        }
        var job = switchyard_dw_job()
        (job.batch, job.height, job.width, job.channels) = (geometry.batch, height, width, channels)
        (job.out_height, job.out_width) = (window.outputs[0], window.outputs[1])
        (job.kernel_h, job.kernel_w) = (Int32(kernelHeight), Int32(kernelWidth))
        (job.stride_h, job.stride_w) = (Int32(window.strides[0]), Int32(window.strides[1]))
        (job.pad_top, job.pad_left) = (Int32(window.padBegin[0]), Int32(window.padBegin[1]))
        job.source_zero = UInt8(source.zeroPoint)
        job.requantize(as: requantization)
        let step = DNNLOwnInt8ConvolutionStep(source: source.slot, destination: output, job: job, weights: packed,
                                              bias: packedBias, scales: packedScales)
        builder.kernel(step, work: shape.reduce(1, *) * kernelHeight * kernelWidth)
        return (output, shape)
    }
}
