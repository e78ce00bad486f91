import Testing
import SwitchyardGraph
import SwitchyardTensor
@testable import SwitchyardEngine

/// Depthwise QLinearConv on the engine's VNNI kernel (`DNNLQuantizedDepthwise`) against the
/// reference kernel, on seeded random data with zero points far from 0, so that the padding and
/// the zero point folded into the bias are both exercised: within one quantization step, and
/// without a oneDNN convolution in the plan.
@Suite(.enabled(if: DNNLInt8Support.hasOwnKernels, "no AVX-512 VNNI and VBMI on this CPU"))
struct QuantizedDepthwiseTests {
    typealias Kit = QuantizedKernelTestKit

    struct Geometry: CustomStringConvertible, Sendable {
        var channels: Int
        var size: (height: Int, width: Int)
        var kernel: (height: Int, width: Int)
        var strides: (Int, Int) = (1, 1)
        /// top, left, bottom, right
        var pads: (Int, Int, Int, Int)

        var description: String {
            "c\(channels) \(size.height)x\(size.width) k\(kernel.height)x\(kernel.width) s\(strides) pads\(pads)"
        }
    }

    static let geometries: [Geometry] = [
        // PP-OCR rec's 5×5 blocks, at a smaller width.
        Geometry(channels: 48, size: (12, 20), kernel: (5, 5), pads: (2, 2, 2, 2)),
        Geometry(channels: 48, size: (12, 20), kernel: (5, 5), strides: (2, 1), pads: (2, 2, 2, 2)),
        // 3×3 with a channel tail (20 = 16 + 4) and stride 2 both ways.
        Geometry(channels: 20, size: (9, 11), kernel: (3, 3), strides: (2, 2), pads: (1, 1, 1, 1)),
        // 7×7: two tap groups a row, the second one 3/4 full.
        Geometry(channels: 16, size: (8, 9), kernel: (7, 7), pads: (3, 3, 3, 3)),
        // Uneven padding and a wide, short filter; fewer channels than one block.
        Geometry(channels: 3, size: (6, 13), kernel: (1, 5), pads: (0, 1, 0, 3)),
        // No padding; stride 2 leaves the last input column unread.
        Geometry(channels: 32, size: (7, 10), kernel: (3, 3), strides: (2, 2), pads: (0, 0, 0, 0)),
        // Stride 3 (groups start at every column), 19 output rows: three bands of rows.
        Geometry(channels: 16, size: (57, 14), kernel: (3, 3), strides: (3, 3), pads: (1, 1, 1, 1)),
    ]

    /// A depthwise QLinearConv over x `[2, c, h, w]` with per-channel (or one) weight scales.
    static func depthwise(_ g: Geometry, x xType: DataType, y yType: DataType, perChannel: Bool, bias: Bool,
                          _ generator: inout Kit.Generator) -> Kit.Case {
        let c = g.channels
        let scaleCount = perChannel ? c : 1
        let inputs: [Tensor?] = [
            Kit.data(xType, [2, c, g.size.height, g.size.width], &generator), Tensor(scalar: Float(0.02)),
            Kit.scalar(xType, xType == .uint8 ? 173 : 45),
            Kit.weights([c, 1, g.kernel.height, g.kernel.width], &generator),
            perChannel ? QuantizationTestKit.scales([c], in: 0.002...0.01, using: &generator) : Tensor(scalar: Float(0.006)),
            Tensor(dataType: .int8, shape: perChannel ? [c] : [], int64s: Array(repeating: 0, count: scaleCount)),
            Tensor(scalar: Float(0.25)), Kit.scalar(yType, yType == .uint8 ? 97 : -20),
            bias ? QuantizationTestKit.integers(.int32, [c], in: -3000...3000, using: &generator) : nil,
        ]
        let names = ["x", "x_scale", "x_zp", "w", "w_scale", "w_zp", "y_scale", "y_zp", bias ? "b" : ""]
        let node = Node(name: "dwconv", opType: "QLinearConv", inputs: bias ? names : Array(names.dropLast()),
                        outputs: ["y"], attributes: [
            "kernel_shape": .ints([g.kernel.height, g.kernel.width]),
            "pads": .ints([g.pads.0, g.pads.1, g.pads.2, g.pads.3]),
            "strides": .ints([g.strides.0, g.strides.1]), "group": .int(c),
        ])
        return Kit.Case(node: node, inputs: bias ? inputs : Array(inputs.dropLast()))
    }

    @Test(arguments: 0..<geometries.count)
    func matchesReference(geometryIndex: Int) throws {
        let geometry = Self.geometries[geometryIndex]
        var generator = Kit.Generator(seed: 900 + UInt64(geometryIndex))
        for (index, (x, y)) in QuantizedKernelTests.types.enumerated() {
            let testCase = Self.depthwise(geometry, x: x, y: y, perChannel: index % 2 == 0, bias: index != 3, &generator)
            let result = try Kit.run(testCase)
            #expect(result.fallback == nil, "\(geometry): fell back: \(result.fallback ?? "")")
            // Only reorders (the int8 source's shift to uint8) may come from oneDNN.
            #expect(!result.implementations.contains { $0.contains("int8") || $0.hasPrefix("brdgmm") || $0.hasPrefix("ref") },
                    "\(geometry): \(result.implementations)")
            #expect(result.dnnl.dataType == y && result.dnnl.shape == result.reference.shape, "\(geometry)")
            #expect(Kit.maxDifference(result.dnnl, result.reference) <= 1, "\(geometry) x \(x) y \(y)")
            // The zero points push many outputs to the ends of the range: most must be exact.
            let exact = zip(result.dnnl.int64s(), result.reference.int64s()).filter { $0 == $1 }.count
            #expect(Double(exact) >= 0.99 * Double(result.reference.count), "\(geometry): \(exact) of \(result.reference.count) exact")
        }
    }

    @Test func splitsOverAnOpenMPTeam() throws {
        var generator = Kit.Generator(seed: 950)
        let geometry = Geometry(channels: 64, size: (10, 24), kernel: (5, 5), pads: (2, 2, 2, 2))
        let testCase = Self.depthwise(geometry, x: .uint8, y: .uint8, perChannel: true, bias: true, &generator)
        let kernel = try #require(DNNLKernels.makeKernel(for: testCase.node, opset: 13, constants: testCase.constants,
                                                         threads: 2))
        let team = try kernel.run(testCase.inputs)[0]
        let single = try Kit.run(testCase).dnnl
        #expect(team.int64s() == single.int64s())
    }
}
