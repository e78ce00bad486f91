/// Element-type conversion with ONNX `Cast` semantics: floats to integers truncate toward zero
/// and saturate at the target's range (NaN becomes 0); integers convert exactly where the
/// target can hold them and wrap otherwise, as C casts do.
extension Tensor {
    /// The elements as `Double` (bool becomes 0 or 1). 64-bit integers beyond 2^53 round.
    public func doubles() -> [Double] {
        switch dataType {
        case .float32: withUnsafeBufferPointer(of: Float.self) { $0.map(Double.init) }
        case .float64: scalars(as: Double.self)
        case .float16: withUnsafeBufferPointer(of: Float16.self) { $0.map { Double(Float($0)) } }
        case .bfloat16: withUnsafeBufferPointer(of: BFloat16.self) { $0.map { Double($0.floatValue) } }
        case .int8: withUnsafeBufferPointer(of: Int8.self) { $0.map(Double.init) }
        case .uint8: withUnsafeBufferPointer(of: UInt8.self) { $0.map(Double.init) }
        case .int16: withUnsafeBufferPointer(of: Int16.self) { $0.map(Double.init) }
        case .uint16: withUnsafeBufferPointer(of: UInt16.self) { $0.map(Double.init) }
        case .int32: withUnsafeBufferPointer(of: Int32.self) { $0.map(Double.init) }
        case .uint32: withUnsafeBufferPointer(of: UInt32.self) { $0.map(Double.init) }
        case .int64: withUnsafeBufferPointer(of: Int64.self) { $0.map(Double.init) }
        // A closure, not `Double.init`, which would resolve to `init(bitPattern:)` for UInt64.
        case .uint64: withUnsafeBufferPointer(of: UInt64.self) { $0.map { Double($0) } }
        case .bool: withUnsafeBufferPointer(of: Bool.self) { $0.map { $0 ? 1 : 0 } }
        case .string: strings.map { Double($0) ?? .nan }
        }
    }

    /// The elements as `Float`.
    public func floats() -> [Float] {
        if dataType == .float32 { return scalars(as: Float.self) }
        return doubles().map { Float($0) }
    }

    /// The elements of an integer or bool tensor as `Int64`, exactly (uint64 wraps). Floats
    /// truncate toward zero.
    public func int64s() -> [Int64] {
        switch dataType {
        case .int64: scalars(as: Int64.self)
        case .int32: withUnsafeBufferPointer(of: Int32.self) { $0.map(Int64.init) }
        case .uint64: withUnsafeBufferPointer(of: UInt64.self) { $0.map { Int64(bitPattern: $0) } }
        case .int8: withUnsafeBufferPointer(of: Int8.self) { $0.map(Int64.init) }
        case .uint8: withUnsafeBufferPointer(of: UInt8.self) { $0.map(Int64.init) }
        case .int16: withUnsafeBufferPointer(of: Int16.self) { $0.map(Int64.init) }
        case .uint16: withUnsafeBufferPointer(of: UInt16.self) { $0.map(Int64.init) }
        case .uint32: withUnsafeBufferPointer(of: UInt32.self) { $0.map(Int64.init) }
        case .bool: withUnsafeBufferPointer(of: Bool.self) { $0.map { $0 ? 1 : 0 } }
        default: doubles().map(saturatingInt64)
        }
    }

    /// The elements as `Int` (for shapes, axes and indices).
    public func ints() -> [Int] { int64s().map { Int($0) } }

