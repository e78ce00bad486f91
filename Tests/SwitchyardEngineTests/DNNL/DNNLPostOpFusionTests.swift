import CDNNL
import Testing
import SwitchyardGraph
import SwitchyardTensor
@testable import SwitchyardEngine

@Suite("DNNL post-op fusion")
struct DNNLPostOpFusionTests {
    /// Conv → Relu → Sigmoid → Mul(scalar) → MaxPool.
    static func activatedConvolution(seed: UInt64 = 101) -> Graph {
        var generator = SeededGenerator(seed: seed)
        let nodes = [
            Node(name: "conv", opType: "Conv", inputs: ["x", "w", "b"], outputs: ["c"], attributes: ["pads": .ints([1, 1, 1, 1])]),
            Node(name: "relu", opType: "Relu", inputs: ["c"], outputs: ["r"]),
            Node(name: "sigmoid", opType: "Sigmoid", inputs: ["r"], outputs: ["g"]),
            Node(name: "scale", opType: "Mul", inputs: ["g", "s"], outputs: ["m"]),
            Node(name: "pool", opType: "MaxPool", inputs: ["m"], outputs: ["y"],
                 attributes: ["kernel_shape": .ints([2, 2]), "strides": .ints([2, 2])]),
        ]
        let initializers: [String: Tensor] = [
            "w": generator.tensor([8, 4, 3, 3], in: -0.3...0.3), "b": generator.tensor([8]),
            "s": Tensor(shape: [1], scalars: [Float(1.7)]),
        ]
        return Graph(name: "activated", nodes: nodes, inputs: [ValueInfo(name: "x")], outputs: [ValueInfo(name: "y")],
                     initializers: initializers)
    }

    @Test("consecutive activations after a convolution become its post-ops")
    func foldsActivationChains() throws {
        let graph = Self.activatedConvolution()
        let partitioned = DNNLRegionPartitioner.partition(graph, opsets: DNNLRegionTests.opsets)
        #expect(partitioned.nodes.map(\.opType) == ["DNNLRegion"])
        let kernel = try #require(DNNLKernels.makeKernel(for: partitioned.nodes[0], opset: 1, constants: graph.initializers))
        #expect(kernel.members.map(\.node.opType) == ["Conv", "MaxPool"])
        #expect(kernel.members[0].node.outputs == ["m"])
        #expect(kernel.members[0].originals.map { $0.node.name } == ["conv", "relu", "sigmoid", "scale"])

        var generator = SeededGenerator(seed: 102)
        let x = generator.tensor([2, 4, 10, 10])
        let reference = try DNNLRegionTests.program(graph, dnnl: false).run(inputs: [x])[0]
        let fused = try DNNLRegionTests.program(partitioned, dnnl: true).run(inputs: [x])[0]
        #expect(kernel.fallbackReason == nil)
        #expect(fused.shape == reference.shape)
        #expect(DNNLHarness.maxError(fused, reference) <= 1e-5)
    }

    /// Conv → HardSwish → Mul(scale) → Add(shift) → Sub(1 - x): PP-OCRv4's learnable affine block.
    @Test("a scale and shift by scalar constants join the post-ops as one linear step")
    func foldsScalarAffine() throws {
        var generator = SeededGenerator(seed: 104)
        let nodes = [
            Node(name: "conv", opType: "Conv", inputs: ["x", "w", "b"], outputs: ["c"], attributes: ["pads": .ints([1, 1, 1, 1])]),
            Node(name: "hswish", opType: "HardSwish", inputs: ["c"], outputs: ["h"]),
            Node(name: "scale", opType: "Mul", inputs: ["s", "h"], outputs: ["m"]),
            Node(name: "shift", opType: "Add", inputs: ["m", "t"], outputs: ["a"]),
            Node(name: "flip", opType: "Sub", inputs: ["one", "a"], outputs: ["f"]),
            Node(name: "pool", opType: "MaxPool", inputs: ["f"], outputs: ["y"],
                 attributes: ["kernel_shape": .ints([2, 2]), "strides": .ints([2, 2])]),
        ]
        let graph = Graph(name: "affine", nodes: nodes, inputs: [ValueInfo(name: "x")], outputs: [ValueInfo(name: "y")],
                          initializers: ["w": generator.tensor([8, 4, 3, 3], in: -0.3...0.3), "b": generator.tensor([8]),
                                         "s": Tensor(shape: [1], scalars: [Float(0.83)]), "t": Tensor(shape: [], scalars: [Float(-0.41)]),
                                         "one": Tensor(shape: [1], scalars: [Float(1)])])
        let partitioned = DNNLRegionPartitioner.partition(graph, opsets: DNNLRegionTests.opsets)
        let kernel = try #require(DNNLKernels.makeKernel(for: partitioned.nodes[0], opset: 1, constants: graph.initializers))
        #expect(kernel.members.map(\.node.opType) == ["Conv", "MaxPool"])
        #expect(kernel.members[0].originals.map { $0.node.name } == ["conv", "hswish", "scale", "shift", "flip"])

        let x = generator.tensor([2, 4, 9, 9])
        let reference = try DNNLRegionTests.program(graph, dnnl: false).run(inputs: [x])[0]
        let fused = try DNNLRegionTests.program(partitioned, dnnl: true).run(inputs: [x])[0]
        #expect(kernel.fallbackReason == nil)
        #expect(DNNLHarness.maxError(fused, reference) <= 1e-5)
    }

    @Test("linear steps compose; other kinds keep their order")
    func linearComposition() {
        let scale = DNNLEltwiseFunction(alg: dnnl_eltwise_linear, alpha: 2, beta: 1)
        let shift = DNNLEltwiseFunction(alg: dnnl_eltwise_linear, alpha: 3, beta: -4)
        let composed = DNNLActivations.appending([shift], to: [.init(alg: dnnl_eltwise_relu), scale])
        #expect(composed.count == 2 && composed[1].alpha == 6 && composed[1].beta == -1)
        #expect(DNNLActivations.appending([.init(alg: dnnl_eltwise_relu)], to: [scale]).count == 2)
    }

    @Test("an output that another node also reads stays in memory")
    func sharedOutputIsNotFolded() throws {
        var graph = Self.activatedConvolution()
        graph.nodes.insert(Node(name: "skip", opType: "Add", inputs: ["m", "r"], outputs: ["m2"]), at: 4)
        graph.nodes[5].inputs = ["m2"]
        let partitioned = DNNLRegionPartitioner.partition(graph, opsets: DNNLRegionTests.opsets)
        let kernel = try #require(DNNLKernels.makeKernel(for: partitioned.nodes[0], opset: 1, constants: graph.initializers))
        #expect(kernel.members.first?.node.outputs == ["r"], "the Relu's output is also read by the Add")

        var generator = SeededGenerator(seed: 103)
        let x = generator.tensor([1, 4, 10, 10])
        let reference = try DNNLRegionTests.program(graph, dnnl: false).run(inputs: [x])[0]
        let fused = try DNNLRegionTests.program(partitioned, dnnl: true).run(inputs: [x])[0]
        #expect(DNNLHarness.maxError(fused, reference) <= 1e-5)
    }
}
