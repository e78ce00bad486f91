import Foundation
import Testing
import SwitchyardGraph
import SwitchyardTensor
@testable import SwitchyardEngine

/// The optimizer on real exports (PaddleOCR via paddle2onnx, an Ultralytics YOLOv8 detector),
/// which keep weights in Constant nodes, decompose HardSwish, and build shapes at run time.
/// The files come from the rapidocr-onnxruntime 1.4.4 and nudenet 3.4.2 wheels, unpacked into
/// /tmp/models; the tests are skipped when they are absent.
@Suite(.serialized) struct RealModelTests {
    typealias Kit = PassTestKit

    static let directory = "/tmp/models"
    static let models: [(path: String, input: [Int])] = [
        ("rapidocr_onnxruntime/models/ch_ppocr_mobile_v2.0_cls_infer.onnx", [1, 3, 48, 64]),
        ("rapidocr_onnxruntime/models/ch_PP-OCRv4_det_infer.onnx", [1, 3, 64, 64]),
        ("rapidocr_onnxruntime/models/ch_PP-OCRv4_rec_infer.onnx", [1, 3, 48, 64]),
        ("nudenet/320n.onnx", [1, 3, 64, 64]),
    ]
    static var available: Bool {
        models.allSatisfy { FileManager.default.fileExists(atPath: "\(directory)/\($0.path)") }
    }

    @Test(.enabled(if: available), arguments: models.map(\.path))
    func optimizedModelComputesTheSame(path: String) throws {
        let input = Self.models.first { $0.path == path }!.input
        let full = "\(Self.directory)/\(path)"
        let optimized = try LoadedModel(contentsOf: full)
        let plain = try LoadedModel(contentsOf: full, options: LoadOptions(optimize: false))
        print("\(path): \(optimized.report.summary)")
        #expect(optimized.graph.nodes.count < plain.graph.nodes.count / 2)
        #expect(!optimized.graph.nodes.contains { $0.opType == "Constant" || $0.opType == "BatchNormalization" })
        #expect(optimized.graph.nodes.contains { $0.opType == "FusedConv" })

        var generator = Kit.Generator(seed: 101)
        let name = optimized.inputs[0].name
        let inputs = [name: Tensor(shape: input, scalars: Kit.floats(input.reduce(1, *), &generator).map { abs($0) })]
        let expected = try Session(model: plain).run(inputs)
        let actual = try Session(model: optimized).run(inputs)
        for (output, want) in expected {
            let got = try #require(actual[output])
            #expect(got.shape == want.shape)
            let error = Kit.maxRelativeError(got.doubles(), want.doubles())
            #expect(error < 1e-3, "\(output) differs by \(error)")
        }

        let plan = try optimized.memoryPlan(for: [name: input])
        print("\(path): arena \(plan.arenaBytes) bytes vs \(plan.naiveBytes) naive; dynamic: \(plan.dynamicValues.count)")
        #expect(plan.arenaBytes < plan.naiveBytes)
        let shapes = optimized.inferConcreteShapes(inputs: [name: input])
        for (output, tensor) in actual { #expect(shapes[output] == nil || shapes[output] == tensor.shape, "\(output)") }
    }
}
