import Testing
import SwitchyardGraph
import SwitchyardTensor
@testable import SwitchyardEngine

/// QLinearConv cases for the engine's own int8 kernels (`DNNLQuantizedDepthwise`,
/// `DNNLQuantizedNarrowConvolution`), with zero points far from 0 so that padding and the zero
/// point folded into the bias are both exercised, and the checks every such case must pass.
enum OwnInt8KernelTestKit {
    typealias Kit = QuantizedKernelTestKit

    struct Geometry: CustomStringConvertible, Sendable {
        var channels: Int
        /// Output channels; nil for as many as `channels`.
        var filters: Int?
        var size: (height: Int, width: Int)
        var kernel: (height: Int, width: Int)
        var strides: (Int, Int) = (1, 1)
        /// top, left, bottom, right
        var pads: (Int, Int, Int, Int)

        var outputChannels: Int { filters ?? channels }

        var description: String {
            "c\(channels)→\(outputChannels) \(size.height)x\(size.width) k\(kernel.height)x\(kernel.width) s\(strides) pads\(pads)"
        }
    }

    /// A QLinearConv over x `[2, c, h, w]` in `group` groups, with per-channel (or one) weight
    /// scales, an optional bias and optionally an activation `QDQFusion` folds into it (SiLU, HardSwish).
    static func convolution(_ g: Geometry, group: Int = 1, x xType: DataType, y yType: DataType, perChannel: Bool,
                            bias: Bool, activation: FusedActivation? = nil, _ generator: inout Kit.Generator) -> Kit.Case {
        let m = g.outputChannels
        let inputs: [Tensor?] = [
            Kit.data(xType, [2, g.channels, g.size.height, g.size.width], &generator), Tensor(scalar: Float(0.02)),
            Kit.scalar(xType, xType == .uint8 ? 173 : 45),
            Kit.weights([m, g.channels / group, g.kernel.height, g.kernel.width], &generator),
            perChannel ? QuantizationTestKit.scales([m], in: 0.002...0.01, using: &generator) : Tensor(scalar: Float(0.006)),
            Tensor(dataType: .int8, shape: perChannel ? [m] : [], int64s: Array(repeating: 0, count: perChannel ? m : 1)),
            // With an activation, a step of 0.05 puts its negative lobe (SiLU down to -0.2785,
            // HardSwish to -0.375) over several steps.
            Tensor(scalar: Float(activation != nil ? 0.05 : 0.25)), Kit.scalar(yType, yType == .uint8 ? 97 : -20),
            bias ? QuantizationTestKit.integers(.int32, [m], in: -3000...3000, using: &generator) : nil,
        ]
        let names = ["x", "x_scale", "x_zp", "w", "w_scale", "w_zp", "y_scale", "y_zp", "b"]
        var node = Node(name: "conv", opType: "QLinearConv", inputs: bias ? names : Array(names.dropLast()),
                        outputs: ["y"], attributes: [
            "kernel_shape": .ints([g.kernel.height, g.kernel.width]),
            "pads": .ints([g.pads.0, g.pads.1, g.pads.2, g.pads.3]), "strides": .ints([g.strides.0, g.strides.1]),
            "group": .int(group),
        ])
        if let activation { node.attributes.merge(activation.attributes) { _, new in new } }
        return Kit.Case(node: node, inputs: bias ? inputs : Array(inputs.dropLast()))
    }

    /// Expects `result` to come from an own kernel (no fallback, and from oneDNN only reorders:
    /// an int8 source's shift, the output to plain), of type `y`, within one step of the reference
    /// kernel and 99 % exact.
    static func expectOwnKernel(_ result: (dnnl: Tensor, reference: Tensor, implementations: [String], fallback: String?),
                                y: DataType, _ context: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(result.fallback == nil, "\(context): fell back: \(result.fallback ?? "")", sourceLocation: sourceLocation)
        #expect(!result.implementations.contains { $0.contains("int8") || $0.hasPrefix("brg") || $0.hasPrefix("ref") },
                "\(context): \(result.implementations)", sourceLocation: sourceLocation)
        #expect(result.dnnl.dataType == y && result.dnnl.shape == result.reference.shape, "\(context)",
                sourceLocation: sourceLocation)
        #expect(Kit.maxDifference(result.dnnl, result.reference) <= 1, "\(context)", sourceLocation: sourceLocation)
        // The zero points push many outputs to the ends of the range: most must be exact.
        let exact = zip(result.dnnl.int64s(), result.reference.int64s()).filter { $0 == $1 }.count
        #expect(Double(exact) >= 0.99 * Double(result.reference.count),
                "\(context): \(exact) of \(result.reference.count) exact", sourceLocation: sourceLocation)
    }
}
