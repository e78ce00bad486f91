import Foundation
import Testing
import SwitchyardEngine
import SwitchyardGraph
import SwitchyardONNX
import SwitchyardTensor

/// Shared pieces of the bad-input tests: the error a body threw, a session over the cls model,
/// a valid input for it, and one-node models.
enum BadInput {
    static let clsFile = "ch_ppocr_mobile_v2.0_cls_infer.onnx"

    /// The error `body` threw, or `nil` when it returned.
    static func error(_ body: () throws -> Void) -> (any Error)? {
        do { try body(); return nil } catch { return error }
    }

    static func clsPath() throws -> String {
        let path = TestPaths.model(clsFile)
        try #require(FileManager.default.fileExists(atPath: path), "missing \(path): run scripts/fetch-models.sh")
        return path
    }

    static func clsSession(options: SessionOptions = SessionOptions()) throws -> Session {
        try Session(model: LoadedModel(contentsOf: clsPath()), options: options)
    }

    /// Seeded uniform values in [-1, 1] for the cls model (NCHW, 48 rows).
    static func clsInput(batch: Int = 1, seed: UInt64) -> [Float] {
        var generator = SeededGenerator(seed: seed)
        return (0..<(batch * 3 * 48 * 192)).map { _ in Float.random(in: -1...1, using: &generator) }
    }

    /// Runs the cls model on a valid input and expects two finite class probabilities per sample.
    static func expectValidRun(_ session: Session, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let outputs = try session.run(["x": Tensor(shape: [1, 3, 48, 192], scalars: clsInput(seed: 7))])
        let probabilities = try #require(outputs.values.first, sourceLocation: sourceLocation).floats()
        #expect(probabilities.count == 2, sourceLocation: sourceLocation)
        let allFinite = probabilities.allSatisfy { $0.isFinite }
        #expect(allFinite, "\(probabilities)", sourceLocation: sourceLocation)
        #expect(abs(probabilities.reduce(0, +) - 1) < 1e-4, "\(probabilities)", sourceLocation: sourceLocation)
    }

    /// A model of one node reading float inputs `inputs` (shapes given) and writing `y`.
    static func singleNodeModel(
        _ opType: String, inputs: [(String, [Int])], attributes: [String: Attribute] = [:],
        initializers: [String: Tensor] = [:], domain: String = "", opset: Int = 17
    ) -> Model {
        let node = Node(name: "\(opType.lowercased())_node", opType: opType, domain: domain,
                        inputs: inputs.map(\.0) + initializers.keys.sorted(), outputs: ["y"], attributes: attributes)
        let graph = Graph(name: "single", nodes: [node],
                          inputs: inputs.map { ValueInfo(name: $0.0, dataType: .float32, shape: $0.1.map(Dimension.fixed)) },
                          outputs: [ValueInfo(name: "y", dataType: .float32, shape: nil)],
                          initializers: initializers)
        return Model(opsetImports: ["": opset], graph: graph)
    }
}