    /// A tensor of `dataType` from `Double` values, converted with `Cast` semantics.
    public init(dataType: DataType, shape: [Int], doubles values: [Double]) {
        switch dataType {
        case .float32: self.init(shape: shape, scalars: values.map { Float($0) })
        case .float64: self.init(shape: shape, scalars: values)
        case .float16: self.init(shape: shape, scalars: values.map { Float16(Float($0)) })
        case .bfloat16: self.init(shape: shape, scalars: values.map { BFloat16(Float($0)) })
        case .int8: self.init(shape: shape, scalars: values.map(saturating) as [Int8])
        case .uint8: self.init(shape: shape, scalars: values.map(saturating) as [UInt8])
        case .int16: self.init(shape: shape, scalars: values.map(saturating) as [Int16])
        case .uint16: self.init(shape: shape, scalars: values.map(saturating) as [UInt16])
        case .int32: self.init(shape: shape, scalars: values.map(saturating) as [Int32])
        case .uint32: self.init(shape: shape, scalars: values.map(saturating) as [UInt32])
        case .int64: self.init(shape: shape, scalars: values.map(saturatingInt64))
        case .uint64: self.init(shape: shape, scalars: values.map(saturating) as [UInt64])
        case .bool: self.init(shape: shape, scalars: values.map { $0 != 0 })
        case .string: self.init(shape: shape, strings: values.map { String($0) })
        }
    }

    /// A tensor of `dataType` from `Int64` values (exact for every integer type that holds them).
    public init(dataType: DataType, shape: [Int], int64s values: [Int64]) {
        switch dataType {
        case .int64: self.init(shape: shape, scalars: values)
        case .int32: self.init(shape: shape, scalars: values.map { Int32(truncatingIfNeeded: $0) })
        case .int8: self.init(shape: shape, scalars: values.map { Int8(truncatingIfNeeded: $0) })
        case .uint8: self.init(shape: shape, scalars: values.map { UInt8(truncatingIfNeeded: $0) })
        case .int16: self.init(shape: shape, scalars: values.map { Int16(truncatingIfNeeded: $0) })
        case .uint16: self.init(shape: shape, scalars: values.map { UInt16(truncatingIfNeeded: $0) })
        case .uint32: self.init(shape: shape, scalars: values.map { UInt32(truncatingIfNeeded: $0) })
        case .uint64: self.init(shape: shape, scalars: values.map { UInt64(bitPattern: $0) })
        case .bool: self.init(shape: shape, scalars: values.map { $0 != 0 })
        case .string: self.init(shape: shape, strings: values.map { String($0) })
        default: self.init(dataType: dataType, shape: shape, doubles: values.map(Double.init))
        }
    }

    /// This tensor converted to `target` with `Cast` semantics (a shared copy when equal).
    public func converted(to target: DataType) -> Tensor {
        if target == dataType { return self }
        if target == .float32 && dataType == .float16 {
            return Tensor(shape: shape, scalars: withUnsafeBufferPointer(of: Float16.self) { $0.map(Float.init) })
        }
        if target == .float16 && dataType == .float32 {
            return Tensor(shape: shape, scalars: withUnsafeBufferPointer(of: Float.self) { $0.map { Float16($0) } })
        }
        if target == .float32 && dataType == .bfloat16 {
            return Tensor(shape: shape, scalars: withUnsafeBufferPointer(of: BFloat16.self) { $0.map(\.floatValue) })
        }
        if target == .bfloat16 && dataType == .float32 {
            return Tensor(shape: shape, scalars: withUnsafeBufferPointer(of: Float.self) { $0.map { BFloat16($0) } })
        }
        if (dataType.isInteger || dataType == .bool) && (target.isInteger || target == .bool || target == .string) {
            return Tensor(dataType: target, shape: shape, int64s: int64s())
        }
        return Tensor(dataType: target, shape: shape, doubles: doubles())
    }
}

/// Truncates toward zero and clamps to `T`'s range; NaN becomes 0.
@inline(__always)
func saturating<T: FixedWidthInteger>(_ value: Double) -> T {
    if value.isNaN { return 0 }
    if value >= Double(T.max) { return T.max }
    if value <= Double(T.min) { return T.min }
    return T(value)
}

/// Truncates toward zero and clamps to Int64's range; NaN becomes 0.
@inline(__always)
func saturatingInt64(_ value: Double) -> Int64 { saturating(value) }

