import Testing
import SwitchyardEngine
import SwitchyardGraph
import SwitchyardTensor
@testable import SwitchyardQuantization

/// Opset 12 → 13 keeps what Softmax computes: before 13 it normalises over every axis from
/// `axis` on (the input flattened to 2-D), from 13 over `axis` alone.
@Suite struct OpsetUpgradeTests {
    /// x[2,3,4] → Relu → op(axis) → y, at opset 12; `declared` says whether x's shape is declared.
    static func model(_ opType: String, axis: Int, declared: Bool) -> Model {
        let graph = Graph(
            name: "softmax", nodes: [
                Node(name: "relu", opType: "Relu", inputs: ["x"], outputs: ["r"]),
                Node(name: "normalise", opType: opType, inputs: ["r"], outputs: ["y"], attributes: ["axis": .int(axis)]),
            ],
            inputs: [ValueInfo(name: "x", dataType: .float32, shape: declared ? [.fixed(2), .fixed(3), .fixed(4)] : nil)],
            outputs: [ValueInfo(name: "y", dataType: .float32)])
        return Model(opsetImports: ["": 12], graph: graph)
    }

    @Test(arguments: ["Softmax", "LogSoftmax", "Hardmax"], [0, 1, 2, -2])
    func upgradedModelComputesTheSame(opType: String, axis: Int) throws {
        var random = SplitMix64(seed: 41)
        let input = TinyModels.uniform([2, 3, 4], &random, scale: 3)
        for declared in [true, false] {
            let original = Self.model(opType, axis: axis, declared: declared)
            let upgraded = try OpsetUpgrade.toOpset13(original).get()
            #expect(upgraded.defaultOpset == 13)
            let expected = try Session(model: original).run(["x": input])["y"]!
            let actual = try Session(model: upgraded).run(["x": input])["y"]!
            #expect(actual.shape == [2, 3, 4])
            #expect(TinyModels.maxAbsDifference(expected, actual) < 1e-6, "\(opType) axis \(axis), declared \(declared)")
            // A provably last axis stays one node; any other is flattened around it.
            let flattened = upgraded.graph.nodes.contains { $0.opType == "Flatten" }
            #expect(flattened == !(declared && axis == 2))
        }
    }

    @Test func quantizingAnOpset12ModelWithAnInnerSoftmaxKeepsPerChannelWeights() throws {
        var model = TinyModels.convNet()
        model.opsetImports = ["": 12]
        model.graph.nodes.append(Node(name: "softmax", opType: "Softmax", inputs: ["y"], outputs: ["probabilities"],
                                      attributes: ["axis": .int(0)]))
        model.graph.outputs = [ValueInfo(name: "probabilities", dataType: .float32)]
        let folder = try TinyModels.sampleFolder(TinyModels.inputs(count: 4, seed: 3))
        let (quantized, report) = try Quantizer.quantize(model, options: QuantizationOptions(precision: .int8),
                                                         calibration: SampleSet(directory: folder, inputNames: ["x"]))
        #expect(quantized.defaultOpset == 13)
        #expect(report.converted.count == 4 && report.converted.allSatisfy { $0.detail.contains("per-channel") })
    }
}
