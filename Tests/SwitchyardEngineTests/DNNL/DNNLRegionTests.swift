import Foundation
import Synchronization
import Testing
import SwitchyardGraph
import SwitchyardTensor
@testable import SwitchyardEngine

@Suite("DNNL regions")
struct DNNLRegionTests {
    /// x → Conv → Relu → Conv → BatchNormalization → Add(residual) → MaxPool → y, with the Relu
    /// output also a graph output, and a Softmax (oneDNN, but not layout-friendly) ending the run.
    static func residualBlock(channels: Int = 8, size: Int = 12, seed: UInt64 = 71) -> Graph {
        var generator = SeededGenerator(seed: seed)
        let c = channels
        let initializers: [String: Tensor] = [
            "w1": generator.tensor([c, c, 3, 3], in: -0.3...0.3), "b1": generator.tensor([c]),
            "w2": generator.tensor([c, c, 3, 3], in: -0.3...0.3),
            "scale": generator.tensor([c]), "shift": generator.tensor([c]), "mean": generator.tensor([c]),
            "var": generator.tensor([c], in: 0.5...1.5),
        ]
        let pads: [String: Attribute] = ["pads": .ints([1, 1, 1, 1])]
        let nodes = [
            Node(name: "conv1", opType: "Conv", inputs: ["x", "w1", "b1"], outputs: ["c1"], attributes: pads),
            Node(name: "relu", opType: "Relu", inputs: ["c1"], outputs: ["r1"]),
            Node(name: "conv2", opType: "Conv", inputs: ["r1", "w2"], outputs: ["c2"], attributes: pads),
            Node(name: "bn", opType: "BatchNormalization", inputs: ["c2", "scale", "shift", "mean", "var"], outputs: ["n2"]),
            Node(name: "add", opType: "Add", inputs: ["n2", "r1"], outputs: ["sum"]),
            Node(name: "pool", opType: "MaxPool", inputs: ["sum"], outputs: ["y"],
                 attributes: ["kernel_shape": .ints([2, 2]), "strides": .ints([2, 2])]),
            Node(name: "softmax", opType: "Softmax", inputs: ["y"], outputs: ["s"]),
        ]
        return Graph(name: "block", nodes: nodes, inputs: [ValueInfo(name: "x")],
                     outputs: [ValueInfo(name: "y"), ValueInfo(name: "r1"), ValueInfo(name: "s")],
                     initializers: initializers)
    }

    static let opsets = ["": 17]

    static func program(_ graph: Graph, dnnl: Bool, threads: Int = 1) throws -> GraphProgram {
        try GraphProgram(graph: graph, opsets: opsets, outerNames: []) { node, opset in
            (dnnl ? DNNLKernels.kernel(for: node, opset: opset, constants: graph.initializers, threads: threads) : nil)
                ?? ReferenceKernels.kernel(opType: node.opType, domain: node.domain)
        }
    }

    @Test("the partitioner groups the oneDNN run into one region with the escaping values as outputs")
    func partitions() throws {
        let graph = Self.residualBlock()
        let partitioned = DNNLRegionPartitioner.partition(graph, opsets: Self.opsets)
        #expect(partitioned.nodes.map(\.opType) == ["DNNLRegion", "Softmax"])
        let region = partitioned.nodes[0]
        #expect(region.domain == "ai.switchyard")
        #expect(region.inputs == ["x", "w1", "b1", "w2", "scale", "shift", "mean", "var"])
        #expect(Set(region.outputs) == ["r1", "y"])
        guard case .graph(let body)? = region.attributes["body"] else {
            Issue.record("region has no body")
            return
        }
        #expect(body.nodes.map(\.name) == ["conv1", "relu", "conv2", "bn", "add", "pool"])
        // conv1's output feeds only the Relu, which becomes its post-op.
        let kernel = try #require(DNNLKernels.makeKernel(for: region, opset: 1, constants: graph.initializers))
        #expect(kernel.members.map(\.node.opType) == ["Conv", "Conv", "BatchNormalization", "Add", "MaxPool"])
        #expect(kernel.members[0].node.outputs == ["r1"])
    }

    @Test("a region computes what the per-node oneDNN kernels compute")
    func regionMatchesPerNode() throws {
        var generator = SeededGenerator(seed: 72)
        let graph = Self.residualBlock()
        let x = generator.tensor([2, 8, 12, 12])
        let perNode = try Self.program(graph, dnnl: true).run(inputs: [x])
        let partitioned = DNNLRegionPartitioner.partition(graph, opsets: Self.opsets)
        let region = try #require(DNNLKernels.makeKernel(for: partitioned.nodes[0], opset: 1, constants: graph.initializers))
        let regional = try Self.program(partitioned, dnnl: true).run(inputs: [x])
        _ = try region.run(partitioned.nodes[0].inputs.map { $0 == "x" ? x : graph.initializers[$0] })
        #expect(!region.implementationNames.isEmpty, "the region fell back to reference kernels")
        #expect(regional.count == perNode.count)
        for (a, b) in zip(regional, perNode) {
            #expect(a.shape == b.shape)
            #expect(DNNLHarness.maxError(a, b) <= 1e-4)
        }
    }

