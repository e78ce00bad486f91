import Testing
import SwitchyardGraph
import SwitchyardTensor
@testable import SwitchyardEngine

/// QLinearConv on the engine's narrow VNNI kernel (`DNNLQuantizedNarrowConvolution`): over a
/// planar input of at most four channels, with and without the SiLU `QDQFusion` folds into it,
/// and over `nhwc` inputs with narrow filter rows and the SiLU; against the reference kernel on
/// seeded random data: within one quantization step, mostly exact, and with no oneDNN
/// convolution in the plan.
@Suite(.enabled(if: DNNLInt8Support.hasOwnKernels, "no AVX-512 VNNI and VBMI on this CPU"))
struct QuantizedNarrowConvolutionTests {
    typealias Kit = QuantizedKernelTestKit

    struct Geometry: CustomStringConvertible, Sendable {
        var channels: Int
        var filters: Int
        var size: (height: Int, width: Int)
        var kernel: (height: Int, width: Int)
        var strides: (Int, Int)
        /// top, left, bottom, right
        var pads: (Int, Int, Int, Int)

        var description: String {
            "c\(channels)→\(filters) \(size.height)x\(size.width) k\(kernel.height)x\(kernel.width) s\(strides) pads\(pads)"
        }
    }

    static let geometries: [Geometry] = [
        // YOLOv8n's and PP-OCR's first layer, on a smaller image with a width of 37 (a 16-column
        // tail in the interleaving, a partial tile of output columns).
        Geometry(channels: 3, filters: 16, size: (20, 37), kernel: (3, 3), strides: (2, 2), pads: (1, 1, 1, 1)),
        // Filters past one block of 16 (a tail of 4), stride 1, 7×7 (six quads of taps a row).
        Geometry(channels: 3, filters: 20, size: (11, 13), kernel: (7, 7), strides: (1, 1), pads: (3, 3, 3, 3)),
        // One and four channels; uneven padding and strides.
        Geometry(channels: 1, filters: 8, size: (9, 40), kernel: (5, 3), strides: (1, 2), pads: (2, 0, 1, 1)),
        Geometry(channels: 4, filters: 32, size: (8, 18), kernel: (3, 3), strides: (2, 1), pads: (0, 1, 0, 1)),
    ]

    /// Narrow layers with the SiLU, read in `nhwc` (YOLOv8n's shapes, smaller).
    static let narrowGeometries: [Geometry] = [
        Geometry(channels: 16, filters: 16, size: (12, 19), kernel: (3, 3), strides: (1, 1), pads: (1, 1, 1, 1)),
        Geometry(channels: 32, filters: 24, size: (10, 9), kernel: (1, 1), strides: (1, 1), pads: (0, 0, 0, 0)),
        Geometry(channels: 12, filters: 40, size: (11, 14), kernel: (3, 3), strides: (2, 2), pads: (1, 0, 1, 2)),
        // 96 bytes a filter row, the widest taken.
        Geometry(channels: 96, filters: 16, size: (6, 7), kernel: (1, 1), strides: (1, 1), pads: (0, 0, 0, 0)),
    ]

    static func convolution(_ g: Geometry, x xType: DataType, y yType: DataType, perChannel: Bool, bias: Bool,
                     swish: Bool, _ generator: inout Kit.Generator) -> Kit.Case {
        let m = g.filters
        let inputs: [Tensor?] = [
            Kit.data(xType, [2, g.channels, g.size.height, g.size.width], &generator), Tensor(scalar: Float(0.02)),
            Kit.scalar(xType, xType == .uint8 ? 121 : -30),
            Kit.weights([m, g.channels, g.kernel.height, g.kernel.width], &generator),
            perChannel ? QuantizationTestKit.scales([m], in: 0.002...0.01, using: &generator) : Tensor(scalar: Float(0.005)),
            Tensor(dataType: .int8, shape: perChannel ? [m] : [], int64s: Array(repeating: 0, count: perChannel ? m : 1)),
            // A step of 0.05 puts SiLU's negative lobe (down to -0.2785) over several steps.
            Tensor(scalar: Float(swish ? 0.05 : 0.3)), Kit.scalar(yType, yType == .uint8 ? 60 : -10),
            bias ? QuantizationTestKit.integers(.int32, [m], in: -3000...3000, using: &generator) : nil,
        ]
        let names = ["x", "x_scale", "x_zp", "w", "w_scale", "w_zp", "y_scale", "y_zp", "b"]
        var node = Node(name: "conv", opType: "QLinearConv", inputs: bias ? names : Array(names.dropLast()),
                        outputs: ["y"], attributes: [
            "kernel_shape": .ints([g.kernel.height, g.kernel.width]),
            "pads": .ints([g.pads.0, g.pads.1, g.pads.2, g.pads.3]), "strides": .ints([g.strides.0, g.strides.1]),
        ])
        if swish { node.attributes.merge(FusedActivation.swish(alpha: 1).attributes) { _, new in new } }
        return Kit.Case(node: node, inputs: bias ? inputs : Array(inputs.dropLast()))
    }

