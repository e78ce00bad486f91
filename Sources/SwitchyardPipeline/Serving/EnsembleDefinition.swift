import SwitchyardServing
import SwitchyardTensor

/// A Triton ensemble (config.pbtxt with `platform: "ensemble"` and `ensemble_scheduling`),
/// checked and turned into a pipeline: an `api` source with the ensemble's inputs, one model
/// stage per step, and a `response` sink with the ensemble's outputs.
///
/// Triton's meaning of the maps: `input_map` takes the step's model input → the ensemble tensor
/// fed to it; `output_map` takes the step's model output → the ensemble tensor it becomes. Steps
/// run in dependency order, one after another (a DAG's independent branches are not run in
/// parallel); every ensemble tensor travels with the request's item, so a step can read any
/// tensor produced before it.
struct EnsembleDefinition: Sendable {
    struct Step: Sendable {
        /// Position in `ensemble_scheduling.step` (0-based, as messages show it).
        var index: Int
        var model: String
        var version: Int64?
        /// Model input → ensemble tensor.
        var inputMap: [String: String]
        /// Model output → ensemble tensor.
        var outputMap: [String: String]
    }

    let name: String
    /// How messages name the config: `ens/config.pbtxt`.
    let file: String
    let config: Inference_ModelConfig
    /// In the order they run.
    let steps: [Step]

    /// Requests in flight per step: enough for concurrent requests to meet in a member's batcher.
    static let stepWorkers = 8

    /// Checks `config` of ensemble `name`. `isPipeline` says what a step's model name is in the
    /// repository: nil = not there, false = an ONNX model, true = another pipeline or ensemble.
    init(config: Inference_ModelConfig, name: String, file: String,
         isPipeline: (String) -> Bool?) throws(ServingError) {
        func fail(_ message: String) -> ServingError { .invalidArgument("\(file): \(message)") }
        if !config.name.isEmpty, config.name != name {
            throw fail("name '\(config.name)' does not match the directory '\(name)' (they must be equal; fix the name or leave it out)")
        }
        guard config.platform == ServedPipeline.platform else {
            throw fail("platform '\(config.platform)': ensemble_scheduling needs platform: \"\(ServedPipeline.platform)\"")
        }
        guard case .ensembleScheduling(let scheduling)? = config.schedulingChoice, !scheduling.step.isEmpty else {
            throw fail("ensemble_scheduling: an ensemble needs at least one step { model_name, model_version, input_map, output_map }")
        }
        if config.maxBatchSize < 0 { throw fail("max_batch_size \(config.maxBatchSize) must be >= 0") }
        if !config.instanceGroup.isEmpty { throw fail("instance_group: an ensemble has no instances of its own (its steps' models do)") }
        try Self.checkTensors(config, fail: fail)

        var producer: [String: Int] = [:]  // ensemble tensor → step index (-1 = the request)
        for input in config.input { producer[input.name] = -1 }
        var steps: [Step] = []
        for (index, step) in scheduling.step.enumerated() {
            let label = "ensemble_scheduling.step[\(index)]" + (step.modelName.isEmpty ? "" : " (model '\(step.modelName)')")
            guard !step.modelName.isEmpty else { throw fail("\(label): model_name is empty") }
            switch isPipeline(step.modelName) {
            case nil: throw fail("\(label): model_name: there is no model '\(step.modelName)' in the repository")
            case true?: throw fail("\(label): model_name: '\(step.modelName)' is itself a pipeline or ensemble; nested ensembles are not supported")
            case false?: break
            }
            guard !step.inputMap.isEmpty else { throw fail("\(label): input_map is empty (map each model input to an ensemble tensor)") }
            guard !step.outputMap.isEmpty else { throw fail("\(label): output_map is empty (map the model outputs you need to ensemble tensors)") }
            var fed: [String: String] = [:]
            for (modelInput, tensor) in step.inputMap.sorted(by: { $0.key < $1.key }) {
                if let other = fed[tensor] {
                    throw fail("\(label): input_map: ensemble tensor '\(tensor)' feeds both '\(other)' and '\(modelInput)'; Switchyard maps an ensemble tensor to one input per step")
                }
                fed[tensor] = modelInput
            }
            for (modelOutput, tensor) in step.outputMap.sorted(by: { $0.key < $1.key }) {
                if let earlier = producer[tensor] {
                    let by = earlier < 0 ? "is an input of the ensemble" : "is already the output of step[\(earlier)]"
                    throw fail("\(label): output_map: '\(modelOutput)' → ensemble tensor '\(tensor)', which \(by) (each ensemble tensor has one producer)")
                }
                producer[tensor] = index
            }
            steps.append(Step(index: index, model: step.modelName, version: step.modelVersion > 0 ? step.modelVersion : nil,
                              inputMap: step.inputMap, outputMap: step.outputMap))
        }
        for step in steps {
            for (modelInput, tensor) in step.inputMap.sorted(by: { $0.key < $1.key }) where producer[tensor] == nil {
                throw fail("ensemble_scheduling.step[\(step.index)] (model '\(step.model)'): input_map: '\(modelInput)' ← ensemble tensor '\(tensor)', which is neither an input of the ensemble nor any step's output")
            }
        }
        let ordered = try Self.order(steps, producer: producer, fail: fail)
        let consumed = Set(steps.flatMap(\.inputMap.values))
        for input in config.input where !consumed.contains(input.name) {
            throw fail("input '\(input.name)' is not used: no step's input_map reads it")
        }
        for output in config.output {
            guard let index = producer[output.name], index >= 0 else {
                throw fail("output '\(output.name)' is not produced: no step's output_map writes ensemble tensor '\(output.name)'")
            }
        }
        self.name = name
        self.file = file
        self.config = config
        self.steps = ordered
    }

