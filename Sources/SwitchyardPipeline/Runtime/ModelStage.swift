import Dispatch
import Foundation
import SwitchyardServing
import Synchronization

/// A `model` stage: each item's tensors (named by `input_map`) become one request to
/// `InferenceService.infer`, so it goes through the model's dynamic batcher; `workers` threads
/// keep that many requests in flight. The outputs (renamed by `output_map`) are added to the
/// item. A failed request becomes an error item for that item only.
struct ModelStage: Sendable {
    let name: String
    let workers: Int
    let model: String
    let version: Int64?
    /// Item value name → model input name.
    let inputMap: [String: String]
    /// Model output name → item value name (empty: every output under its own name).
    let outputMap: [String: String]
    let service: any InferenceService
    let input: BoundedQueue<PipelineItem>
    let router: ItemRouter
    let metrics: StageMetrics

    func start(exited: @escaping @Sendable () -> Void) {
        WorkerThreads.start(name: "pipeline \(name)", count: workers, body: { _ in run() }, whenAllExited: {
            router.finish()
            exited()
        })
    }

    private func run() {
        while case .item(let item) = input.pop() {
            metrics.recordQueueDepth(input.depth)
            if item.error != nil {
                router.forward([item], replacing: item)
                continue
            }
            let started = DispatchTime.now().uptimeNanoseconds
            let output: PipelineItem
            var failed = false
            do throws(PipelineError) {
                output = try infer(item)
            } catch {
                output = item.failed(in: name, error.message)
                failed = true
            }
            metrics.recordItem(latencySeconds: Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9, failed: failed)
            router.forward([output], replacing: item)
        }
    }

    private func infer(_ item: PipelineItem) throws(PipelineError) -> PipelineItem {
        var inputs: [NamedTensor] = []
        for (valueName, tensorName) in inputMap.sorted(by: { $0.key < $1.key }) {
            inputs.append(NamedTensor(name: tensorName, tensor: try item.tensor(valueName)))
        }
        let request = InferenceRequest(id: "\(item.source)/\(item.frame)", modelName: model, modelVersion: version,
                                       inputs: inputs, requestedOutputs: outputMap.keys.sorted())
        let response: InferenceResponse
        switch Self.waitFor(service: service, request: request) {
        case .success(let answer): response = answer
        case .failure(let error): throw PipelineError("\(item.label): model '\(model)': \(error.message)")
        }
        var next = item
        next.stage = name
        for output in response.outputs {
            next.values[outputMap[output.name] ?? output.name] = .tensor(output.tensor)
        }
        return next
    }

    /// Runs the async request and blocks this (dedicated) thread until it answers; the task only
    /// waits on the model's batcher, the inference runs on the model's instance threads.
    private static func waitFor(service: any InferenceService, request: InferenceRequest) -> Result<InferenceResponse, ServingError> {
        let box = ResponseBox()
        Task {
            let outcome: Result<InferenceResponse, ServingError>
            do throws(ServingError) {
                outcome = .success(try await service.infer(request))
            } catch {
                outcome = .failure(error)
            }
            box.result.withLock { $0 = outcome }
            box.done.signal()
        }
        box.done.wait()
        return box.result.withLock { $0! }
    }

    private final class ResponseBox: Sendable {
        let result = Mutex<Result<InferenceResponse, ServingError>?>(nil)
        let done = DispatchSemaphore(value: 0)
    }
}
