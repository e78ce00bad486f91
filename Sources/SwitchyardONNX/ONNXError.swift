/// Why a file could not be read as an ONNX model.
public enum ONNXError: Error, Sendable, CustomStringConvertible {
    /// Not a protobuf `ModelProto`: random bytes, a truncated file, another format.
    case notAModel(path: String, reason: String)
    /// A well-formed protobuf that breaks ONNX's rules (no graph, an unknown data type, …).
    case invalidModel(String)
    /// A tensor's `external_data` could not be read.
    case externalData(String)
    /// The file could not be opened.
    case unreadable(path: String, reason: String)

    public var description: String {
        switch self {
        case .notAModel(let path, let reason): "\(path) is not an ONNX model: \(reason)"
        case .invalidModel(let message): "invalid ONNX model: \(message)"
        case .externalData(let message): "external data: \(message)"
        case .unreadable(let path, let reason): "cannot read \(path): \(reason)"
        }
    }
}
