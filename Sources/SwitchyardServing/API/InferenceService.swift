/// What a frontend (HTTP, gRPC) needs from the server: the KServe v2 operations, independent of
/// the wire. `ModelManager` is the implementation; frontends hold it through this protocol so
/// their tests can run without sockets.
///
/// Threading: every method may be called concurrently from any task. Methods only wait; the
/// inference itself runs on the model's dedicated instance threads.
public protocol InferenceService: Sendable {
    /// The server is up (answers requests at all).
    var isLive: Bool { get }
    /// The server is ready: live, not shutting down, and every model it was asked to load at
    /// start is ready.
    var isReady: Bool { get }
    /// `GET /v2`.
    var serverMetadata: ServerMetadata { get }

    /// Whether `name` (at `version`, or its latest) is loaded and can serve.
    func isModelReady(name: String, version: Int64?) async -> Bool
    /// `GET /v2/models/{m}[/versions/{v}]`.
    func modelMetadata(name: String, version: Int64?) async throws(ServingError) -> ModelMetadata
    /// `GET /v2/models/{m}[/versions/{v}]/config`: the configuration in effect (completed from
    /// the model where config.pbtxt left fields out).
    func modelConfig(name: String, version: Int64?) async throws(ServingError) -> Inference_ModelConfig
    /// `POST /v2/models/{m}[/versions/{v}]/infer`.
    func infer(_ request: InferenceRequest) async throws(ServingError) -> InferenceResponse
    /// `GET /v2/models[/{m}[/versions/{v}]]/stats`: every loaded version when `name` is nil.
    func statistics(name: String?, version: Int64?) async throws(ServingError) -> [ModelStatistics]
    /// `POST /v2/repository/index`.
    func repositoryIndex(readyOnly: Bool) async -> [RepositoryIndexEntry]
    /// `POST /v2/repository/models/{m}/load` (explicit model-control mode).
    func loadModel(name: String) async throws(ServingError)
    /// `POST /v2/repository/models/{m}/unload`: waits for the model's in-flight requests.
    func unloadModel(name: String) async throws(ServingError)
}

/// `GET /v2`.
public struct ServerMetadata: Sendable, Equatable {
    public var name: String
    public var version: String
    public var extensions: [String]

    public init(name: String, version: String, extensions: [String]) {
        self.name = name
        self.version = version
        self.extensions = extensions
    }
}

/// `GET /v2/models/{m}`: shapes use -1 for variable dims and include the batch dim when the
/// model batches.
public struct ModelMetadata: Sendable, Equatable {
    public struct TensorMetadata: Sendable, Equatable {
        public var name: String
        /// KServe datatype name: "FP32", "INT64", "BYTES", …
        public var datatype: String
        public var shape: [Int64]

        public init(name: String, datatype: String, shape: [Int64]) {
            self.name = name
            self.datatype = datatype
            self.shape = shape
        }
    }

    public var name: String
    public var versions: [String]
    public var platform: String
    public var inputs: [TensorMetadata]
    public var outputs: [TensorMetadata]

    public init(name: String, versions: [String], platform: String, inputs: [TensorMetadata], outputs: [TensorMetadata]) {
        self.name = name
        self.versions = versions
        self.platform = platform
        self.inputs = inputs
        self.outputs = outputs
    }
}

/// One row of `POST /v2/repository/index`.
public struct RepositoryIndexEntry: Sendable, Equatable {
    public var name: String
    /// "" when the model has no loaded version.
    public var version: String
    /// Triton's states: "READY", "UNAVAILABLE", "LOADING", "UNLOADING".
    public var state: String
    /// Why the model is unavailable (the load error), "" otherwise.
    public var reason: String

    public init(name: String, version: String, state: String, reason: String) {
        self.name = name
        self.version = version
        self.state = state
        self.reason = reason
    }
}