    /// The ensemble's inputs and outputs: named, typed, sizes ≥ -1.
    private static func checkTensors(_ config: Inference_ModelConfig, fail: (String) -> ServingError) throws(ServingError) {
        guard !config.input.isEmpty else { throw fail("input: an ensemble needs its inputs listed (name, data_type, dims)") }
        guard !config.output.isEmpty else { throw fail("output: an ensemble needs its outputs listed (name, data_type, dims)") }
        var seen: Set<String> = []
        let tensors = config.input.map { ("input", $0.name, $0.dataType, $0.dims) } + config.output.map { ("output", $0.name, $0.dataType, $0.dims) }
        for (role, name, dataType, dims) in tensors {
            guard !name.isEmpty else { throw fail("an \(role) has no name") }
            guard seen.insert(name).inserted else { throw fail("\(role) '\(name)': the name is used twice among the ensemble's inputs and outputs") }
            guard dataType.tensorDataType != nil else { throw fail("\(role) '\(name)': data_type \(dataType.configName) is not a tensor type (e.g. TYPE_FP32)") }
            if let bad = dims.first(where: { $0 < -1 }) { throw fail("\(role) '\(name)': dims \(dims): \(bad) is not a size (-1 = variable)") }
        }
    }

    /// The steps in dependency order (stable: ties keep the config's order); a cycle is an error
    /// that names the steps and tensors on it.
    private static func order(_ steps: [Step], producer: [String: Int], fail: (String) -> ServingError) throws(ServingError) -> [Step] {
        func dependencies(_ step: Step) -> [(tensor: String, step: Int)] {
            step.inputMap.values.sorted().compactMap { tensor in
                guard let index = producer[tensor], index >= 0 else { return nil }
                return (tensor, index)
            }
        }
        var done: Set<Int> = []
        var ordered: [Step] = []
        while ordered.count < steps.count {
            guard let next = steps.first(where: { !done.contains($0.index) && dependencies($0).allSatisfy { done.contains($0.step) } }) else {
                throw fail("ensemble_scheduling: the steps form a cycle: \(describeCycle(steps.filter { !done.contains($0.index) }, dependencies))")
            }
            done.insert(next.index)
            ordered.append(next)
        }
        return ordered
    }

    /// "step[0] (model 'a') needs 'y' from step[1] (model 'b'), which needs 'x' from step[0]".
    private static func describeCycle(_ remaining: [Step], _ dependencies: (Step) -> [(tensor: String, step: Int)]) -> String {
        let byIndex = Dictionary(uniqueKeysWithValues: remaining.map { ($0.index, $0) })
        var path: [(step: Int, tensor: String)] = []
        var current = remaining[0].index
        while !path.contains(where: { $0.step == current }) {
            guard let step = byIndex[current], let edge = dependencies(step).first(where: { byIndex[$0.step] != nil }) else { break }
            path.append((current, edge.tensor))
            current = edge.step
        }
        let cycle = Array(path[(path.firstIndex { $0.step == current } ?? 0)...])
        var text = ""
        for (position, edge) in cycle.enumerated() {
            let source = position + 1 < cycle.count ? cycle[position + 1].step : current
            text += position == 0 ? "step[\(edge.step)] (model '\(byIndex[edge.step]!.model)')" : ", which"
            text += " needs '\(edge.tensor)' from step[\(source)]" + (position + 1 < cycle.count ? " (model '\(byIndex[source]!.model)')" : "")
        }
        return text
    }

