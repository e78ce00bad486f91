import Foundation
@testable import SwitchyardONNX
import SwitchyardTensor

/// Builders for the ONNX messages the tests serialize, so each test states only what it checks.
enum Proto {
    static func model(
        _ graph: Onnx_GraphProto, ir: Int64 = 8, opset: Int64 = 17, extraOpsets: [String: Int64] = [:],
        functions: [Onnx_FunctionProto] = []
    ) -> Onnx_ModelProto {
        var model = Onnx_ModelProto()
        model.irVersion = ir
        model.opsetImport = [opsetID("", opset)] + extraOpsets.sorted { $0.key < $1.key }.map { opsetID($0.key, $0.value) }
        model.producerName = "switchyard-tests"
        model.graph = graph
        model.functions = functions
        return model
    }

    static func opsetID(_ domain: String, _ version: Int64) -> Onnx_OperatorSetIdProto {
        var opset = Onnx_OperatorSetIdProto()
        opset.domain = domain
        opset.version = version
        return opset
    }

    static func graph(
        _ name: String = "g", nodes: [Onnx_NodeProto], inputs: [Onnx_ValueInfoProto] = [],
        outputs: [Onnx_ValueInfoProto] = [], initializers: [Onnx_TensorProto] = []
    ) -> Onnx_GraphProto {
        var graph = Onnx_GraphProto()
        graph.name = name
        graph.node = nodes
        graph.input = inputs
        graph.output = outputs
        graph.initializer = initializers
        return graph
    }

    static func node(
        _ opType: String, _ inputs: [String], _ outputs: [String], name: String = "", domain: String = "",
        attributes: [Onnx_AttributeProto] = []
    ) -> Onnx_NodeProto {
        var node = Onnx_NodeProto()
        node.opType = opType
        node.input = inputs
        node.output = outputs
        node.name = name
        node.domain = domain
        node.attribute = attributes
        return node
    }

    /// A tensor value declaration; a dimension is an `Int` (fixed), a `String` (named) or
    /// `nil` (unknown).
    static func value(_ name: String, _ type: DataType, _ dims: [Any?]) -> Onnx_ValueInfoProto {
        var shape = Onnx_TensorShapeProto()
        shape.dim = dims.map { dim in
            var dimension = Onnx_TensorShapeProto.Dimension()
            if let size = dim as? Int { dimension.dimValue = Int64(size) }
            if let symbol = dim as? String { dimension.dimParam = symbol }
            return dimension
        }
        var tensor = Onnx_TypeProto.Tensor()
        tensor.elemType = type.rawValue
        tensor.shape = shape
        var info = Onnx_ValueInfoProto()
        info.name = name
        info.type.tensorType = tensor
        return info
    }

    static func floats(_ name: String, _ dims: [Int64], _ values: [Float]) -> Onnx_TensorProto {
        var tensor = Onnx_TensorProto()
        tensor.name = name
        tensor.dataType = DataType.float32.rawValue
        tensor.dims = dims
        tensor.floatData = values
        return tensor
    }

    static func raw(_ name: String, _ type: DataType, _ dims: [Int64], _ bytes: [UInt8]) -> Onnx_TensorProto {
        var tensor = Onnx_TensorProto()
        tensor.name = name
        tensor.dataType = type.rawValue
        tensor.dims = dims
        tensor.rawData = Data(bytes)
        return tensor
    }

    static func attribute(_ name: String, int value: Int64) -> Onnx_AttributeProto {
        var attribute = Onnx_AttributeProto()
        attribute.name = name
        attribute.type = .int
        attribute.i = value
        return attribute
    }

    static func attribute(_ name: String, float value: Float) -> Onnx_AttributeProto {
        var attribute = Onnx_AttributeProto()
        attribute.name = name
        attribute.type = .float
        attribute.f = value
        return attribute
    }

    static func attribute(_ name: String, ints values: [Int64]) -> Onnx_AttributeProto {
        var attribute = Onnx_AttributeProto()
        attribute.name = name
        attribute.type = .ints
        attribute.ints = values
        return attribute
    }

    static func attribute(_ name: String, graph: Onnx_GraphProto) -> Onnx_AttributeProto {
        var attribute = Onnx_AttributeProto()
        attribute.name = name
        attribute.type = .graph
        attribute.g = graph
        return attribute
    }

    /// An attribute of a function body that takes the value of function attribute `reference`.
    static func attribute(_ name: String, referring reference: String, type: Onnx_AttributeProto.AttributeType) -> Onnx_AttributeProto {
        var attribute = Onnx_AttributeProto()
        attribute.name = name
        attribute.type = type
        attribute.refAttrName = reference
        return attribute
    }

    static func bytes(_ message: Onnx_ModelProto) -> Data { try! message.serializedBytes() }
}

/// Loads serialized `model` and returns the error message, or "loaded" when it loads.
func loadError(_ data: Data, baseDirectory: String? = nil) -> String {
    do {
        _ = try ModelLoader.load(data: data, baseDirectory: baseDirectory)
        return "loaded"
    } catch {
        return error.description
    }
}

/// The seeded generator of the tests: random inputs are the same on every run.
typealias SeededGenerator = SplitMix64

extension SplitMix64 {
    mutating func floats(_ count: Int) -> [Float] {
        var values: [Float] = []
        for _ in 0..<count { values.append(Float.random(in: -2...2, using: &self)) }
        return values
    }
}
