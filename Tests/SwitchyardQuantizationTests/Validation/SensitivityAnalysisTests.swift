import Foundation
import Testing
import SwitchyardGraph
import SwitchyardONNX
import SwitchyardTensor
@testable import SwitchyardQuantization

/// Per-layer sensitivity on a two-layer QDQ MLP whose second layer's input is quantized coarsely.
@Suite struct SensitivityAnalysisTests {
    @Test func findsTheLayersThatReadDequantizedValues() throws {
        let fixture = try ValidationFixture(seed: 91)
        defer { fixture.remove() }
        #expect(QDQLayerRewrite.quantizedLayers(in: fixture.quantized().graph) == ["mm1", "mm2"])
        #expect(QDQLayerRewrite.quantizedLayers(in: fixture.reference().graph).isEmpty)
    }

    @Test func keepingALayerInFloatRewiresItsInputsToTheReferenceValues() throws {
        let fixture = try ValidationFixture(seed: 92)
        defer { fixture.remove() }
        let rewritten = QDQLayerRewrite.keepingFloat(["mm2"], in: fixture.quantized(), reference: fixture.reference())
        let mm2 = try #require(rewritten.graph.nodes.first { $0.name == "mm2" })
        #expect(mm2.inputs == ["r", "w2_dq_fp32"])
        #expect(rewritten.graph.initializers["w2_dq_fp32"]?.floats() == fixture.w2)
        let mm1 = try #require(rewritten.graph.nodes.first { $0.name == "mm1" })
        #expect(mm1.inputs == ["x_dq", "w1_dq"])
        // Without a reference the weight stays dequantized; the activation edge is still float.
        let alone = QDQLayerRewrite.keepingFloat(["mm2"], in: fixture.quantized(), reference: nil)
        #expect(alone.graph.nodes.first { $0.name == "mm2" }?.inputs == ["r", "w2_dq"])
    }

    @Test func ranksTheCoarselyQuantizedLayerFirst() throws {
        let fixture = try ValidationFixture(seed: 93)
        defer { fixture.remove() }
        let reference = try fixture.write(fixture.reference(), as: "fp32.onnx")
        // mm2's input (Relu output, up to ~8) quantized with steps of 0.25: by far the larger error.
        let candidate = try fixture.write(fixture.quantized(inputScale: 1.0 / 127, reluScale: 0.25), as: "int8.onnx")
        let data = try fixture.writeSamples(12, seed: 94)
        let report = try SensitivityAnalysis.analyze(reference: reference, candidate: candidate, dataDirectory: data,
                                                     options: SensitivityOptions(metric: .mae, maxSamples: 8))
        #expect(report.samples == 8)
        #expect(report.referenceMetric == 0 && report.candidateMetric > 0)
        #expect(report.layers.map(\.node) == ["mm2", "mm1"])
        let costly = report.layers[0], cheap = report.layers[1]
        #expect(costly.opType == "MatMul")
        #expect(costly.recovery > 0 && costly.recovery > cheap.recovery)
        #expect(costly.metric < report.candidateMetric / 2)
        #expect(abs(costly.recovery - (report.candidateMetric - costly.metric)) < 1e-12)
        #expect(abs(costly.metric - costly.meanAbsoluteError) < 1e-12)
    }
}
