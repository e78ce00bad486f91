/// ONNX's `auto_pad` attribute.
enum AutoPadding: String {
    case notSet = "NOTSET"
    case sameUpper = "SAME_UPPER"
    case sameLower = "SAME_LOWER"
    case valid = "VALID"

    init(_ context: OpContext) throws(KernelError) {
        let text = try context.string("auto_pad", default: "NOTSET")
        // Some exporters write an empty string for the default.
        guard let value = text.isEmpty ? .notSet : AutoPadding(rawValue: text) else {
            throw .invalidArgument("\(context.node.opType): auto_pad '\(text)' is not NOTSET, SAME_UPPER, SAME_LOWER or VALID")
        }
        self = value
    }

    /// Splits `total` padding between begin and end: SAME_UPPER puts the odd one at the end,
    /// SAME_LOWER at the beginning.
    func split(_ total: Int) -> (begin: Int, end: Int) {
        let begin = self == .sameLower ? (total + 1) / 2 : total / 2
        return (begin, total - begin)
    }
}

/// The sliding-window attributes shared by Conv, ConvTranspose and the pooling operators, read
/// and checked against the number of spatial axes.
struct WindowAttributes {
    var kernel: [Int]
    var strides: [Int]
    var dilations: [Int]
    /// `pads` as given: all begins, then all ends. Zeros when absent.
    var pads: [Int]
    var autoPad: AutoPadding

    /// Reads `kernel_shape`, `strides`, `dilations`, `pads` and `auto_pad`. `kernelFromWeights`
    /// is the kernel implied by a weight tensor (Conv); pooling passes nil and requires
    /// `kernel_shape`.
    init(_ context: OpContext, spatialRank: Int, kernelFromWeights: [Int]?, readsDilations: Bool = true)
        throws(KernelError)
    {
        let op = context.node.opType
        func read(_ name: String, count: Int, default value: Int) throws(KernelError) -> [Int] {
            guard let values = try context.ints(name) else { return Array(repeating: value, count: count) }
            guard values.count == count else {
                throw .invalidArgument("\(op): '\(name)' has \(values.count) values, expected \(count) for \(spatialRank) spatial axes")
            }
            return values
        }
        if let declared = try context.ints("kernel_shape") {
            guard declared.count == spatialRank else {
                throw .invalidArgument("\(op): kernel_shape \(declared) has \(declared.count) values, expected \(spatialRank)")
            }
            if let kernelFromWeights, kernelFromWeights != declared {
                throw .invalidArgument("\(op): kernel_shape \(declared) does not match the weights' spatial shape \(kernelFromWeights)")
            }
            kernel = declared
        } else if let kernelFromWeights {
            kernel = kernelFromWeights
        } else {
            throw .invalidArgument("\(op): the kernel_shape attribute is required")
        }
        strides = try read("strides", count: spatialRank, default: 1)
        dilations = readsDilations ? try read("dilations", count: spatialRank, default: 1) : Array(repeating: 1, count: spatialRank)
        pads = try read("pads", count: 2 * spatialRank, default: 0)
        autoPad = try AutoPadding(context)
        guard kernel.allSatisfy({ $0 > 0 }) else { throw .invalidArgument("\(op): kernel_shape \(kernel) must be positive") }
        guard strides.allSatisfy({ $0 > 0 }) else { throw .invalidArgument("\(op): strides \(strides) must be positive") }
        guard dilations.allSatisfy({ $0 > 0 }) else { throw .invalidArgument("\(op): dilations \(dilations) must be positive") }
        guard pads.allSatisfy({ $0 >= 0 }) else { throw .invalidArgument("\(op): pads \(pads) must not be negative") }
    }

    var spatialRank: Int { kernel.count }

    /// The extent one kernel covers on `axis` once dilated.
    func dilatedKernel(_ axis: Int) -> Int { (kernel[axis] - 1) * dilations[axis] + 1 }
}

/// The resolved geometry of a forward sliding window (Conv, pooling): for every spatial axis the
/// input and output extents and the padding before and after.
struct WindowGeometry {
    var inputSpatial: [Int]
    var outputSpatial: [Int]
    var kernel: [Int]
    var strides: [Int]
    var dilations: [Int]
    var padsBegin: [Int]
    var padsEnd: [Int]

    var spatialRank: Int { kernel.count }
    var kernelCount: Int { kernel.reduce(1, *) }
    var inputCount: Int { inputSpatial.reduce(1, *) }
    var outputCount: Int { outputSpatial.reduce(1, *) }

    /// Conv's geometry: output `floor((in + pads − dilatedKernel) / stride) + 1`; SAME pads to
    /// `ceil(in / stride)` outputs.
    static func convolution(_ attributes: WindowAttributes, inputSpatial: [Int], op: String) throws(KernelError) -> WindowGeometry {
        try make(attributes, inputSpatial: inputSpatial, ceilMode: false, op: op)
    }

    /// A pooling operator's geometry: as Conv, but `ceil_mode` rounds the output count up as
    /// long as the last window starts inside the input or its leading padding.
    static func pooling(_ attributes: WindowAttributes, inputSpatial: [Int], ceilMode: Bool, op: String) throws(KernelError) -> WindowGeometry {
        try make(attributes, inputSpatial: inputSpatial, ceilMode: ceilMode, op: op)
    }

    private static func make(_ attributes: WindowAttributes, inputSpatial: [Int], ceilMode: Bool, op: String) throws(KernelError) -> WindowGeometry {
        let rank = attributes.spatialRank
        guard inputSpatial.count == rank else {
            throw .invalidArgument("\(op): input has \(inputSpatial.count) spatial axes, the kernel \(rank)")
        }
        var geometry = WindowGeometry(
            inputSpatial: inputSpatial, outputSpatial: [], kernel: attributes.kernel, strides: attributes.strides,
            dilations: attributes.dilations, padsBegin: Array(attributes.pads[0..<rank]),
            padsEnd: Array(attributes.pads[rank...]))
        for axis in 0..<rank {
            let input = inputSpatial[axis], stride = attributes.strides[axis]
            let extent = attributes.dilatedKernel(axis)
            let output: Int
            switch attributes.autoPad {
            case .sameUpper, .sameLower:
                output = (input + stride - 1) / stride
                let (begin, end) = attributes.autoPad.split(max(0, (output - 1) * stride + extent - input))
                geometry.padsBegin[axis] = begin
                geometry.padsEnd[axis] = end
            case .valid:
                geometry.padsBegin[axis] = 0
                geometry.padsEnd[axis] = 0
                output = input >= extent ? (input - extent) / stride + 1 : 0
            case .notSet:
                let span = input + geometry.padsBegin[axis] + geometry.padsEnd[axis] - extent
                if span < 0 {
                    output = 0
                } else if ceilMode {
                    var count = (span + stride - 1) / stride + 1
                    // The last window must start inside the input or its leading padding.
                    if (count - 1) * stride >= input + geometry.padsBegin[axis] { count -= 1 }
                    output = count
                } else {
                    output = span / stride + 1
                }
            }
            guard output > 0 else {
                throw .invalidArgument(
                    "\(op): spatial axis \(axis) of size \(input) with pads \(geometry.padsBegin[axis])+\(geometry.padsEnd[axis]) is smaller than the dilated kernel \(extent)")
            }
            geometry.outputSpatial.append(output)
        }
        return geometry
    }

    /// The walker that maps output positions to input positions, for kernel-tap loops.
    var walker: WindowWalker {
        WindowWalker(grid: outputSpatial, target: inputSpatial, strides: strides, dilations: dilations, padsBegin: padsBegin)
    }
}
