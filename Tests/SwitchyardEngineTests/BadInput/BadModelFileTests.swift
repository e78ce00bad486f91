import Foundation
import Testing
import SwitchyardEngine
import SwitchyardONNX
import SwitchyardTensor

/// Files that are not (whole) ONNX models must give `ONNXError.notAModel`, never a crash, and
/// must not disturb a session loaded from a good model.
@Suite struct BadModelFileTests {
    private func expectNotAModel(_ data: Data, path: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("badinput-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent(path).path
        try data.write(to: URL(fileURLWithPath: file))

        let error = BadInput.error { _ = try LoadedModel(contentsOf: file) }
        guard case .notAModel(let reportedPath, let reason)? = error as? ONNXError else {
            Issue.record("expected ONNXError.notAModel, got \(String(describing: error))", sourceLocation: sourceLocation)
            return
        }
        #expect(reportedPath == file, sourceLocation: sourceLocation)
        #expect(!reason.isEmpty, sourceLocation: sourceLocation)
        #expect(String(describing: error!).contains(file), "the message names the file", sourceLocation: sourceLocation)
    }

    @Test func randomBytesAreNotAModel() throws {
        let session = try BadInput.clsSession()
        var generator = SeededGenerator(seed: 0xBAD_F11E)
        let bytes = (0..<4096).map { _ in UInt8.random(in: 0...255, using: &generator) }
        try expectNotAModel(Data(bytes), path: "random.onnx")
        try BadInput.expectValidRun(session)
    }

    @Test func truncatedModelIsNotAModel() throws {
        let session = try BadInput.clsSession()
        let whole = try Data(contentsOf: URL(fileURLWithPath: BadInput.clsPath()))
        try expectNotAModel(whole.prefix(whole.count / 2), path: "truncated.onnx")
        try BadInput.expectValidRun(session)
    }
}