    @Test(arguments: 0..<geometries.count, [false, true])
    func matchesReference(geometryIndex: Int, swish: Bool) throws {
        let geometry = Self.geometries[geometryIndex]
        var generator = Kit.Generator(seed: 970 + UInt64(geometryIndex) * 2 + (swish ? 1 : 0))
        for (index, (x, y)) in QuantizedKernelTests.types.enumerated() {
            let testCase = Self.convolution(geometry, x: x, y: y, perChannel: index % 2 == 0, bias: index != 3, swish: swish,
                                     &generator)
            let result = try Kit.run(testCase)
            #expect(result.fallback == nil, "\(geometry): fell back: \(result.fallback ?? "")")
            // Only reorders may come from oneDNN: the int8 source's shift, the output to plain.
            #expect(!result.implementations.contains { $0.contains("int8") || $0.hasPrefix("brg") || $0.hasPrefix("ref") },
                    "\(geometry): \(result.implementations)")
            #expect(result.dnnl.dataType == y && result.dnnl.shape == result.reference.shape, "\(geometry)")
            #expect(Kit.maxDifference(result.dnnl, result.reference) <= 1, "\(geometry) x \(x) y \(y) swish \(swish)")
            let exact = zip(result.dnnl.int64s(), result.reference.int64s()).filter { $0 == $1 }.count
            #expect(Double(exact) >= 0.99 * Double(result.reference.count), "\(geometry): \(exact) of \(result.reference.count) exact")
            if swish {
                // The activation applied: nothing below Q(-0.2785) = zp - 6, yet the negative lobe is there.
                let zeroPoint = try #require(testCase.inputs[7]).int64s()[0]
                let values = result.dnnl.int64s()
                #expect(values.min()! >= zeroPoint - 6 && values.contains { $0 < zeroPoint }, "zp \(zeroPoint): min \(values.min()!)")
            }
        }
    }

    @Test(arguments: 0..<narrowGeometries.count)
    func narrowSiLULayersMatchReference(geometryIndex: Int) throws {
        let geometry = Self.narrowGeometries[geometryIndex]
        var generator = Kit.Generator(seed: 980 + UInt64(geometryIndex))
        for (index, (x, y)) in QuantizedKernelTests.types.enumerated() {
            let testCase = Self.convolution(geometry, x: x, y: y, perChannel: index % 2 == 0, bias: index != 3, swish: true,
                                     &generator)
            let result = try Kit.run(testCase)
            #expect(result.fallback == nil, "\(geometry): fell back: \(result.fallback ?? "")")
            #expect(!result.implementations.contains { $0.contains("int8") || $0.hasPrefix("brg") || $0.hasPrefix("ref") },
                    "\(geometry): \(result.implementations)")
            #expect(result.dnnl.dataType == y && result.dnnl.shape == result.reference.shape, "\(geometry)")
            #expect(Kit.maxDifference(result.dnnl, result.reference) <= 1, "\(geometry) x \(x) y \(y)")
            let exact = zip(result.dnnl.int64s(), result.reference.int64s()).filter { $0 == $1 }.count
            #expect(Double(exact) >= 0.99 * Double(result.reference.count), "\(geometry): \(exact) of \(result.reference.count) exact")
        }
    }

    /// Planar inputs of more than four channels, `nhwc` layers without the SiLU, and filter rows
    /// wider than 96 bytes stay with oneDNN.
    @Test func otherLayersStayWithOneDNN() throws {
        var generator = Kit.Generator(seed: 990)
        var fiveChannels = Self.geometries[0]
        fiveChannels.channels = 5
        var wide = Self.narrowGeometries[0]
        wide.channels = 48
        for (geometry, swish) in [(fiveChannels, false), (Self.narrowGeometries[0], false), (wide, true)] {
            let result = try Kit.run(Self.convolution(geometry, x: .uint8, y: .uint8, perChannel: true, bias: true, swish: swish,
                                               &generator))
            #expect(result.implementations.contains { $0.contains("int8") || $0.hasPrefix("brg") },
                    "\(geometry) swish \(swish): \(result.implementations)")
            #expect(Kit.maxDifference(result.dnnl, result.reference) <= 1)
        }
    }

    @Test func splitsOverAnOpenMPTeam() throws {
        var generator = Kit.Generator(seed: 991)
        let geometry = Geometry(channels: 3, filters: 16, size: (70, 24), kernel: (3, 3), strides: (1, 1), pads: (1, 1, 1, 1))
        let testCase = Self.convolution(geometry, x: .uint8, y: .uint8, perChannel: true, bias: true, swish: true, &generator)
        let kernel = try #require(DNNLKernels.makeKernel(for: testCase.node, opset: 13, constants: testCase.constants,
                                                         threads: 2))
        let team = try kernel.run(testCase.inputs)[0]
        let single = try Kit.run(testCase).dnnl
        #expect(team.int64s() == single.int64s())
    }
}
