import SwitchyardGraph

/// Checks a (completed) config against Switchyard's rules and the model it describes. Every
/// error is `ServingError.invalidArgument` naming the file and the field:
/// `cls/config.pbtxt: input 'x': data_type TYPE_INT64 does not match the model's FP32 (write TYPE_FP32)`.
public enum ModelConfigValidator {
    /// Validates `config` of model `modelName` (its directory) against `signature`.
    public static func validate(_ config: Inference_ModelConfig, modelName: String, signature: ModelSignature,
                                file: String) throws(ServingError) {
        try validateModelIndependent(config, modelName: modelName, file: file)
        try validateBatching(config, file: file)
        try TensorChecks(config: config, signature: signature, file: file).run()
    }

    /// The checks that neither the model nor completion affect — name, platform, instances,
    /// versions, parameters — so a repository scan can report them before any model loads.
    /// (Batching is checked after completion: it may set `max_batch_size`.)
    public static func validateModelIndependent(_ config: Inference_ModelConfig, modelName: String,
                                                file: String) throws(ServingError) {
        func fail(_ message: String) -> ServingError { .invalidArgument("\(file): \(message)") }
        if !config.name.isEmpty, config.name != modelName {
            throw fail("name '\(config.name)' does not match the model's directory '\(modelName)' (they must be equal; fix the name or leave it out)")
        }
        if !config.platform.isEmpty, config.platform != ModelConfigCompletion.onnxPlatform {
            throw fail("platform '\(config.platform)' is not supported: Switchyard serves ONNX models (platform '\(ModelConfigCompletion.onnxPlatform)')")
        }
        if !config.backend.isEmpty, config.backend != ModelConfigCompletion.onnxBackend {
            throw fail("backend '\(config.backend)' is not supported: Switchyard serves ONNX models (backend '\(ModelConfigCompletion.onnxBackend)')")
        }
        if config.defaultModelFilename.contains("/") || config.defaultModelFilename == ".." {
            throw fail("default_model_filename '\(config.defaultModelFilename)' must be a file name inside the version directory")
        }
        if case .ensembleScheduling? = config.schedulingChoice {
            throw fail("ensemble_scheduling: this model service serves ONNX models only; `switchyard serve` serves ensembles (platform \"ensemble\") as pipelines")
        }
        for (index, group) in config.instanceGroup.enumerated() {
            let label = "instance_group[\(index)]" + (group.name.isEmpty ? "" : " '\(group.name)'")
            switch group.kind {
            case .gpu: throw fail("\(label): kind KIND_GPU: no GPU backend on this machine (use KIND_CPU or KIND_AUTO)")
            case .model: throw fail("\(label): kind KIND_MODEL is not supported (use KIND_CPU or KIND_AUTO)")
            case .UNRECOGNIZED(let value): throw fail("\(label): unknown kind \(value) (use KIND_CPU or KIND_AUTO)")
            case .cpu, .auto: break
            }
            if group.count < 0 { throw fail("\(label): count \(group.count) must be >= 1 (0 or none = 1)") }
            if !group.gpus.isEmpty { throw fail("\(label): gpus \(group.gpus) given, but there is no GPU backend on this machine") }
        }
        switch config.versionPolicy.policyChoice {
        case .latest(let latest)?:
            if latest.numVersions < 1 { throw fail("version_policy: latest { num_versions: \(latest.numVersions) } must serve at least 1 version") }
        case .specific(let specific)?:
            if specific.versions.isEmpty { throw fail("version_policy: specific lists no versions") }
            if let bad = specific.versions.first(where: { $0 < 1 }) {
                throw fail("version_policy: specific version \(bad) is not a version number (versions are positive integers)")
            }
        case .all?, nil:
            break
        }
        _ = try ModelParameters(config.parameters, file: file)
    }

    /// `max_batch_size` and `dynamic_batching`, on a completed config.
    private static func validateBatching(_ config: Inference_ModelConfig, file: String) throws(ServingError) {
        func fail(_ message: String) -> ServingError { .invalidArgument("\(file): \(message)") }
        if config.maxBatchSize < 0 {
            throw fail("max_batch_size \(config.maxBatchSize) must be >= 0 (0 = the model does not batch)")
        }
        if case .dynamicBatching(let batching)? = config.schedulingChoice {
            try validate(batching, maxBatchSize: config.maxBatchSize, fail: fail)
        }
    }

    private static func validate(_ batching: Inference_ModelDynamicBatching, maxBatchSize: Int32,
                                 fail: (String) -> ServingError) throws(ServingError) {
        guard maxBatchSize > 0 else {
            throw fail("dynamic_batching needs max_batch_size > 0 (it is \(maxBatchSize)): set max_batch_size or remove dynamic_batching")
        }
        if let bad = batching.preferredBatchSize.first(where: { !(1...maxBatchSize).contains($0) }) {
            throw fail("dynamic_batching: preferred_batch_size \(bad) must be in 1...max_batch_size (\(maxBatchSize))")
        }
        let levels = batching.priorityLevels
        if levels == 0 {
            if batching.defaultPriorityLevel != 0 {
                throw fail("dynamic_batching: default_priority_level \(batching.defaultPriorityLevel) is set but priority_levels is 0")
            }
            if !batching.priorityQueuePolicy.isEmpty {
                throw fail("dynamic_batching: priority_queue_policy is set but priority_levels is 0")
            }
        } else {
            if !(1...levels).contains(batching.defaultPriorityLevel) {
                throw fail("dynamic_batching: default_priority_level \(batching.defaultPriorityLevel) must be in 1...priority_levels (\(levels))")
            }
            if let bad = batching.priorityQueuePolicy.keys.sorted().first(where: { !(1...levels).contains($0) }) {
                throw fail("dynamic_batching: priority_queue_policy key \(bad) must be in 1...priority_levels (\(levels))")
            }
        }
        let policies = [("default_queue_policy", batching.defaultQueuePolicy)]
            + batching.priorityQueuePolicy.sorted { $0.key < $1.key }.map { ("priority_queue_policy[\($0.key)]", $0.value) }
        for (label, policy) in policies {
            if case .UNRECOGNIZED(let value) = policy.timeoutAction {
                throw fail("dynamic_batching: \(label): unknown timeout_action \(value) (use REJECT or DELAY)")
            }
        }
    }
}

