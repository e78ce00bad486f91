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

/// The declared type of a graph input, output or intermediate value.
public struct ValueInfo: Sendable {
    public var name: String
    /// Element type, when the value is a tensor of known type.
    public var dataType: DataType?
    /// Declared shape; `nil` when the rank itself is unknown.
    public var shape: [Dimension]?
    public var docString: String

    public init(name: String, dataType: DataType? = nil, shape: [Dimension]? = nil, docString: String = "") {
        self.name = name
        self.dataType = dataType
        self.shape = shape
        self.docString = docString
    }
}
