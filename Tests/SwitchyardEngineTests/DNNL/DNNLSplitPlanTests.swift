import Testing
import SwitchyardGraph
import SwitchyardTensor
@testable import SwitchyardEngine

/// A region whose middle member oneDNN cannot take for the inputs it gets runs that member on
/// the reference kernels and the members around it on oneDNN, not the whole region on the
/// reference kernels.
@Suite("DNNL split plans")
struct DNNLSplitPlanTests {
    /// x → Conv → Sub(s, ·) → Relu → Conv → y. `s` has one channel: oneDNN's binary primitive
    /// broadcasts only its second operand, so `Sub(s, c)` (not commutative) has no oneDNN form.
    static func graph(channels c: Int, seed: UInt64) -> Graph {
        var generator = SeededGenerator(seed: seed)
        let pads: [String: Attribute] = ["pads": .ints([1, 1, 1, 1])]
        return Graph(name: "split", nodes: [
            Node(name: "conv1", opType: "Conv", inputs: ["x", "w1", "b1"], outputs: ["c1"], attributes: pads),
            Node(name: "sub", opType: "Sub", inputs: ["s", "c1"], outputs: ["d"]),
            Node(name: "relu", opType: "Relu", inputs: ["d"], outputs: ["r"]),
            Node(name: "conv2", opType: "Conv", inputs: ["r", "w2", "b2"], outputs: ["y"], attributes: pads),
        ], inputs: [ValueInfo(name: "x"), ValueInfo(name: "s")], outputs: [ValueInfo(name: "y"), ValueInfo(name: "c1")],
        initializers: [
            "w1": generator.tensor([c, 3, 3, 3], in: -0.4...0.4), "b1": generator.tensor([c]),
            "w2": generator.tensor([c, c, 3, 3], in: -0.3...0.3), "b2": generator.tensor([c]),
        ])
    }

    @Test("the member oneDNN cannot take runs alone on the reference kernels; the convolutions stay on oneDNN")
    func splitsAroundTheMember() throws {
        let graph = Self.graph(channels: 8, seed: 91)
        let partitioned = DNNLRegionPartitioner.partition(graph, opsets: ["": 17])
        let region = try #require(partitioned.nodes.first { $0.opType == DNNLRegionPartitioner.opType })
        let kernel = try #require(DNNLKernels.makeKernel(for: region, opset: 1, constants: graph.initializers))
        #expect(kernel.members.count >= 3, "\(kernel.members.map(\.node.opType))")
        var generator = SeededGenerator(seed: 92)
        let x = generator.tensor([2, 3, 9, 9], in: -2...2), s = generator.tensor([2, 1, 9, 9], in: -1...1)
        let inputs = region.inputs.map { name in name == "x" ? x : name == "s" ? s : graph.initializers[name] }
        let profile = StepProfile()
        let actual = try kernel.run(inputs, profile: profile)
        #expect(kernel.fallbackReason?.contains("first input") == true, "\(kernel.fallbackReason ?? "no fallback")")
        // Only oneDNN plans record per-node detail; both convolutions are there.
        let detailed = Set(profile.detail.map(\.node))
        #expect(detailed.contains("conv1") && detailed.contains("conv2"), "\(detailed)")

        let program = try GraphProgram(graph: graph, opsets: ["": 17], outerNames: []) { node, _ in
            ReferenceKernels.kernel(opType: node.opType, domain: node.domain)
        }
        let expected = try program.run(inputs: [x, s])
        let byName = Dictionary(uniqueKeysWithValues: zip(region.outputs, actual))
        for (name, tensor) in zip(["y", "c1"], expected) {
            let got = try #require(byName[name], "region output \(name)")
            #expect(got.shape == tensor.shape)
            #expect(DNNLHarness.maxError(got, tensor) < 1e-4, "\(name)")
        }
        // A second run reuses the cached split plan and computes the same.
        let again = try kernel.run(inputs)
        #expect(zip(again, actual).allSatisfy { $0.scalars(as: Float.self) == $1.scalars(as: Float.self) })
    }
}
