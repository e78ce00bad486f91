import CoreMetrics
import Logging
import SwitchyardEngine
import SwitchyardGraph
import SwitchyardTensor
import Testing
import SwitchyardTestSupport
@testable import SwitchyardServing

/// Managers over temporary repositories, and the checks the manager tests share.
enum ModelManagerTestKit {
    static func manager(_ repository: TestRepository, mode: ModelControlMode = .none, residency: ResidencyMode = .resident,
                        budget: String? = nil, startup: [String] = [],
                        metrics: (any MetricsFactory)? = nil, threads: Int = 1) throws -> ModelManager {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return try ModelManager(options: ModelManagerOptions(
            repositoryPath: repository.path, controlMode: mode, startupModels: startup,
            memoryBudget: budget.map { try MemoryBudget.parse($0) } ?? .unlimited, residency: residency, threads: threads,
            metricsFactory: metrics
        ), logger: logger)
    }

    /// A request of `rows` random rows for the affine test model.
    static func affineRequest(_ model: String, rows: Int, seed: UInt64, version: Int64? = nil) -> InferenceRequest {
        var generator = SplitMix64(seed: seed)
        let x = Tensor(shape: [rows, 4], scalars: (0..<(rows * 4)).map { _ in Float.random(in: -2...2, using: &generator) })
        return InferenceRequest(id: "r\(seed)", modelName: model, modelVersion: version, inputs: [NamedTensor(name: "x", tensor: x)])
    }

    /// A lookup request for `ids`.
    static func lookupRequest(_ model: String, ids: [Int64]) -> InferenceRequest {
        InferenceRequest(modelName: model, inputs: [NamedTensor(name: "ids", tensor: Tensor(shape: [ids.count], scalars: ids))])
    }

    /// What the model computes for `request`, by a session of its own.
    static func expected(_ model: Model, for request: InferenceRequest) throws -> [Float] {
        let session = try Session(model: model)
        let inputs = Dictionary(uniqueKeysWithValues: request.inputs.map { ($0.name, $0.tensor) })
        let outputs = try session.run(inputs)
        return try #require(outputs.values.first).scalars(as: Float.self)
    }

    static func values(_ response: InferenceResponse) throws -> [Float] {
        try #require(response.outputs.first).tensor.scalars(as: Float.self)
    }

    /// The `ServingError` `body` throws, failing the test when it throws none or another error.
    static func error(sourceLocation: SourceLocation = #_sourceLocation,
                      _ body: () async throws -> Void) async -> ServingError? {
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
}
