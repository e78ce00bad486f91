import SwitchyardServing
import SwitchyardTensor

/// The checks a decoded spec must pass before a pipeline is built: names, fields per stage type,
/// edges (known stages, no cycles, sources without inputs, sinks without consumers).
struct SpecValidator {
    let spec: PipelineSpec
    let document: SpecDocument

    func validate() throws(PipelineError) {
        guard !spec.name.isEmpty else { throw PipelineError("\(document.location([.key("name")])): field 'name': must not be empty") }
        guard !spec.stages.isEmpty else { throw PipelineError("\(document.location([.key("stages")])): field 'stages': the pipeline has no stages") }
        var indexByName: [String: Int] = [:]
        for (index, stage) in spec.stages.enumerated() {
            guard !stage.name.isEmpty else { throw fail(index, "name", "must not be empty") }
            if let first = indexByName[stage.name] {
                throw fail(index, "name", "the name is already used by stage #\(first + 1) (\(document.location(stage: first)))")
            }
            indexByName[stage.name] = index
        }
        for (index, stage) in spec.stages.enumerated() {
            try checkFields(stage, at: index)
            try checkEdges(stage, at: index, known: indexByName)
        }
        try checkConsumers()
        try checkAcyclic(indexByName)
        try checkJoins(indexByName)
    }

