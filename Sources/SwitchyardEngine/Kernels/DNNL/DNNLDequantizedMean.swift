import CDNNL

/// `ai.switchyard` DequantizedMean (`DequantizedMeanFusion`) as a region step: the engine's C
/// kernel (`CDNNL/dequantized_mean.h`) averages the 8-bit input where it lies, `nhwc` after an
/// int8 convolution or plain, and writes the float means (`[N, C, 1, 1]`, plain). oneDNN 2.6's
/// pooling takes no 8-bit source with a float destination.
struct DNNLDequantizedMeanOperation: DNNLOperation {
    var takesIntegerData: Bool { true }
    var parameterInputs: Set<Int> { [1, 2] }

    func lower(_ inputs: [DNNLOperand?], into builder: inout DNNLPlanBuilder) throws -> [(slot: Int, shape: [Int])] {
        let op = DequantizedMeanFusion.opType
        let x = try inputs.required(0, op)
        guard x.shape.count >= 3 else { throw KernelError.unsupported("\(op): x must have spatial axes, not \(x.shape)") }
        let scale = try DNNLQuantizedOperands.scale(inputs.optional(1), "x_scale", op: op)
        let zero = try DNNLQuantizedOperands.zeroPoint(inputs.optional(2), "x_zero_point", op: op)
        let type = builder.desc(x.slot).dataType
        guard type == dnnl_u8 || type == dnnl_s8 else { throw KernelError.unsupported("\(op): x must be uint8 or int8") }
        var source = x.slot
        var channelsLast = builder.desc(source).isChannelsLast
        if channelsLast == nil || !builder.desc(source).isDense {
            source = try builder.reorder(source, to: .channelsLast(x.shape, type: type))
            channelsLast = true
        }
        let shape = Array(x.shape.prefix(2)) + Array(repeating: 1, count: x.shape.count - 2)
        let output = builder.slot(try .plain(shape, type: dnnl_f32))
        var job = switchyard_dequantized_mean_job()
        (job.batch, job.channels) = (x.shape[0], x.shape[1])
        job.spatial = x.shape.dropFirst(2).reduce(1, *)
        job.channels_last = channelsLast == true ? 1 : 0
        job.is_signed = type == dnnl_s8 ? 1 : 0
        (job.scale, job.zero) = (scale, zero)
        builder.kernel(DNNLDequantizedMeanStep(source: source, destination: output, job: job),
                       work: x.shape.reduce(1, *))
        return [(output, shape)]
    }
}

/// One run of `switchyard_dequantized_mean` over a region's slots.
struct DNNLDequantizedMeanStep: DNNLKernelStep, @unchecked Sendable {
    // @unchecked: `job` holds only numbers until `run` sets its pointers on a copy.
    let source: Int
    let destination: Int
    let job: switchyard_dequantized_mean_job

    var sources: [Int] { [source] }

    func run(threads: Int, address: (Int) -> UnsafeMutableRawPointer) {
        var job = self.job
        job.src = UnsafePointer(address(source).assumingMemoryBound(to: UInt8.self))
        job.dst = address(destination).assumingMemoryBound(to: Float.self)
        switchyard_dequantized_mean(&job, Int32(threads))
    }
}
