import SwitchyardTensor

/// KServe v2 datatype names ("FP32", "BYTES", …) and the engine's `DataType`.
enum KServeDataType {
    static func dataType(named name: String) -> DataType? {
        switch name {
        case "BOOL": .bool
        case "UINT8": .uint8
        case "UINT16": .uint16
        case "UINT32": .uint32
        case "UINT64": .uint64
        case "INT8": .int8
        case "INT16": .int16
        case "INT32": .int32
        case "INT64": .int64
        case "FP16": .float16
        case "BF16": .bfloat16
        case "FP32": .float32
        case "FP64": .float64
        case "BYTES": .string
        default: nil
        }
    }

    static func name(of dataType: DataType) -> String {
        switch dataType {
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
        case .bfloat16: "BF16"
        case .float32: "FP32"
        case .float64: "FP64"
        case .string: "BYTES"
        }
    }

    static let allNames = "BOOL, UINT8, UINT16, UINT32, UINT64, INT8, INT16, INT32, INT64, FP16, BF16, FP32, FP64, BYTES"
}
