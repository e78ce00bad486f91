import Dispatch
import Foundation
import SwitchyardServing
import Synchronization

/// What a `model` stage does to an item: its tensors (named by `input_map`) become one request to
/// `InferenceService.infer`, so it goes through the model's dynamic batcher, and the outputs
/// (renamed by `output_map`) are added to the item. The stage runs it like any processor, on
/// `workers` threads, which keep that many requests in flight; a failed request becomes an
/// error item for that item only.
struct ModelProcessor: PipelineProcessor {
    let model: String
    let version: Int64?
    /// Item value name → model input name.
    let inputMap: [String: String]
    /// Model output name → item value name (empty: every output under its own name).
    let outputMap: [String: String]
    let service: any InferenceService

    func process(_ item: PipelineItem) throws(PipelineError) -> [PipelineItem] {
        [try infer(item)]
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
