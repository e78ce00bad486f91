import Foundation
import SwitchyardTensor

/// Turns `TensorProto`s into `Tensor`s, checking that the data present matches the shape and
/// type: the bytes of `raw_data`, the typed field the type uses (`float_data`, `int32_data`…),
/// or an external file.
struct TensorDecoder {
    /// Reads `EXTERNAL` tensors; `nil` where external data is not allowed (test data files).
    let externalData: ExternalDataReader?

    func tensor(_ proto: Onnx_TensorProto, what: String? = nil) throws(ONNXError) -> Tensor {
        let what = what ?? "tensor '\(proto.name)'"
        let dataType = try DataTypeCode.dataType(proto.dataType, of: what)
        let shape = try Self.shape(proto.dims, of: what)
        let count = try Self.elementCount(shape, of: what)
        if proto.hasSegment {
            throw .unsupported("\(what) is one segment of a larger tensor (TensorProto.segment); Switchyard reads whole tensors only")
        }
        if proto.dataLocation == .external {
            guard let externalData else {
                throw .invalidModel("\(what) refers to external data, which is not allowed here")
            }
            guard dataType != .string else {
                throw .invalidModel("\(what) is a string tensor with external data; ONNX stores strings in string_data only")
            }
            let byteCount = try Self.byteCount(count, dataType, of: what)
            let storage = try externalData.storage(for: proto.externalData, tensorName: proto.name, byteCount: byteCount)
            var tensor = Tensor(dataType: dataType, shape: shape, storage: storage)
            tensor.canonicalizeBoolBytes()
            return tensor
        }
        if proto.hasRawData {
            guard dataType != .string else {
                throw .invalidModel("\(what) is a string tensor with raw_data; ONNX stores strings in string_data")
            }
            return try Self.fromRawData(proto.rawData, dataType: dataType, shape: shape, count: count, of: what)
        }
        return try Self.fromTypedFields(proto, dataType: dataType, shape: shape, count: count, of: what)
    }

    // MARK: Shape and size

    static func shape(_ dims: [Int64], of what: String) throws(ONNXError) -> [Int] {
        var shape: [Int] = []
        shape.reserveCapacity(dims.count)
        for dim in dims {
            guard dim >= 0 else { throw .invalidModel("\(what) has negative dimension \(dim) in dims \(dims)") }
            shape.append(Int(dim))
        }
        return shape
    }

    static func elementCount(_ shape: [Int], of what: String) throws(ONNXError) -> Int {
        var count = 1
        for dim in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: dim)
            guard !overflow else { throw .invalidModel("\(what) has dims \(shape) whose element count overflows") }
            count = product
        }
        return count
    }

    static func byteCount(_ count: Int, _ dataType: DataType, of what: String) throws(ONNXError) -> Int {
        let (bytes, overflow) = count.multipliedReportingOverflow(by: dataType.byteSize)
        guard !overflow else { throw .invalidModel("\(what) is too large: \(count) \(dataType) elements") }
        return bytes
    }

    // MARK: raw_data

    static func fromRawData(
        _ raw: Data, dataType: DataType, shape: [Int], count: Int, of what: String
    ) throws(ONNXError) -> Tensor {
        let expected = try byteCount(count, dataType, of: what)
        guard raw.count == expected else {
            throw .invalidModel("\(what) has dims \(shape) of \(dataType) (\(expected) bytes) but its raw_data holds \(raw.count) bytes")
        }
        var tensor = raw.withUnsafeBytes { Tensor(dataType: dataType, shape: shape, bytes: $0) }
        tensor.canonicalizeBoolBytes()
        return tensor
    }

    // MARK: Typed fields

    static func fromTypedFields(
        _ proto: Onnx_TensorProto, dataType: DataType, shape: [Int], count: Int, of what: String
    ) throws(ONNXError) -> Tensor {
        func check(_ found: Int, _ field: String) throws(ONNXError) {
            guard found == count else {
                if found == 0 {
                    throw .invalidModel("\(what) has dims \(shape) (\(count) elements) but no data: neither raw_data nor \(field) is set")
                }
                throw .invalidModel("\(what) has dims \(shape) (\(count) elements) but \(field) holds \(found)")
            }
        }
        let ints = proto.int32Data
        switch dataType {
        case .float32:
            try check(proto.floatData.count, "float_data")
            return Tensor(shape: shape, scalars: proto.floatData)
        case .float64:
            try check(proto.doubleData.count, "double_data")
            return Tensor(shape: shape, scalars: proto.doubleData)
        case .int64:
            try check(proto.int64Data.count, "int64_data")
            return Tensor(shape: shape, scalars: proto.int64Data)
        case .uint64:
            try check(proto.uint64Data.count, "uint64_data")
            return Tensor(shape: shape, scalars: proto.uint64Data)
        case .uint32:
            try check(proto.uint64Data.count, "uint64_data")
            return Tensor(shape: shape, scalars: proto.uint64Data.map { UInt32(truncatingIfNeeded: $0) })
        case .int32:
            try check(ints.count, "int32_data")
            return Tensor(shape: shape, scalars: ints)
        case .int16:
            try check(ints.count, "int32_data")
            return Tensor(shape: shape, scalars: ints.map { Int16(truncatingIfNeeded: $0) })
        case .uint16:
            try check(ints.count, "int32_data")
            return Tensor(shape: shape, scalars: ints.map { UInt16(truncatingIfNeeded: $0) })
        case .int8:
            try check(ints.count, "int32_data")
            return Tensor(shape: shape, scalars: ints.map { Int8(truncatingIfNeeded: $0) })
        case .uint8:
            try check(ints.count, "int32_data")
            return Tensor(shape: shape, scalars: ints.map { UInt8(truncatingIfNeeded: $0) })
        case .bool:
            try check(ints.count, "int32_data")
            return Tensor(shape: shape, scalars: ints.map { $0 != 0 })
        case .float16:
            // The 16 bits of each half float, zero-extended into an int32.
            try check(ints.count, "int32_data")
            return Tensor(shape: shape, scalars: ints.map { Float16(bitPattern: UInt16(truncatingIfNeeded: $0)) })
        case .bfloat16:
            try check(ints.count, "int32_data")
            return Tensor(shape: shape, scalars: ints.map { BFloat16(bitPattern: UInt16(truncatingIfNeeded: $0)) })
        case .string:
            try check(proto.stringData.count, "string_data")
            return Tensor(shape: shape, strings: proto.stringData.map { String(decoding: $0, as: UTF8.self) })
        }
    }
}
