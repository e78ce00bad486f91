import SwitchyardGraph

/// The sliding-window attributes shared by Conv, ConvTranspose and the pooling operators, as
/// the node states them (before the input shape is known).
struct DNNLWindowAttributes: Sendable {
    let kernelShape: [Int]?
    let strides: [Int]?
    let dilations: [Int]?
    let pads: [Int]?
    let autoPad: String

    /// Reads the attributes; nil when one is wrongly typed or `auto_pad` is not one ONNX defines.
    init?(_ node: Node) {
        var mistyped = false
        func ints(_ name: String) -> [Int]? {
            switch node.attributes[name] {
            case nil: return nil
            case .ints(let values)?: return values
            default: mistyped = true; return nil
            }
        }
        kernelShape = ints("kernel_shape")
        strides = ints("strides")
        dilations = ints("dilations")
        pads = ints("pads")
        switch node.attributes["auto_pad"] {
        case nil: autoPad = "NOTSET"
        case .string(let mode)?: autoPad = mode
        default: return nil
        }
        guard !mistyped, ["NOTSET", "SAME_UPPER", "SAME_LOWER", "VALID"].contains(autoPad) else { return nil }
    }

    /// The window over `spatial` input dimensions, with `kernel` taken from the weights when
    /// `kernel_shape` is absent. With `ceilMode` the output rounds up and the extra input the
    /// last windows reach is added to the end padding (`ceilPadding` reports how much).
    func resolve(spatial: [Int], kernel weightKernel: [Int]?, ceilMode: Bool = false, op: String) throws(KernelError) -> DNNLWindow {
        let rank = spatial.count
        guard let kernel = kernelShape ?? weightKernel, kernel.count == rank else {
            throw .invalidArgument("\(op): kernel_shape must have \(rank) values")
        }
        let strides = self.strides ?? [Int](repeating: 1, count: rank)
        let dilations = self.dilations ?? [Int](repeating: 1, count: rank)
        guard strides.count == rank, dilations.count == rank,
              strides.allSatisfy({ $0 > 0 }), dilations.allSatisfy({ $0 > 0 }), kernel.allSatisfy({ $0 > 0 }) else {
            throw .invalidArgument("\(op): strides, dilations and kernel_shape need \(rank) positive values")
        }
        var begin = [Int](repeating: 0, count: rank)
        var end = [Int](repeating: 0, count: rank)
        var outputs = [Int](repeating: 0, count: rank)
        var ceilPadding = [Int](repeating: 0, count: rank)
        for axis in 0..<rank {
            let extent = (kernel[axis] - 1) * dilations[axis] + 1
            switch autoPad {
            case "SAME_UPPER", "SAME_LOWER":
                let target = (spatial[axis] + strides[axis] - 1) / strides[axis]
                let needed = max(0, (target - 1) * strides[axis] + extent - spatial[axis])
                begin[axis] = autoPad == "SAME_LOWER" ? (needed + 1) / 2 : needed / 2
                end[axis] = needed - begin[axis]
            case "VALID":
                break
            default:
                if let pads {
                    guard pads.count == 2 * rank, pads.allSatisfy({ $0 >= 0 }) else {
                        throw .invalidArgument("\(op): pads must have \(2 * rank) non-negative values")
                    }
                    begin[axis] = pads[axis]
                    end[axis] = pads[rank + axis]
                }
            }
            let span = spatial[axis] + begin[axis] + end[axis] - extent
            guard span >= 0 else {
                throw .invalidArgument("\(op): window of extent \(extent) does not fit input size \(spatial[axis]) with its padding")
            }
            outputs[axis] = span / strides[axis] + 1
            if ceilMode && autoPad != "SAME_UPPER" && autoPad != "SAME_LOWER" && span % strides[axis] != 0 {
                outputs[axis] += 1
                ceilPadding[axis] = strides[axis] - span % strides[axis]
                // A last window that would start inside the end padding is dropped by some
                // implementations and kept by others; leave that case to the reference.
                if (outputs[axis] - 1) * strides[axis] >= spatial[axis] + begin[axis] {
                    throw .unsupported("\(op): ceil_mode window starting in the padding")
                }
                end[axis] += ceilPadding[axis]
            }
        }
        return DNNLWindow(kernel: kernel, strides: strides, dilations: dilations, padBegin: begin,
                          padEnd: end, outputs: outputs, ceilPadding: ceilPadding)
    }
}

/// A window resolved against an input shape.
struct DNNLWindow {
    let kernel: [Int]
    let strides: [Int]
    /// ONNX dilations (1 = dense); oneDNN counts `dilation - 1`.
    let dilations: [Int]
    let padBegin: [Int]
    let padEnd: [Int]
    let outputs: [Int]
    /// End padding added by ceil_mode, per axis.
    let ceilPadding: [Int]

    var dnnlDilations: [Int64] { dilations.map { Int64($0 - 1) } }
}

extension Array where Element == Int {
    var int64: [Int64] { map(Int64.init) }
}
