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

    @Test("a softmax over an axis that is not the last is normalized where it lies, 16 positions at a time",
          arguments: ["Softmax", "LogSoftmax"])
    func innerAxisRunsInPlace(opType: String) throws {
        var generator = SeededGenerator(seed: 23)
        // YOLOv8's DFL head: softmax over 16 bins on axis 1 of [N, 16, 4, anchors]; 4 × 30 = 7 vectors
        // and a tail of 8 positions after the axis. Wide inputs: exp's range reduction and underflow.
        let x = generator.tensor([2, 16, 4, 30], in: -60...60)
        let node = DNNLHarness.node(opType, inputs: 1, attributes: ["axis": .int(1)])
        try DNNLHarness.check(node, opset: 13, inputs: [x])
        let (_, kernel) = try DNNLHarness.runDNNL(node, opset: 13, inputs: [x])
        #expect(kernel.fallbackReason == nil)
        // No oneDNN primitive: neither a softmax nor the reorders around one.
        #expect(kernel.implementationNames.isEmpty, "\(kernel.implementationNames)")
        for threads in [1, 2] {
            let big = generator.tensor([3, 16, 4, 2100], in: -8...8)
            try DNNLHarness.check(node, opset: 13, inputs: [big], threads: threads)
        }
    }

    @Test("fewer than 16 elements after the axis go through oneDNN in an axis-innermost layout")
    func shortInnerAxisRunsInOneDNN() throws {
        var generator = SeededGenerator(seed: 24)
        let x = generator.tensor([2, 16, 3, 5], in: -6...6)
        let node = DNNLHarness.node("Softmax", inputs: 1, attributes: ["axis": .int(1)])
        try DNNLHarness.check(node, opset: 13, inputs: [x])
        let (_, kernel) = try DNNLHarness.runDNNL(node, opset: 13, inputs: [x])
        #expect(kernel.implementationNames.contains { $0.hasPrefix("jit") }, "\(kernel.implementationNames)")
        #expect(DNNLSoftmaxOperation.strides([2, 16, 4, 30], innermost: 1) == [1920, 1, 480, 16])
    }
}
