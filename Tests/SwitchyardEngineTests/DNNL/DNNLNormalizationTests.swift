import Testing
import SwitchyardGraph
import SwitchyardTensor
@testable import SwitchyardEngine

@Suite("DNNL normalization kernels")
struct DNNLNormalizationTests {
    @Test("BatchNormalization (inference) matches the reference kernel")
    func batchNormalization() throws {
        var generator = SeededGenerator(seed: 61)
        for shape in [[2, 3], [1, 4, 5, 5], [2, 16, 7, 7], [1, 3, 4], [1, 2, 3, 4, 5]] {
            let c = shape[1]
            let node = DNNLHarness.node("BatchNormalization", inputs: 5, attributes: ["epsilon": .float(1e-3)])
            let inputs: [Tensor?] = [generator.tensor(shape), generator.tensor([c]), generator.tensor([c]),
                                     generator.tensor([c]), generator.tensor([c], in: 0.1...2)]
            try DNNLHarness.check(node, opset: 15, inputs: inputs, constantIndices: [1, 2, 3, 4])
            try DNNLHarness.check(node, opset: 15, inputs: inputs)
        }
    }

    @Test("BatchNormalization in training mode is left to the reference kernel")
    func trainingMode() {
        let node = DNNLHarness.node("BatchNormalization", inputs: 5, attributes: ["training_mode": .int(1)])
        #expect(DNNLKernels.kernel(for: node, opset: 15) == nil)
    }

    @Test("LayerNormalization matches the reference kernel")
    func layerNormalization() throws {
        var generator = SeededGenerator(seed: 62)
        for (shape, axis) in [([4, 8], -1), ([2, 3, 16], -1), ([2, 3, 4, 5], 2), ([3, 5], 0)] {
            let normalized = Array(shape[(axis < 0 ? axis + shape.count : axis)...])
            for withBias in [true, false] {
                let node = DNNLHarness.node("LayerNormalization", inputs: withBias ? 3 : 2,
                                            attributes: ["axis": .int(axis), "epsilon": .float(1e-5)])
                var inputs: [Tensor?] = [generator.tensor(shape), generator.tensor(normalized)]
                if withBias { inputs.append(generator.tensor(normalized)) }
                try DNNLHarness.check(node, opset: 17, inputs: inputs, constantIndices: [1, 2])
            }
        }
    }
}
