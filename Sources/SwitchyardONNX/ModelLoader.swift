import Foundation
import SwiftProtobuf
import SwitchyardGraph
import SwitchyardTensor

/// Reads ONNX model files (`.onnx`, a protobuf `ModelProto`) into `Model`s.
///
/// Everything a file says is checked: a damaged, truncated or foreign file, a model newer than
/// this build, or data that disagrees with its declared shape gives an `ONNXError` that says
/// what is wrong, never a crash. Model-local functions are inlined and sparse initializers made
/// dense, so the result holds primitive operators and dense tensors only.
public enum ModelLoader {
    /// Loads the model at `path`. The file is memory-mapped; external data files are looked up
    /// in the model's folder.
    public static func load(path: String) throws(ONNXError) -> Model {
        let file = try MappedFile(path: path)
        let directory = (path as NSString).deletingLastPathComponent
        return try load(data: file.data, baseDirectory: directory.isEmpty ? "." : directory, path: path)
    }

    /// Loads a model from its serialized bytes. `baseDirectory` is where its external data
    /// files are; `nil` refuses models with external data.
    public static func load(data: Data, baseDirectory: String?) throws(ONNXError) -> Model {
        try load(data: data, baseDirectory: baseDirectory, path: "model data")
    }

    private static func load(data: Data, baseDirectory: String?, path: String) throws(ONNXError) -> Model {
        let proto = try decodeModelProto(data, path: path)
        try checkVersions(proto, path: path)

        var opsets: [String: Int] = [:]
        for opset in proto.opsetImport {
            opsets[GraphDecoder.canonicalDomain(opset.domain)] = Int(opset.version)
        }
        for function in proto.functions {
            for opset in function.opsetImport where opsets[GraphDecoder.canonicalDomain(opset.domain)] == nil {
                opsets[GraphDecoder.canonicalDomain(opset.domain)] = Int(opset.version)
            }
        }
        var inliner = try FunctionInliner(model: proto)
        let graphProto = try inliner.inline(proto.graph)

        let decoder = GraphDecoder(tensors: TensorDecoder(externalData: ExternalDataReader(baseDirectory: baseDirectory)))
        let graph = try decoder.graph(graphProto)
        try checkDomains(of: graph, opsets: opsets)

        var metadata: [String: String] = [:]
        for entry in proto.metadataProps { metadata[entry.key] = entry.value }
        return Model(
            irVersion: Int(proto.irVersion), opsetImports: opsets, producerName: proto.producerName,
            producerVersion: proto.producerVersion, domain: proto.domain, modelVersion: Int(proto.modelVersion),
            docString: proto.docString, metadata: metadata, graph: graph)
    }

    /// Parses the bytes as a `ModelProto`, telling an empty, truncated or foreign file apart
    /// from a protobuf that is some other message.
    private static func decodeModelProto(_ data: Data, path: String) throws(ONNXError) -> Onnx_ModelProto {
        guard !data.isEmpty else { throw .notAModel(path: path, reason: "the file is empty") }
        let proto: Onnx_ModelProto
        do {
            proto = try Onnx_ModelProto(serializedBytes: data, options: ProtobufDecoding.options)
        } catch {
            if isTensorProto(data) { throw .notAModel(path: path, reason: tensorFileReason) }
            throw .notAModel(path: path, reason: ProtobufDecoding.reason(error, size: data.count))
        }
        let looksLikeModel = proto.hasIrVersion || proto.hasGraph || !proto.opsetImport.isEmpty
        guard looksLikeModel else {
            if isTensorProto(data) { throw .notAModel(path: path, reason: tensorFileReason) }
            throw .notAModel(path: path, reason: "it parses as protobuf but has no ir_version, graph or opset_import (\(data.count) bytes)")
        }
        guard proto.hasIrVersion else {
            throw .notAModel(path: path, reason: "it has no ir_version; every ONNX model records its IR version")
        }
        guard proto.hasGraph else {
            throw .notAModel(path: path, reason: "it has no graph")
        }
        return proto
    }

    private static let tensorFileReason =
        "it holds a single tensor (an ONNX TensorProto, like the test data files input_0.pb), not a model"

    /// True when `data` reads as a `TensorProto` with a valid type and some data: a test data
    /// file given where a model was expected.
    private static func isTensorProto(_ data: Data) -> Bool {
        guard let tensor = try? Onnx_TensorProto(serializedBytes: data, options: ProtobufDecoding.options) else { return false }
        let hasData = tensor.hasRawData || !tensor.floatData.isEmpty || !tensor.int32Data.isEmpty
            || !tensor.int64Data.isEmpty || !tensor.doubleData.isEmpty || !tensor.uint64Data.isEmpty || !tensor.stringData.isEmpty
        return (1...28).contains(tensor.dataType) && hasData
    }

    private static func checkVersions(_ proto: Onnx_ModelProto, path: String) throws(ONNXError) {
        let ir = proto.irVersion
        if ir < ONNXVersions.oldestIRVersion {
            throw .unsupported("\(path) has IR version \(ir); Switchyard reads IR \(ONNXVersions.oldestIRVersion) (ONNX 1.0) and newer. Convert it with onnx.version_converter")
        }
        if ir > ONNXVersions.newestIRVersion {
            throw .unsupported("\(path) has IR version \(ir), newer than the newest this build reads (\(ONNXVersions.newestIRVersion), ONNX 1.23); export it for IR \(ONNXVersions.newestIRVersion) or older, or update Switchyard")
        }
        guard !proto.opsetImport.isEmpty else {
            throw .invalidModel("\(path) has no opset_import, so its operators' versions are unknown")
        }
        for opset in proto.opsetImport where GraphDecoder.canonicalDomain(opset.domain).isEmpty {
            let version = Int(opset.version)
            if version < ONNXVersions.oldestDefaultOpset || version > ONNXVersions.newestDefaultOpset {
                throw .unsupported("\(path) uses opset \(version) of the default ONNX domain; Switchyard supports opsets \(ONNXVersions.oldestDefaultOpset) to \(ONNXVersions.newestDefaultOpset). Convert it with onnx.version_converter")
            }
        }
    }

    /// Every node's domain must be imported, or the opset its operator follows is unknown.
    private static func checkDomains(of graph: Graph, opsets: [String: Int]) throws(ONNXError) {
        for node in graph.allNodes() where opsets[node.domain] == nil {
            let domain = node.domain.isEmpty ? "the default ONNX domain" : "domain '\(node.domain)'"
            throw .invalidModel("node '\(node.displayName)' uses \(domain), which the model's opset_import does not list")
        }
    }
}
