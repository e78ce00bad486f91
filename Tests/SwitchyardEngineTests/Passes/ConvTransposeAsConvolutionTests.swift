import Testing
import SwitchyardGraph
import SwitchyardTensor
@testable import SwitchyardEngine

/// A ConvTranspose whose kernel equals its stride becomes a 1×1 Conv and a DepthToSpace, with the
/// affine maps and activations after it folded in; the model computes the same numbers.
@Suite struct ConvTransposeAsConvolutionTests {
    typealias Kit = PassTestKit

    /// x[2,5,6,7] → ConvTranspose(W[5, 3, k, k], stride k [, bias]) → y0, then `followers`.
    static func graph(kernel k: Int, bias: Bool, followers: [Node], extra: [String: Tensor] = [:], stride: Int? = nil,
                      _ generator: inout Kit.Generator) -> Graph {
        var initializers = extra
        initializers["w"] = Kit.tensor([5, 3, k, k], &generator)
        if bias { initializers["b"] = Kit.tensor([3], &generator) }
        let transpose = Kit.node("ConvTranspose", bias ? ["x", "w", "b"] : ["x", "w"], ["y0"],
                                 ["kernel_shape": .ints([k, k]), "strides": .ints([stride ?? k, stride ?? k])])
        let last = followers.last?.outputs[0] ?? "y0"
        return Graph(nodes: [transpose] + followers, inputs: [Kit.input("x", [.fixed(2), .fixed(5), .fixed(6), .fixed(7)])],
                     outputs: [ValueInfo(name: last)], initializers: initializers)
    }

    /// PP-OCR det's head: ConvTranspose → Add(bias) → BatchNormalization → Relu.
    @Test func detectorHeadFoldsIntoAConvolution() throws {
        var generator = Kit.Generator(seed: 31)
        let followers = [
            Kit.node("Add", ["y0", "c"], ["y1"]),
            Kit.node("BatchNormalization", ["y1", "scale", "shift", "mean", "var"], ["y2"], ["epsilon": .float(1e-5)]),
            Kit.node("Relu", ["y2"], ["y"]),
        ]
        let extra = ["c": Kit.tensor([1, 3, 1, 1], &generator), "scale": Kit.tensor([3], &generator),
                     "shift": Kit.tensor([3], &generator), "mean": Kit.tensor([3], &generator), "var": Kit.positive([3], &generator)]
        let graph = Self.graph(kernel: 2, bias: false, followers: followers, extra: extra, &generator)
        let (after, changes) = Kit.run(ConvTransposeAsConvolution(), on: graph)
        #expect(Kit.opTypes(after) == ["Conv", "Relu", "DepthToSpace"], "\(changes)")
        #expect(after.nodes.last?.outputs == ["y"])
        let optimized = try Kit.expectSameOutputs(Kit.model(graph), inputs: ["x": Kit.tensor([2, 5, 6, 7], &generator)])
        // The affine maps are in the weights and the Relu is the convolution's fused activation.
        #expect(Kit.opTypes(optimized.graph) == ["FusedConv", "DepthToSpace"])
    }

    @Test(arguments: [(2, true), (3, false)])
    func biasAndKernelSizesKeepTheirNumbers(kernel: Int, bias: Bool) throws {
        var generator = Kit.Generator(seed: UInt64(32 + kernel))
        let graph = Self.graph(kernel: kernel, bias: bias, followers: [Kit.node("Sigmoid", ["y0"], ["y"])], &generator)
        let (after, _) = Kit.run(ConvTransposeAsConvolution(), on: graph)
        #expect(Kit.opTypes(after) == ["Conv", "Sigmoid", "DepthToSpace"])
        try Kit.expectSameOutputs(Kit.model(graph), inputs: ["x": Kit.tensor([2, 5, 6, 7], &generator)])
    }

    /// Overlapping blocks (stride below the kernel) are a real transposed convolution.
    @Test func overlappingBlocksStay() {
        var generator = Kit.Generator(seed: 35)
        let graph = Self.graph(kernel: 3, bias: true, followers: [], stride: 2, &generator)
        let (after, changes) = Kit.run(ConvTransposeAsConvolution(), on: graph)
        #expect(Kit.opTypes(after) == ["ConvTranspose"] && changes.isEmpty)
    }

    /// oneDNN's DepthToSpace (one strided reorder) against the reference kernel, both modes,
    /// from a plain input (standalone) and from a convolution's layout (in a region).
    @Test(arguments: ["DCR", "CRD"])
    func depthToSpaceMatchesTheReference(mode: String) throws {
        var generator = Kit.Generator(seed: 36)
        let standalone = Graph(nodes: [Kit.node("DepthToSpace", ["x"], ["y"], ["blocksize": .int(2), "mode": .string(mode)])],
                               inputs: [Kit.input("x", [.fixed(2), .fixed(12), .fixed(5), .fixed(3)])],
                               outputs: [ValueInfo(name: "y")])
        let x = Kit.tensor([2, 12, 5, 3], &generator)
        let expected = try Session(model: LoadedModel(model: Kit.model(standalone), options: LoadOptions(optimize: false)),
                                   options: SessionOptions(referenceOnly: true)).run(["x": x])["y"]!
        let actual = try Session(model: LoadedModel(model: Kit.model(standalone))).run(["x": x])["y"]!
        #expect(actual.shape == [2, 3, 10, 6] && actual.floats() == expected.floats())
        let kernel = try #require(DNNLKernels.makeKernel(for: standalone.nodes[0], opset: 17))
        _ = try kernel.run([x])
        #expect(kernel.implementationNames.allSatisfy { !$0.hasPrefix("ref") }, "\(kernel.implementationNames)")

        var convolved = standalone
        convolved.nodes.insert(Kit.node("Conv", ["x", "w"], ["c"], ["kernel_shape": .ints([3, 3]), "pads": .ints([1, 1, 1, 1])]),
                               at: 0)
        convolved.nodes[1].inputs = ["c"]
        convolved.initializers["w"] = Kit.tensor([12, 12, 3, 3], &generator)
        try Kit.expectSameOutputs(Kit.model(convolved), inputs: ["x": x])
    }
}
