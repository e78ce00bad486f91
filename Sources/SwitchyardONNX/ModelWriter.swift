import Foundation
import SwiftProtobuf
import SwitchyardGraph
import SwitchyardTensor

/// Writes `Model`s as ONNX files (a serialized `ModelProto`), e.g. after quantizing. Initializers
/// are stored inline as `raw_data`; `ModelLoader` reads the result back to an equal model.
public enum ModelWriter {
    /// The model as the bytes of a `.onnx` file.
    public static func serialize(_ model: Model) throws(ONNXError) -> Data {
        var proto = Onnx_ModelProto()
        proto.irVersion = Int64(model.irVersion)
        proto.opsetImport = model.opsetImports.sorted { $0.key < $1.key }.map { domain, version in
            var opset = Onnx_OperatorSetIdProto()
            opset.domain = domain
            opset.version = Int64(version)
            return opset
        }
        proto.producerName = model.producerName
        proto.producerVersion = model.producerVersion
        proto.domain = model.domain
        proto.modelVersion = Int64(model.modelVersion)
        proto.docString = model.docString
        proto.metadataProps = model.metadata.sorted { $0.key < $1.key }.map { key, value in
            var entry = Onnx_StringStringEntryProto()
            entry.key = key
            entry.value = value
            return entry
        }
        proto.graph = graphProto(model.graph)
        do {
            return try proto.serializedBytes()
        } catch {
            // Protobuf messages are limited to 2 GiB.
            throw .notSerializable("protobuf encoding failed (\(error)); a model over 2 GiB needs external data, which ModelWriter does not write")
        }
    }

    static func graphProto(_ graph: Graph) -> Onnx_GraphProto {
        var proto = Onnx_GraphProto()
        proto.name = graph.name
        proto.docString = graph.docString
        proto.node = graph.nodes.map(nodeProto)
        proto.initializer = graph.initializers.sorted { $0.key < $1.key }.map { name, tensor in
            TensorEncoder.tensorProto(tensor, name: name)
        }
        proto.input = graph.inputs.map(TensorEncoder.valueInfoProto)
        proto.output = graph.outputs.map(TensorEncoder.valueInfoProto)
        proto.valueInfo = graph.valueInfo.sorted { $0.key < $1.key }.map { TensorEncoder.valueInfoProto($0.value) }
        return proto
    }

    private static func nodeProto(_ node: Node) -> Onnx_NodeProto {
        var proto = Onnx_NodeProto()
        proto.name = node.name
        proto.opType = node.opType
        proto.domain = node.domain
        proto.input = node.inputs
        proto.output = node.outputs
        proto.docString = node.docString
        proto.attribute = node.attributes.sorted { $0.key < $1.key }.map { name, value in
            attributeProto(value, name: name)
        }
        return proto
    }

    private static func attributeProto(_ attribute: Attribute, name: String) -> Onnx_AttributeProto {
        var proto = Onnx_AttributeProto()
        proto.name = name
        switch attribute {
        case .float(let value): proto.type = .float; proto.f = value
        case .int(let value): proto.type = .int; proto.i = Int64(value)
        case .string(let value): proto.type = .string; proto.s = Data(value.utf8)
        case .tensor(let value): proto.type = .tensor; proto.t = TensorEncoder.tensorProto(value, name: "")
        case .graph(let value): proto.type = .graph; proto.g = graphProto(value)
        case .floats(let values): proto.type = .floats; proto.floats = values
        case .ints(let values): proto.type = .ints; proto.ints = values.map { Int64($0) }
        case .strings(let values): proto.type = .strings; proto.strings = values.map { Data($0.utf8) }
        case .tensors(let values): proto.type = .tensors; proto.tensors = values.map { TensorEncoder.tensorProto($0, name: "") }
        case .graphs(let values): proto.type = .graphs; proto.graphs = values.map(graphProto)
        }
        return proto
    }
}
