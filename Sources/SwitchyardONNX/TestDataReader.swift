import Foundation
import SwiftProtobuf
import SwitchyardGraph
import SwitchyardTensor

/// A value in ONNX test data: a tensor, or a sequence, map or optional of values.
public indirect enum TestValue: Sendable {
    case tensor(Tensor)
    case sequence([TestValue])
    /// A map: `keys` is a 1-D integer or string tensor, `values` the value of each key.
    case map(keys: Tensor, values: [TestValue])
    /// `nil` for an empty optional.
    case optional(TestValue?)
}

/// Reads the files of ONNX's test data sets (`test_data_set_N/input_0.pb`, `output_0.pb`…).
///
/// A `.pb` file does not say which message it holds: a tensor input holds a `TensorProto`, a
/// sequence input a `SequenceProto`, and so on. Pass the kind the model declares for that input
/// or output (`ValueInfo.kind`); nested values describe themselves.
public enum TestDataReader {
    /// The value in the file at `path`, read as the top-level message for `kind`.
    public static func value(path: String, kind: ValueKind) throws(ONNXError) -> TestValue {
        let file = try MappedFile(path: path)
        return try value(data: file.data, kind: kind, path: path)
    }

    /// The value in `data`, read as the top-level message for `kind`. `path` is for messages.
    public static func value(data: Data, kind: ValueKind, path: String = "test data") throws(ONNXError) -> TestValue {
        let reader = Reader(path: path)
        do {
            switch kind {
            case .tensor:
                return .tensor(try reader.tensor(try Onnx_TensorProto(serializedBytes: data, options: ProtobufDecoding.options)))
            case .sparseTensor:
                let sparse = try Onnx_SparseTensorProto(serializedBytes: data, options: ProtobufDecoding.options)
                return .tensor(try reader.decode { decoder throws(ONNXError) in try decoder.denseTensor(sparse) })
            case .sequence:
                return try reader.sequence(try Onnx_SequenceProto(serializedBytes: data, options: ProtobufDecoding.options))
            case .map:
                return try reader.map(try Onnx_MapProto(serializedBytes: data, options: ProtobufDecoding.options))
            case .optional:
                return try reader.optional(try Onnx_OptionalProto(serializedBytes: data, options: ProtobufDecoding.options))
            case .opaque:
                throw ONNXError.invalidTestData(path: path, reason: "opaque values have no test data format")
            }
        } catch let error as ONNXError {
            throw error
        } catch {
            throw .invalidTestData(path: path, reason: ProtobufDecoding.reason(error, size: data.count))
        }
    }
}

/// Decodes the data messages of one file, turning model errors into test data errors.
private struct Reader {
    let path: String
    private let decoder = TensorDecoder(externalData: nil)

    func decode<T>(_ body: (TensorDecoder) throws(ONNXError) -> T) throws(ONNXError) -> T {
        do {
            return try body(decoder)
        } catch {
            throw .invalidTestData(path: path, reason: error.description)
        }
    }

    func tensor(_ proto: Onnx_TensorProto) throws(ONNXError) -> Tensor {
        try decode { decoder throws(ONNXError) in try decoder.tensor(proto, what: "tensor '\(proto.name)'") }
    }

    func sequence(_ proto: Onnx_SequenceProto) throws(ONNXError) -> TestValue {
        switch Onnx_SequenceProto.DataType(rawValue: Int(proto.elemType)) {
        case .tensor?:
            var elements: [TestValue] = []
            for element in proto.tensorValues { elements.append(.tensor(try tensor(element))) }
            return .sequence(elements)
        case .sparseTensor?:
            var elements: [TestValue] = []
            for element in proto.sparseTensorValues {
                elements.append(.tensor(try decode { decoder throws(ONNXError) in try decoder.denseTensor(element) }))
            }
            return .sequence(elements)
        case .sequence?:
            var elements: [TestValue] = []
            for element in proto.sequenceValues { elements.append(try sequence(element)) }
            return .sequence(elements)
        case .map?:
            var elements: [TestValue] = []
            for element in proto.mapValues { elements.append(try map(element)) }
            return .sequence(elements)
        case .optional?:
            var elements: [TestValue] = []
            for element in proto.optionalValues { elements.append(try optional(element)) }
            return .sequence(elements)
        case .undefined?, nil:
            let isEmpty = proto.tensorValues.isEmpty && proto.sparseTensorValues.isEmpty && proto.sequenceValues.isEmpty
                && proto.mapValues.isEmpty && proto.optionalValues.isEmpty
            if isEmpty && proto.elemType == 0 { return .sequence([]) }
            throw .invalidTestData(path: path, reason: "sequence '\(proto.name)' has element type code \(proto.elemType); expected 1 (tensor) to 5 (optional). Is this file a different message than the model declares?")
        }
    }

    func map(_ proto: Onnx_MapProto) throws(ONNXError) -> TestValue {
        let keyType: DataType
        do {
            keyType = try DataTypeCode.dataType(proto.keyType, of: "map '\(proto.name)' key")
        } catch {
            throw .invalidTestData(path: path, reason: error.description)
        }
        let keys: Tensor
        if keyType == .string {
            keys = Tensor(shape: [proto.stringKeys.count], strings: proto.stringKeys.map { String(decoding: $0, as: UTF8.self) })
        } else if keyType.isInteger {
            keys = Tensor(dataType: keyType, shape: [proto.keys.count], int64s: proto.keys)
        } else {
            throw .invalidTestData(path: path, reason: "map '\(proto.name)' has \(keyType) keys; ONNX map keys are integers or strings")
        }
        guard case .sequence(let values) = try sequence(proto.values) else {
            throw .invalidTestData(path: path, reason: "map '\(proto.name)' values are not a sequence")
        }
        guard values.count == keys.count else {
            throw .invalidTestData(path: path, reason: "map '\(proto.name)' has \(keys.count) keys but \(values.count) values")
        }
        return .map(keys: keys, values: values)
    }

    func optional(_ proto: Onnx_OptionalProto) throws(ONNXError) -> TestValue {
        switch Onnx_OptionalProto.DataType(rawValue: Int(proto.elemType)) {
        case .tensor? where proto.hasTensorValue: return .optional(.tensor(try tensor(proto.tensorValue)))
        case .sparseTensor? where proto.hasSparseTensorValue:
            let sparse = proto.sparseTensorValue
            return .optional(.tensor(try decode { decoder throws(ONNXError) in try decoder.denseTensor(sparse) }))
        case .sequence? where proto.hasSequenceValue: return .optional(try sequence(proto.sequenceValue))
        case .map? where proto.hasMapValue: return .optional(try map(proto.mapValue))
        case .optional? where proto.hasOptionalValue: return .optional(try optional(proto.optionalValue))
        case nil:
            throw .invalidTestData(path: path, reason: "optional '\(proto.name)' has unknown element type code \(proto.elemType)")
        default:
            // UNDEFINED, or a type with no value set: an empty optional.
            return .optional(nil)
        }
    }
}
