import Foundation
import SwitchyardGraph
import SwitchyardTensor

/// Turns `Tensor`s and declared types back into their ONNX messages: numeric data as
/// little-endian `raw_data`, strings in `string_data`.
enum TensorEncoder {
    static func tensorProto(_ tensor: Tensor, name: String) -> Onnx_TensorProto {
        var proto = Onnx_TensorProto()
        proto.name = name
        proto.dataType = tensor.dataType.rawValue
        proto.dims = tensor.shape.map { Int64($0) }
        if tensor.dataType == .string {
            proto.stringData = tensor.strings.map { Data($0.utf8) }
        } else {
            proto.rawData = tensor.withUnsafeBytes { Data($0) }
        }
        return proto
    }

    static func valueInfoProto(_ info: ValueInfo) -> Onnx_ValueInfoProto {
        var proto = Onnx_ValueInfoProto()
        proto.name = info.name
        proto.docString = info.docString
        if let type = typeProto(kind: info.kind, dataType: info.dataType, shape: info.shape) {
            proto.type = type
        }
        return proto
    }

    /// The `TypeProto` for a declared kind whose innermost tensor has `dataType` and `shape`;
    /// `nil` for a tensor of unknown type and shape (ONNX's "no type").
    private static func typeProto(kind: ValueKind, dataType: DataType?, shape: [SwitchyardGraph.Dimension]?) -> Onnx_TypeProto? {
        var type = Onnx_TypeProto()
        switch kind {
        case .tensor:
            guard dataType != nil || shape != nil else { return nil }
            var tensor = Onnx_TypeProto.Tensor()
            tensor.elemType = dataType?.rawValue ?? 0
            if let shape { tensor.shape = shapeProto(shape) }
            type.tensorType = tensor
        case .sparseTensor:
            var sparse = Onnx_TypeProto.SparseTensor()
            sparse.elemType = dataType?.rawValue ?? 0
            if let shape { sparse.shape = shapeProto(shape) }
            type.sparseTensorType = sparse
        case .sequence(let element):
            var sequence = Onnx_TypeProto.Sequence()
            sequence.elemType = typeProto(kind: element, dataType: dataType, shape: shape) ?? Onnx_TypeProto()
            type.sequenceType = sequence
        case .optional(let element):
            var optional = Onnx_TypeProto.Optional()
            optional.elemType = typeProto(kind: element, dataType: dataType, shape: shape) ?? Onnx_TypeProto()
            type.optionalType = optional
        case .map(let key, let value):
            var map = Onnx_TypeProto.Map()
            map.keyType = key.rawValue
            map.valueType = typeProto(kind: value, dataType: dataType, shape: shape) ?? Onnx_TypeProto()
            type.mapType = map
        case .opaque:
            type.opaqueType = Onnx_TypeProto.Opaque()
        }
        return type
    }

    private static func shapeProto(_ shape: [SwitchyardGraph.Dimension]) -> Onnx_TensorShapeProto {
        var proto = Onnx_TensorShapeProto()
        proto.dim = shape.map { dimension in
            var dim = Onnx_TensorShapeProto.Dimension()
            switch dimension {
            case .fixed(let value): dim.dimValue = Int64(value)
            case .symbolic(let name): dim.dimParam = name
            case .unknown: break
            }
            return dim
        }
        return proto
    }
}
