import SwitchyardGraph

/// `--exclude` (or `--fp16-storage`) entries resolved against a graph: each names an op type or a node.
struct NodeExclusion {
    let opTypes: Set<String>
    let nodeNames: Set<String>

    /// Throws when an entry is neither an op type nor a node name in `graph`, listing near names;
    /// `option` names the flag the entries came from.
    init(_ entries: [String], graph: Graph, option: String = "--exclude") throws(QuantizationError) {
        let ops = Set(graph.nodes.map(\.opType))
        let names = Set(graph.nodes.map(\.name).filter { !$0.isEmpty })
        var opTypes = Set<String>(), nodeNames = Set<String>()
        for entry in entries {
            if ops.contains(entry) { opTypes.insert(entry) }
            if names.contains(entry) { nodeNames.insert(entry) }
            guard ops.contains(entry) || names.contains(entry) else {
                let near = Self.nearest(to: entry, among: ops.union(names))
                throw QuantizationError("\(option) '\(entry)' is neither an op type nor a node name in the model; nearest: \(near.joined(separator: ", "))")
            }
        }
        self.opTypes = opTypes
        self.nodeNames = nodeNames
    }

    func excludes(_ node: Node) -> Bool {
        opTypes.contains(node.opType) || (!node.name.isEmpty && nodeNames.contains(node.name))
    }

    /// Up to `limit` candidates closest to `entry` by edit distance (case-insensitive).
    static func nearest(to entry: String, among candidates: Set<String>, limit: Int = 5) -> [String] {
        let lowered = entry.lowercased()
        return candidates.map { ($0, TextDistance.levenshtein(lowered, $0.lowercased())) }
            .sorted { $0.1 != $1.1 ? $0.1 < $1.1 : $0.0 < $1.0 }
            .prefix(limit).map(\.0)
    }
}
