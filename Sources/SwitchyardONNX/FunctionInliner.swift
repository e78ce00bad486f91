/// Replaces calls to model-local functions (`ModelProto.functions`) with the functions' bodies,
/// so the engine sees primitive operators only.
///
/// Each call gets its own copy of the body: formal inputs and outputs become the call's actual
/// names, every other value (in nested subgraphs too) gets a fresh name unused anywhere in the
/// model, and attributes that refer to the function's attributes (`ref_attr_name`) take the
/// call's value or the function's default. Functions may call functions; recursion is an error.
struct FunctionInliner {
    private struct Key: Hashable {
        let domain: String
        let name: String
        let overload: String
    }

    private let functions: [Key: Onnx_FunctionProto]
    private var usedNames: Set<String>
    private var callCount = 0
    private var inlinedNodeCount = 0
    /// Functions calling functions can multiply nodes exponentially; past this many inlined
    /// nodes the model is refused instead of exhausting memory.
    static let maximumInlinedNodes = 2_000_000

    /// The functions of `model`, checked for duplicates.
    init(model: Onnx_ModelProto) throws(ONNXError) {
        var functions: [Key: Onnx_FunctionProto] = [:]
        for function in model.functions {
            guard !function.name.isEmpty else { throw .invalidModel("a model-local function has no name") }
            let key = Key(domain: GraphDecoder.canonicalDomain(function.domain), name: function.name, overload: function.overload)
            guard functions[key] == nil else {
                throw .invalidModel("two model-local functions are named '\(function.name)' in domain '\(function.domain)'")
            }
            functions[key] = function
        }
        self.functions = functions
        usedNames = []
        if !functions.isEmpty { Self.collectNames(of: model.graph, into: &usedNames) }
    }

    /// `graph` with every function call, at any depth, replaced by the function's body.
    mutating func inline(_ graph: Onnx_GraphProto) throws(ONNXError) -> Onnx_GraphProto {
        guard !functions.isEmpty else { return graph }
        var graph = graph
        graph.node = try expand(graph.node, callers: [])
        return graph
    }

    private mutating func expand(_ nodes: [Onnx_NodeProto], callers: [Key]) throws(ONNXError) -> [Onnx_NodeProto] {
        var result: [Onnx_NodeProto] = []
        result.reserveCapacity(nodes.count)
        for var node in nodes {
            for index in node.attribute.indices {
                if node.attribute[index].hasG {
                    node.attribute[index].g.node = try expand(node.attribute[index].g.node, callers: callers)
                }
                for graphIndex in node.attribute[index].graphs.indices {
                    node.attribute[index].graphs[graphIndex].node =
                        try expand(node.attribute[index].graphs[graphIndex].node, callers: callers)
                }
            }
            let key = Key(domain: GraphDecoder.canonicalDomain(node.domain), name: node.opType, overload: node.overload)
            guard let function = functions[key] else {
                result.append(node)
                continue
            }
            if callers.contains(key) {
                throw .invalidModel("model-local function '\(function.name)' calls itself (through \(callers.map(\.name).joined(separator: " -> "))); recursive functions cannot be inlined")
            }
            let body = try instantiate(function, call: node)
            inlinedNodeCount += body.count
            guard inlinedNodeCount <= Self.maximumInlinedNodes else {
                throw .unsupported("inlining model-local functions produces more than \(Self.maximumInlinedNodes) nodes")
            }
            result += try expand(body, callers: callers + [key])
        }
        return result
    }

    /// A copy of `function`'s body wired to `call`'s inputs, outputs and attributes.
    private mutating func instantiate(_ function: Onnx_FunctionProto, call: Onnx_NodeProto) throws(ONNXError) -> [Onnx_NodeProto] {
        callCount += 1
        let callLabel = call.name.isEmpty ? "\(function.name)_\(callCount)" : call.name
        guard call.input.count <= function.input.count, call.output.count <= function.output.count else {
            throw .invalidModel("node '\(callLabel)' calls function '\(function.name)' with \(call.input.count) inputs and \(call.output.count) outputs; it takes at most \(function.input.count) and \(function.output.count)")
        }
        var renaming = Renaming(prefix: "\(callLabel)/")
        for (index, formal) in function.input.enumerated() {
            renaming.fixed[formal] = index < call.input.count ? call.input[index] : ""
        }
        for (index, formal) in function.output.enumerated() where index < call.output.count {
            renaming.fixed[formal] = call.output[index]
        }
        var values: [String: Onnx_AttributeProto] = [:]
        for attribute in function.attributeProto { values[attribute.name] = attribute }
        for attribute in call.attribute { values[attribute.name] = attribute }
        let declared = Set(function.attribute).union(function.attributeProto.map(\.name))
        for name in values.keys where !declared.contains(name) {
            throw .invalidModel("node '\(callLabel)' passes attribute '\(name)' to function '\(function.name)', which declares only \(declared.sorted())")
        }

        var body: [Onnx_NodeProto] = []
        for node in function.node {
            var copy = node
            copy.name = callLabel + "/" + (node.name.isEmpty ? node.opType : node.name)
            rename(&copy, with: &renaming, attributes: values)
            body.append(copy)
        }
        return body
    }

