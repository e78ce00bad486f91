import Foundation
import SwitchyardServing
import SwitchyardTensor

/// A request tensor sent in `InferTensorContents`, the typed alternative to raw bytes: one
/// repeated field per family of datatypes (INT8/16/32 share `int_contents`, UINT8/16/32
/// `uint_contents`). FP16 and BF16 have no field: they travel as raw bytes only.
enum TensorContents {
    /// The named input `contents` hold. A BYTES input keeps its elements as sent too, as from raw
    /// bytes (`BinaryTensor.input`).
    static func input(
        named input: String, from contents: Inference_InferTensorContents, dataType: DataType, shape: [Int], count: Int
    ) throws(ServingError) -> NamedTensor {
        let tensor = try tensor(from: contents, dataType: dataType, shape: shape, count: count, input: input)
        let rawBytes = dataType == .string ? contents.bytesContents.map { [UInt8]($0) } : nil
        return NamedTensor(name: input, tensor: tensor, rawBytes: rawBytes)
    }

    private static func tensor(
        from contents: Inference_InferTensorContents, dataType: DataType, shape: [Int], count: Int, input: String
    ) throws(ServingError) -> Tensor {
        func checked<Element>(_ values: [Element], _ field: String) throws(ServingError) -> [Element] {
            guard values.count == count else {
                throw .invalidArgument("input '\(input)': contents.\(field) has \(values.count) elements but shape \(shape) "
                                       + "needs \(count)")
            }
            return values
        }
        func narrowed<Wide: BinaryInteger, Narrow: FixedWidthInteger & TensorScalar>(
            _ values: [Wide], _ field: String, to type: Narrow.Type
        ) throws(ServingError) -> Tensor {
            var elements: [Narrow] = []
            elements.reserveCapacity(count)
            for value in try checked(values, field) {
                guard let element = Narrow(exactly: value) else {
                    throw .invalidArgument("input '\(input)': \(value) in contents.\(field) is out of range for \(dataType.kserveName)")
                }
                elements.append(element)
            }
            return Tensor(shape: shape, scalars: elements)
        }
        switch dataType {
        case .bool: return Tensor(shape: shape, scalars: try checked(contents.boolContents, "bool_contents"))
        case .int8: return try narrowed(contents.intContents, "int_contents", to: Int8.self)
        case .int16: return try narrowed(contents.intContents, "int_contents", to: Int16.self)
        case .int32: return Tensor(shape: shape, scalars: try checked(contents.intContents, "int_contents"))
        case .int64: return Tensor(shape: shape, scalars: try checked(contents.int64Contents, "int64_contents"))
        case .uint8: return try narrowed(contents.uintContents, "uint_contents", to: UInt8.self)
        case .uint16: return try narrowed(contents.uintContents, "uint_contents", to: UInt16.self)
        case .uint32: return Tensor(shape: shape, scalars: try checked(contents.uintContents, "uint_contents"))
        case .uint64: return Tensor(shape: shape, scalars: try checked(contents.uint64Contents, "uint64_contents"))
        case .float32: return Tensor(shape: shape, scalars: try checked(contents.fp32Contents, "fp32_contents"))
        case .float64: return Tensor(shape: shape, scalars: try checked(contents.fp64Contents, "fp64_contents"))
        case .string:
            let elements = try checked(contents.bytesContents, "bytes_contents")
            return Tensor(shape: shape, strings: elements.map { BinaryTensor.decodeUTF8([UInt8]($0)) })
        case .float16, .bfloat16:
            throw .invalidArgument("input '\(input)': \(dataType.kserveName) has no typed contents field; send it in raw_input_contents")
        }
    }
}
