import SwitchyardServing
import SwitchyardTensor

/// What a served pipeline looks like to KServe clients: the request tensors its `api` source
/// takes, the response tensors its `response` sink gives back, and the config and metadata that
/// `GET /v2/models/{m}[/config]` report (`platform: "ensemble"`).
struct PipelineInterface: Sendable {
    /// The `api` source requests enter by.
    var source: String
    var inputs: [TensorSpec]
    var outputs: [TensorSpec]
    /// > 0: requests carry a batch dimension first (ensembles of batching models), which the
    /// tensors' dims leave out, as in config.pbtxt.
    var maxBatchSize: Int
    /// A one-element BYTES input becomes the item value `.bytes` (an encoded file for
    /// `decode-image`), as YAML pipelines expect; otherwise every input stays a tensor.
    var bytesAsFiles: Bool

    /// The interface a spec declares: its one `api` source's and one `response` sink's
    /// `tensors:`. `file` names the spec in errors.
    init(spec: PipelineSpec, file: String) throws(ServingError) {
        let sources = spec.stages.filter { $0.sourceKind == .api }
        guard sources.count == 1, let source = sources.first else {
            throw .invalidArgument("\(file): a served pipeline needs exactly one source of kind 'api' (requests enter there), found \(sources.count)")
        }
        guard spec.stages.allSatisfy({ $0.type != .source || $0.sourceKind == .api }) else {
            throw .invalidArgument("\(file): a served pipeline takes its frames from requests only: remove the images or video sources")
        }
        guard source.overflowPolicy == .block else {
            throw .invalidArgument("\(file): stage '\(source.name)': field 'overflow': a served pipeline's api source must use 'block' (a dropped request would never be answered)")
        }
        guard let inputs = source.tensors, !inputs.isEmpty else {
            throw .invalidArgument("\(file): stage '\(source.name)': field 'tensors': list the request's input tensors (name, datatype, dims, value)")
        }
        guard let sink = spec.stages.first(where: { $0.sinkKind == .response }) else {
            throw .invalidArgument("\(file): a served pipeline needs a sink of kind 'response' (its items become the response)")
        }
        guard let outputs = sink.tensors, !outputs.isEmpty else {
            throw .invalidArgument("\(file): stage '\(sink.name)': field 'tensors': list the response's output tensors (name, datatype, dims, value)")
        }
        self.init(source: source.name, inputs: inputs, outputs: outputs, maxBatchSize: 0, bytesAsFiles: true)
    }

    init(source: String, inputs: [TensorSpec], outputs: [TensorSpec], maxBatchSize: Int, bytesAsFiles: Bool) {
        self.source = source
        self.inputs = inputs
        self.outputs = outputs
        self.maxBatchSize = maxBatchSize
        self.bytesAsFiles = bytesAsFiles
    }

    /// The config `GET /v2/models/{m}/config` reports.
    func config(name: String) -> Inference_ModelConfig {
        var config = Inference_ModelConfig()
        config.name = name
        config.platform = ServedPipeline.platform
        config.maxBatchSize = Int32(maxBatchSize)
        config.input = inputs.map { tensor in
            var input = Inference_ModelInput()
            input.name = tensor.name
            input.dataType = Inference_DataType(DataType(kserveName: tensor.datatype) ?? .float32)
            input.dims = tensor.dims
            return input
        }
        config.output = outputs.map { tensor in
            var output = Inference_ModelOutput()
            output.name = tensor.name
            output.dataType = Inference_DataType(DataType(kserveName: tensor.datatype) ?? .float32)
            output.dims = tensor.dims
            return output
        }
        return config
    }

    /// The request's tensors as item values, after checking them against the inputs: every
    /// input present once, no others, the declared datatype and a shape that fits the dims.
    func values(of request: InferenceRequest, pipeline: String) throws(ServingError) -> [String: PipelineValue] {
        var given: [String: NamedTensor] = [:]
        for input in request.inputs {
            guard given.updateValue(input, forKey: input.name) == nil else {
                throw .invalidArgument("input '\(input.name)' appears more than once in the request to pipeline '\(pipeline)'")
            }
            guard inputs.contains(where: { $0.name == input.name }) else {
                throw .invalidArgument("pipeline '\(pipeline)' has no input '\(input.name)'; its inputs are \(Self.list(inputs))")
            }
        }
        var values: [String: PipelineValue] = [:]
        for spec in inputs {
            guard let input = given[spec.name] else {
                throw .invalidArgument("the request to pipeline '\(pipeline)' lacks input '\(spec.name)' (its inputs are \(Self.list(inputs)))")
            }
            let tensor = input.tensor
            guard tensor.dataType.kserveName == spec.datatype else {
                throw .invalidArgument("input '\(spec.name)' of pipeline '\(pipeline)' must be \(spec.datatype), got \(tensor.dataType.kserveName)")
            }
            let batch: [Int64] = maxBatchSize > 0 ? [-1] : []
            let dims = batch + spec.dims
            guard dims.count == tensor.shape.count, zip(dims, tensor.shape).allSatisfy({ $0 < 0 || $0 == Int64($1) }) else {
                throw .invalidArgument("input '\(spec.name)' of pipeline '\(pipeline)' must have shape \(dims) (-1 = any), got \(tensor.shape)")
            }
            if maxBatchSize > 0, let size = tensor.shape.first, !(1...maxBatchSize).contains(size) {
                throw .invalidArgument("input '\(spec.name)' of pipeline '\(pipeline)' has batch size \(size); it must be in 1...\(maxBatchSize) (max_batch_size)")
            }
            if bytesAsFiles, tensor.dataType == .string, tensor.count == 1 {
                values[spec.valueName] = .bytes(input.rawBytes?.first ?? Array(tensor.strings[0].utf8))
            } else {
                values[spec.valueName] = .tensor(tensor)
            }
        }
        return values
    }

    /// The outputs to answer with: those requested, in order, or all.
    func requestedOutputs(_ requested: [String], pipeline: String) throws(ServingError) -> [TensorSpec] {
        guard !requested.isEmpty else { return outputs }
        return try requested.map { name throws(ServingError) in
            guard let output = outputs.first(where: { $0.name == name }) else {
                throw .invalidArgument("pipeline '\(pipeline)' has no output '\(name)'; its outputs are \(Self.list(outputs))")
            }
            return output
        }
    }

    private static func list(_ tensors: [TensorSpec]) -> String {
        tensors.map { "'\($0.name)'" }.joined(separator: ", ")
    }
}
