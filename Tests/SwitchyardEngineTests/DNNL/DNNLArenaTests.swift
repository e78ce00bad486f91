import Testing
import SwitchyardGraph
import SwitchyardTensor
@testable import SwitchyardEngine

@Suite("DNNL plan arenas")
struct DNNLArenaTests {
    /// x → Conv → Relu → Conv → Relu … (`depth` convolutions, padding 1, same size throughout).
    static func convolutionChain(depth: Int, channels: Int = 8, seed: UInt64 = 81) -> Graph {
        var generator = SeededGenerator(seed: seed)
        var nodes: [Node] = []
        var initializers: [String: Tensor] = [:]
        var current = "x"
        for index in 0..<depth {
            initializers["w\(index)"] = generator.tensor([channels, channels, 3, 3], in: -0.3...0.3)
            nodes.append(Node(name: "conv\(index)", opType: "Conv", inputs: [current, "w\(index)"], outputs: ["c\(index)"],
                              attributes: ["pads": .ints([1, 1, 1, 1])]))
            nodes.append(Node(name: "relu\(index)", opType: "Relu", inputs: ["c\(index)"], outputs: ["r\(index)"]))
            current = "r\(index)"
        }
        return Graph(name: "chain", nodes: nodes, inputs: [ValueInfo(name: "x")], outputs: [ValueInfo(name: current)],
                     initializers: initializers)
    }

    @Test("a chain of convolutions runs in an arena of a few activations, not one per layer")
    func chainArenaFollowsLiveness() throws {
        var generator = SeededGenerator(seed: 82)
        let depth = 8, channels = 8, size = 24
        let graph = Self.convolutionChain(depth: depth, channels: channels)
        let partitioned = DNNLRegionPartitioner.partition(graph, opsets: DNNLRegionTests.opsets)
        #expect(partitioned.nodes.count == 1)
        let node = partitioned.nodes[0]
        let kernel = try #require(DNNLKernels.makeKernel(for: node, opset: 1, constants: graph.initializers))
        let x = generator.tensor([1, channels, size, size])
        let output = try #require(try kernel.run(node.inputs.map { $0 == "x" ? x : graph.initializers[$0] }).first)
        #expect(kernel.fallbackReason == nil)
        let activationBytes = channels * size * size * 4
        #expect(kernel.arenaBytes >= activationBytes, "at least one intermediate lives in the arena")
        #expect(kernel.arenaBytes <= 4 * activationBytes,
                "\(depth - 1) intermediates of \(activationBytes) bytes, at most two live at once (plus reorders)")
        let reference = try DNNLRegionTests.program(graph, dnnl: false).run(inputs: [x])[0]
        #expect(output.shape == reference.shape)
        #expect(DNNLHarness.maxError(output, reference) <= 1e-4)
    }

    @Test("a reused arena holds the last run's values and the next run's results do not depend on them")
    func reusedArenaGivesTheSameResults() throws {
        var generator = SeededGenerator(seed: 83)
        let graph = DNNLRegionTests.residualBlock()
        let program = try DNNLRegionTests.program(DNNLRegionPartitioner.partition(graph, opsets: DNNLRegionTests.opsets), dnnl: true)
        let first = generator.tensor([1, 8, 12, 12]), second = generator.tensor([1, 8, 12, 12])
        let alone = try program.run(inputs: [second])
        _ = try program.run(inputs: [first])
        let afterOther = try program.run(inputs: [second])
        for (a, b) in zip(alone, afterOther) { #expect(a.scalars(as: Float.self) == b.scalars(as: Float.self)) }
        // Outputs own their bytes: a later run must not overwrite what an earlier one returned.
        let kept = alone.map { $0.scalars(as: Float.self) }
        _ = try program.run(inputs: [first])
        #expect(alone.map { $0.scalars(as: Float.self) } == kept)
    }
}
