import SwitchyardTensor

/// The KServe v2 datatype names ("FP32", "INT64", "BYTES", …) of the engine's element types, as
/// the HTTP/gRPC protocols and `ModelMetadata` spell them.
extension DataType {
    /// The KServe v2 name of this type; strings are "BYTES".
    public var kserveName: String {
        switch self {
        case .bool: "BOOL"
        case .uint8: "UINT8"
        case .uint16: "UINT16"
        case .uint32: "UINT32"
        case .uint64: "UINT64"
        case .int8: "INT8"
        case .int16: "INT16"
        case .int32: "INT32"
        case .int64: "INT64"
        case .float16: "FP16"
        case .float32: "FP32"
        case .float64: "FP64"
        case .bfloat16: "BF16"
        case .string: "BYTES"
        }
    }

    /// The type a KServe v2 datatype name denotes ("FP32" → `.float32`, "BYTES" → `.string`);
    /// nil for a name KServe does not define. Names are case-sensitive, as in the protocol.
    public init?(kserveName: String) {
        guard let match = DataType.allCases.first(where: { $0.kserveName == kserveName }) else { return nil }
        self = match
    }

    /// Every KServe v2 datatype name, for messages: "BOOL, UINT8, …, BYTES".
    public static var kserveNames: String {
        allCases.map(\.kserveName).joined(separator: ", ")
    }
}

/// The model configuration's `data_type` values (`TYPE_FP32`, …) and the engine's element types.
extension Inference_DataType {
    /// The config's type for an engine type (`.string` ↔ `TYPE_STRING`).
    public init(_ dataType: DataType) {
        self = switch dataType {
        case .bool: .typeBool
        case .uint8: .typeUint8
        case .uint16: .typeUint16
        case .uint32: .typeUint32
        case .uint64: .typeUint64
        case .int8: .typeInt8
        case .int16: .typeInt16
        case .int32: .typeInt32
        case .int64: .typeInt64
        case .float16: .typeFp16
        case .float32: .typeFp32
        case .float64: .typeFp64
        case .bfloat16: .typeBf16
        case .string: .typeString
        }
    }

    /// The engine type this config type denotes; nil for `TYPE_INVALID` and unrecognized values.
    public var tensorDataType: DataType? {
        switch self {
        case .typeBool: .bool
        case .typeUint8: .uint8
        case .typeUint16: .uint16
        case .typeUint32: .uint32
        case .typeUint64: .uint64
        case .typeInt8: .int8
        case .typeInt16: .int16
        case .typeInt32: .int32
        case .typeInt64: .int64
        case .typeFp16: .float16
        case .typeFp32: .float32
        case .typeFp64: .float64
        case .typeBf16: .bfloat16
        case .typeString: .string
        case .typeInvalid, .UNRECOGNIZED: nil
        }
    }

    /// The name config.pbtxt uses for this value (`TYPE_FP32`), or the raw number when the
    /// value is not one Switchyard knows.
    public var configName: String {
        switch self {
        case .typeInvalid: "TYPE_INVALID"
        case .typeString: "TYPE_STRING"
        case .UNRECOGNIZED(let value): "\(value)"
        default: tensorDataType.map { "TYPE_" + $0.kserveName } ?? "\(rawValue)"
        }
    }
}
