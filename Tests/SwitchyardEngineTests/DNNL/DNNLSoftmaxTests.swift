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
}
