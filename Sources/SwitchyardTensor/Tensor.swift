/// An n-dimensional array: a shape, an element type and row-major (C order) storage.
///
/// `Tensor` is a value type; copies share storage until one of them is written
/// (copy-on-write), so passing tensors around is cheap. A rank-0 tensor (shape `[]`) holds one
/// scalar.
public struct Tensor: Sendable {
    public private(set) var shape: [Int]
    public let dataType: DataType
    public private(set) var storage: TensorStorage

    /// A tensor of zeros (empty strings for `string`).
    public init(zeros dataType: DataType, shape: [Int]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in \(shape)")
        self.shape = shape
        self.dataType = dataType
        let count = shape.reduce(1, *)
        if dataType == .string {
            storage = TensorStorage(strings: Array(repeating: "", count: count))
        } else {
            storage = TensorStorage(byteCount: count * dataType.byteSize)
        }
    }

    /// A tensor whose bytes the caller writes in full before reading (no zero fill).
    public init(uninitialized dataType: DataType, shape: [Int]) {
        precondition(dataType != .string, "string tensors cannot be uninitialized")
        precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in \(shape)")
        self.shape = shape
        self.dataType = dataType
        storage = TensorStorage(uninitializedByteCount: shape.reduce(1, *) * dataType.byteSize)
    }

    /// A tensor holding `scalars` in row-major order.
    public init<T: TensorScalar>(shape: [Int], scalars: [T]) {
        precondition(shape.reduce(1, *) == scalars.count,
                     "shape \(shape) holds \(shape.reduce(1, *)) elements, got \(scalars.count)")
        self.init(uninitialized: T.dataType, shape: shape)
        scalars.withUnsafeBytes { storage.bytes.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
    }

    /// A rank-0 tensor holding one scalar.
    public init<T: TensorScalar>(scalar: T) {
        self.init(shape: [], scalars: [scalar])
    }

    /// A `string` tensor.
    public init(shape: [Int], strings: [String]) {
        precondition(shape.reduce(1, *) == strings.count)
        self.shape = shape
        dataType = .string
        storage = TensorStorage(strings: strings)
    }

    /// A tensor whose bytes are copied from `bytes` (little-endian, row-major).
    public init(dataType: DataType, shape: [Int], bytes: UnsafeRawBufferPointer) {
        self.init(uninitialized: dataType, shape: shape)
        precondition(bytes.count == byteCount, "\(bytes.count) bytes for \(byteCount)-byte tensor")
        if byteCount > 0 { storage.bytes.copyMemory(from: bytes.baseAddress!, byteCount: byteCount) }
    }

    /// A tensor over existing storage (no copy). The storage must hold at least `byteCount` bytes.
    public init(dataType: DataType, shape: [Int], storage: TensorStorage) {
        precondition(storage.byteCount >= shape.reduce(1, *) * dataType.byteSize || dataType == .string)
        self.shape = shape
        self.dataType = dataType
        self.storage = storage
    }

    /// Number of elements.
    public var count: Int { shape.reduce(1, *) }
    public var rank: Int { shape.count }
    /// Bytes of element data (0 for strings).
    public var byteCount: Int { dataType == .string ? 0 : count * dataType.byteSize }

    /// The same elements viewed with another shape of equal element count; shares storage.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        precondition(newShape.reduce(1, *) == count, "cannot reshape \(shape) to \(newShape)")
        var copy = self
        copy.shape = newShape
        return copy
    }

    // MARK: Element access

    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(start: storage.bytes, count: byteCount))
    }

    public mutating func withUnsafeMutableBytes<R>(_ body: (UnsafeMutableRawBufferPointer) throws -> R) rethrows -> R {
        makeUnique()
        return try body(UnsafeMutableRawBufferPointer(start: storage.bytes, count: byteCount))
    }

    public func withUnsafeBufferPointer<T: TensorScalar, R>(
        of type: T.Type, _ body: (UnsafeBufferPointer<T>) throws -> R
    ) rethrows -> R {
        precondition(T.dataType == dataType, "reading \(dataType) tensor as \(T.dataType)")
        return try body(UnsafeBufferPointer(start: storage.bytes.assumingMemoryBound(to: T.self), count: count))
    }

    public mutating func withUnsafeMutableBufferPointer<T: TensorScalar, R>(
        of type: T.Type, _ body: (UnsafeMutableBufferPointer<T>) throws -> R
    ) rethrows -> R {
        precondition(T.dataType == dataType, "writing \(dataType) tensor as \(T.dataType)")
        makeUnique()
        return try body(UnsafeMutableBufferPointer(start: storage.bytes.assumingMemoryBound(to: T.self), count: count))
    }

    /// The elements as a Swift array. `T` must match `dataType`.
    public func scalars<T: TensorScalar>(as type: T.Type) -> [T] {
        withUnsafeBufferPointer(of: T.self) { Array($0) }
    }

    /// The elements of a `string` tensor.
    public var strings: [String] {
        get {
            precondition(dataType == .string, "strings of a \(dataType) tensor")
            return storage.strings
        }
        set {
            precondition(dataType == .string && newValue.count == count)
            makeUnique()
            storage.strings = newValue
        }
    }

    /// True when no other tensor shares this one's storage and it may be written in place.
    public mutating func isUniquelyReferenced() -> Bool { isKnownUniquelyReferenced(&storage) && !storage.isReadOnly }

    private mutating func makeUnique() {
        if !isUniquelyReferenced() { storage = storage.copy() }
    }
}

extension Tensor: CustomStringConvertible {
    public var description: String { "Tensor<\(dataType)>\(shape)" }
}
