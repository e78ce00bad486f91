import SwitchyardGraph
import SwitchyardTensor

/// What shape inference knows about one value before running the model.
public struct ValueFact: Sendable {
    /// Element type, when known.
    public var dataType: DataType?
    /// Shape, dimension by dimension; `nil` when even the rank is unknown.
    public var shape: [Dimension]?
    /// The value itself when it is known without running the model (initializers, shape arithmetic).
    public var constant: Tensor?
    /// For integer scalars and vectors that carry dimensions (a `Shape` output and what is
    /// computed from it): each element, possibly symbolic.
    public var elements: [Dimension]?

    public init(dataType: DataType? = nil, shape: [Dimension]? = nil, constant: Tensor? = nil, elements: [Dimension]? = nil) {
        self.dataType = dataType
        self.shape = shape
        self.constant = constant
        self.elements = elements
    }

    /// The fact of a known tensor.
    init(tensor: Tensor) {
        self.init(dataType: tensor.dataType, shape: tensor.shape.map(Dimension.fixed), constant: tensor)
        if tensor.dataType.isInteger && tensor.rank <= 1 && tensor.count <= ValueFact.elementLimit {
            elements = tensor.ints().map(Dimension.fixed)
        }
    }

    /// The fact of a declared value. A dimension named `?` (how paddle2onnx writes "unknown")
    /// names no size: two of them need not be equal.
    init(_ info: ValueInfo) {
        self.init(dataType: info.dataType, shape: info.shape?.map { $0 == .symbolic("?") ? .unknown : $0 })
    }

    /// Vectors longer than this are not tracked element by element.
    static let elementLimit = 64

    /// The concrete shape, when every dimension is fixed.
    public var concreteShape: [Int]? {
        guard let shape else { return nil }
        var result: [Int] = []
        for dimension in shape {
            guard let value = dimension.fixedValue else { return nil }
            result.append(value)
        }
        return result
    }

    /// The elements as integers, when all are known.
    var knownInts: [Int]? {
        if let constant, constant.dataType.isInteger || constant.dataType == .bool { return constant.ints() }
        guard let elements else { return nil }
        var result: [Int] = []
        for element in elements {
            guard let value = element.fixedValue else { return nil }
            result.append(value)
        }
        return result
    }

    /// The same fact without compile-time values (for names seen from an inner scope, which must
    /// never be treated as constants there).
    var withoutValue: ValueFact { ValueFact(dataType: dataType, shape: shape) }

    /// The declared type this fact describes.
    func valueInfo(name: String) -> ValueInfo {
        ValueInfo(name: name, dataType: dataType, shape: shape)
    }

    /// Fills what this fact does not know from `declared` (a model's own value_info).
    func filled(from declared: ValueFact) -> ValueFact {
        var result = self
        if result.dataType == nil { result.dataType = declared.dataType }
        switch (result.shape, declared.shape) {
        case (nil, let other): result.shape = other
        case (let mine?, let other?) where mine.count == other.count:
            result.shape = zip(mine, other).map { $0 == .unknown ? $1 : $0 }
        default: break
        }
        return result
    }
}

/// Arithmetic on possibly symbolic dimensions. Anything that cannot be decided stays unknown.
enum DimensionMath {
    /// NumPy broadcasting of two dimensions.
    static func broadcast(_ a: Dimension, _ b: Dimension) -> Dimension {
        if a == b { return a }
        if a == .fixed(1) { return b }
        if b == .fixed(1) { return a }
        // A fixed size other than 1 wins: the other side must be that size or 1.
        if case .fixed = a, b.fixedValue == nil { return a }
        if case .fixed = b, a.fixedValue == nil { return b }
        return .unknown
    }

    /// NumPy broadcasting of shapes.
    static func broadcast(_ shapes: [[Dimension]]) -> [Dimension] {
        let rank = shapes.map(\.count).max() ?? 0
        var result = [Dimension](repeating: .fixed(1), count: rank)
        for shape in shapes {
            let offset = rank - shape.count
            for (index, dimension) in shape.enumerated() {
                result[offset + index] = broadcast(result[offset + index], dimension)
            }
        }
        return result
    }

    /// The element count of `shape` split into the product of its fixed dimensions and the
    /// multiset of its symbolic names; `nil` when a dimension is unknown.
    static func factor(_ shape: [Dimension]) -> (fixed: Int, symbols: [String])? {
        var fixed = 1
        var symbols: [String] = []
        for dimension in shape {
            switch dimension {
            case .fixed(let value): fixed *= value
            case .symbolic(let name): symbols.append(name)
            case .unknown: return nil
            }
        }
        return (fixed, symbols.sorted())
    }

    static func add(_ a: Dimension, _ b: Int) -> Dimension {
        if let value = a.fixedValue { return .fixed(value + b) }
        return b == 0 ? a : .unknown
    }

    static func multiply(_ a: Dimension, _ b: Dimension) -> Dimension {
        if let x = a.fixedValue, let y = b.fixedValue { return .fixed(x * y) }
        if a == .fixed(1) { return b }
        if b == .fixed(1) { return a }
        return .unknown
    }
}