    /// Checks each step against its model's metadata (when known): the maps name real inputs and
    /// outputs, every model input is mapped, and data types agree along the way.
    func checkMembers(_ metadata: [String: ModelMetadata]) throws(ServingError) {
        var types: [String: String] = [:]  // ensemble tensor → KServe datatype
        for input in config.input { types[input.name] = input.dataType.tensorDataType?.kserveName }
        for step in steps {
            guard let model = metadata[step.model] else { continue }
            let label = "\(file): ensemble_scheduling.step[\(step.index)] (model '\(step.model)')"
            let inputs = model.inputs.map(\.name), outputs = model.outputs.map(\.name)
            for (modelInput, tensor) in step.inputMap.sorted(by: { $0.key < $1.key }) {
                guard let declared = model.inputs.first(where: { $0.name == modelInput }) else {
                    throw ServingError.invalidArgument("\(label): input_map: '\(modelInput)' is not an input of the model (its inputs: \(inputs.joined(separator: ", ")))")
                }
                if let type = types[tensor], type != declared.datatype {
                    throw ServingError.invalidArgument("\(label): input_map: '\(modelInput)' is \(declared.datatype) but ensemble tensor '\(tensor)' is \(type)")
                }
            }
            for input in inputs where step.inputMap[input] == nil {
                throw ServingError.invalidArgument("\(label): input_map: the model's input '\(input)' is not mapped (map it to an ensemble tensor)")
            }
            for (modelOutput, tensor) in step.outputMap.sorted(by: { $0.key < $1.key }) {
                guard let declared = model.outputs.first(where: { $0.name == modelOutput }) else {
                    throw ServingError.invalidArgument("\(label): output_map: '\(modelOutput)' is not an output of the model (its outputs: \(outputs.joined(separator: ", ")))")
                }
                types[tensor] = declared.datatype
            }
        }
        for output in config.output {
            if let type = types[output.name], let wanted = output.dataType.tensorDataType?.kserveName, type != wanted {
                throw ServingError.invalidArgument("\(file): output '\(output.name)': data_type \(output.dataType.configName) but the step producing it gives \(type)")
            }
        }
    }

    /// The models the steps use (name, version), once each, in step order.
    var members: [ServedPipeline.Member] {
        var seen: Set<String> = []
        return steps.compactMap { seen.insert($0.model).inserted ? ServedPipeline.Member(name: $0.model, version: $0.version) : nil }
    }

    /// The pipeline the ensemble runs as.
    var spec: PipelineSpec {
        var stages = [StageSpec(name: Self.sourceName, type: .source, kind: SourceKind.api.rawValue, tensors: tensors(config.input.map { ($0.name, $0.dataType, $0.dims) }))]
        var previous = Self.sourceName
        for step in steps {
            let stage = "step\(step.index)_\(step.model)"
            stages.append(StageSpec(name: stage, type: .model, inputs: [previous], queue: Self.stepWorkers * 2,
                                    workers: Self.stepWorkers, model: step.model, version: step.version,
                                    inputMap: Dictionary(uniqueKeysWithValues: step.inputMap.map { ($0.value, $0.key) }),
                                    outputMap: step.outputMap))
            previous = stage
        }
        stages.append(StageSpec(name: Self.sinkName, type: .sink, inputs: [previous], queue: Self.stepWorkers * 2,
                                kind: SinkKind.response.rawValue, tensors: tensors(config.output.map { ($0.name, $0.dataType, $0.dims) })))
        return PipelineSpec(name: name, repository: ".", stages: stages)
    }

    var interface: PipelineInterface {
        let spec = spec
        return PipelineInterface(source: Self.sourceName, inputs: spec.stages.first!.tensors!, outputs: spec.stages.last!.tensors!,
                                 maxBatchSize: Int(config.maxBatchSize), bytesAsFiles: false)
    }

    static let sourceName = "request"
    static let sinkName = "response"

    private func tensors(_ list: [(String, Inference_DataType, [Int64])]) -> [TensorSpec] {
        list.map { name, dataType, dims in
            TensorSpec(name: name, datatype: dataType.tensorDataType?.kserveName ?? "FP32", dims: dims)
        }
    }
}
