import SwitchyardGraph
import SwitchyardTensor

/// Turns `ValueInfoProto`s (a name plus a `TypeProto`) into `ValueInfo`s.
enum ValueInfoDecoder {
    /// `role` names the value in messages ("input", "output", "value_info").
    static func valueInfo(_ proto: Onnx_ValueInfoProto, role: String) throws(ONNXError) -> ValueInfo {
        let what = "\(role) '\(proto.name)'"
        guard !proto.name.isEmpty else { throw .invalidModel("a graph \(role) has no name") }
        var info = ValueInfo(name: proto.name, docString: proto.docString)
        if proto.hasType {
            let (kind, tensorType) = try describe(proto.type, what: what)
            info.kind = kind
            if let tensorType {
                if tensorType.elemType != 0 {
                    info.dataType = try DataTypeCode.dataType(tensorType.elemType, of: what)
                }
                if tensorType.hasShape { info.shape = dimensions(tensorType.shape) }
            }
        }
        return info
    }

    /// The kind of `type` and its innermost tensor type (nil when there is none, as for a map).
    static func describe(
        _ type: Onnx_TypeProto, what: String
    ) throws(ONNXError) -> (ValueKind, Onnx_TypeProto.Tensor?) {
        switch type.value {
        case .tensorType(let tensor):
            return (.tensor, tensor)
        case .sparseTensorType(let sparse):
            var tensor = Onnx_TypeProto.Tensor()
            tensor.elemType = sparse.elemType
            if sparse.hasShape { tensor.shape = sparse.shape }
            return (.sparseTensor, tensor)
        case .sequenceType(let sequence):
            let (element, tensor) = try describe(sequence.elemType, what: what)
            return (.sequence(of: element), tensor)
        case .optionalType(let optional):
            let (element, tensor) = try describe(optional.elemType, what: what)
            return (.optional(of: element), tensor)
        case .mapType(let map):
            let key = try DataTypeCode.dataType(map.keyType, of: "map key of \(what)")
            guard key.isInteger || key == .string else {
                throw .invalidModel("\(what): map keys must be an integer or string type, got \(key)")
            }
            let (value, _) = try describe(map.valueType, what: what)
            return (.map(key: key, value: value), nil)
        case .opaqueType:
            return (.opaque, nil)
        case nil:
            return (.tensor, nil)
        }
    }

    /// Dimension names that exporters write to mean "unknown", not a name shared between dims
    /// (PaddlePaddle writes `?` for every free dim of `[-1, 3, ?, ?]`).
    static let anonymousDimensionNames: Set<String> = ["", "?", "-1"]

    static func dimensions(_ shape: Onnx_TensorShapeProto) -> [Dimension] {
        shape.dim.map { dim in
            switch dim.value {
            case .dimValue(let value) where value >= 0: .fixed(Int(value))
            case .dimParam(let name) where !anonymousDimensionNames.contains(name): .symbolic(name)
            default: .unknown
            }
        }
    }
}
