import SwitchyardGraph

/// Load-time check of enumerated string attributes (`auto_pad`, Resize's `mode`, …): a value
/// ONNX does not define is reported when the model is loaded, naming the node, the attribute,
/// the value found and the values allowed, instead of failing on the first run (or only on the
/// first run that reaches the node).
enum AttributeValidation {
    private static let autoPad: Set<String> = ["NOTSET", "SAME_UPPER", "SAME_LOWER", "VALID"]

    /// Allowed values per operator (default ONNX domain) and attribute, from the ONNX operator
    /// specification (union over opsets).
    private static let allowed: [String: [String: Set<String>]] = [
        "Conv": ["auto_pad": autoPad],
        "ConvTranspose": ["auto_pad": autoPad],
        "ConvInteger": ["auto_pad": autoPad],
        "QLinearConv": ["auto_pad": autoPad],
        "MaxPool": ["auto_pad": autoPad],
        "AveragePool": ["auto_pad": autoPad],
        "LpPool": ["auto_pad": autoPad],
        "Resize": [
            "mode": ["nearest", "linear", "cubic"],
            "coordinate_transformation_mode": ["half_pixel", "half_pixel_symmetric", "pytorch_half_pixel",
                                               "align_corners", "asymmetric", "tf_half_pixel_for_nn",
                                               "tf_crop_and_resize"],
            "nearest_mode": ["round_prefer_floor", "round_prefer_ceil", "floor", "ceil"],
            "keep_aspect_ratio_policy": ["stretch", "not_larger", "not_smaller"],
        ],
        "Pad": ["mode": ["constant", "reflect", "edge", "wrap"]],
        "DepthToSpace": ["mode": ["DCR", "CRD"]],
        "GridSample": ["mode": ["bilinear", "nearest", "bicubic", "linear", "cubic"],
                       "padding_mode": ["zeros", "border", "reflection"]],
        "ScatterElements": ["reduction": ["none", "add", "mul", "max", "min"]],
        "ScatterND": ["reduction": ["none", "add", "mul", "max", "min"]],
        "RoiAlign": ["mode": ["avg", "max"], "coordinate_transformation_mode": ["half_pixel", "output_half_pixel"]],
        "Gelu": ["approximate": ["none", "tanh"]],
        "LSTM": ["direction": ["forward", "reverse", "bidirectional"]],
        "GRU": ["direction": ["forward", "reverse", "bidirectional"]],
        "RNN": ["direction": ["forward", "reverse", "bidirectional"]],
    ]

    /// Throws `EngineError.invalidGraph` listing every node of `graph` (not its subgraphs, which
    /// their own programs check) whose enumerated attribute has a value ONNX does not define.
    static func check(_ graph: Graph) throws(EngineError) {
        var problems: [String] = []
        for node in graph.nodes where node.domain.isEmpty || node.domain == "ai.onnx" {
            guard let rules = allowed[node.opType] else { continue }
            for (name, values) in rules.sorted(by: { $0.key < $1.key }) {
                guard let attribute = node.attributes[name] else { continue }
                guard case .string(let value) = attribute else {
                    problems.append("node '\(node.displayName)' (\(node.opType)): attribute '\(name)' must be a string, got \(attribute.typeName)")
                    continue
                }
                // Some exporters write an empty `auto_pad` for the default (NOTSET).
                if !values.contains(value) && !(name == "auto_pad" && value.isEmpty) {
                    problems.append("node '\(node.displayName)' (\(node.opType)): attribute '\(name)' is '\(value)', expected one of \(values.sorted().joined(separator: ", "))")
                }
            }
        }
        if !problems.isEmpty { throw .invalidGraph(problems.joined(separator: "; ")) }
    }
}
