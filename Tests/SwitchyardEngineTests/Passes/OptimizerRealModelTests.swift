import Foundation
import Testing
import SwitchyardGraph
import SwitchyardTensor
@testable import SwitchyardEngine

/// The optimizer on real exports (PaddleOCR via paddle2onnx, an Ultralytics YOLOv8 detector),
/// which keep weights in Constant nodes, decompose HardSwish, and build shapes at run time.
/// The files are the example models that scripts/fetch-models.sh puts in models/.
@Suite(.serialized) struct OptimizerRealModelTests {
    typealias Kit = PassTestKit

    static let models: [(path: String, input: [Int])] = [
        // Both spatial dims of this export are named "?", which does not make them equal.
        ("ch_ppocr_mobile_v2.0_cls_infer.onnx", [1, 3, 48, 96]),
        ("ch_PP-OCRv4_det_infer.onnx", [1, 3, 64, 64]),
        ("ch_PP-OCRv4_rec_infer.onnx", [1, 3, 48, 64]),
        ("yolov8n-320.onnx", [1, 3, 64, 64]),
    ]

    @Test(arguments: models.map(\.path))
    func optimizedModelComputesTheSame(path: String) throws {
        let input = Self.models.first { $0.path == path }!.input
        let full = TestPaths.model(path)
        try #require(FileManager.default.fileExists(atPath: full), "missing \(full): run scripts/setup.sh")
        let clock = ContinuousClock()
        let start = clock.now
        // Every activation, Swish included, so the fused reference kernels are exercised.
        let optimized = try LoadedModel(contentsOf: full, options: LoadOptions(fusedActivations: FusedActivation.allNames))
        print("\(path): loaded and optimized in \(clock.now - start)")
        let plain = try LoadedModel(contentsOf: full, options: LoadOptions(optimize: false))
        print("\(path): \(optimized.report.summary)")
        func count(_ op: String, _ model: LoadedModel) -> Int { model.graph.nodes.filter { $0.opType == op }.count }
        #expect(optimized.graph.nodes.count < plain.graph.nodes.count * 2 / 3)
        #expect(count("Constant", optimized) == 0)
        // Only batch norms that follow something other than a Conv remain.
        #expect(count("BatchNormalization", optimized) <= count("BatchNormalization", plain) / 2)
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
        print("\(path): arena \(plan.arenaBytes) bytes vs \(plan.naiveBytes) naive; dynamic: \(plan.dynamicValues)")
        #expect(plan.arenaBytes < plan.naiveBytes)
        #expect(plan.dynamicValues.isEmpty, "every intermediate's size follows from the input shape")
        try expectInferenceMatchesExecution(optimized, inputs: inputs)
    }

    /// Runs the optimized graph with every intermediate exposed and compares each one's shape
    /// with what inference predicted, concretely and symbolically.
    private func expectInferenceMatchesExecution(_ loaded: LoadedModel, inputs: [String: Tensor]) throws {
        let concrete = loaded.inferConcreteShapes(inputs: inputs.mapValues(\.shape))
        var probe = loaded.model
        let outputNames = Set(probe.graph.outputs.map(\.name))
        probe.graph.outputs += probe.graph.nodes.flatMap(\.outputs).filter { !$0.isEmpty && !outputNames.contains($0) }
            .map { ValueInfo(name: $0) }
        let values = try Session(model: LoadedModel(model: probe, options: LoadOptions(optimize: false))).run(inputs)
        var checked = 0
        for (name, tensor) in values {
            if let predicted = concrete[name] {
                #expect(predicted == tensor.shape, "\(name): inferred \(predicted), ran \(tensor.shape)")
                checked += 1
            }
            if let symbolic = loaded.graph.valueInfo[name]?.shape {
                let consistent = symbolic.count == tensor.rank
                    && zip(symbolic, tensor.shape).allSatisfy { $0.fixedValue == nil || $0.fixedValue == $1 }
                #expect(consistent, "\(name): inferred \(symbolic), ran \(tensor.shape)")
            }
        }
        #expect(checked == values.count, "every value has a concrete inferred shape")
    }
}
