import CDNNL

// What the engine's own int8 convolution kernels (`DNNLQuantizedNarrowConvolution`,
// `DNNLQuantizedDepthwise`) share: the windows they take, and their plan step.

extension DNNLWindow {
    /// A window those kernels take: 2-D, dense (dilation 1), each begin padding inside the filter,
    /// and at most `SWITCHYARD_DW_MAX_KERNEL` filter rows.
    var fitsOwnInt8Kernels: Bool {
        kernel.count == 2 && kernel[0] <= Int(SWITCHYARD_DW_MAX_KERNEL) && dilations.allSatisfy { $0 == 1 }
            && strides.allSatisfy { $0 >= 1 } && zip(padBegin, kernel).allSatisfy { $0 >= 0 && $0 < $1 }
    }
}

extension Optional where Wrapped == [Int32] {
    /// Calls `body` with the array's base address, or nil.
    func withOptionalBuffer<R>(_ body: (UnsafePointer<Int32>?) -> R) -> R {
        guard let self else { return body(nil) }
        return self.withUnsafeBufferPointer { body($0.baseAddress) }
    }
}

/// How one of those kernels turns its accumulators into output bytes (`switchyard_int8_store`).
struct DNNLOwnInt8Requantization {
    /// None, SiLU or HardSwish, applied to the real accumulator.
    var activation: switchyard_int8_activation
    /// Per output channel (or one): the requantization multipliers without an activation, the
    /// accumulator's real scale (`x_scale · w_scale`) with one.
    var scales: [Float]
    /// `1 / y_scale`, applied after the activation.
    var outputScale: Float
    var destinationZero: Int32
    var destinationType: dnnl_data_type_t
}

/// The C job of one of those kernels: geometry and requantization set at plan time, pointers bound per run.
protocol DNNLOwnInt8Job {
    var src: UnsafePointer<UInt8>! { get set }
    var dst: UnsafeMutablePointer<UInt8>! { get set }
    var packed_weights: UnsafePointer<Int8>! { get set }
    var bias: UnsafePointer<Int32>! { get set }
    var scales: UnsafePointer<Float>! { get set }
    var activation: Int32 { get set }
    var output_scale: Float { get set }
    var destination_zero: Float { get set }
    var signed_output: Int32 { get set }
    /// Runs the kernel on an OpenMP team of `threads`.
    static func run(_ job: inout Self, threads: Int32)
}

extension DNNLOwnInt8Job {
    /// Sets the job's requantization fields (the scales go to the kernel's packing).
    mutating func requantize(as requantization: DNNLOwnInt8Requantization) {
        activation = Int32(requantization.activation.rawValue)
        output_scale = requantization.outputScale
        destination_zero = Float(requantization.destinationZero)
        signed_output = requantization.destinationType == dnnl_s8 ? 1 : 0
    }
}

extension switchyard_dw_job: DNNLOwnInt8Job {
    static func run(_ job: inout Self, threads: Int32) { switchyard_dw_u8(&job, threads) }
}

extension switchyard_narrow_job: DNNLOwnInt8Job {
    static func run(_ job: inout Self, threads: Int32) { switchyard_narrow_u8(&job, threads) }
}

/// One run of an own int8 convolution kernel over a region's slots (a `DNNLStep.kernel`).
struct DNNLOwnInt8ConvolutionStep<Job: DNNLOwnInt8Job>: DNNLKernelStep, @unchecked Sendable {
    // @unchecked: `job` holds only numbers until `run` sets its pointers on a copy.
    let source: Int
    let destination: Int
    /// The geometry and requantization; its pointers are set per run.
    let job: Job
    /// The kernel's packed weights, bias (with the source zero point folded in) and scales.
    let weights: [Int8]
    let bias: [Int32]
    let scales: [Float]

    var sources: [Int] { [source] }

    func run(threads: Int, address: (Int) -> UnsafeMutableRawPointer) {
        weights.withUnsafeBufferPointer { weights in
            bias.withUnsafeBufferPointer { bias in
                scales.withUnsafeBufferPointer { scales in
                    var job = self.job
                    job.src = UnsafePointer(address(source).assumingMemoryBound(to: UInt8.self))
                    job.dst = address(destination).assumingMemoryBound(to: UInt8.self)
                    job.packed_weights = weights.baseAddress
                    job.bias = bias.baseAddress
                    job.scales = scales.baseAddress
                    Job.run(&job, threads: Int32(threads))
                }
            }
        }
    }
}
