import Testing
import SwitchyardGraph
import SwitchyardTensor
@testable import SwitchyardEngine

/// Depthwise QLinearConv on the engine's VNNI kernel (`DNNLQuantizedDepthwise`) against the
/// reference kernel on seeded random data (`OwnInt8KernelTestKit`).
@Suite(.enabled(if: DNNLInt8Support.hasOwnKernels, "no AVX-512 VNNI and VBMI on this CPU"))
struct QuantizedDepthwiseTests {
    typealias Kit = QuantizedKernelTestKit
    typealias Own = OwnInt8KernelTestKit
    typealias Geometry = Own.Geometry

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
        // Stride 3 (groups start at every column), 19 output rows: two bands of rows.
        Geometry(channels: 16, size: (57, 14), kernel: (3, 3), strides: (3, 3), pads: (1, 1, 1, 1)),
    ]

    @Test(arguments: 0..<geometries.count)
    func matchesReference(geometryIndex: Int) throws {
        let geometry = Self.geometries[geometryIndex]
        var generator = Kit.Generator(seed: 900 + UInt64(geometryIndex))
        for (index, (x, y)) in QuantizedKernelTests.types.enumerated() {
            let testCase = Own.convolution(geometry, group: geometry.channels, x: x, y: y, perChannel: index % 2 == 0,
                                           bias: index != 3, &generator)
            Own.expectOwnKernel(try Kit.run(testCase), y: y, "\(geometry) x \(x) y \(y)")
        }
    }

    /// MobileNetV3's depthwise layers end in a HardSwish, which `QDQFusion` folds into them.
    @Test(arguments: [0, 2, 4], [FusedActivation.hardSwish, .swish(alpha: 1)])
    func fusedActivationsMatchReference(geometryIndex: Int, activation: FusedActivation) throws {
        let geometry = Self.geometries[geometryIndex]
        var generator = Kit.Generator(seed: 920 + UInt64(geometryIndex))
        for (index, (x, y)) in QuantizedKernelTests.types.enumerated() {
            let testCase = Own.convolution(geometry, group: geometry.channels, x: x, y: y, perChannel: index % 2 == 0,
                                           bias: index != 3, activation: activation, &generator)
            let result = try Kit.run(testCase)
            Own.expectOwnKernel(result, y: y, "\(geometry) x \(x) y \(y) \(activation.name)")
            let zeroPoint = try #require(testCase.inputs[7]).int64s()[0]
            #expect(result.dnnl.int64s().contains { $0 < zeroPoint }, "the negative lobe is there")
        }
    }

    @Test func splitsOverAnOpenMPTeam() throws {
        var generator = Kit.Generator(seed: 950)
        let geometry = Geometry(channels: 64, size: (40, 24), kernel: (5, 5), pads: (2, 2, 2, 2))
        let testCase = Own.convolution(geometry, group: 64, x: .uint8, y: .uint8, perChannel: true, bias: true, &generator)
        let kernel = try #require(DNNLKernels.makeKernel(for: testCase.node, opset: 13, constants: testCase.constants,
                                                         threads: 2))
        let team = try kernel.run(testCase.inputs)[0]
        let single = try Kit.run(testCase).dnnl
        #expect(team.int64s() == single.int64s())
    }
}