    /// Renames the values `node` reads and writes, recursing into its subgraphs, and resolves
    /// its `ref_attr_name` attributes from `attributes` (dropping those with no value).
    private mutating func rename(
        _ node: inout Onnx_NodeProto, with renaming: inout Renaming, attributes: [String: Onnx_AttributeProto]
    ) {
        node.input = node.input.map { renaming.name(for: $0, avoiding: &usedNames) }
        node.output = node.output.map { renaming.name(for: $0, avoiding: &usedNames) }
        var resolved: [Onnx_AttributeProto] = []
        for var attribute in node.attribute {
            if !attribute.refAttrName.isEmpty {
                // Values from the call site belong to the caller's scope: never renamed.
                guard var value = attributes[attribute.refAttrName] else { continue }
                value.name = attribute.name
                resolved.append(value)
                continue
            }
            if attribute.hasG { rename(&attribute.g, with: &renaming, attributes: attributes) }
            for index in attribute.graphs.indices {
                rename(&attribute.graphs[index], with: &renaming, attributes: attributes)
            }
            resolved.append(attribute)
        }
        node.attribute = resolved
    }

    private mutating func rename(
        _ graph: inout Onnx_GraphProto, with renaming: inout Renaming, attributes: [String: Onnx_AttributeProto]
    ) {
        for index in graph.input.indices {
            graph.input[index].name = renaming.name(for: graph.input[index].name, avoiding: &usedNames)
        }
        for index in graph.output.indices {
            graph.output[index].name = renaming.name(for: graph.output[index].name, avoiding: &usedNames)
        }
        for index in graph.valueInfo.indices {
            graph.valueInfo[index].name = renaming.name(for: graph.valueInfo[index].name, avoiding: &usedNames)
        }
        for index in graph.initializer.indices {
            graph.initializer[index].name = renaming.name(for: graph.initializer[index].name, avoiding: &usedNames)
        }
        for index in graph.sparseInitializer.indices {
            graph.sparseInitializer[index].values.name =
                renaming.name(for: graph.sparseInitializer[index].values.name, avoiding: &usedNames)
        }
        for index in graph.node.indices {
            rename(&graph.node[index], with: &renaming, attributes: attributes)
        }
    }

    /// Every value name in `graph` and its subgraphs.
    private static func collectNames(of graph: Onnx_GraphProto, into names: inout Set<String>) {
        for info in graph.input + graph.output + graph.valueInfo { names.insert(info.name) }
        for tensor in graph.initializer { names.insert(tensor.name) }
        for sparse in graph.sparseInitializer { names.insert(sparse.values.name) }
        for node in graph.node {
            names.formUnion(node.input)
            names.formUnion(node.output)
            for attribute in node.attribute {
                if attribute.hasG { collectNames(of: attribute.g, into: &names) }
                for subgraph in attribute.graphs { collectNames(of: subgraph, into: &names) }
            }
        }
    }
}

/// The names of one inlined call: formals map to the call's names, everything else to a fresh
/// name built from `prefix`.
private struct Renaming {
    let prefix: String
    var fixed: [String: String] = [:]

    mutating func name(for original: String, avoiding used: inout Set<String>) -> String {
        if original.isEmpty { return "" }
        if let mapped = fixed[original] { return mapped }
        var candidate = prefix + original
        var suffix = 1
        while used.contains(candidate) {
            suffix += 1
            candidate = "\(prefix)\(original)_\(suffix)"
        }
        used.insert(candidate)
        fixed[original] = candidate
        return candidate
    }
}
