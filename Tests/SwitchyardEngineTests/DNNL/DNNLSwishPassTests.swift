import CDNNL
import Foundation
import Testing
import SwitchyardGraph
import SwitchyardTensor
@testable import SwitchyardEngine

/// A convolution's trailing SiLU (`Swish` with alpha 1, YOLOv8's activation) runs as the
/// engine's own in-place pass (`switchyard_silu_inplace`) instead of oneDNN's swish post-op.
@Suite("DNNL SiLU pass")
struct DNNLSwishPassTests {
    @Test("the SiLU pass matches x·sigmoid(x) on random values, tails and the clamped range",
          arguments: [1, 7, 8, 13, 1000])
    func siluValues(count: Int) {
        var generator = SeededGenerator(seed: 95 + UInt64(count))
        var values = generator.tensor([count], in: -40...40).scalars(as: Float.self)
        if count > 4 { values[0] = 0; values[1] = -18.5; values[2] = 18.5; values[3] = -3e38; values[4] = 3e38 }
        var computed = values
        computed.withUnsafeMutableBufferPointer { switchyard_silu_inplace($0.baseAddress, $0.count) }
        for (x, y) in zip(values, computed) {
            let exact = Double(x) / (1 + exp(-Double(x)))
            #expect(abs(Double(y) - exact) <= 4e-6 * max(1, abs(exact)), "silu(\(x)) = \(y), expected \(exact)")
        }
    }

    /// Split over a team (`switchyard_silu_inplace_team`): every element is computed exactly
    /// once, as the single-thread pass computes it, below and above the size that engages the
    /// team, and for counts that leave a short last chunk.
    @Test("the SiLU pass split over a team of threads equals the single-thread pass",
          arguments: [(100, 2), (16_384, 2), (50_001, 2), (50_001, 3), (131_072, 1)])
    func siluTeam(count: Int, threads: Int) {
        var generator = SeededGenerator(seed: 97 + UInt64(count))
        let values = generator.tensor([count], in: -20...20).scalars(as: Float.self)
        var single = values, team = values
        single.withUnsafeMutableBufferPointer { switchyard_silu_inplace($0.baseAddress, $0.count) }
        team.withUnsafeMutableBufferPointer { switchyard_silu_inplace_team($0.baseAddress, $0.count, Int32(threads)) }
        #expect(single == team)
    }

    /// Channel counts that leave a partial block (`nChw8c` padding), a residual `Sum`, and a
    /// team of two threads.
    @Test("FusedConv with SiLU matches the reference kernel",
          arguments: [(12, false, 1), (16, true, 1), (16, false, 2), (5, true, 2)])
    func fusedConvSiLU(channels: Int, withSum: Bool, threads: Int) throws {
        var generator = SeededGenerator(seed: 96 + UInt64(channels))
        let node = DNNLHarness.node("FusedConv", domain: "ai.switchyard", inputs: withSum ? 4 : 3, attributes: [
            "pads": .ints([1, 1, 1, 1]), "activation": .string("Swish"), "activation_params": .floats([1]),
        ])
        var inputs: [Tensor?] = [generator.tensor([1, 8, 11, 9], in: -3...3), generator.tensor([channels, 8, 3, 3]),
                                 generator.tensor([channels])]
        if withSum { inputs.append(generator.tensor([1, channels, 11, 9], in: -4...4)) }
        try DNNLHarness.check(node, opset: 1, inputs: inputs, constantIndices: [1, 2], threads: threads)
    }

    @Test("a SiLU followed by a scale stays one oneDNN post-op chain and matches the reference")
    func siluThenScale() throws {
        var generator = SeededGenerator(seed: 97)
        let pads: [String: Attribute] = ["pads": .ints([1, 1, 1, 1])]
        var graph = Graph(name: "silu-scale", nodes: [
            Node(name: "conv", opType: "FusedConv", domain: "ai.switchyard", inputs: ["x", "w", "b"], outputs: ["c"],
                 attributes: pads.merging(["activation": .string("Swish"), "activation_params": .floats([1])]) { $1 }),
            Node(name: "scale", opType: "Mul", inputs: ["c", "k"], outputs: ["s"]),
            Node(name: "conv2", opType: "Conv", inputs: ["s", "w2"], outputs: ["y"], attributes: pads),
        ], inputs: [ValueInfo(name: "x", dataType: .float32, shape: [.fixed(1), .fixed(8), .fixed(6), .fixed(7)])],
        outputs: [ValueInfo(name: "y")], initializers: [
            "w": generator.tensor([8, 8, 3, 3]), "b": generator.tensor([8]), "k": Tensor(scalar: Float(0.75)),
            "w2": generator.tensor([4, 8, 3, 3]),
        ])
        ShapeInference.annotate(&graph, opsets: DNNLDataMovementTests.opsets)
        let x = generator.tensor([1, 8, 6, 7])
        let ours = try DNNLDataMovementTests.run(graph, dnnl: true, threads: 1, x: x)
        let reference = try DNNLDataMovementTests.run(graph, dnnl: false, threads: 1, x: x)
        #expect(ours.map(\.shape) == reference.map(\.shape))
        for (a, b) in zip(ours, reference) where a.shape == b.shape { #expect(DNNLHarness.maxError(a, b) <= 1e-4) }
    }
}
