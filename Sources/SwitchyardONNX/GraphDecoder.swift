import SwitchyardGraph
import SwitchyardTensor

/// Turns a `GraphProto` (after function inlining) into a `Graph`, recursing into the subgraphs
/// of control-flow attributes.
struct GraphDecoder {
    let tensors: TensorDecoder

    /// `path` locates the graph in messages ("main graph", "then_branch of node 'If_3'").
    func graph(_ proto: Onnx_GraphProto, path: String = "main graph") throws(ONNXError) -> Graph {
        var initializers: [String: Tensor] = [:]
        for (index, initializer) in proto.initializer.enumerated() {
            guard !initializer.name.isEmpty else {
                throw .invalidModel("\(path): initializer #\(index) has no name")
            }
            guard initializers[initializer.name] == nil else {
                throw .invalidModel("\(path): two initializers are named '\(initializer.name)'")
            }
            initializers[initializer.name] = try tensors.tensor(initializer, what: "initializer '\(initializer.name)'")
        }
        for sparse in proto.sparseInitializer {
            let name = sparse.values.name
            guard !name.isEmpty else { throw .invalidModel("\(path): a sparse initializer has no name") }
            guard initializers[name] == nil else {
                throw .invalidModel("\(path): two initializers are named '\(name)'")
            }
            initializers[name] = try tensors.denseTensor(sparse, what: "sparse initializer '\(name)'")
        }

        var nodes: [Node] = []
        nodes.reserveCapacity(proto.node.count)
        for (index, nodeProto) in proto.node.enumerated() {
            nodes.append(try node(nodeProto, index: index, path: path))
        }

        // Before IR 4 every initializer was also listed as an input; they are constants here.
        var inputs: [ValueInfo] = []
        for input in proto.input where initializers[input.name] == nil {
            inputs.append(try ValueInfoDecoder.valueInfo(input, role: "input"))
        }
        var outputs: [ValueInfo] = []
        for output in proto.output {
            outputs.append(try ValueInfoDecoder.valueInfo(output, role: "output"))
        }
        var valueInfo: [String: ValueInfo] = [:]
        for entry in proto.valueInfo {
            valueInfo[entry.name] = try ValueInfoDecoder.valueInfo(entry, role: "value_info")
        }
        return Graph(name: proto.name, nodes: nodes, inputs: inputs, outputs: outputs,
                     initializers: initializers, valueInfo: valueInfo, docString: proto.docString)
    }

    private func node(_ proto: Onnx_NodeProto, index: Int, path: String) throws(ONNXError) -> Node {
        let label = proto.name.isEmpty ? "#\(index)" : "#\(index) '\(proto.name)'"
        guard !proto.opType.isEmpty else {
            throw .invalidModel("\(path): node \(label) has no op_type")
        }
        let what = "node \(label) (\(proto.opType))"
        var attributes: [String: Attribute] = [:]
        for attribute in proto.attribute {
            guard !attribute.name.isEmpty else { throw .invalidModel("\(path): \(what) has an attribute with no name") }
            guard attributes[attribute.name] == nil else {
                throw .invalidModel("\(path): \(what) has two attributes named '\(attribute.name)'")
            }
            if !attribute.refAttrName.isEmpty {
                throw .invalidModel("\(path): \(what) attribute '\(attribute.name)' refers to function attribute '\(attribute.refAttrName)' outside of a function body")
            }
            attributes[attribute.name] = try self.attribute(attribute, owner: "\(path): \(what)")
        }
        return Node(name: proto.name, opType: proto.opType, domain: Self.canonicalDomain(proto.domain),
                    inputs: proto.input, outputs: proto.output, attributes: attributes, docString: proto.docString)
    }

    /// `""` for the default ONNX domain, however the file spells it.
    static func canonicalDomain(_ domain: String) -> String {
        domain == "ai.onnx" ? "" : domain
    }
}
