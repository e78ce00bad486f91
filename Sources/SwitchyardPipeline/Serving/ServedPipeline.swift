import CoreMetrics
import Foundation
import SwitchyardServing
import Synchronization

/// One pipeline served as a model (Triton's ensemble semantics): each `infer` request becomes a
/// frame of the pipeline's `api` source, its model stages go through each model's batcher, and
/// the items that reach its `response` sink become the response tensors. The pipeline runs for
/// as long as it is served; concurrent requests share it (and meet in the batchers), each
/// getting exactly its own frame's result.
public final class ServedPipeline: Sendable {
    /// The platform `GET /v2/models/{m}` and `/config` report, as Triton does for ensembles.
    public static let platform = "ensemble"
    /// The one version a served pipeline has.
    public static let version: Int64 = 1

    /// A repository model the pipeline's model stages call.
    public struct Member: Sendable, Equatable {
        public var name: String
        /// nil: the latest ready version.
        public var version: Int64?
    }

    public let name: String
    /// What `GET /v2/models/{m}/config` returns.
    public let config: Inference_ModelConfig
    public let members: [Member]
    let interface: PipelineInterface
    private let pipeline: Pipeline
    private let statistics = Mutex<ModelStatistics>(ModelStatistics(name: "", version: "1"))

    /// Builds (does not start) the pipeline of `loaded` with model stages served by `models`.
    init(name: String, loaded: SpecLoader.Loaded, interface: PipelineInterface, config: Inference_ModelConfig,
         registry: ProcessorRegistry, models: any InferenceService, metricsFactory: (any MetricsFactory)?) throws(ServingError) {
        self.name = name
        self.config = config
        self.interface = interface
        var seen: Set<String> = []
        members = loaded.spec.stages.compactMap { stage in
            guard let model = stage.model, seen.insert(model).inserted else { return nil }
            return Member(name: model, version: stage.version)
        }
        do throws(PipelineError) {
            pipeline = try Pipeline(loaded, registry: registry, service: models,
                                    options: PipelineOptions(metricsFactory: metricsFactory))
        } catch {
            throw .invalidArgument(error.message)
        }
        statistics.withLock { $0.name = name }
    }

    func start() {
        pipeline.start()
    }

    /// Lets the requests in flight finish, then stops the pipeline's threads.
    func shutdown() async {
        pipeline.finishPosting(to: interface.source)
        _ = await pipeline.wait()
    }

    /// Triton-style statistics: requests (success, fail) with their durations.
    var currentStatistics: ModelStatistics { statistics.withLock { $0 } }

    /// Runs one request through the pipeline. `membersReady` is asked only when the pipeline
    /// fails on the request, to tell an unavailable member (503) from a bad input (400).
    func infer(_ request: InferenceRequest, membersReady: () async -> Bool) async throws(ServingError) -> InferenceResponse {
        let started = DispatchTime.now().uptimeNanoseconds
        do throws(ServingError) {
            let response = try await run(request, membersReady: membersReady)
            let batch = interface.maxBatchSize > 0 ? UInt64(request.inputs.first?.tensor.shape.first ?? 1) : 1
            record(started: started) { statistics, elapsed in
                statistics.success.record(nanoseconds: elapsed)
                // Counted as Triton counts an ensemble's requests (perf_analyzer finds the model
                // version to report by this count); the waiting is in the members' own queues.
                statistics.queue.record(nanoseconds: 0)
                statistics.inferenceCount += batch
                statistics.executionCount += 1
            }
            return response
        } catch {
            record(started: started) { statistics, elapsed in
                statistics.fail.record(nanoseconds: elapsed)
                statistics.queue.record(nanoseconds: 0)
            }
            throw error
        }
    }

    private func run(_ request: InferenceRequest, membersReady: () async -> Bool) async throws(ServingError) -> InferenceResponse {
        let values = try interface.values(of: request, pipeline: name)
        let outputs = try interface.requestedOutputs(request.requestedOutputs, pipeline: name)
        let items: [PipelineItem]
        do throws(PipelineError) {
            items = try await pipeline.infer(values, source: interface.source)
        } catch {
            throw .unavailable(error.message)
        }
        if let failed = items.first(where: { $0.error != nil }), let message = failed.error {
            let text = "pipeline '\(name)' failed at stage '\(failed.stage)': \(message)"
            let ready = await membersReady()
            throw ready ? ServingError.invalidArgument(text) : ServingError.unavailable(text)
        }
        let tensors = try ResponseTensors.make(outputs, from: items, pipeline: name)
        return InferenceResponse(id: request.id, modelName: name, modelVersion: Self.version, outputs: tensors)
    }

    private func record(started: UInt64, _ update: (inout ModelStatistics, UInt64) -> Void) {
        let now = DispatchTime.now().uptimeNanoseconds
        statistics.withLock { statistics in
            update(&statistics, now - started)
            statistics.lastInferenceMilliseconds = UInt64(Date().timeIntervalSince1970 * 1000)
        }
    }
}