/// The input/output checks: names, data types, dims, batching.
private struct TensorChecks {
    let config: Inference_ModelConfig
    let signature: ModelSignature
    let file: String

    private var batching: Bool { config.maxBatchSize > 0 }

    func fail(_ message: String) -> ServingError { .invalidArgument("\(file): \(message)") }

    func run() throws(ServingError) {
        var seen: Set<String> = []
        for input in config.input {
            guard seen.insert("input " + input.name).inserted else { throw fail("input '\(input.name)' is listed twice") }
            if input.isShapeTensor { throw fail("input '\(input.name)': is_shape_tensor is not supported") }
            if input.allowRaggedBatch { throw fail("input '\(input.name)': allow_ragged_batch is not supported") }
            if input.optional { throw fail("input '\(input.name)': optional inputs are not supported (the model needs every input)") }
            try check(role: "input", name: input.name, dataType: input.dataType, dims: input.dims,
                      reshape: input.hasReshape ? input.reshape.shape : nil, in: signature.inputs)
        }
        for output in config.output {
            guard seen.insert("output " + output.name).inserted else { throw fail("output '\(output.name)' is listed twice") }
            if output.isShapeTensor { throw fail("output '\(output.name)': is_shape_tensor is not supported") }
            try check(role: "output", name: output.name, dataType: output.dataType, dims: output.dims,
                      reshape: output.hasReshape ? output.reshape.shape : nil, in: signature.outputs)
        }
        for tensor in signature.inputs where !seen.contains("input " + tensor.name) {
            throw fail("the model's input '\(tensor.name)' is missing from the config's inputs (list it, or list no inputs and let Switchyard complete them)")
        }
        if config.output.isEmpty { throw fail("no outputs: list at least one of the model's outputs (or none of its inputs and outputs to complete them)") }
        if batching {
            for tensor in signature.inputs + signature.outputs where !tensor.firstDimensionIsVariable {
                let role = signature.inputs.contains { $0.name == tensor.name } ? "input" : "output"
                guard seen.contains("\(role) \(tensor.name)") else { continue }
                throw fail("max_batch_size \(config.maxBatchSize) needs a variable first (batch) dimension, but the model's \(role) '\(tensor.name)' has shape \(tensor.configDims.map(describeDims) ?? "of unknown rank") (set max_batch_size: 0)")
            }
        }
    }

    /// Checks one config tensor against the model's; with a `reshape`, the reshape is what must
    /// match the model and `dims` is what clients send (the two must hold the same elements).
    private func check(role: String, name: String, dataType: Inference_DataType, dims configDims: [Int64],
                       reshape: [Int64]?, in tensors: [ValueInfo]) throws(ServingError) {
        let label = "\(role) '\(name)'"
        guard !name.isEmpty else { throw fail("an \(role) has no name") }
        guard let tensor = tensors.first(where: { $0.name == name }) else {
            let names = tensors.map { "'\($0.name)'" }.joined(separator: ", ")
            throw fail("\(label) is not an \(role) of the model (its \(role)s: \(names))")
        }
        guard tensor.kind == .tensor else { throw fail("\(label): the model's \(role) is a \(tensor.kind), Switchyard serves tensors only") }
        guard let configType = dataType.tensorDataType else {
            let hint = tensor.dataType.map { "the model's is \(Inference_DataType($0).configName)" } ?? "e.g. TYPE_FP32"
            if dataType == .typeInvalid { throw fail("\(label): no data_type (\(hint))") }
            throw fail("\(label): data_type \(dataType.configName) is not a valid type (\(hint))")
        }
        if let modelType = tensor.dataType, modelType != configType {
            throw fail("\(label): data_type \(dataType.configName) does not match the model's \(modelType.kserveName) (write \(Inference_DataType(modelType).configName))")
        }
        if let bad = (configDims + (reshape ?? [])).first(where: { $0 < -1 }) {
            throw fail("\(label): dims \(describeDims(configDims)): \(bad) is not a size (-1 = variable)")
        }
        if let reshape, let problem = ConfigReshape.incompatibility(dims: configDims, reshape: reshape) {
            throw fail("\(label): \(problem)")
        }
        let dims = reshape ?? configDims
        let shapeName = reshape == nil ? "dims" : "reshape"
        guard var modelDims = tensor.configDims else { return }
        var note = ""
        if batching {
            guard !modelDims.isEmpty else { return }  // reported by the batch-dimension check
            modelDims.removeFirst()
            note = " (with max_batch_size > 0, dims leave out the batch dimension)"
        }
        guard dims.count == modelDims.count else {
            throw fail("\(label): \(shapeName) \(describeDims(dims)) have \(dims.count) dimensions, the model's have \(modelDims.count): \(describeDims(modelDims))\(note)")
        }
        for (index, (want, have)) in zip(dims, modelDims).enumerated() where have != -1 && want != have {
            throw fail("\(label): \(shapeName) \(describeDims(dims)) do not match the model's \(describeDims(modelDims)) at dimension \(index)\(note)")
        }
    }
}
