import Foundation
import MetricsTestKit
import Testing
import SwitchyardGraph
import SwitchyardONNX
import SwitchyardTensor
import SwitchyardTestSupport
@testable import SwitchyardServing

/// A repository entry with several precisions of one model: `precision` selects the one that
/// serves, a missing variant fails that model alone, and `shadow_reference` compares live
/// requests with the full-precision file, with exactly the agreement and error the two models'
/// known difference gives.
@Suite struct PrecisionRepositoryTests {
    typealias Kit = ModelManagerTestKit

    /// The served "int8" stand-in: y = x + served; the full-precision reference adds
    /// `reference`, which differs by exactly 0.5 in column 3.
    static let served: [Float] = [0.25, 0, -0.25, 0]
    static let reference: [Float] = [0.25, 0, -0.25, 0.5]

    /// y = x + shift, x [batch, 4] → y [batch, 4].
    static func shifted(_ shift: [Float]) -> Model {
        let graph = Graph(
            name: "shifted",
            nodes: [Node(name: "add", opType: "Add", inputs: ["x", "shift"], outputs: ["y"])],
            inputs: [ValueInfo(name: "x", dataType: .float32, shape: [.symbolic("batch"), .fixed(4)])],
            outputs: [ValueInfo(name: "y", dataType: .float32, shape: [.symbolic("batch"), .fixed(4)])],
            initializers: ["shift": Tensor(shape: [4], scalars: shift)])
        return Model(irVersion: 8, opsetImports: ["": 17], graph: graph)
    }

    static func config(_ parameters: [String: String]) -> String {
        "max_batch_size: 4\n" + parameters.sorted { $0.key < $1.key }.map { key, value in
            "parameters { key: \"\(key)\" value { string_value: \"\(value)\" } }\n"
        }.joined()
    }

    /// `name` with model.onnx = the reference and model.int8.onnx = the served model.
    static func addPair(_ repository: TestRepository, _ name: String, parameters: [String: String]) throws {
        try repository.add(name, model: shifted(reference), config: config(parameters))
        try ModelWriter.serialize(shifted(served)).write(to: URL(fileURLWithPath: "\(repository.path)/\(name)/1/model.int8.onnx"))
    }

    /// Rows of multiples of 1/8 in [-2, 2] (exact in float, so x + 0.5 is exact and ties happen).
    static func request(_ model: String, seed: UInt64) -> InferenceRequest {
        var generator = SplitMix64(seed: seed)
        let rows = Int(generator.next() % 3) + 1
        let x = (0..<(rows * 4)).map { _ in Float(Int(generator.next() % 33) - 16) / 8 }
        return InferenceRequest(id: "s\(seed)", modelName: model, inputs: [NamedTensor(name: "x", tensor: Tensor(shape: [rows, 4], scalars: x))])
    }

