import SwitchyardTensor

/// A computation graph: nodes in topological order, its inputs and outputs, and its constant
/// tensors (initializers). Subgraphs of `If`, `Loop` and `Scan` are graphs too; they may read
/// values of the enclosing graphs by name.
public struct Graph: Sendable {
    public var name: String
    public var nodes: [Node]
    /// Runtime inputs (names that are also initializers are not listed here).
    public var inputs: [ValueInfo]
    public var outputs: [ValueInfo]
    /// Constant tensors by value name.
    public var initializers: [String: Tensor]
    /// Declared types of intermediate values, by name.
    public var valueInfo: [String: ValueInfo]
    public var docString: String

    public init(
        name: String = "", nodes: [Node] = [], inputs: [ValueInfo] = [], outputs: [ValueInfo] = [],
        initializers: [String: Tensor] = [:], valueInfo: [String: ValueInfo] = [:], docString: String = ""
    ) {
        self.name = name
        self.nodes = nodes
        self.inputs = inputs
        self.outputs = outputs
        self.initializers = initializers
        self.valueInfo = valueInfo
        self.docString = docString
    }

    /// Every node in this graph and, recursively, in its subgraphs.
    public func allNodes() -> [Node] {
        var result: [Node] = []
        for node in nodes {
            result.append(node)
            for attribute in node.attributes.values {
                switch attribute {
                case .graph(let graph): result += graph.allNodes()
                case .graphs(let graphs): for graph in graphs { result += graph.allNodes() }
                default: break
                }
            }
        }
        return result
    }

    /// Bytes held by the initializers.
    public var initializerBytes: Int { initializers.values.reduce(0) { $0 + $1.byteCount } }
}
