import CDNNL
import Testing
import SwitchyardGraph
import SwitchyardTensor
@testable import SwitchyardEngine

/// A one-channel tensor in channels-last layout is the same bytes as plain, and oneDNN counts the
/// two descriptors equal, but its binary kernel vectorizes a channels-last one over the channel:
/// one lane. Elementwise and binary steps view it through the plain descriptor instead
/// (`DNNLPlanBuilder.plainIfSingleChannel`).
@Suite("DNNL single-channel layouts")
struct DNNLSingleChannelLayoutTests {
    @Test("a channels-last single channel is viewed as plain; other layouts are left as they are")
    func viewsOnlySingleChannelsLast() throws {
        var builder = DNNLPlanBuilder(engine: try DNNLEngine.shared(), threads: 1)
        let single = builder.slot(try .channelsLast([1, 1, 8, 8], type: dnnl_f32))
        let viewed = try builder.plainIfSingleChannel(single)
        #expect(viewed != single)
        let plain = try DNNLMemoryDesc.plain([1, 1, 8, 8])
        #expect(withUnsafeBytes(of: builder.desc(viewed).raw) { mine in withUnsafeBytes(of: plain.raw) { $0.elementsEqual(mine) } })
        let alreadyPlain = builder.slot(plain)
        #expect(try builder.plainIfSingleChannel(alreadyPlain) == alreadyPlain)
        let wide = builder.slot(try .channelsLast([1, 4, 8, 8], type: dnnl_f32))
        #expect(try builder.plainIfSingleChannel(wide) == wide)
    }

    /// A convolution to one channel (a detector's probability map), then `Sigmoid(y + b)`: the
    /// region's steps on the one-channel tensor match the reference kernels.
    @Test("a one-channel head computes as the reference does")
    func singleChannelHeadMatchesTheReference() throws {
        var generator = SeededGenerator(seed: 171)
        var graph = Graph(name: "head", nodes: [
            Node(name: "conv", opType: "Conv", inputs: ["x", "w"], outputs: ["y"], attributes: ["pads": .ints([1, 1, 1, 1])]),
            Node(name: "shift", opType: "Add", inputs: ["y", "b"], outputs: ["s"]),
            Node(name: "squash", opType: "Sigmoid", inputs: ["s"], outputs: ["z"]),
        ], inputs: [ValueInfo(name: "x", dataType: .float32, shape: [.fixed(2), .fixed(8), .fixed(20), .fixed(24)])],
        outputs: [ValueInfo(name: "z")], initializers: [
            "w": generator.tensor([1, 8, 3, 3], in: -0.3...0.3), "b": Tensor(scalar: Float(0.25)),
        ])
        ShapeInference.annotate(&graph, opsets: DNNLDataMovementTests.opsets)
        let result = try DNNLDataMovementTests.compiled(graph, x: generator.tensor([2, 8, 20, 24]))
        #expect(result.error <= 1e-5)
    }
}
