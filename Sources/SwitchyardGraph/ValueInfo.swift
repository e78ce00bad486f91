import SwitchyardTensor

/// One dimension of a declared shape.
public enum Dimension: Sendable, Hashable, CustomStringConvertible {
    /// A fixed size.
    case fixed(Int)
    /// A named free dimension (`batch`, `N`); equal names are equal sizes.
    case symbolic(String)
    /// A free dimension with no name.
    case unknown

    public var fixedValue: Int? {
        if case .fixed(let value) = self { return value }
        return nil
    }

    public var description: String {
        switch self {
        case .fixed(let value): "\(value)"
        case .symbolic(let name): name
        case .unknown: "?"
        }
    }
}

/// What kind of value a declared type describes. The engine runs tensors; ONNX models and test
/// data also declare sequences, maps, optionals and sparse tensors.
public indirect enum ValueKind: Sendable, Hashable, CustomStringConvertible {
    case tensor
    case sparseTensor
    case sequence(of: ValueKind)
    /// A map from `key` (an integer or string type) to values of kind `value`.
    case map(key: DataType, value: ValueKind)
    case optional(of: ValueKind)
    /// A type this build does not model (ONNX's opaque types).
    case opaque

    public var description: String {
        switch self {
        case .tensor: "tensor"
        case .sparseTensor: "sparse_tensor"
        case .sequence(let element): "seq(\(element))"
        case .map(let key, let value): "map(\(key), \(value))"
        case .optional(let element): "optional(\(element))"
        case .opaque: "opaque"
        }
    }
}

/// The declared type of a graph input, output or intermediate value.
public struct ValueInfo: Sendable {
    public var name: String
    /// Element type, when the value is a tensor of known type (or, for a sequence or optional
    /// of tensors, the innermost tensor's element type).
    public var dataType: DataType?
    /// Declared shape; `nil` when the rank itself is unknown.
    public var shape: [Dimension]?
    /// Tensor, sequence, map, optional…; `dataType` and `shape` describe the innermost tensor.
    public var kind: ValueKind
    public var docString: String

    public init(
        name: String, dataType: DataType? = nil, shape: [Dimension]? = nil, kind: ValueKind = .tensor,
        docString: String = ""
    ) {
        self.name = name
        self.dataType = dataType
        self.shape = shape
        self.kind = kind
        self.docString = docString
    }
}
