import Testing
import SwitchyardGraph
import SwitchyardTensor
@testable import SwitchyardEngine

/// QLinearConv on the engine's narrow VNNI kernel (`DNNLQuantizedNarrowConvolution`) against the
/// reference kernel on seeded random data (`OwnInt8KernelTestKit`): over a planar input of at most
/// four channels, with and without the SiLU `QDQFusion` folds into it, and over `nhwc` inputs with
/// narrow filter rows and the SiLU.
@Suite(.enabled(if: DNNLInt8Support.hasOwnKernels, "no AVX-512 VNNI and VBMI on this CPU"))
struct QuantizedNarrowConvolutionTests {
    typealias Kit = QuantizedKernelTestKit
    typealias Own = OwnInt8KernelTestKit
    typealias Geometry = Own.Geometry

    /// First layers, read planar.
    static let planarGeometries: [Geometry] = [
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

    /// No activation, SiLU, HardSwish, and the lowest output code each allows below the zero point
    /// at y_scale 0.05 (SiLU's minimum −0.2785, HardSwish's −0.375).
    static let activations: [(FusedActivation?, lowestCode: Int64?)] = [(nil, nil), (.swish(alpha: 1), 6), (.hardSwish, 8)]

    @Test(arguments: 0..<planarGeometries.count, 0..<activations.count)
    func planarInputsMatchReference(geometryIndex: Int, activationIndex: Int) throws {
        let geometry = Self.planarGeometries[geometryIndex]
        let (activation, lowestCode) = Self.activations[activationIndex]
        var generator = Kit.Generator(seed: 970 + UInt64(geometryIndex) * 3 + UInt64(activationIndex))
        for (index, (x, y)) in QuantizedKernelTests.types.enumerated() {
            let testCase = Own.convolution(geometry, x: x, y: y, perChannel: index % 2 == 0, bias: index != 3,
                                           activation: activation, &generator)
            let result = try Kit.run(testCase)
            Own.expectOwnKernel(result, y: y, "\(geometry) x \(x) y \(y) \(activation?.name ?? "no activation")")
            if let lowestCode {
                // The activation applied: nothing below its minimum's code, yet the negative lobe is there.
                let zeroPoint = try #require(testCase.inputs[7]).int64s()[0]
                let values = result.dnnl.int64s()
                #expect(values.min()! >= zeroPoint - lowestCode && values.contains { $0 < zeroPoint },
                        "zp \(zeroPoint): min \(values.min()!)")
            }
        }
    }

    @Test(arguments: 0..<narrowGeometries.count)
    func narrowSiLULayersMatchReference(geometryIndex: Int) throws {
        let geometry = Self.narrowGeometries[geometryIndex]
        var generator = Kit.Generator(seed: 980 + UInt64(geometryIndex))
        for (index, (x, y)) in QuantizedKernelTests.types.enumerated() {
            let testCase = Own.convolution(geometry, x: x, y: y, perChannel: index % 2 == 0, bias: index != 3,
                                           activation: .swish(alpha: 1), &generator)
            Own.expectOwnKernel(try Kit.run(testCase), y: y, "\(geometry) x \(x) y \(y)")
        }
    }

    /// Planar inputs of more than four channels, `nhwc` layers without the SiLU, and filter rows
    /// wider than 96 bytes stay with oneDNN.
    @Test func otherLayersStayWithOneDNN() throws {
        var generator = Kit.Generator(seed: 990)
        var fiveChannels = Self.planarGeometries[0]
        fiveChannels.channels = 5
        var wide = Self.narrowGeometries[0]
        wide.channels = 48
        for (geometry, swish) in [(fiveChannels, false), (Self.narrowGeometries[0], false), (wide, true)] {
            let result = try Kit.run(Own.convolution(geometry, x: .uint8, y: .uint8, perChannel: true, bias: true,
                                                     activation: swish ? .swish(alpha: 1) : nil, &generator))
            #expect(result.implementations.contains { $0.contains("int8") || $0.hasPrefix("brg") },
                    "\(geometry) swish \(swish): \(result.implementations)")
            #expect(Kit.maxDifference(result.dnnl, result.reference) <= 1)
        }
    }

    @Test func splitsOverAnOpenMPTeam() throws {
        var generator = Kit.Generator(seed: 991)
        let geometry = Geometry(channels: 3, filters: 16, size: (70, 24), kernel: (3, 3), strides: (1, 1), pads: (1, 1, 1, 1))
        let testCase = Own.convolution(geometry, x: .uint8, y: .uint8, perChannel: true, bias: true,
                                       activation: .swish(alpha: 1), &generator)
        let kernel = try #require(DNNLKernels.makeKernel(for: testCase.node, opset: 13, constants: testCase.constants,
                                                         threads: 2))
        let team = try kernel.run(testCase.inputs)[0]
        let single = try Kit.run(testCase).dnnl
        #expect(team.int64s() == single.int64s())
    }
}
