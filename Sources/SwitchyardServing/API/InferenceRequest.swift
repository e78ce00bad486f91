import SwitchyardTensor

/// One named tensor of a request or a response.
public struct NamedTensor: Sendable {
    public var name: String
    public var tensor: Tensor
    /// A BYTES tensor's elements exactly as received, when the wire carried raw bytes (binary
    /// tensor extension): `tensor`'s strings are their UTF-8 decoding, which cannot hold binary
    /// data such as an encoded image. nil otherwise.
    public var rawBytes: [[UInt8]]?

    public init(name: String, tensor: Tensor, rawBytes: [[UInt8]]? = nil) {
        self.name = name
        self.tensor = tensor
        self.rawBytes = rawBytes
    }
}

/// An inference request as the frontends decode it (KServe v2 `infer`), independent of the wire
/// format. Tensors are already in the engine's types; a batching model's inputs carry the batch
/// dimension first.
public struct InferenceRequest: Sendable {
    /// The client's request id, echoed in the response ("" when absent).
    public var id: String
    public var modelName: String
    /// The requested version; nil = the model's latest ready version.
    public var modelVersion: Int64?
    public var inputs: [NamedTensor]
    /// Outputs the client asked for, in order; empty = every output of the model.
    public var requestedOutputs: [String]
    /// Priority level (1 = highest, as in Triton); nil = the model's default.
    public var priority: UInt64?
    /// Microseconds the request may wait in the queue; nil = the model's default.
    public var timeoutMicroseconds: UInt64?

    public init(id: String = "", modelName: String, modelVersion: Int64? = nil, inputs: [NamedTensor],
                requestedOutputs: [String] = [], priority: UInt64? = nil, timeoutMicroseconds: UInt64? = nil) {
        self.id = id
        self.modelName = modelName
        self.modelVersion = modelVersion
        self.inputs = inputs
        self.requestedOutputs = requestedOutputs
        self.priority = priority
        self.timeoutMicroseconds = timeoutMicroseconds
    }
}

/// The answer to an `InferenceRequest`.
public struct InferenceResponse: Sendable {
    public var id: String
    public var modelName: String
    public var modelVersion: Int64
    /// The requested outputs (all of the model's when none were named), in the order asked.
    public var outputs: [NamedTensor]

    public init(id: String, modelName: String, modelVersion: Int64, outputs: [NamedTensor]) {
        self.id = id
        self.modelName = modelName
        self.modelVersion = modelVersion
        self.outputs = outputs
    }
}
