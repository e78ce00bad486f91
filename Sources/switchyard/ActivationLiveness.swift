import SwitchyardGraph

/// The most bytes of activations alive at once when a graph runs in node order and each value
/// is freed after its last reader (what the engine does): graph inputs and node outputs count,
/// initializers (weights) do not, and graph outputs stay alive to the end.
enum ActivationLiveness {
    /// `bytes` gives the size of each value; values without a size count as 0.
    static func peakBytes(of graph: Graph, bytes: [String: Int]) -> Int {
        var lastReader: [String: Int] = [:]
        for (index, node) in graph.nodes.enumerated() {
            for name in node.inputs where !name.isEmpty { lastReader[name] = index }
            // A subgraph may read any enclosing value; its node holds those values alive.
            for name in subgraphReads(node) { lastReader[name] = index }
        }
        let kept = Set(graph.outputs.map(\.name))
        var live = 0
        for input in graph.inputs where lastReader[input.name] != nil || kept.contains(input.name) {
            live += bytes[input.name] ?? 0
        }
        var peak = live
        for (index, node) in graph.nodes.enumerated() {
            for name in node.outputs where !name.isEmpty { live += bytes[name] ?? 0 }
            peak = max(peak, live)
            var released = Set<String>()
            for name in node.inputs + subgraphReads(node) where lastReader[name] == index && !kept.contains(name)
                && graph.initializers[name] == nil && released.insert(name).inserted {
                live -= bytes[name] ?? 0
            }
            for name in node.outputs where !name.isEmpty && lastReader[name] == nil && !kept.contains(name) {
                live -= bytes[name] ?? 0
            }
        }
        return peak
    }

    /// Every value name read by nodes of `node`'s subgraphs, at any depth (names the subgraphs
    /// define themselves included: they never match an outer value's last reader wrongly,
    /// since ONNX names are unique in a model).
    private static func subgraphReads(_ node: Node) -> [String] {
        var names: [String] = []
        for attribute in node.attributes.values {
            var graphs: [Graph] = []
            switch attribute {
            case .graph(let graph): graphs = [graph]
            case .graphs(let list): graphs = list
            default: continue
            }
            for graph in graphs {
                for inner in graph.allNodes() { names += inner.inputs.filter { !$0.isEmpty } }
                names += graph.outputs.map(\.name)
            }
        }
        return names
    }
}
