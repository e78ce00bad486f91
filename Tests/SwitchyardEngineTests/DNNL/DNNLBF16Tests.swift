import Testing
import SwitchyardGraph
import SwitchyardTensor
@testable import SwitchyardEngine

/// Convolutions and matmuls marked by `BF16ComputeMarking` run on oneDNN's native BF16 kernels
/// where the CPU has them: results within BF16's precision of the float32 reference, and
/// really computed in BF16 (not bit-identical to the float32 kernel).
@Suite(.enabled(if: DNNLBF16Support.isAvailable, "needs a CPU with AVX-512 BF16"))
struct DNNLBF16Tests {
    private static let marked: [String: Attribute] = [BF16ComputeMarking.attribute: .string(BF16ComputeMarking.bf16)]

    /// Relative to the largest output: BF16 keeps 8 significant bits, so products are off by
    /// about 2^-8 each; sums of a few hundred of them stay within a percent or two.
    private static func relativeError(_ actual: Tensor, _ expected: Tensor) -> Float {
        let largest = expected.floats().reduce(0) { max($0, abs($1)) }
        return largestDifference(actual, expected) / largest
    }

    @Test("a marked Conv runs on a BF16 kernel", arguments: [
        ([1, 16, 14, 14], [32, 16, 3, 3], 1), ([2, 32, 10, 10], [64, 32, 1, 1], 1), ([1, 32, 12, 12], [32, 1, 3, 3], 32),
    ])
    func convolution(x: [Int], w: [Int], group: Int) throws {
        var generator = SeededGenerator(seed: 901)
        let attributes: [String: Attribute] = ["group": .int(group), "pads": .ints([w[2] / 2, w[3] / 2, w[2] / 2, w[3] / 2])]
        let inputs: [Tensor?] = [generator.tensor(x), generator.tensor(w), generator.tensor([w[0]])]
        let plain = DNNLHarness.node("Conv", inputs: 3, attributes: attributes)
        let bf16 = DNNLHarness.node("Conv", inputs: 3, attributes: attributes.merging(Self.marked) { $1 })
        let (expected, floatKernel) = try DNNLHarness.runDNNL(plain, opset: 11, inputs: inputs, constantIndices: [1, 2])
        let (actual, kernel) = try DNNLHarness.runDNNL(bf16, opset: 11, inputs: inputs, constantIndices: [1, 2])
        #expect(kernel.implementationNames.contains { $0.contains("bf16") }, "\(kernel.implementationNames)")
        #expect(!floatKernel.implementationNames.contains { $0.contains("bf16") })
        let error = Self.relativeError(actual, expected)
        #expect(error > 0 && error < 2e-2, "relative error \(error)")
    }

    @Test func markedFusedConvKeepsItsResidualAndActivationInFloat32() throws {
        var generator = SeededGenerator(seed: 902)
        let attributes: [String: Attribute] = ["pads": .ints([1, 1, 1, 1]), "activation": .string("Relu")]
        let inputs: [Tensor?] = [generator.tensor([1, 16, 9, 9]), generator.tensor([16, 16, 3, 3]),
                                 generator.tensor([16]), generator.tensor([1, 16, 9, 9])]
        let domain = ReferenceKernels.switchyardDomain
        let plain = DNNLHarness.node("FusedConv", domain: domain, inputs: 4, attributes: attributes)
        let bf16 = DNNLHarness.node("FusedConv", domain: domain, inputs: 4, attributes: attributes.merging(Self.marked) { $1 })
        let expected = try DNNLHarness.runReference(plain, opset: 1, inputs: inputs)
        let (actual, kernel) = try DNNLHarness.runDNNL(bf16, opset: 1, inputs: inputs, constantIndices: [1, 2])
        #expect(kernel.implementationNames.contains { $0.contains("bf16") }, "\(kernel.implementationNames)")
        #expect(Self.relativeError(actual, expected) < 2e-2)
    }

    @Test func markedMatMulWithConstantWeightsRunsOnABF16Kernel() throws {
        var generator = SeededGenerator(seed: 903)
        let inputs: [Tensor?] = [generator.tensor([2, 40, 96]), generator.tensor([96, 64])]
        let plain = DNNLHarness.node("MatMul", inputs: 2)
        let bf16 = DNNLHarness.node("MatMul", inputs: 2, attributes: Self.marked)
        let expected = try DNNLHarness.runReference(plain, opset: 13, inputs: inputs)
        let (actual, kernel) = try DNNLHarness.runDNNL(bf16, opset: 13, inputs: inputs, constantIndices: [1])
        #expect(kernel.implementationNames.contains { $0.contains("bf16") }, "\(kernel.implementationNames)")
        let error = Self.relativeError(actual, expected)
        #expect(error > 0 && error < 2e-2, "relative error \(error)")
        // Weights that arrive at run time keep the float32 kernel.
        let (runtime, runtimeKernel) = try DNNLHarness.runDNNL(bf16, opset: 13, inputs: inputs)
        #expect(!runtimeKernel.implementationNames.contains { $0.contains("bf16") })
        #expect(DNNLHarness.maxError(runtime, expected) < 1e-4)
    }
}
