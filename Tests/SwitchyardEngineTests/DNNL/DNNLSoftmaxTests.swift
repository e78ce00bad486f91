import Testing
import SwitchyardGraph
import SwitchyardTensor
@testable import SwitchyardEngine

@Suite("DNNL softmax kernels")
struct DNNLSoftmaxTests {
    @Test("Softmax and LogSoftmax over every axis (opset 13)", arguments: ["Softmax", "LogSoftmax"])
    func singleAxis(opType: String) throws {
        var generator = SeededGenerator(seed: 21)
        let x = generator.tensor([2, 3, 4, 5], in: -4...4)
        for axis in -4...3 {
            try DNNLHarness.check(DNNLHarness.node(opType, inputs: 1, attributes: ["axis": .int(axis)]), opset: 13, inputs: [x])
        }
        try DNNLHarness.check(DNNLHarness.node(opType, inputs: 1), opset: 13, inputs: [generator.tensor([8, 1000])])
    }

    @Test("Softmax and LogSoftmax before opset 13 flatten at the axis", arguments: ["Softmax", "LogSoftmax"])
    func flattened(opType: String) throws {
        var generator = SeededGenerator(seed: 22)
        let x = generator.tensor([2, 3, 4, 5], in: -4...4)
        for axis in [0, 1, 2, 3, -1] {
            try DNNLHarness.check(DNNLHarness.node(opType, inputs: 1, attributes: ["axis": .int(axis)]), opset: 11, inputs: [x])
        }
        try DNNLHarness.check(DNNLHarness.node(opType, inputs: 1), opset: 11, inputs: [x])
    }

    @Test("a softmax over an axis that is not the last runs in oneDNN's vectorized kernel")
    func innerAxisRunsInOneDNN() throws {
        var generator = SeededGenerator(seed: 23)
        // YOLOv8's DFL head: softmax over 16 bins on axis 1 of [N, 16, 4, anchors].
        let x = generator.tensor([2, 16, 4, 30], in: -6...6)
        let node = DNNLHarness.node("Softmax", inputs: 1, attributes: ["axis": .int(1)])
        try DNNLHarness.check(node, opset: 13, inputs: [x])
        let (_, kernel) = try DNNLHarness.runDNNL(node, opset: 13, inputs: [x])
        #expect(kernel.fallbackReason == nil)
        #expect(kernel.implementationNames.contains { $0.hasPrefix("jit") }, "\(kernel.implementationNames)")
        #expect(DNNLSoftmaxOperation.strides([2, 16, 4, 30], innermost: 1) == [1920, 1, 480, 16])
    }
}
