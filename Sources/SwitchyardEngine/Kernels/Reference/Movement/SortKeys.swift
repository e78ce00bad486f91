import SwitchyardTensor

/// The elements of a tensor of any type, compared in that type's own order (uint64 as
/// unsigned, strings lexicographically, NaN above every number as NumPy sorts it). TopK and
/// Unique sort through it without converting values they then copy out unchanged.
enum SortKeys {
    case real([Double])
    case signed([Int64])
    case unsigned([UInt64])
    case text([String])

    init(_ tensor: Tensor) {
        switch tensor.dataType {
        case .string: self = .text(tensor.strings)
        case .uint64: self = .unsigned(tensor.scalars(as: UInt64.self))
        case let type where type.isFloatingPoint: self = .real(tensor.doubles())
        default: self = .signed(tensor.int64s())
        }
    }

    /// True when element `a` orders before element `b`.
    @inline(__always)
    func less(_ a: Int, _ b: Int) -> Bool {
        switch self {
        case .real(let values):
            let (x, y) = (values[a], values[b])
            return y.isNaN ? !x.isNaN : x < y
        case .signed(let values): return values[a] < values[b]
        case .unsigned(let values): return values[a] < values[b]
        case .text(let values): return values[a] < values[b]
        }
    }

    /// True when elements `a` and `b` are equal (NaNs equal each other, as `np.unique` treats them).
    @inline(__always)
    func equal(_ a: Int, _ b: Int) -> Bool {
        switch self {
        case .real(let values): return values[a] == values[b] || (values[a].isNaN && values[b].isNaN)
        case .signed(let values): return values[a] == values[b]
        case .unsigned(let values): return values[a] == values[b]
        case .text(let values): return values[a] == values[b]
        }
    }
}
