import SwitchyardTensor

/// An operator that a model uses and the engine cannot run.
public struct UnsupportedOperator: Sendable, Hashable, CustomStringConvertible {
    public var opType: String
    public var domain: String
    public var nodeName: String
    public var opset: Int

    public var description: String {
        "\(domain.isEmpty ? "" : domain + ".")\(opType) (node '\(nodeName)', opset \(opset))"
    }
}

/// Errors the engine reports to its users: at load time (the model) and at run time (the
/// inputs, a failing node). Each message says what was expected and what was found.
public enum EngineError: Error, Sendable, CustomStringConvertible {
    /// The model uses operators with no kernel; all of them are listed at once.
    case unsupportedOperators([UnsupportedOperator])
    /// The graph is malformed: a value used before it is produced, a duplicate output, …
    case invalidGraph(String)
    /// A run's inputs do not match the model's: unknown or missing names, wrong dtype or shape.
    case inputMismatch(String)
    /// A node failed while running.
    case nodeFailed(node: String, opType: String, reason: String)

    public var description: String {
        switch self {
        case .unsupportedOperators(let ops):
            "the model uses \(ops.count) unsupported operator\(ops.count == 1 ? "" : "s"): "
                + ops.map(\.description).joined(separator: "; ")
        case .invalidGraph(let message): "invalid graph: \(message)"
        case .inputMismatch(let message): "input mismatch: \(message)"
        case .nodeFailed(let node, let opType, let reason): "node '\(node)' (\(opType)) failed: \(reason)"
        }
    }
}
