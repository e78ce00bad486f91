import SwitchyardEngine
import SwitchyardGraph
import SwitchyardTensor

/// Checks a request against the model before it is queued, so a bad request fails alone with
/// a message naming the input, what was expected and what came.
struct RequestValidator: Sendable {
    /// What a valid request carries, ready to queue.
    struct Checked {
        var inputs: [String: Tensor]
        var outputs: [String]
        var batchSize: Int
        var signature: [[Int]]
    }

    let modelName: String
    /// The model's inputs as the engine declares them (batch dimension included when batching).
    let modelInputs: [ValueInfo]
    /// Config dims per input (without the batch dimension when batching); -1 = any.
    let configDims: [String: [Int64]]
    let outputNames: [String]
    let maxBatchSize: Int
    /// Inputs the config reshapes before the model sees them.
    let reshapes: [String: ConfigReshape]

    init(modelName: String, model: LoadedModel, config: Inference_ModelConfig) {
        self.modelName = modelName
        modelInputs = model.inputs
        configDims = Dictionary(config.input.map { ($0.name, $0.dims) }, uniquingKeysWith: { first, _ in first })
        let modelOutputs = model.outputs.map(\.name)
        let configured = config.output.map(\.name).filter(modelOutputs.contains)
        outputNames = configured.isEmpty ? modelOutputs : configured
        maxBatchSize = max(0, Int(config.maxBatchSize))
        reshapes = config.input.reduce(into: [:]) { reshapes, input in
            reshapes[input.name] = ConfigReshape(dims: input.dims, reshape: input.hasReshape ? input.reshape : nil,
                                                 batching: config.maxBatchSize > 0)
        }
    }

    func check(_ request: InferenceRequest) throws(ServingError) -> Checked {
        var inputs: [String: Tensor] = [:]
        for input in request.inputs {
            guard inputs.updateValue(input.tensor, forKey: input.name) == nil else {
                throw .invalidArgument("input '\(input.name)' appears more than once in the request to model '\(modelName)'")
            }
        }
        try checkConfigDims(inputs)
        try applyReshapes(to: &inputs)
        do {
            try InputValidator.validate(inputs, against: modelInputs)
        } catch {
            throw .invalidArgument("model '\(modelName)': \(Self.message(of: error))")
        }
        let batchSize = try checkBatch(inputs)
        let signature = modelInputs.map { info in
            let shape = inputs[info.name]?.shape ?? []
            return maxBatchSize > 0 ? Array(shape.dropFirst()) : shape
        }
        return Checked(inputs: inputs, outputs: try checkOutputs(request.requestedOutputs),
                       batchSize: batchSize, signature: signature)
    }

    /// The request's items along dim 0, equal in every input and within 1...max_batch_size.
    private func checkBatch(_ inputs: [String: Tensor]) throws(ServingError) -> Int {
        guard maxBatchSize > 0 else { return 1 }
        var batch: (size: Int, input: String)?
        for info in modelInputs {
            guard let shape = inputs[info.name]?.shape else { continue }
            guard let size = shape.first else {
                throw .invalidArgument("input '\(info.name)' of model '\(modelName)' needs a batch dimension first (max_batch_size \(maxBatchSize)), got a scalar")
            }
            if let batch, batch.size != size {
                throw .invalidArgument("input '\(info.name)' has batch size \(size) but input '\(batch.input)' has \(batch.size); every input of a request to model '\(modelName)' must have the same first dimension")
            }
            batch = (size, info.name)
        }
        let size = batch?.size ?? 1
        guard size >= 1 else {
            throw .invalidArgument("the request to model '\(modelName)' has batch size 0; send at least one item")
        }
        guard size <= maxBatchSize else {
            throw .invalidArgument("the request's batch size \(size) exceeds max_batch_size \(maxBatchSize) of model '\(modelName)'; split it into requests of at most \(maxBatchSize) items")
        }
        return size
    }

    /// The config may fix dims the model leaves free.
    private func checkConfigDims(_ inputs: [String: Tensor]) throws(ServingError) {
        for (name, tensor) in inputs {
            guard let dims = configDims[name], !dims.isEmpty else { continue }
            let shape = maxBatchSize > 0 ? Array(tensor.shape.dropFirst()) : tensor.shape
            let matches = dims.count == shape.count && zip(dims, shape).allSatisfy { $0 < 0 || $0 == Int64($1) }
            guard matches else {
                let batch = maxBatchSize > 0 ? " after the batch dimension" : ""
                throw .invalidArgument("input '\(name)' of model '\(modelName)' must have shape \(dims)\(batch) (-1 = any), got \(tensor.shape)")
            }
        }
    }

    /// Gives each reshaped input the model's shape (config dims were checked first).
    private func applyReshapes(to inputs: inout [String: Tensor]) throws(ServingError) {
        for (name, reshape) in reshapes {
            guard let tensor = inputs[name] else { continue }
            guard let shape = reshape.toModel(tensor.shape) else {
                throw .invalidArgument("input '\(name)' of model '\(modelName)' has shape \(tensor.shape), which cannot be reshaped to the model's \(reshape.modelDims)")
            }
            inputs[name] = tensor.reshaped(shape)
        }
    }

    private func checkOutputs(_ requested: [String]) throws(ServingError) -> [String] {
        guard !requested.isEmpty else { return outputNames }
        for name in requested where !outputNames.contains(name) {
            throw .invalidArgument("model '\(modelName)' has no output '\(name)'; its outputs are \(outputNames.map { "'\($0)'" }.joined(separator: ", "))")
        }
        return requested
    }

    private static func message(of error: EngineError) -> String {
        if case .inputMismatch(let message) = error { return message }
        return error.description
    }
}