    private func checkFields(_ stage: StageSpec, at index: Int) throws(PipelineError) {
        if let queue = stage.queue, queue < 1 { throw fail(index, "queue", "must be at least 1, got \(queue)") }
        if let workers = stage.workers, workers < 1 { throw fail(index, "workers", "must be at least 1, got \(workers)") }
        let present = presentFields(stage)
        let allowed: Set<String>
        switch stage.type {
        case .source:
            guard let kind = stage.sourceKind else {
                throw fail(index, "kind", "unknown source kind '\(stage.kind ?? "")' (expected \(SourceKind.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            switch kind {
            case .images:
                allowed = ["path", "overflow", "kind"]
                if stage.path == nil { throw fail(index, nil, "an images source needs 'path:' (a folder or a glob such as pages/*.png)") }
            case .video:
                allowed = ["path", "overflow", "kind", "fps", "width", "height", "realtime"]
                if stage.path == nil { throw fail(index, nil, "a video source needs 'path:' (a video file or stream URL)") }
                if (stage.width == nil) != (stage.height == nil) { throw fail(index, stage.width == nil ? "height" : "width", "give both width and height, or neither") }
                if let fps = stage.fps, !(fps > 0) { throw fail(index, "fps", "must be positive, got \(fps)") }
                if let width = stage.width, width < 1 { throw fail(index, "width", "must be at least 1, got \(width)") }
                if let height = stage.height, height < 1 { throw fail(index, "height", "must be at least 1, got \(height)") }
            case .api:
                allowed = ["overflow", "kind", "tensors"]
            }
            if stage.inputs != nil { throw fail(index, "inputs", "a source has no inputs") }
            if stage.queue != nil { throw fail(index, "queue", "a source has no input queue (set 'queue:' on the stages it feeds)") }
        case .processor:
            allowed = ["processor", "options", "workers", "queue", "inputs"]
            guard let name = stage.processor, !name.isEmpty else { throw fail(index, nil, "a processor stage needs 'processor:' (the processor's name)") }
        case .model:
            allowed = ["model", "version", "input_map", "output_map", "workers", "queue", "inputs"]
            guard let model = stage.model, !model.isEmpty else { throw fail(index, nil, "a model stage needs 'model:' (a model of the repository)") }
            guard spec.repository != nil else {
                throw PipelineError("\(document.location(stage: index)): stage '\(stage.name)': model stages need the spec's 'repository:' (a Triton model repository)")
            }
            guard let inputMap = stage.inputMap, !inputMap.isEmpty else {
                throw fail(index, "input_map", "a model stage needs 'input_map:' (item value name: model input tensor name)")
            }
        case .join:
            allowed = ["queue", "inputs"]
            if let inputs = stage.inputs, inputs.count < 2 {
                throw fail(index, "inputs", "a join merges the items of several branches; list at least two stages, got \(inputs.count)")
            }
        case .sink:
            guard let kind = stage.sinkKind else {
                throw fail(index, "kind", "unknown sink kind '\(stage.kind ?? "")' (expected \(SinkKind.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            if kind == .collector || kind == .response, stage.path != nil {
                throw fail(index, "path", "a \(kind.rawValue) sink keeps its items in memory and has no path")
            }
            if kind == .response {
                allowed = ["kind", "queue", "inputs", "tensors"]
                if let first = spec.stages.firstIndex(where: { $0.sinkKind == .response }), first != index {
                    throw fail(index, "kind", "a pipeline has at most one response sink (stage '\(spec.stages[first].name)' is one)")
                }
            } else {
                allowed = ["kind", "path", "queue", "inputs"]
            }
        }
        if let tensors = stage.tensors { try checkTensors(tensors, stage: index) }
        let common: Set<String> = ["name", "type"]
        for field in present where !allowed.contains(field) && !common.contains(field) {
            throw fail(index, field, "does not apply to a \(stage.type.rawValue) stage\(stage.type == .source ? " of kind '\(stage.kind ?? "images")'" : "")")
        }
    }

    private func checkEdges(_ stage: StageSpec, at index: Int, known: [String: Int]) throws(PipelineError) {
        guard stage.type != .source else { return }
        guard let inputs = stage.inputs, !inputs.isEmpty else {
            throw fail(index, "inputs", "a \(stage.type.rawValue) stage needs 'inputs:' (the stages it consumes)")
        }
        var seen: Set<String> = []
        for (position, input) in inputs.enumerated() {
            let location = document.location([.key("stages"), .index(index), .key("inputs"), .index(position)])
            guard let producer = known[input] else {
                throw PipelineError("\(location): stage '\(stage.name)': field 'inputs': unknown stage '\(input)' (stages: \(spec.stages.map(\.name).joined(separator: ", ")))")
            }
            guard seen.insert(input).inserted else {
                throw PipelineError("\(location): stage '\(stage.name)': field 'inputs': '\(input)' is listed twice")
            }
            if spec.stages[producer].type == .sink {
                throw PipelineError("\(location): stage '\(stage.name)': field 'inputs': '\(input)' is a sink, and sinks have no outputs")
            }
        }
    }

    /// Every non-sink stage must feed some stage: otherwise its items would vanish unseen.
    private func checkConsumers() throws(PipelineError) {
        let consumed = Set(spec.stages.flatMap { $0.inputs ?? [] })
        for (index, stage) in spec.stages.enumerated() where stage.type != .sink && !consumed.contains(stage.name) {
            throw fail(index, nil, "no stage lists it in 'inputs:', so its items would go nowhere (connect it to a sink)")
        }
    }

    private func checkAcyclic(_ indexByName: [String: Int]) throws(PipelineError) {
        // 0 = unvisited, 1 = on the current path, 2 = done.
        var state = [Int](repeating: 0, count: spec.stages.count)
        var path: [String] = []
        func visit(_ index: Int) -> [String]? {
            if state[index] == 2 { return nil }
            if state[index] == 1 { return Array(path.drop { $0 != spec.stages[index].name }) + [spec.stages[index].name] }
            state[index] = 1
            path.append(spec.stages[index].name)
            for input in spec.stages[index].inputs ?? [] {
                if let producer = indexByName[input], let cycle = visit(producer) { return cycle }
            }
            path.removeLast()
            state[index] = 2
            return nil
        }
        for index in spec.stages.indices {
            if let cycle = visit(index) {
                let first = indexByName[cycle[0]]!
                throw fail(first, "inputs", "the stages form a cycle: \(cycle.reversed().joined(separator: " → "))")
            }
        }
    }

    /// A join matches items by source and frame, so each of its inputs must carry the frames of
    /// the same sources; otherwise no group could ever complete.
    private func checkJoins(_ indexByName: [String: Int]) throws(PipelineError) {
        var sourcesByStage: [Int: Set<String>] = [:]
        func sources(of index: Int) -> Set<String> {
            if let known = sourcesByStage[index] { return known }
            let stage = spec.stages[index]
            let found: Set<String> = stage.type == .source
                ? [stage.name]
                : (stage.inputs ?? []).reduce(into: []) { $0.formUnion(sources(of: indexByName[$1]!)) }
            sourcesByStage[index] = found
            return found
        }
        for (index, stage) in spec.stages.enumerated() where stage.type == .join {
            let inputs = stage.inputs ?? []
            let bySource = inputs.map { sources(of: indexByName[$0]!) }
            if let differing = bySource.firstIndex(where: { $0 != bySource[0] }) {
                func describe(_ position: Int) -> String {
                    "'\(inputs[position])' carries \(bySource[position].sorted().map { "'\($0)'" }.joined(separator: ", "))"
                }
                throw fail(index, "inputs", "a join matches items of the same frames, but \(describe(0)) and \(describe(differing)) (join branches of the same sources)")
            }
        }
    }

    private func presentFields(_ stage: StageSpec) -> [String] {
        var fields: [String] = []
        if stage.kind != nil { fields.append("kind") }
        if stage.path != nil { fields.append("path") }
        if stage.overflow != nil { fields.append("overflow") }
        if stage.fps != nil { fields.append("fps") }
        if stage.width != nil { fields.append("width") }
        if stage.height != nil { fields.append("height") }
        if stage.realtime != nil { fields.append("realtime") }
        if stage.processor != nil { fields.append("processor") }
        if stage.options != nil { fields.append("options") }
        if stage.model != nil { fields.append("model") }
        if stage.version != nil { fields.append("version") }
        if stage.inputMap != nil { fields.append("input_map") }
        if stage.outputMap != nil { fields.append("output_map") }
        if stage.workers != nil { fields.append("workers") }
        if stage.tensors != nil { fields.append("tensors") }
        return fields
    }

    /// A served pipeline's interface: names unique and non-empty, KServe datatypes, sizes ≥ -1.
    private func checkTensors(_ tensors: [TensorSpec], stage index: Int) throws(PipelineError) {
        var names: Set<String> = []
        for (position, tensor) in tensors.enumerated() {
            func fail(_ message: String) -> PipelineError {
                let location = document.location([.key("stages"), .index(index), .key("tensors"), .index(position)])
                return PipelineError("\(location): stage '\(spec.stages[index].name)': field 'tensors': tensor #\(position + 1)\(tensor.name.isEmpty ? "" : " '\(tensor.name)'"): \(message)")
            }
            guard !tensor.name.isEmpty else { throw fail("'name' must not be empty") }
            guard names.insert(tensor.name).inserted else { throw fail("the name is used twice") }
            guard DataType(kserveName: tensor.datatype) != nil else {
                throw fail("unknown datatype '\(tensor.datatype)' (expected one of \(DataType.kserveNames))")
            }
            if let bad = tensor.dims.first(where: { $0 < -1 }) { throw fail("dims \(tensor.dims): \(bad) is not a size (-1 = variable)") }
            if tensor.value?.isEmpty == true { throw fail("'value' must not be empty (leave it out to use the tensor's name)") }
        }
    }

    private func fail(_ index: Int, _ field: String?, _ message: String) -> PipelineError {
        let stage = spec.stages[index].name
        return PipelineError("\(document.location(stage: index, field: field)): stage '\(stage.isEmpty ? "#\(index + 1)" : stage)': \(field.map { "field '\($0)': " } ?? "")\(message)")
    }
}
