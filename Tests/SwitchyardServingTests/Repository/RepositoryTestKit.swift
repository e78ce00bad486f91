import Foundation
import SwitchyardGraph
import SwitchyardONNX
import SwitchyardTensor
import Testing
@testable import SwitchyardServing

/// Models, signatures and temporary repositories for the repository tests.
enum RepositoryTestKit {
    /// The package root: three levels above this file.
    static let root: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }
        return url.path
    }()

    /// The PP-OCR text-direction classifier, when scripts/setup.sh fetched it.
    static var classifierPath: String? {
        let path = root + "/models/ch_ppocr_mobile_v2.0_cls_infer.onnx"
        return FileManager.default.fileExists(atPath: path) ? path : nil
    }

    static func tensor(_ name: String, _ type: DataType, _ shape: [SwitchyardGraph.Dimension]) -> ValueInfo {
        ValueInfo(name: name, dataType: type, shape: shape)
    }

    /// `y = Relu(x)`, both `[first, 4]` float.
    static func reluModel(first: SwitchyardGraph.Dimension) -> Model {
        let graph = Graph(
            nodes: [Node(opType: "Relu", inputs: ["x"], outputs: ["y"])],
            inputs: [tensor("x", .float32, [first, .fixed(4)])],
            outputs: [tensor("y", .float32, [first, .fixed(4)])])
        return Model(graph: graph)
    }

    /// A batching image classifier's signature: `x` FP32 [N,3,8,8] → `prob` FP32 [N,2], `ids` INT64 [N].
    static let batchingSignature = ModelSignature(
        inputs: [tensor("x", .float32, [.symbolic("N"), .fixed(3), .fixed(8), .fixed(8)])],
        outputs: [tensor("prob", .float32, [.symbolic("N"), .fixed(2)]), tensor("ids", .int64, [.unknown])])

    /// A fresh empty directory under the system's temporary directory.
    static func temporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "switchyard-repo-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Writes `text` to `path`, creating the directories above it.
    static func write(_ text: String, to path: String) throws {
        try write(Data(text.utf8), to: path)
    }

    static func write(_ data: Data, to path: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try data.write(to: URL(fileURLWithPath: path))
    }

    static func onnxBytes(_ model: Model) throws -> Data {
        try ModelWriter.serialize(model)
    }

    /// Expects `body` to throw a `ServingError` of `kind` whose message is `message`.
    static func expectError(_ message: String, kind: ServingError.Kind = .invalidArgument,
                            sourceLocation: SourceLocation = #_sourceLocation,
                            _ body: () throws(ServingError) -> Void) {
        do {
            try body()
            Issue.record("expected the error: \(message)", sourceLocation: sourceLocation)
        } catch {
            #expect(error.kind == kind, sourceLocation: sourceLocation)
            #expect(error.message == message, sourceLocation: sourceLocation)
        }
    }
}
