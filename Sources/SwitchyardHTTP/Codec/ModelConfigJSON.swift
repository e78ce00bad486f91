import SwitchyardServing

/// `GET …/config`: the model configuration as Triton prints it.
///
/// Triton prints protobuf JSON with proto field names, enums as names and every primitive field
/// even at its default (`always_print_primitive_fields`; unset sub-messages and oneofs are left
/// out, empty repeated fields and maps are `[]`/`{}`), then rewrites the int64 fields it lists in
/// `ModelConfigToJson` from strings to numbers (`dims`, `reshape.shape`, `specific.versions`,
/// `max_queue_delay_microseconds`, `default_timeout_microseconds`, the ensemble step's
/// `model_version`). The other 64-bit fields (`priority_levels`, `default_priority_level`) stay
/// strings, as in Triton. perf_analyzer reads `dims` and `max_batch_size` as integers.
/// swift-protobuf cannot print default-valued fields, so this encoder is written out by field.
enum ModelConfigJSON {
    static func write(_ config: Inference_ModelConfig, to w: inout JSONWriter) {
        var o = ObjectWriter(writer: w)
        o.string("name", config.name)
        o.string("platform", config.platform)
        o.string("backend", config.backend)
        if config.hasVersionPolicy { o.member("version_policy") { versionPolicy(config.versionPolicy, &$0) } }
        o.number("max_batch_size", config.maxBatchSize)
        o.array("input", config.input) { input($0, &$1) }
        o.array("output", config.output) { output($0, &$1) }
        switch config.schedulingChoice {
        case .dynamicBatching(let batching)?: o.member("dynamic_batching") { dynamicBatching(batching, &$0) }
        case .ensembleScheduling(let ensemble)?:
            o.member("ensemble_scheduling") { w in
                var e = ObjectWriter(writer: w)
                e.array("step", ensemble.step) { step($0, &$1) }
                w = e.finish()
            }
        case nil: break
        }
        o.array("instance_group", config.instanceGroup) { instanceGroup($0, &$1) }
        o.string("default_model_filename", config.defaultModelFilename)
        o.member("parameters") { w in
            var p = ObjectWriter(writer: w)
            for key in config.parameters.keys.sorted() {
                p.member(key) { w in
                    var v = ObjectWriter(writer: w)
                    v.string("string_value", config.parameters[key]!.stringValue)
                    w = v.finish()
                }
            }
            w = p.finish()
        }
        w = o.finish()
    }

    private static func input(_ input: Inference_ModelInput, _ w: inout JSONWriter) {
        var o = ObjectWriter(writer: w)
        o.string("name", input.name)
        o.enumName("data_type", dataTypeNames, input.dataType.rawValue)
        o.enumName("format", ["FORMAT_NONE", "FORMAT_NHWC", "FORMAT_NCHW"], input.format.rawValue)
        o.numbers("dims", input.dims)
        if input.hasReshape { o.member("reshape") { reshape(input.reshape, &$0) } }
        o.bool("is_shape_tensor", input.isShapeTensor)
        o.bool("allow_ragged_batch", input.allowRaggedBatch)
        o.bool("optional", input.optional)
        w = o.finish()
    }

    private static func output(_ output: Inference_ModelOutput, _ w: inout JSONWriter) {
        var o = ObjectWriter(writer: w)
        o.string("name", output.name)
        o.enumName("data_type", dataTypeNames, output.dataType.rawValue)
        o.numbers("dims", output.dims)
        if output.hasReshape { o.member("reshape") { reshape(output.reshape, &$0) } }
        o.string("label_filename", output.labelFilename)
        o.bool("is_shape_tensor", output.isShapeTensor)
        w = o.finish()
    }

    private static func reshape(_ reshape: Inference_ModelTensorReshape, _ w: inout JSONWriter) {
        var o = ObjectWriter(writer: w)
        o.numbers("shape", reshape.shape)
        w = o.finish()
    }

    private static func versionPolicy(_ policy: Inference_ModelVersionPolicy, _ w: inout JSONWriter) {
        var o = ObjectWriter(writer: w)
        switch policy.policyChoice {
        case .latest(let latest)?:
            o.member("latest") { w in
                var l = ObjectWriter(writer: w)
                l.number("num_versions", latest.numVersions)
                w = l.finish()
            }
        case .all?: o.member("all") { $0.raw("{}") }
        case .specific(let specific)?:
            o.member("specific") { w in
                var s = ObjectWriter(writer: w)
                s.numbers("versions", specific.versions)
                w = s.finish()
            }
        case nil: break
        }
        w = o.finish()
    }

