import CoreMetrics
import Foundation
import Logging
import SwitchyardPipeline
@testable import SwitchyardServing
import SwitchyardTensor
import SwitchyardTestSupport
import Testing

/// A temporary model repository with two small generated models that chain (`first`: x [b, 4]
/// → y [b, 3]; `second`: h [b, 3] → z [b, 2]), pipelines and ensembles written by the tests,
/// and the server's composition over it: a `ModelManager` that leaves pipeline directories alone
/// and a `RoutingInferenceService` in front.
struct ServedPipelineRepository {
    private let repository: TestRepository
    var path: String { repository.path }

    /// `first` and `second`: `relu(input · W + b)` with seeded weights and a positive bias.
    static let first = AffineModel(rows: 4, columns: 3, seed: 31, biasRange: 0.1...1)
    static let second = AffineModel(rows: 3, columns: 2, seed: 32, biasRange: 0.1...1)

    init() throws {
        repository = try TestRepository(prefix: "served-pipelines")
        try repository.add("first", model: Self.first.model(name: "first", input: "x", output: "y", relu: true))
        try repository.add("second", model: Self.second.model(name: "second", input: "h", output: "z", relu: true))
    }

    /// Writes `<name>/<file>` (config.pbtxt or pipeline.yaml).
    func write(_ text: String, to file: String, of name: String) throws {
        try FileManager.default.createDirectory(atPath: "\(path)/\(name)", withIntermediateDirectories: true)
        try text.write(toFile: "\(path)/\(name)/\(file)", atomically: true, encoding: .utf8)
    }

    func remove() {
        repository.remove()
    }

    /// The ensemble first → second, with its steps listed second-first (the order is Triton's
    /// data flow, not the list's).
    static let chainConfig = """
        name: "chain"
        platform: "ensemble"
        max_batch_size: 4
        input [ { name: "INPUT" data_type: TYPE_FP32 dims: [ 4 ] } ]
        output [ { name: "OUTPUT" data_type: TYPE_FP32 dims: [ 2 ] } ]
        ensemble_scheduling {
          step [
            {
              model_name: "second"
              model_version: -1
              input_map { key: "h" value: "hidden" }
              output_map { key: "z" value: "OUTPUT" }
            },
            {
              model_name: "first"
              model_version: 1
              input_map { key: "x" value: "INPUT" }
              output_map { key: "y" value: "hidden" }
            }
          ]
        }
        """

    /// A started model manager and routing service over the repository (none mode: every model loads).
    func serve(registry: ProcessorRegistry = .builtin, metrics: (any MetricsFactory)? = nil) async throws -> Served {
        var logger = Logger(label: "served-pipeline-tests")
        logger.logLevel = .critical
        let manager = try ModelManager(options: ModelManagerOptions(
            repositoryPath: path, threads: 1, metricsFactory: metrics,
            isServedElsewhere: { ServedPipelineLoader.isPipelineDirectory($0) }), logger: logger)
        await manager.start()
        let routing = RoutingInferenceService(models: manager, repositoryPath: path, registry: registry, logger: logger,
                                              metricsFactory: metrics)
        await routing.start()
        return Served(manager: manager, routing: routing)
    }

    struct Served {
        let manager: ModelManager
        let routing: RoutingInferenceService

        func shutdown() async {
            await routing.shutdown()
            await manager.shutdown()
        }
    }

    /// Random rows (seeded, non-zero) as an FP32 [rows, columns] tensor.
    static func rows(_ rows: Int, columns: Int, seed: UInt64) -> Tensor {
        var generator = SplitMix64(seed: seed)
        return Tensor(shape: [rows, columns], scalars: (0..<(rows * columns)).map { _ in
            Float.random(in: 0.05...2, using: &generator) * (Bool.random(using: &generator) ? 1 : -1)
        })
    }

    /// `second(first(input))`, by calling the two models one after the other through `models`.
    static func sequential(_ input: Tensor, models: any InferenceService) async throws -> [Float] {
        let hidden = try await models.infer(InferenceRequest(modelName: "first", inputs: [NamedTensor(name: "x", tensor: input)]))
        let y = try #require(hidden.outputs.first { $0.name == "y" }).tensor
        let output = try await models.infer(InferenceRequest(modelName: "second", inputs: [NamedTensor(name: "h", tensor: y)]))
        return try #require(output.outputs.first { $0.name == "z" }).tensor.scalars(as: Float.self)
    }
}

/// The `ServingError` `body` throws, failing the test when it throws none or another error.
func servingError(sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws -> Void) async -> ServingError? {
    do {
        try await body()
        Issue.record("expected a ServingError", sourceLocation: sourceLocation)
        return nil
    } catch let error as ServingError {
        return error
    } catch {
        Issue.record("expected a ServingError, got \(error)", sourceLocation: sourceLocation)
        return nil
    }
}