    @Test("a region matches the reference kernels")
    func regionMatchesReference() throws {
        var generator = SeededGenerator(seed: 73)
        let graph = Self.residualBlock()
        let x = generator.tensor([1, 8, 12, 12])
        let reference = try Self.program(graph, dnnl: false).run(inputs: [x])
        let regional = try Self.program(DNNLRegionPartitioner.partition(graph, opsets: Self.opsets), dnnl: true).run(inputs: [x])
        for (a, b) in zip(regional, reference) {
            #expect(a.shape == b.shape)
            #expect(DNNLHarness.maxError(a, b) <= 1e-4)
        }
    }

    @Test("plans are cached per input shape, up to the cache's capacity, and share their packed weights")
    func planCache() throws {
        var generator = SeededGenerator(seed: 74)
        let graph = Self.residualBlock()
        let node = DNNLRegionPartitioner.partition(graph, opsets: Self.opsets).nodes[0]
        let kernel = try #require(DNNLKernels.makeKernel(for: node, opset: 1, constants: graph.initializers))
        func inputs(_ size: Int) -> [Tensor?] {
            let x = generator.tensor([1, 8, size, size])
            return node.inputs.map { $0 == "x" ? x : graph.initializers[$0] }
        }
        _ = try kernel.run(inputs(8))
        _ = try kernel.run(inputs(8))
        #expect(kernel.cachedPlanCount == 1)
        let packedBytes = kernel.packedConstants.store.byteCount
        #expect(packedBytes > 0)
        _ = try kernel.run(inputs(10))
        #expect(kernel.cachedPlanCount == 2)
        for size in stride(from: 12, through: 2 * DNNLPlanCache.capacity + 12, by: 2) { _ = try kernel.run(inputs(size)) }
        #expect(kernel.cachedPlanCount == DNNLPlanCache.capacity)
        // Every shape chose the same weight layouts: the weights were packed once.
        #expect(kernel.packedConstants.store.byteCount == packedBytes)
    }

    @Test("runs that reuse a run context match the reference, with padded blocked layouts in a shared arena")
    func reusedRunContexts() throws {
        var generator = SeededGenerator(seed: 76)
        // 6 channels: blocked layouts pad to 8, values share arena bytes, and runs of two shapes
        // (two plans) alternate in one context, each rebinding the memory objects it kept.
        let graph = Self.residualBlock(channels: 6, size: 10, seed: 77)
        let node = DNNLRegionPartitioner.partition(graph, opsets: Self.opsets).nodes[0]
        let kernel = try #require(DNNLKernels.makeKernel(for: node, opset: 1, constants: graph.initializers))
        let reference = try Self.program(graph, dnnl: false)
        for round in 0..<3 {
            for size in [10, 6] {
                let x = generator.tensor([1, 6, size, size], in: -2...2)
                let outputs = try kernel.run(node.inputs.map { $0 == "x" ? x : graph.initializers[$0] })
                let expected = try reference.run(inputs: [x])
                for (name, output) in zip(node.outputs, outputs) {
                    let index = try #require(graph.outputs.firstIndex { $0.name == name })
                    #expect(DNNLHarness.maxError(output, expected[index]) <= 1e-4, "round \(round), size \(size), \(name)")
                }
            }
        }
        #expect(!kernel.implementationNames.isEmpty, "the region fell back to reference kernels")
        // Sequential runs share one context.
        #expect(kernel.idleRunContexts == 1)
    }

    @Test("one kernel runs on several threads at once")
    func concurrentRuns() throws {
        var generator = SeededGenerator(seed: 75)
        let graph = Self.residualBlock()
        let node = DNNLRegionPartitioner.partition(graph, opsets: Self.opsets).nodes[0]
        let kernel = try #require(DNNLKernels.makeKernel(for: node, opset: 1, constants: graph.initializers))
        let xs = (0..<4).map { _ in generator.tensor([1, 8, 12, 12]) }
        let bound = xs.map { x in node.inputs.map { $0 == "x" ? x : graph.initializers[$0] } }
        let serial = try bound.map { try kernel.run($0) }
        let results = Mutex<[Int: [Tensor]]>([:])
        DispatchQueue.concurrentPerform(iterations: 16) { index in
            if let outputs = try? kernel.run(bound[index % 4]) {
                results.withLock { $0[index] = outputs }
            }
        }
        let concurrent = results.withLock { $0 }
        #expect(concurrent.count == 16)
        // Each run that overlapped another had a context of its own; the pool keeps a few.
        #expect((1...DNNLRunContextPool.maxIdle).contains(kernel.idleRunContexts))
        for (index, outputs) in concurrent {
            for (a, b) in zip(outputs, serial[index % 4]) {
                #expect(a.scalars(as: Float.self) == b.scalars(as: Float.self))
            }
        }
    }
}
