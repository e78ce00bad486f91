/// A Swift type that is the element of a tensor of one `DataType`.
public protocol TensorScalar: Sendable {
    static var dataType: DataType { get }
}

extension Float: TensorScalar { public static var dataType: DataType { .float32 } }
extension Double: TensorScalar { public static var dataType: DataType { .float64 } }
extension Float16: TensorScalar { public static var dataType: DataType { .float16 } }
extension BFloat16: TensorScalar { public static var dataType: DataType { .bfloat16 } }
extension Int8: TensorScalar { public static var dataType: DataType { .int8 } }
extension UInt8: TensorScalar { public static var dataType: DataType { .uint8 } }
extension Int16: TensorScalar { public static var dataType: DataType { .int16 } }
extension UInt16: TensorScalar { public static var dataType: DataType { .uint16 } }
extension Int32: TensorScalar { public static var dataType: DataType { .int32 } }
extension UInt32: TensorScalar { public static var dataType: DataType { .uint32 } }
extension Int64: TensorScalar { public static var dataType: DataType { .int64 } }
extension UInt64: TensorScalar { public static var dataType: DataType { .uint64 } }
extension Bool: TensorScalar { public static var dataType: DataType { .bool } }
