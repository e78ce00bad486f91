import ServiceLifecycle
import SwitchyardPipeline

/// Runs the repository's pipelines inside `switchyard serve` as a swift-service-lifecycle
/// `Service`: builds and starts them once the models are ready, and on graceful shutdown lets
/// their requests in flight finish before the model manager unloads the models they call.
struct PipelineServingService: Service {
    let service: RoutingInferenceService
    /// The pipelines to start (explicit mode's `--load-model`); nil = all of the repository's.
    let startup: [String]?
    /// Poll mode's interval between repository scans; nil = no polling.
    let pollIntervalSeconds: Double?

    func run() async throws {
        // A shutdown before the models are ready cancels the start (it waits for them).
        await cancelWhenGracefulShutdown { await service.start(only: startup) }
        if let pollIntervalSeconds {
            await cancelWhenGracefulShutdown {
                while !Task.isCancelled {
                    try? await Task.sleep(for: .seconds(pollIntervalSeconds))
                    if !Task.isCancelled { await service.poll() }
                }
            }
        }
        try? await gracefulShutdown()
        await service.shutdown()
    }
}
