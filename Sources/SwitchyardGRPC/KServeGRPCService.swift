import GRPCCore
import SwitchyardServing

/// Triton's `inference.GRPCInferenceService` over an `InferenceService`: each RPC decodes its
/// message, awaits the service (inference runs on the model's instance threads) and encodes the
/// answer; a `ServingError` becomes the gRPC status Triton sends, with the same message as HTTP.
struct KServeGRPCService: Inference_GRPCInferenceService.SimpleServiceProtocol {
    let service: any InferenceService

    func serverLive(request: Inference_ServerLiveRequest, context: ServerContext) async throws -> Inference_ServerLiveResponse {
        .with { $0.live = service.isLive }
    }

    func serverReady(request: Inference_ServerReadyRequest, context: ServerContext) async throws -> Inference_ServerReadyResponse {
        .with { $0.ready = service.isReady }
    }

    func modelReady(request: Inference_ModelReadyRequest, context: ServerContext) async throws -> Inference_ModelReadyResponse {
        let version = try answering { () throws(ServingError) in try ModelVersion.parse(request.version, model: request.name) }
        let ready = await service.isModelReady(name: request.name, version: version)
        return .with { $0.ready = ready }
    }

    func serverMetadata(request: Inference_ServerMetadataRequest, context: ServerContext) async throws -> Inference_ServerMetadataResponse {
        let metadata = service.serverMetadata
        return .with {
            $0.name = metadata.name
            $0.version = metadata.version
            $0.extensions = metadata.extensions
        }
    }

    func modelMetadata(request: Inference_ModelMetadataRequest, context: ServerContext) async throws -> Inference_ModelMetadataResponse {
        let metadata = try await answering { () async throws(ServingError) in
            try await service.modelMetadata(name: request.name, version: try ModelVersion.parse(request.version, model: request.name))
        }
        func tensors(_ list: [ModelMetadata.TensorMetadata]) -> [Inference_ModelMetadataResponse.TensorMetadata] {
            list.map { tensor in .with { $0.name = tensor.name; $0.datatype = tensor.datatype; $0.shape = tensor.shape } }
        }
        return .with {
            $0.name = metadata.name
            $0.versions = metadata.versions
            $0.platform = metadata.platform
            $0.inputs = tensors(metadata.inputs)
            $0.outputs = tensors(metadata.outputs)
        }
    }

    func modelInfer(request: Inference_ModelInferRequest, context: ServerContext) async throws -> Inference_ModelInferResponse {
        try await answering { () async throws(ServingError) in try await infer(request) }
    }

    /// Requests on one stream run concurrently, so a client that keeps several in flight on its
    /// stream (perf_analyzer `--streaming`) has them batched together; each response is written when
    /// its request finishes, carrying the request's id. A failed request answers with
    /// `error_message` and the stream goes on, as in Triton.
    func modelStreamInfer(
        request: RPCAsyncSequence<Inference_ModelInferRequest, any Error>,
        response: RPCWriter<Inference_ModelStreamInferResponse>,
        context: ServerContext
    ) async throws {
        let writer = StreamResponseWriter(writer: response)
        try await withThrowingDiscardingTaskGroup { group in
            for try await message in request {
                group.addTask {
                    var answer = Inference_ModelStreamInferResponse()
                    do throws(ServingError) {
                        answer.inferResponse = try await infer(message)
                    } catch {
                        answer.errorMessage = error.message
                        answer.inferResponse = .with {
                            $0.id = message.id
                            $0.modelName = message.modelName
                            $0.modelVersion = message.modelVersion
                        }
                    }
                    try await writer.write(answer)
                }
            }
        }
    }

    func modelConfig(request: Inference_ModelConfigRequest, context: ServerContext) async throws -> Inference_ModelConfigResponse {
        let config = try await answering { () async throws(ServingError) in
            try await service.modelConfig(name: request.name, version: try ModelVersion.parse(request.version, model: request.name))
        }
        return .with { $0.config = config }
    }

    func modelStatistics(request: Inference_ModelStatisticsRequest, context: ServerContext) async throws -> Inference_ModelStatisticsResponse {
        let statistics = try await answering { () async throws(ServingError) in
            let name = request.name.isEmpty ? nil : request.name
            if name == nil, !request.version.isEmpty {
                throw .invalidArgument("statistics: a version needs a model name")
            }
            return try await service.statistics(name: name, version: try ModelVersion.parse(request.version, model: request.name))
        }
        return .with { $0.modelStats = statistics.map(Inference_ModelStatistics.init) }
    }

    func repositoryIndex(request: Inference_RepositoryIndexRequest, context: ServerContext) async throws -> Inference_RepositoryIndexResponse {
        let entries = await service.repositoryIndex(readyOnly: request.ready)
        return .with {
            $0.models = entries.map { entry in
                .with { $0.name = entry.name; $0.version = entry.version; $0.state = entry.state; $0.reason = entry.reason }
            }
        }
    }

    func repositoryModelLoad(request: Inference_RepositoryModelLoadRequest, context: ServerContext) async throws -> Inference_RepositoryModelLoadResponse {
        try await answering { () async throws(ServingError) in
            try checkRepositoryRequest(request.parameters.keys, model: request.modelName)
            try await service.loadModel(name: request.modelName)
        }
        return .init()
    }

    func repositoryModelUnload(request: Inference_RepositoryModelUnloadRequest, context: ServerContext) async throws -> Inference_RepositoryModelUnloadResponse {
        try await answering { () async throws(ServingError) in
            try checkRepositoryRequest(request.parameters.keys, model: request.modelName)
            try await service.unloadModel(name: request.modelName)
        }
        return .init()
    }

    private func infer(_ message: Inference_ModelInferRequest) async throws(ServingError) -> Inference_ModelInferResponse {
        Inference_ModelInferResponse(try await service.infer(try message.decoded()))
    }

    /// Load and unload parameters override a model's config or files in Triton; Switchyard reads
    /// both from the repository only, so it refuses them rather than ignore them.
    private func checkRepositoryRequest(_ parameters: some Collection<String>, model: String) throws(ServingError) {
        if !parameters.isEmpty {
            throw .invalidArgument("model '\(model)': load/unload parameters (\(parameters.sorted().joined(separator: ", "))) "
                                   + "are not supported; change the model repository instead")
        }
    }

    /// Runs `body`, turning its `ServingError` into the matching gRPC status.
    private func answering<T>(_ body: () async throws(ServingError) -> T) async throws(RPCError) -> T {
        do { return try await body() } catch { throw error.rpcError }
    }

    private func answering<T>(_ body: () throws(ServingError) -> T) throws(RPCError) -> T {
        do { return try body() } catch { throw error.rpcError }
    }
}

/// Serializes the writes of a stream's concurrent requests: an `RPCWriter` takes one message at
/// a time.
private actor StreamResponseWriter {
    let writer: RPCWriter<Inference_ModelStreamInferResponse>

    init(writer: RPCWriter<Inference_ModelStreamInferResponse>) {
        self.writer = writer
    }

    func write(_ message: Inference_ModelStreamInferResponse) async throws {
        try await writer.write(message)
    }
}
