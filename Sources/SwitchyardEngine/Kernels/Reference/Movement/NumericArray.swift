import SwitchyardTensor

/// Arithmetic the computing indexing kernels (CumSum, Einsum, scatter reductions) need, with
/// integer overflow wrapping as in C rather than trapping.
protocol IndexingArithmetic: Comparable, Sendable {
    static var zero: Self { get }
    static var one: Self { get }
    static func plus(_ a: Self, _ b: Self) -> Self
    static func times(_ a: Self, _ b: Self) -> Self
}

extension Double: IndexingArithmetic {
    static var one: Double { 1 }
    static func plus(_ a: Double, _ b: Double) -> Double { a + b }
    static func times(_ a: Double, _ b: Double) -> Double { a * b }
}

extension Int64: IndexingArithmetic {
    static var one: Int64 { 1 }
    static func plus(_ a: Int64, _ b: Int64) -> Int64 { a &+ b }
    static func times(_ a: Int64, _ b: Int64) -> Int64 { a &* b }
}

extension UInt64: IndexingArithmetic {
    static var one: UInt64 { 1 }
    static func plus(_ a: UInt64, _ b: UInt64) -> UInt64 { a &+ b }
    static func times(_ a: UInt64, _ b: UInt64) -> UInt64 { a &* b }
}

/// The elements of a numeric tensor in a type wide enough to compute on: `Double` for the
/// floating-point types, `Int64` for bool and the integers, `UInt64` for uint64.
enum NumericArray {
    case real([Double])
    case signed([Int64])
    case unsigned([UInt64])

    init(_ tensor: Tensor, op: String) throws(KernelError) {
        switch tensor.dataType {
        case .string: throw .unsupported("\(op): string tensors have no arithmetic")
        case .uint64: self = .unsigned(tensor.scalars(as: UInt64.self))
        case let type where type.isFloatingPoint: self = .real(tensor.doubles())
        default: self = .signed(tensor.int64s())
        }
    }

    /// A tensor of `dataType` (the one this array was read from) holding these values.
    func tensor(_ dataType: DataType, shape: [Int]) -> Tensor {
        switch self {
        case .real(let values): Tensor(dataType: dataType, shape: shape, doubles: values)
        case .signed(let values): Tensor(dataType: dataType, shape: shape, int64s: values)
        case .unsigned(let values): Tensor(shape: shape, scalars: values)
        }
    }
}

/// How a scatter combines an update with the element already there (`reduction` attribute).
enum ScatterReduction: String {
    case none, add, mul, max, min

    init(_ context: OpContext) throws(KernelError) {
        let name = try context.string("reduction", default: "none")
        guard let reduction = ScatterReduction(rawValue: name) else {
            throw .invalidArgument("\(context.node.opType): reduction '\(name)' is not one of none, add, mul, max, min")
        }
        self = reduction
    }

    func combine<T: IndexingArithmetic>(_ existing: T, _ update: T) -> T {
        switch self {
        case .none: update
        case .add: T.plus(existing, update)
        case .mul: T.times(existing, update)
        case .max: Swift.max(existing, update)
        case .min: Swift.min(existing, update)
        }
    }
}
