import SwitchyardGraph
import SwitchyardTensor

/// Turns `AttributeProto`s into `Attribute`s. Sparse tensors become dense; subgraphs are
/// decoded recursively.
extension GraphDecoder {
    func attribute(_ proto: Onnx_AttributeProto, owner: String) throws(ONNXError) -> Attribute {
        let what = "\(owner) attribute '\(proto.name)'"
        let type = proto.type == .undefined ? Self.inferredType(proto) : proto.type
        switch type {
        case .float: return .float(proto.f)
        case .int: return .int(Int(proto.i))
        case .string: return .string(String(decoding: proto.s, as: UTF8.self))
        case .tensor: return .tensor(try tensors.tensor(proto.t, what: what))
        case .sparseTensor: return .tensor(try tensors.denseTensor(proto.sparseTensor, what: what))
        case .graph: return .graph(try graph(proto.g, path: "\(owner) subgraph '\(proto.name)'"))
        case .floats: return .floats(proto.floats)
        case .ints: return .ints(proto.ints.map { Int($0) })
        case .strings: return .strings(proto.strings.map { String(decoding: $0, as: UTF8.self) })
        case .tensors:
            var values: [Tensor] = []
            for (index, tensor) in proto.tensors.enumerated() {
                values.append(try tensors.tensor(tensor, what: "\(what) tensor #\(index)"))
            }
            return .tensors(values)
        case .sparseTensors:
            var values: [Tensor] = []
            for (index, tensor) in proto.sparseTensors.enumerated() {
                values.append(try tensors.denseTensor(tensor, what: "\(what) sparse tensor #\(index)"))
            }
            return .tensors(values)
        case .graphs:
            var values: [Graph] = []
            for (index, subgraph) in proto.graphs.enumerated() {
                values.append(try graph(subgraph, path: "\(owner) subgraph '\(proto.name)' #\(index)"))
            }
            return .graphs(values)
        case .typeProto, .typeProtos:
            throw .unsupported("\(what) is a type (TYPE_PROTO); Switchyard runs tensor operators only")
        case .undefined:
            throw .invalidModel("\(what) has no value, or a type code this ONNX version does not define")
        }
    }

    /// The type of an attribute written without `type` (files from before IR 3 set only the
    /// value field): the one value field that is present.
    static func inferredType(_ proto: Onnx_AttributeProto) -> Onnx_AttributeProto.AttributeType {
        if proto.hasF { return .float }
        if proto.hasI { return .int }
        if proto.hasS { return .string }
        if proto.hasT { return .tensor }
        if proto.hasG { return .graph }
        if proto.hasSparseTensor { return .sparseTensor }
        if !proto.floats.isEmpty { return .floats }
        if !proto.ints.isEmpty { return .ints }
        if !proto.strings.isEmpty { return .strings }
        if !proto.tensors.isEmpty { return .tensors }
        if !proto.graphs.isEmpty { return .graphs }
        if !proto.sparseTensors.isEmpty { return .sparseTensors }
        return .undefined
    }
}
