import SwitchyardGraph

/// Who produces and who reads each value of one graph (not its subgraphs' locals). A node whose
/// subgraph reads a value of this graph (a capture) counts as a reader of that value, so passes
/// never remove or rewrite something a subgraph still needs.
struct GraphUsage {
    /// Index of the node producing each value.
    private(set) var producer: [String: Int] = [:]
    /// Indices of the nodes reading each value (a node reading a value twice is listed once).
    private(set) var consumers: [String: [Int]] = [:]
    let graphOutputs: Set<String>
    let initializers: Set<String>
    let graphInputs: Set<String>

    init(_ graph: Graph) {
        graphOutputs = Set(graph.outputs.map(\.name))
        initializers = Set(graph.initializers.keys)
        graphInputs = Set(graph.inputs.map(\.name))
        for (index, node) in graph.nodes.enumerated() {
            var read = Set<String>()
            for name in node.inputs where !name.isEmpty { read.insert(name) }
            read.formUnion(node.subgraphCaptures())
            for name in read { consumers[name, default: []].append(index) }
            for name in node.outputs where !name.isEmpty { producer[name] = index }
        }
    }

    func consumers(of name: String) -> [Int] { consumers[name] ?? [] }

    /// True when `name` is read by exactly one node, once, and is not a graph output.
    func hasSingleUse(_ name: String, in graph: Graph) -> Bool {
        guard !graphOutputs.contains(name), let readers = consumers[name], readers.count == 1 else { return false }
        let node = graph.nodes[readers[0]]
        return node.inputs.filter { $0 == name }.count == 1 && !node.subgraphCaptures().contains(name)
    }

    /// True when the value is read by nodes only (not a graph output) and every reader is in `nodes`.
    func isConsumedOnly(by nodes: Set<Int>, _ name: String) -> Bool {
        !graphOutputs.contains(name) && Set(consumers(of: name)) == nodes
    }
}

extension Node {
    /// The subgraphs held by this node's attributes.
    var subgraphs: [Graph] {
        attributes.keys.sorted().flatMap { key -> [Graph] in
            switch attributes[key]! {
            case .graph(let graph): [graph]
            case .graphs(let graphs): graphs
            default: []
            }
        }
    }

    /// Names this node's subgraphs read from enclosing scopes.
    func subgraphCaptures() -> Set<String> {
        var names = Set<String>()
        for graph in subgraphs { names.formUnion(graph.freeNames()) }
        return names
    }

    /// Applies `transform` to every subgraph attribute.
    mutating func transformSubgraphs(_ transform: (inout Graph) throws -> Void) rethrows {
        for key in attributes.keys.sorted() {
            switch attributes[key]! {
            case .graph(var graph):
                try transform(&graph)
                attributes[key] = .graph(graph)
            case .graphs(var graphs):
                for index in graphs.indices { try transform(&graphs[index]) }
                attributes[key] = .graphs(graphs)
            default: break
            }
        }
    }
}

extension Graph {
    /// Names defined in this graph itself: inputs, initializers and node outputs.
    var definedNames: Set<String> {
        var names = Set(inputs.map(\.name)).union(initializers.keys)
        for node in nodes { for name in node.outputs where !name.isEmpty { names.insert(name) } }
        return names
    }

    /// Names this graph (and its subgraphs) read but do not define: its captures.
    func freeNames() -> Set<String> {
        var read = Set<String>()
        for node in nodes {
            for name in node.inputs where !name.isEmpty { read.insert(name) }
            read.formUnion(node.subgraphCaptures())
        }
        for output in outputs { read.insert(output.name) }
        return read.subtracting(definedNames)
    }

    /// Every name used anywhere in this graph and its subgraphs (for making fresh names).
    func allNames() -> Set<String> {
        var names = definedNames
        for node in nodes {
            names.formUnion(node.inputs)
            for graph in node.subgraphs { names.formUnion(graph.allNames()) }
        }
        names.formUnion(outputs.map(\.name))
        return names
    }

    /// Replaces every read of `old` by `new`, in this graph's nodes and in subgraphs that capture
    /// `old` (a subgraph that defines `old` itself shadows it and is left alone). Graph outputs
    /// are not renamed.
    mutating func replaceUses(of old: String, with new: String) {
        for index in nodes.indices {
            nodes[index].inputs = nodes[index].inputs.map { $0 == old ? new : $0 }
            nodes[index].transformSubgraphs { graph in
                guard !graph.definedNames.contains(old) else { return }
                graph.replaceUses(of: old, with: new)
                graph.outputs = graph.outputs.map { info in
                    var info = info
                    if info.name == old { info.name = new }
                    return info
                }
            }
        }
    }
}

/// Hands out value names that no part of a graph uses yet.
public struct NameAllocator {
    private var used: Set<String>

    public init(_ graph: Graph) { used = graph.allNames() }

    public mutating func fresh(_ base: String) -> String {
        var candidate = base
        var counter = 1
        while used.contains(candidate) {
            candidate = "\(base)_\(counter)"
            counter += 1
        }
        used.insert(candidate)
        return candidate
    }
}
