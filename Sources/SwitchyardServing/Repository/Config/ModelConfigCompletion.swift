import SwitchyardGraph

/// Fills what a config leaves out from the ONNX model, as Triton's auto-complete does for ONNX
/// Runtime models, plus Triton's normalization defaults.
///
/// - When the config lists inputs *and* outputs, they are taken as written (Triton skips
///   auto-complete then). Otherwise every model tensor the config does not list is added with
///   its name, data type and dims, and — when every input and output of the model has a
///   variable first dimension and the file did not write `max_batch_size` — `max_batch_size`
///   becomes `defaultMaxBatchSize` with `dynamic_batching {}` on (unlike Triton, a written
///   `max_batch_size: 0` is kept: the file says "no batching"). With `max_batch_size > 0` the
///   completed dims leave out the batch dimension.
/// - Always: `name` (the directory's), `platform: "onnxruntime_onnx"` and
///   `backend: "onnxruntime"` (what Triton reports for ONNX models, so perf_analyzer and model
///   tools treat the model as the ONNX model it is), one `KIND_CPU` instance group when none is
///   given (`KIND_AUTO` becomes `KIND_CPU`, count 0 becomes 1, groups get names), and
///   `version_policy { latest { num_versions: 1 } }`.
///
/// Completion never rejects a config; `ModelConfigValidator` does, on the completed config. It
/// throws only when a tensor it must add is not a typed tensor of known rank.
public enum ModelConfigCompletion {
    /// Triton's `--backend-config=onnxruntime,default-max-batch-size` default.
    public static let defaultMaxBatchSize: Int32 = 4
    public static let onnxPlatform = "onnxruntime_onnx"
    public static let onnxBackend = "onnxruntime"

    /// The completed config for model `modelName` (its directory name). `parsed` is nil when
    /// the model has no config.pbtxt; `file` names it in errors.
    public static func complete(_ parsed: ParsedModelConfig?, modelName: String, signature: ModelSignature,
                                file: String) throws(ServingError) -> Inference_ModelConfig {
        var config = parsed?.config ?? Inference_ModelConfig()
        let written = parsed?.writtenFields ?? []
        if config.name.isEmpty { config.name = modelName }
        completePlatform(&config)
        if config.input.isEmpty || config.output.isEmpty {
            if config.maxBatchSize == 0, !written.contains("max_batch_size"), signature.hasVariableFirstDimension {
                config.maxBatchSize = defaultMaxBatchSize
                if config.schedulingChoice == nil { config.dynamicBatching = Inference_ModelDynamicBatching() }
            }
            let batching = config.maxBatchSize > 0
            let listedInputs = Set(config.input.map(\.name))
            for tensor in signature.inputs where !listedInputs.contains(tensor.name) {
                let (dataType, dims) = try describe(tensor, role: "input", batching: batching, modelName: modelName, file: file)
                var input = Inference_ModelInput()
                input.name = tensor.name
                input.dataType = dataType
                input.dims = dims
                config.input.append(input)
            }
            let listedOutputs = Set(config.output.map(\.name))
            for tensor in signature.outputs where !listedOutputs.contains(tensor.name) {
                let (dataType, dims) = try describe(tensor, role: "output", batching: batching, modelName: modelName, file: file)
                var output = Inference_ModelOutput()
                output.name = tensor.name
                output.dataType = dataType
                output.dims = dims
                config.output.append(output)
            }
        }
        completeInstanceGroups(&config)
        if !config.hasVersionPolicy {
            var latest = Inference_ModelVersionPolicy.Latest()
            latest.numVersions = 1
            config.versionPolicy.latest = latest
        }
        return config
    }

    private static func completePlatform(_ config: inout Inference_ModelConfig) {
        switch (config.platform.isEmpty, config.backend.isEmpty) {
        case (true, true):
            config.platform = onnxPlatform
            config.backend = onnxBackend
        case (false, true) where config.platform == onnxPlatform:
            config.backend = onnxBackend
        case (true, false) where config.backend == onnxBackend:
            config.platform = onnxPlatform
        default:
            break
        }
    }

    private static func completeInstanceGroups(_ config: inout Inference_ModelConfig) {
        if config.instanceGroup.isEmpty {
            var group = Inference_ModelInstanceGroup()
            group.name = config.name
            config.instanceGroup = [group]
        }
        for index in config.instanceGroup.indices {
            if config.instanceGroup[index].name.isEmpty { config.instanceGroup[index].name = "\(config.name)_\(index)" }
            if config.instanceGroup[index].count == 0 { config.instanceGroup[index].count = 1 }
            if config.instanceGroup[index].kind == .auto { config.instanceGroup[index].kind = .cpu }
        }
    }

    /// The config data type and dims of a model tensor (batch dim dropped when batching).
    private static func describe(_ tensor: ValueInfo, role: String, batching: Bool, modelName: String,
                                 file: String) throws(ServingError) -> (Inference_DataType, [Int64]) {
        let advice = "list it in \(file) with its data_type and dims"
        guard tensor.kind == .tensor else {
            throw .invalidArgument("\(modelName): cannot complete the config: the model's \(role) '\(tensor.name)' is a \(tensor.kind), Switchyard serves tensors only")
        }
        guard let dataType = tensor.dataType else {
            throw .invalidArgument("\(modelName): cannot complete the config: the model's \(role) '\(tensor.name)' declares no element type; \(advice)")
        }
        guard let dims = tensor.configDims else {
            throw .invalidArgument("\(modelName): cannot complete the config: the model's \(role) '\(tensor.name)' declares no shape; \(advice)")
        }
        return (Inference_DataType(dataType), batching ? Array(dims.dropFirst()) : dims)
    }
}
