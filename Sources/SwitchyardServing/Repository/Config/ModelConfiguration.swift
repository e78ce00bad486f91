import SwitchyardEngine

/// The configuration a model version is served with: config.pbtxt (if any) completed from the
/// model and validated. Build it once per loaded version with the `LoadedModel` you hold.
public struct ModelConfiguration: Sendable {
    /// The completed, validated config: what `GET /v2/models/{m}/config` returns.
    public let config: Inference_ModelConfig
    /// The typed `parameters`.
    public let parameters: ModelParameters
    /// Warnings from reading config.pbtxt (unknown fields).
    public let warnings: [ModelConfigWarning]

    /// Completes `parsed` (nil = no config.pbtxt) for model `modelName` from `signature` and
    /// validates the result; `file` names the config in messages (`cls/config.pbtxt`).
    public init(modelName: String, parsed: ParsedModelConfig?, signature: ModelSignature,
                file: String) throws(ServingError) {
        if let parsed {
            // A wrong name or platform explains more than any completion error it would cause.
            try ModelConfigValidator.validateModelIndependent(parsed.config, modelName: modelName, file: file)
        }
        let completed = try ModelConfigCompletion.complete(parsed, modelName: modelName, signature: signature, file: file)
        try ModelConfigValidator.validate(completed, modelName: modelName, signature: signature, file: file)
        config = completed
        parameters = try ModelParameters(completed, file: file)
        warnings = parsed?.warnings ?? []
    }

    /// Same, with the signature of a model already loaded.
    public init(modelName: String, parsed: ParsedModelConfig?, model: LoadedModel, file: String) throws(ServingError) {
        try self.init(modelName: modelName, parsed: parsed, signature: ModelSignature(model), file: file)
    }

    public var name: String { config.name }
    /// 0 = the model does not batch (inputs carry no batch dimension).
    public var maxBatchSize: Int { Int(config.maxBatchSize) }
    /// The dynamic batcher's settings; nil when requests run one by one.
    public var dynamicBatching: Inference_ModelDynamicBatching? {
        if case .dynamicBatching(let batching)? = config.schedulingChoice { return batching }
        return nil
    }
    /// Instances to run, summed over the instance groups (all on CPU).
    public var instanceCount: Int { config.instanceGroup.reduce(0) { $0 + Int($1.count) } }

    /// KServe metadata for the versions served.
    public func metadata(versions: [Int64]) -> ModelMetadata {
        ModelMetadata(config: config, versions: versions)
    }
}
