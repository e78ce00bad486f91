import SwitchyardEngine

/// One version directory's model file, and the other precisions beside it.
public struct ModelVersionFile: Sendable, Equatable {
    public var version: Int64
    /// Path of the ONNX file that serves: `<repo>/<model>/<version>/model.onnx` (or
    /// `default_model_filename`), or the variant the `precision` parameter names.
    public var path: String
    /// The variant that serves ("fp32" = the full-precision file).
    public var precision: String
    /// Every variant file in the version directory, full precision first.
    public var variants: [PrecisionVariant]
    /// The variant `shadow_reference` names, when the model is shadowed.
    public var shadowReference: PrecisionVariant?

    public init(version: Int64, path: String, precision: String = PrecisionVariant.fullPrecision,
                variants: [PrecisionVariant] = [], shadowReference: PrecisionVariant? = nil) {
        self.version = version
        self.path = path
        self.precision = precision
        self.variants = variants
        self.shadowReference = shadowReference
    }
}

/// What a model directory holds, read and checked as far as possible without loading the model.
public struct ModelSource: Sendable {
    public var name: String
    /// The model's directory.
    public var directory: String
    /// config.pbtxt's path; nil when the model has none (it is completed from the model).
    public var configPath: String?
    /// The config as read; nil when there is no config.pbtxt.
    public var parsed: ParsedModelConfig?
    /// Version directories holding the model file, ascending.
    public var availableVersions: [ModelVersionFile]
    /// The versions `version_policy` selects, ascending (never empty).
    public var servedVersions: [ModelVersionFile]
    /// Unknown config fields and skipped version directories, as messages to log.
    public var warnings: [String]

    /// How messages name the config: `cls/config.pbtxt`.
    public var configLabel: String { "\(name)/\(ModelRepository.configFileName)" }

    /// The configuration to serve a version with, completed from and checked against its
    /// loaded model.
    public func configuration(for model: LoadedModel) throws(ServingError) -> ModelConfiguration {
        try ModelConfiguration(modelName: name, parsed: parsed, model: model, file: configLabel)
    }

    /// Same, from a model's signature.
    public func configuration(for signature: ModelSignature) throws(ServingError) -> ModelConfiguration {
        try ModelConfiguration(modelName: name, parsed: parsed, signature: signature, file: configLabel)
    }
}

/// One model directory of a repository scan: its fingerprint, and what it holds or why it
/// cannot be served (bad config, no versions, …). A broken model never hides the others.
public struct RepositoryModel: Sendable {
    public var name: String
    public var directory: String
    public var fingerprint: ModelFingerprint
    public var source: Result<ModelSource, ServingError>

    public init(name: String, directory: String, fingerprint: ModelFingerprint, source: Result<ModelSource, ServingError>) {
        self.name = name
        self.directory = directory
        self.fingerprint = fingerprint
        self.source = source
    }
}
