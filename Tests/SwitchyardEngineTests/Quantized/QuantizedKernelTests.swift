import Testing
import SwitchyardGraph
import SwitchyardTensor
@testable import SwitchyardEngine

/// The oneDNN int8 kernels (QLinearConv, QLinearMatMul, ConvInteger, MatMulInteger) against
/// the reference kernels on seeded random data: requantized outputs within one quantization
/// step, int32 outputs exact; and the implementation that ran is a JIT one, never `ref`.
@Suite(.enabled(if: DNNLInt8Support.isAvailable, "oneDNN has no int8 JIT kernels on this CPU"))
struct QuantizedKernelTests {
    typealias Kit = QuantizedKernelTestKit

    static let types: [(DataType, DataType)] = [(.uint8, .uint8), (.int8, .int8), (.uint8, .int8), (.int8, .uint8)]

    @Test(arguments: 0..<4)
    func qlinearConvMatchesReference(typeIndex: Int) throws {
        var generator = Kit.Generator(seed: 400 + UInt64(typeIndex))
        let (x, y) = Self.types[typeIndex]
        // Plain and depthwise convolutions run on oneDNN's JIT kernels; a grouped one with 2
        // channels per group has only oneDNN's `ref` int8 kernel, which the engine refuses
        // (the node then runs on the reference kernel).
        for (c, m, group, stride, jit) in [(8, 16, 1, 1, true), (8, 8, 8, 2, true), (6, 12, 3, 1, false)] {
            let testCase = Kit.qlinearConv(x: x, y: y, channels: c, filters: m, group: group, stride: stride, &generator)
            let result = try Kit.run(testCase)
            if jit {
                #expect(result.fallback == nil, "fell back: \(result.fallback ?? "")")
                #expect(!result.implementations.isEmpty && result.implementations.allSatisfy { !$0.hasPrefix("ref") },
                        "\(result.implementations)")
            } else if let reason = result.fallback {
                #expect(reason.contains("ref"), "\(reason)")
            }
            #expect(result.dnnl.dataType == y && result.dnnl.shape == result.reference.shape)
            #expect(Kit.maxDifference(result.dnnl, result.reference) <= 1, "x \(x) y \(y) group \(group)")
        }
    }

    /// QLinearConv with the SiLU `QDQFusion` folds into it (`activation` = Swish): oneDNN's
    /// swish post-op on the real accumulator, then `linear(1 / y_scale)`, then the zero point,
    /// against the reference kernel's `Q(silu(acc · x_scale · w_scale))`: within one step, on
    /// a JIT kernel.
    @Test(arguments: 0..<4)
    func qlinearConvWithSwishMatchesReference(typeIndex: Int) throws {
        var generator = Kit.Generator(seed: 430 + UInt64(typeIndex))
        let (x, y) = Self.types[typeIndex]
        for (c, m, group, stride) in [(8, 16, 1, 1), (8, 8, 8, 2)] {
            var testCase = Kit.qlinearConv(x: x, y: y, channels: c, filters: m, group: group, stride: stride, &generator)
            // A step of 0.05 puts SiLU's negative lobe (down to -0.2785) over several steps.
            testCase.inputs[6] = Tensor(scalar: Float(0.05))
            testCase.node.attributes.merge(FusedActivation.swish(alpha: 1).attributes) { _, new in new }
            let result = try Kit.run(testCase)
            #expect(result.fallback == nil, "fell back: \(result.fallback ?? "")")
            #expect(!result.implementations.isEmpty && result.implementations.allSatisfy { !$0.hasPrefix("ref") },
                    "\(result.implementations)")
            #expect(result.dnnl.dataType == y && result.dnnl.shape == result.reference.shape)
            #expect(Kit.maxDifference(result.dnnl, result.reference) <= 1, "x \(x) y \(y) group \(group)")
            // The activation applied: nothing below Q(-0.2785) = zp - 6, yet the negative lobe is there.
            let zeroPoint = try #require(testCase.inputs[7]).int64s()[0]
            for output in [result.dnnl, result.reference] {
                let values = output.int64s()
                #expect(values.min()! >= zeroPoint - 6 && values.contains { $0 < zeroPoint }, "zp \(zeroPoint): min \(values.min()!)")
            }
        }
    }

    @Test(arguments: [DataType.uint8, .int8])
    func qlinearMatMulMatchesReference(type: DataType) throws {
        var generator = Kit.Generator(seed: 410)
        let result = try Kit.run(Kit.qlinearMatMul(a: type, k: 24, n: 10, &generator))
        #expect(result.fallback == nil, "fell back: \(result.fallback ?? "")")
        #expect(result.implementations.allSatisfy { !$0.hasPrefix("ref") }, "\(result.implementations)")
        #expect(result.dnnl.shape == [2, 5, 10])
        #expect(Kit.maxDifference(result.dnnl, result.reference) <= 1)
    }

    /// With a constant zero point, and with one computed at run time (DynamicQuantizeLinear's).
    @Test(arguments: [false, true])
    func convIntegerIsExact(runtimeZeroPoint: Bool) throws {
        var generator = Kit.Generator(seed: 420)
        let x = Kit.data(.uint8, [1, 4, 7, 7], &generator)
        let w = Kit.weights([6, 4, 3, 3], &generator)
        let node = Node(name: "ci", opType: "ConvInteger", inputs: ["x", "w", "xz"], outputs: ["y"],
                        attributes: ["pads": .ints([1, 1, 1, 1])])
        let result = try Kit.run(.init(node: node, inputs: [x, w, Kit.scalar(.uint8, 100)],
                                       runtime: runtimeZeroPoint ? [2] : []))
        #expect(result.fallback == nil, "fell back: \(result.fallback ?? "")")
        #expect(result.dnnl.dataType == .int32)
        #expect(Kit.maxDifference(result.dnnl, result.reference) == 0)
    }

    @Test func matMulIntegerIsExact() throws {
        var generator = Kit.Generator(seed: 430)
        let a = Kit.data(.int8, [3, 16], &generator)
        let b = Kit.weights([16, 5], &generator)
        let node = Node(name: "mi", opType: "MatMulInteger", inputs: ["a", "b", "az"], outputs: ["y"])
        let result = try Kit.run(.init(node: node, inputs: [a, b, Kit.scalar(.int8, -3)]))
        #expect(result.fallback == nil, "fell back: \(result.fallback ?? "")")
        #expect(Kit.maxDifference(result.dnnl, result.reference) == 0)
    }

    @Test(arguments: [DataType.uint8, .int8])
    func quantizeAndDequantizeLinearMatchReference(type: DataType) throws {
        var generator = Kit.Generator(seed: 450)
        let scale = Tensor(scalar: Float(0.037)), zero = Kit.scalar(type, type == .uint8 ? 97 : -11)
        let x = QuantizationTestKit.floats([2, 3, 17], in: -6...6, using: &generator)
        let quantize = try Kit.run(.init(node: Node(name: "q", opType: "QuantizeLinear", inputs: ["x", "s", "z"], outputs: ["y"]),
                                         inputs: [x, scale, zero]))
        #expect(quantize.fallback == nil, "fell back: \(quantize.fallback ?? "")")
        #expect(quantize.dnnl.dataType == type)
        #expect(Kit.maxDifference(quantize.dnnl, quantize.reference) <= 1)
        let dequantize = try Kit.run(.init(node: Node(name: "dq", opType: "DequantizeLinear", inputs: ["x", "s", "z"], outputs: ["y"]),
                                           inputs: [quantize.reference, scale, zero]))
        #expect(dequantize.fallback == nil, "fell back: \(dequantize.fallback ?? "")")
        let worst = largestDifference(dequantize.dnnl, dequantize.reference)
        #expect(worst <= 1e-5)
    }

    /// Without VNNI, full-range weights would saturate AVX2's int16 pair sums: the node runs on
    /// the reference kernel instead, and says why.
    @Test(.enabled(if: !DNNLInt8Support.hasVNNI, "VNNI computes full-range weights exactly"))
    func fullRangeWeightsFallBackWithoutVNNI() throws {
        var generator = Kit.Generator(seed: 460)
        var testCase = Kit.qlinearConv(x: .uint8, y: .uint8, channels: 4, filters: 4, group: 1, stride: 1, &generator)
        testCase.inputs[3] = Tensor(dataType: .int8, shape: [4, 4, 3, 3], int64s: (0..<144).map { $0 % 2 == 0 ? 127 : -100 })
        let result = try Kit.run(testCase)
        #expect(result.fallback?.contains("saturate") == true, "\(result.fallback ?? "no fallback")")
        #expect(Kit.maxDifference(result.dnnl, result.reference) == 0)
    }

    /// A weight zero point oneDNN cannot express leaves the node to the reference kernel.
    @Test func asymmetricWeightsFallBack() throws {
        var generator = Kit.Generator(seed: 440)
        var testCase = Kit.qlinearConv(x: .uint8, y: .uint8, channels: 4, filters: 4, group: 1, stride: 1, &generator)
        testCase.inputs[5] = Tensor(dataType: .int8, shape: [4], int64s: [0, 3, 0, 0])
        let result = try Kit.run(testCase)
        #expect(result.fallback?.contains("zero point") == true)
        #expect(Kit.maxDifference(result.dnnl, result.reference) == 0)
    }
}
