import Foundation
import Synchronization
import SwitchyardEngine
import SwitchyardGraph
import SwitchyardServing
import SwitchyardTensor

/// A small real `InferenceService` for the frontend tests: each model is one engine `Session`,
/// run on a fresh dedicated thread per request (never the cooperative pool), version 1 only.
/// It validates requests the way the server must (missing/unknown inputs and outputs, datatype)
/// so the tests see the service's errors travel through the frontend.
final class TestInferenceService: InferenceService {
    struct Entry: Sendable {
        var session: Session
        var config: Inference_ModelConfig
    }

    private struct State {
        var models: [String: Entry] = [:]
        var unloaded: Set<String> = []
        var statistics: [String: ModelStatistics] = [:]
    }

    private let state: Mutex<State>
    let extensions = ["binary_tensor_data", "statistics", "model_repository", "model_configuration"]

    init(models: [String: Model]) throws {
        var state = State()
        for (name, model) in models {
            let session = try Session(model: model)
            state.models[name] = Entry(session: session, config: Self.config(name: name, session: session))
            state.statistics[name] = ModelStatistics(name: name, version: "1")
        }
        self.state = Mutex(state)
    }

    static func standard() throws -> TestInferenceService {
        try TestInferenceService(models: ["affine": TestModels.affine(), "ints": TestModels.ints(), "flags": TestModels.flags()])
    }

    var isLive: Bool { true }
    var isReady: Bool { state.withLock { $0.unloaded.isEmpty } }
    var serverMetadata: ServerMetadata { ServerMetadata(name: "switchyard", version: "0.1.0", extensions: extensions) }

    func isModelReady(name: String, version: Int64?) async -> Bool {
        (try? entry(name, version)) != nil
    }

    func modelMetadata(name: String, version: Int64?) async throws(ServingError) -> ModelMetadata {
        let entry = try entry(name, version)
        func describe(_ info: ValueInfo) -> ModelMetadata.TensorMetadata {
            .init(name: info.name, datatype: info.dataType.map(Self.kserveName) ?? "FP32",
                  shape: (info.shape ?? []).map { Int64($0.fixedValue ?? -1) })
        }
        return ModelMetadata(name: name, versions: ["1"], platform: "onnxruntime_onnx",
                             inputs: entry.session.inputs.map(describe), outputs: entry.session.outputs.map(describe))
    }

    func modelConfig(name: String, version: Int64?) async throws(ServingError) -> Inference_ModelConfig {
        try entry(name, version).config
    }

    func infer(_ request: InferenceRequest) async throws(ServingError) -> InferenceResponse {
        let entry = try entry(request.modelName, request.modelVersion)
        let declared = Set(entry.session.inputs.map(\.name))
        for input in request.inputs where !declared.contains(input.name) {
            throw .invalidArgument("model '\(request.modelName)' has no input '\(input.name)'; its inputs are \(declared.sorted())")
        }
        let given = Set(request.inputs.map(\.name))
        for name in declared.sorted() where !given.contains(name) {
            throw .invalidArgument("model '\(request.modelName)' needs input '\(name)', which the request does not give")
        }
        let outputNames = entry.session.outputs.map(\.name)
        for name in request.requestedOutputs where !outputNames.contains(name) {
            throw .invalidArgument("model '\(request.modelName)' has no output '\(name)'")
        }
        let inputs = Dictionary(uniqueKeysWithValues: request.inputs.map { ($0.name, $0.tensor) })
        let session = entry.session
        let result: Result<[String: Tensor], ServingError> = await withCheckedContinuation { continuation in
            let thread = Thread {
                do {
                    continuation.resume(returning: .success(try session.run(inputs)))
                } catch {
                    continuation.resume(returning: .failure(.invalidArgument("model '\(request.modelName)': \(error)")))
                }
            }
            thread.start()
        }
        let outputs = try result.get()
        let batch = UInt64(request.inputs.first?.tensor.shape.first ?? 1)
        state.withLock { state in
            state.statistics[request.modelName]?.inferenceCount += batch
            state.statistics[request.modelName]?.executionCount += 1
            state.statistics[request.modelName]?.success.record(nanoseconds: 1000)
        }
        let names = request.requestedOutputs.isEmpty ? outputNames : request.requestedOutputs
        return InferenceResponse(id: request.id, modelName: request.modelName, modelVersion: 1,
                                 outputs: names.map { NamedTensor(name: $0, tensor: outputs[$0]!) })
    }

    func statistics(name: String?, version: Int64?) async throws(ServingError) -> [ModelStatistics] {
        if let name {
            _ = try entry(name, version)
            return state.withLock { [$0.statistics[name]!] }
        }
        return state.withLock { $0.statistics.values.sorted { $0.name < $1.name } }
    }

    func repositoryIndex(readyOnly: Bool) async -> [RepositoryIndexEntry] {
        state.withLock { state in
            state.models.keys.sorted().compactMap { name in
                let ready = !state.unloaded.contains(name)
                if readyOnly && !ready { return nil }
                return RepositoryIndexEntry(name: name, version: ready ? "1" : "", state: ready ? "READY" : "UNAVAILABLE",
                                            reason: ready ? "" : "unloaded")
            }
        }
    }

    func loadModel(name: String) async throws(ServingError) {
        try state.withLock { (state) throws(ServingError) in
            guard state.models[name] != nil else { throw .notFound("no model '\(name)' in the repository") }
            state.unloaded.remove(name)
        }
    }

    func unloadModel(name: String) async throws(ServingError) {
        try state.withLock { (state) throws(ServingError) in
            guard state.models[name] != nil else { throw .notFound("no model '\(name)' in the repository") }
            state.unloaded.insert(name)
        }
    }

    private func entry(_ name: String, _ version: Int64?) throws(ServingError) -> Entry {
        let found = state.withLock { state in state.unloaded.contains(name) ? nil : state.models[name] }
        guard let found else { throw .notFound("unknown model '\(name)'") }
        if let version, version != 1 { throw .notFound("model '\(name)' has no version \(version); it has version 1") }
        return found
    }

    private static func kserveName(_ type: DataType) -> String {
        switch type {
        case .float32: "FP32"
        case .int32: "INT32"
        case .int64: "INT64"
        case .bool: "BOOL"
        default: "\(type)"
        }
    }

    private static func config(name: String, session: Session) -> Inference_ModelConfig {
        var config = Inference_ModelConfig()
        config.name = name
        config.platform = "onnxruntime_onnx"
        config.maxBatchSize = 8
        config.input = session.inputs.map { info in
            var input = Inference_ModelInput()
            input.name = info.name
            input.dataType = info.dataType == .float32 ? .typeFp32 : .typeInt32
            input.dims = (info.shape ?? []).dropFirst().map { Int64($0.fixedValue ?? -1) }
            return input
        }
        config.output = session.outputs.map { info in
            var output = Inference_ModelOutput()
            output.name = info.name
            output.dataType = info.dataType == .float32 ? .typeFp32 : .typeInt32
            output.dims = (info.shape ?? []).dropFirst().map { Int64($0.fixedValue ?? -1) }
            return output
        }
        var batching = Inference_ModelDynamicBatching()
        batching.preferredBatchSize = [4, 8]
        batching.maxQueueDelayMicroseconds = 100
        config.dynamicBatching = batching
        var group = Inference_ModelInstanceGroup()
        group.count = 1
        group.kind = .cpu
        config.instanceGroup = [group]
        return config
    }
}
