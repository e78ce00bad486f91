/// What a kernel throws when it cannot compute a node. The engine adds the node's name and
/// op type before the error reaches the user.
public enum KernelError: Error, Sendable, CustomStringConvertible, Equatable {
    /// Inputs or attributes that break the operator's specification (wrong rank, bad axis,
    /// mismatched shapes). The message names the input or attribute and what was expected.
    case invalidArgument(String)
    /// Valid per the specification, but not implemented here (an attribute value, a data type).
    case unsupported(String)

    public var description: String {
        switch self {
        case .invalidArgument(let message): "invalid argument: \(message)"
        case .unsupported(let message): "unsupported: \(message)"
        }
    }
}