    private static func dynamicBatching(_ batching: Inference_ModelDynamicBatching, _ w: inout JSONWriter) {
        var o = ObjectWriter(writer: w)
        o.numbers("preferred_batch_size", batching.preferredBatchSize)
        o.number("max_queue_delay_microseconds", batching.maxQueueDelayMicroseconds)
        o.bool("preserve_ordering", batching.preserveOrdering)
        o.string("priority_levels", String(batching.priorityLevels))
        o.string("default_priority_level", String(batching.defaultPriorityLevel))
        if batching.hasDefaultQueuePolicy { o.member("default_queue_policy") { queuePolicy(batching.defaultQueuePolicy, &$0) } }
        o.member("priority_queue_policy") { w in
            var p = ObjectWriter(writer: w)
            for level in batching.priorityQueuePolicy.keys.sorted() {
                p.member(String(level)) { queuePolicy(batching.priorityQueuePolicy[level]!, &$0) }
            }
            w = p.finish()
        }
        w = o.finish()
    }

    private static func queuePolicy(_ policy: Inference_ModelQueuePolicy, _ w: inout JSONWriter) {
        var o = ObjectWriter(writer: w)
        o.enumName("timeout_action", ["REJECT", "DELAY"], policy.timeoutAction.rawValue)
        o.number("default_timeout_microseconds", policy.defaultTimeoutMicroseconds)
        o.bool("allow_timeout_override", policy.allowTimeoutOverride)
        o.number("max_queue_size", policy.maxQueueSize)
        w = o.finish()
    }

    private static func step(_ step: Inference_ModelEnsembling.Step, _ w: inout JSONWriter) {
        var o = ObjectWriter(writer: w)
        o.string("model_name", step.modelName)
        o.number("model_version", step.modelVersion)
        o.stringMap("input_map", step.inputMap)
        o.stringMap("output_map", step.outputMap)
        w = o.finish()
    }

    private static func instanceGroup(_ group: Inference_ModelInstanceGroup, _ w: inout JSONWriter) {
        var o = ObjectWriter(writer: w)
        o.string("name", group.name)
        o.enumName("kind", ["KIND_AUTO", "KIND_GPU", "KIND_CPU", "KIND_MODEL"], group.kind.rawValue)
        o.number("count", group.count)
        o.numbers("gpus", group.gpus)
        o.array("profile", group.profile) { $1.string($0) }
        o.bool("passive", group.passive)
        o.string("host_policy", group.hostPolicy)
        w = o.finish()
    }

    private static let dataTypeNames = [
        "TYPE_INVALID", "TYPE_BOOL", "TYPE_UINT8", "TYPE_UINT16", "TYPE_UINT32", "TYPE_UINT64", "TYPE_INT8",
        "TYPE_INT16", "TYPE_INT32", "TYPE_INT64", "TYPE_FP16", "TYPE_FP32", "TYPE_FP64", "TYPE_STRING", "TYPE_BF16",
    ]
}

/// Writes one JSON object's members, placing the commas.
private struct ObjectWriter {
    private var writer: JSONWriter
    private var first = true

    init(writer: JSONWriter) {
        self.writer = writer
        self.writer.raw("{")
    }

    mutating func finish() -> JSONWriter {
        writer.raw("}")
        return writer
    }

    mutating func member(_ key: String, _ body: (inout JSONWriter) -> Void) {
        if !first { writer.raw(",") }
        first = false
        writer.key(key)
        body(&writer)
    }

    mutating func string(_ key: String, _ value: String) { member(key) { $0.string(value) } }
    mutating func bool(_ key: String, _ value: Bool) { member(key) { $0.bool(value) } }
    mutating func number(_ key: String, _ value: some BinaryInteger) { member(key) { $0.integer(value) } }

    /// A proto enum by name; an unknown value prints as its number, as protobuf does.
    mutating func enumName(_ key: String, _ names: [String], _ rawValue: Int) {
        member(key) { w in
            if names.indices.contains(rawValue) { w.string(names[rawValue]) } else { w.integer(rawValue) }
        }
    }

    mutating func numbers(_ key: String, _ values: [some BinaryInteger]) {
        array(key, values) { $1.integer($0) }
    }

    mutating func array<T>(_ key: String, _ values: [T], _ element: (T, inout JSONWriter) -> Void) {
        member(key) { w in
            w.raw("[")
            for (index, value) in values.enumerated() {
                if index > 0 { w.raw(",") }
                element(value, &w)
            }
            w.raw("]")
        }
    }

    mutating func stringMap(_ key: String, _ map: [String: String]) {
        member(key) { w in
            var o = ObjectWriter(writer: w)
            for mapKey in map.keys.sorted() { o.string(mapKey, map[mapKey]!) }
            w = o.finish()
        }
    }
}
