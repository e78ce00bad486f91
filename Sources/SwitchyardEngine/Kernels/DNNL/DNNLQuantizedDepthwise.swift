import CDNNL

/// A depthwise QLinearConv (one 2-D filter per channel) on the engine's AVX-512 VNNI kernel
/// (`switchyard_dw_u8`, `CDNNL/depthwise.h`) instead of oneDNN.
///
/// oneDNN 2.6's depthwise int8 kernels multiply one filter tap per instruction, so int8 ran only
/// 1.3–1.7× faster than float32 where dense convolutions run 4× (PP-OCR rec's 5×5 depthwise
/// layers: 1.53 ms in `jit_int8`, 1.27 ms in `brdgmm_dw` without a source zero point, 0.75 ms
/// here, at batch 8 on one core). The kernel reads and writes `nhwc` bytes, the layout oneDNN's
/// int8 convolutions choose, so no reorder comes between them.
enum DNNLQuantizedDepthwise {
    /// True when the CPU has the kernel's instructions and oneDNN is allowed AVX-512 VNNI
    /// (`ONEDNN_MAX_CPU_ISA` limits both).
    static let isAvailable = switchyard_dw_is_supported() != 0
        && DNNLInt8Support.hasVNNI && dnnl_get_effective_cpu_isa().rawValue & dnnl_cpu_isa_avx512_core_vnni.rawValue
            == dnnl_cpu_isa_avx512_core_vnni.rawValue

    /// The output slot and shape when `kernel` can compute this QLinearConv, nil to leave it to oneDNN.
    /// `scales` are the requantization multipliers (one, or one per channel).
    static func lower(x: DNNLOperand, weights: DNNLOperand, bias: DNNLOperand?, geometry: DNNLChannelGeometry,
                      group: Int, window: DNNLWindow, scales: [Float], sourceZero: Int32, destinationZero: Int32,
                      destinationType: dnnl_data_type_t,
                      builder: inout DNNLPlanBuilder) throws -> (slot: Int, shape: [Int])? {
        let channels = geometry.outputChannels
        guard isAvailable, geometry.spatial.count == 2, group == channels, geometry.inputChannels == channels,
              geometry.kernel[0] <= Int(SWITCHYARD_DW_MAX_KERNEL),
              window.dilations.allSatisfy({ $0 == 1 }), window.strides.allSatisfy({ $0 >= 1 }),
              zip(window.padBegin, window.kernel).allSatisfy({ $0 >= 0 && $0 < $1 }),
              let weightValues = weights.value, weightValues.dataType == .int8 else { return nil }
        let (height, width) = (geometry.spatial[0], geometry.spatial[1])
        let (kernelHeight, kernelWidth) = (geometry.kernel[0], geometry.kernel[1])
        let shape = [geometry.batch, channels] + window.outputs
        let source = try DNNLQuantizedOperands.unsignedSource(x, zeroPoint: sourceZero,
                                                              as: .channelsLast(x.shape, type: dnnl_u8), builder: &builder)
        let output = builder.slot(try .channelsLast(shape, type: destinationType))

        let padded = (channels + 15) / 16 * 16
        var packed = [Int8](repeating: 0, count: switchyard_dw_packed_weight_bytes(channels, Int32(kernelHeight),
                                                                                   Int32(kernelWidth)))
        var packedBias = [Int32](repeating: 0, count: padded)
        var packedScales = [Float](repeating: 0, count: padded)
        let biasValues = bias?.value?.scalars(as: Int32.self)
        weightValues.scalars(as: Int8.self).withUnsafeBufferPointer { w in
            biasValues.withOptionalBuffer { b in
                switchyard_dw_pack(w.baseAddress, b, scales, scales.count, channels, Int32(kernelHeight),
                                   Int32(kernelWidth), source.zeroPoint, &packed, &packedBias, &packedScales)
            }
        }
        let step = DNNLQuantizedDepthwiseStep(
            source: source.slot, destination: output, batch: geometry.batch, height: height, width: width,
            channels: channels, outputHeight: window.outputs[0], outputWidth: window.outputs[1],
            kernelHeight: kernelHeight, kernelWidth: kernelWidth, strides: (window.strides[0], window.strides[1]),
            padding: (window.padBegin[0], window.padBegin[1]), weights: packed, bias: packedBias, scales: packedScales,
            sourceZero: UInt8(source.zeroPoint), destinationZero: Float(destinationZero),
            signedOutput: destinationType == dnnl_s8)
        builder.kernel(step, work: shape.reduce(1, *) * kernelHeight * kernelWidth)
        return (output, shape)
    }
}

/// One run of `switchyard_dw_u8` over a region's slots (a `DNNLStep.kernel`).
struct DNNLQuantizedDepthwiseStep: DNNLKernelStep {
    let source: Int
    let destination: Int
    let batch, height, width, channels, outputHeight, outputWidth, kernelHeight, kernelWidth: Int
    let strides: (height: Int, width: Int)
    let padding: (top: Int, left: Int)
    /// `switchyard_dw_pack`'s weights, bias (with the source zero point folded in) and scales.
    let weights: [Int8]
    let bias: [Int32]
    let scales: [Float]
    let sourceZero: UInt8
    let destinationZero: Float
    let signedOutput: Bool

    var sources: [Int] { [source] }

    func run(threads: Int, address: (Int) -> UnsafeMutableRawPointer) {
        weights.withUnsafeBufferPointer { weights in
            bias.withUnsafeBufferPointer { bias in
                scales.withUnsafeBufferPointer { scales in
                    var job = switchyard_dw_job(
                        src: UnsafePointer(address(source).assumingMemoryBound(to: UInt8.self)),
                        dst: address(destination).assumingMemoryBound(to: UInt8.self),
                        batch: batch, height: height, width: width, channels: channels, out_height: outputHeight,
                        out_width: outputWidth, kernel_h: Int32(kernelHeight), kernel_w: Int32(kernelWidth),
                        stride_h: Int32(strides.height), stride_w: Int32(strides.width), pad_top: Int32(padding.top),
                        pad_left: Int32(padding.left), packed_weights: weights.baseAddress, bias: bias.baseAddress,
                        scales: scales.baseAddress, source_zero: sourceZero, destination_zero: destinationZero,
                        signed_output: signedOutput ? 1 : 0)
                    switchyard_dw_u8(&job, Int32(threads))
                }
            }
        }
    }
}

private extension Optional where Wrapped == [Int32] {
    /// Calls `body` with the array's base address, or nil.
    func withOptionalBuffer<R>(_ body: (UnsafePointer<Int32>?) -> R) -> R {
        guard let self else { return body(nil) }
        return self.withUnsafeBufferPointer { body($0.baseAddress) }
    }
}
