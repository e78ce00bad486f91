/// Why a file could not be read (or written) as an ONNX model or ONNX test data.
public enum ONNXError: Error, Sendable, CustomStringConvertible {
    /// Not a protobuf `ModelProto`: random bytes, a truncated file, another format.
    case notAModel(path: String, reason: String)
    /// A well-formed protobuf that breaks ONNX's rules (no graph, an unknown data type, …).
    case invalidModel(String)
    /// A valid model that uses something this build does not support (a newer IR version or
    /// opset, a float8 tensor, …).
    case unsupported(String)
    /// A tensor's `external_data` could not be read.
    case externalData(String)
    /// The file could not be opened.
    case unreadable(path: String, reason: String)
    /// A test data file (`test_data_set_N/*.pb`) is not the value it was expected to be.
    case invalidTestData(path: String, reason: String)
    /// A model cannot be written as ONNX.
    case notSerializable(String)

    public var description: String {
        switch self {
        case .notAModel(let path, let reason): "\(path) is not an ONNX model: \(reason)"
        case .invalidModel(let message): "invalid ONNX model: \(message)"
        case .unsupported(let message): "unsupported ONNX model: \(message)"
        case .externalData(let message): "external data: \(message)"
        case .unreadable(let path, let reason): "cannot read \(path): \(reason)"
        case .invalidTestData(let path, let reason): "\(path) is not valid ONNX test data: \(reason)"
        case .notSerializable(let message): "cannot write ONNX model: \(message)"
        }
    }
}