    /// Polls the models' statistics until each compared `count` samples, at most 30 s.
    static func waitUntilCompared(_ count: UInt64, models: [String], on manager: ModelManager) async throws -> Bool {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            var done = true
            for model in models {
                let shadow = try await manager.statistics(name: model, version: nil).first?.shadow
                if shadow?.compared != count { done = false }
            }
            if done { return true }
            try await Task.sleep(for: .milliseconds(1))
        }
        return false
    }

    static func firstArgmax(_ row: [Float]) -> Int { row.firstIndex(of: row.max()!)! }

    @Test func precisionSelectsTheVariantAndStatsListEveryVariant() async throws {
        let repository = try TestRepository()
        defer { repository.remove() }
        try Self.addPair(repository, "quantized", parameters: ["precision": "int8"])
        try Self.addPair(repository, "full", parameters: [:])
        try repository.add("missing", model: Self.shifted(Self.reference), config: Self.config(["precision": "fp16"]))
        try Self.addPair(repository, "noreference", parameters: ["precision": "int8", "shadow_reference": "bf16"])
        let manager = try Kit.manager(repository)
        await manager.start()

        let request = Self.request("quantized", seed: 1)
        let x = request.inputs[0].tensor.scalars(as: Float.self)
        let quantized = try await manager.infer(request)
        #expect(try Kit.values(quantized) == x.enumerated().map { $0.element + Self.served[$0.offset % 4] })
        var fullRequest = request
        fullRequest.modelName = "full"
        let full = try await manager.infer(fullRequest)
        #expect(try Kit.values(full) == x.enumerated().map { $0.element + Self.reference[$0.offset % 4] })

        let statistics = try #require(try await manager.statistics(name: "quantized", version: nil).first)
        let precision = try #require(statistics.precision)
        #expect(precision.serving == "int8")
        let directory = "\(repository.path)/quantized/1"
        let sizes = try ["model.onnx", "model.int8.onnx"].map { name in
            try #require(try FileManager.default.attributesOfItem(atPath: "\(directory)/\(name)")[.size] as? Int)
        }
        #expect(precision.variants == [
            PrecisionVariant(precision: "fp32", fileName: "model.onnx", path: "\(directory)/model.onnx", fileBytes: sizes[0]),
            PrecisionVariant(precision: "int8", fileName: "model.int8.onnx", path: "\(directory)/model.int8.onnx", fileBytes: sizes[1]),
        ])
        #expect(precision.weightBytes == 16)
        #expect(statistics.residency.bytes == precision.weightBytes + precision.arenaBytes)
        #expect(statistics.shadow == nil)

        let index = Dictionary(uniqueKeysWithValues: await manager.repositoryIndex(readyOnly: false).map { ($0.name, $0) })
        #expect(index["quantized"]?.state == "READY" && index["full"]?.state == "READY")
        #expect(index["missing"]?.state == "UNAVAILABLE")
        #expect(index["missing"]?.reason == "missing: missing/1/model.fp16.onnx is missing: missing/config.pbtxt parameter 'precision' is \"fp16\" (variants present in version 1: fp32)")
        #expect(index["noreference"]?.reason == "noreference: noreference/1/model.bf16.onnx is missing: noreference/config.pbtxt parameter 'shadow_reference' is \"bf16\" (variants present in version 1: fp32, int8)")
        await manager.shutdown()
    }

    @Test func shadowAtRateOneRecordsTheExactAgreementAndError() async throws {
        let repository = try TestRepository()
        defer { repository.remove() }
        try Self.addPair(repository, "argmax", parameters: ["precision": "int8", "shadow_reference": "fp32", "shadow_sample_rate": "1"])
        try Self.addPair(repository, "tolerance", parameters: [
            "precision": "int8", "shadow_reference": "fp32", "shadow_sample_rate": "1.0",
            "shadow_metric": "tolerance", "shadow_tolerance": "0.25",
        ])
        try Self.addPair(repository, "paused", parameters: ["precision": "int8", "shadow_reference": "fp32", "shadow_sample_rate": "0"])
        let metrics = TestMetrics()
        let manager = try Kit.manager(repository, metrics: metrics)
        await manager.start()

        var rows = 0, agreeing = 0
        for seed in UInt64(1)...12 {
            for model in ["argmax", "tolerance", "paused"] {
                var request = Self.request(model, seed: seed)
                request.modelName = model
                _ = try await manager.infer(request)
            }
            // One request at a time, each compared before the next: nothing is ever dropped.
            let compared = try await Self.waitUntilCompared(seed, models: ["argmax", "tolerance"], on: manager)
            try #require(compared, "sample \(seed) was not compared")
            let x = Self.request("argmax", seed: seed).inputs[0].tensor.scalars(as: Float.self)
            for row in 0..<(x.count / 4) {
                let values = Array(x[row * 4 ..< row * 4 + 4])
                let ours = Self.firstArgmax(zip(values, Self.served).map(+))
                let theirs = Self.firstArgmax(zip(values, Self.reference).map(+))
                rows += 1
                if ours == theirs { agreeing += 1 }
            }
        }
        #expect(agreeing > 0 && agreeing < rows, "the seeds should give both agreeing and disagreeing rows")

        let argmax = try #require(try await manager.statistics(name: "argmax", version: nil).first?.shadow)
        #expect(argmax.sampled == 12 && argmax.compared == 12 && argmax.droppedBusy == 0 && argmax.failed == 0)
        #expect(argmax.comparedUnits == UInt64(rows) && argmax.agreeingUnits == UInt64(agreeing))
        #expect(argmax.maxAbsoluteError == 0.5 && argmax.meanAbsoluteError == 0.125)
        #expect(argmax.comparedElements == UInt64(rows * 4))

        let tolerance = try #require(try await manager.statistics(name: "tolerance", version: nil).first?.shadow)
        #expect(tolerance.compared == 12 && tolerance.agreement == 0.75)
        #expect(tolerance.maxAbsoluteError == 0.5 && tolerance.meanAbsoluteError == 0.125)

        let paused = try #require(try await manager.statistics(name: "paused", version: nil).first?.shadow)
        #expect(paused.sampled == 0 && paused.compared == 0 && paused.droppedBusy == 0)

        let dimensions = [("model", "argmax"), ("version", "1"), ("reference", "fp32")]
        #expect(try metrics.expectCounter(MetricNames.shadowSampled, dimensions).totalValue == 12)
        #expect(try metrics.expectCounter(MetricNames.shadowCompared, dimensions).totalValue == 12)
        #expect(try metrics.expectGauge(MetricNames.shadowAgreement, dimensions).lastValue == Double(agreeing) / Double(rows))
        #expect(try metrics.expectGauge(MetricNames.shadowMaxAbsoluteError, dimensions).lastValue == 0.5)
        #expect(try metrics.expectGauge(MetricNames.shadowMeanAbsoluteError, dimensions).lastValue == 0.125)

        // The reference's memory is part of the model's bytes.
        let statistics = try #require(try await manager.statistics(name: "argmax", version: nil).first)
        let precision = try #require(statistics.precision)
        #expect(statistics.residency.bytes == precision.weightBytes + precision.arenaBytes + argmax.referenceBytes)
        #expect(argmax.referenceBytes >= 16)
        await manager.shutdown()
    }
}
