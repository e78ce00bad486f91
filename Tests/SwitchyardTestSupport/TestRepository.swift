import Foundation
import SwitchyardGraph
import SwitchyardONNX

/// A model repository in a fresh temporary directory, with small models written in code.
public struct TestRepository: Sendable {
    public let path: String

    public init(prefix: String = "switchyard-repo") throws {
        path = FileManager.default.temporaryDirectory
            .appendingPathComponent("\(prefix)-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    /// Writes `model` as `<name>/<version>/model.onnx`, and `config` (if any) as `<name>/config.pbtxt`.
    public func add(_ name: String, version: Int = 1, model: Model, config: String? = nil) throws {
        let versionDirectory = "\(path)/\(name)/\(version)"
        try FileManager.default.createDirectory(atPath: versionDirectory, withIntermediateDirectories: true)
        try ModelWriter.serialize(model).write(to: URL(fileURLWithPath: "\(versionDirectory)/model.onnx"))
        if let config { try writeConfig(name, config) }
    }

    public func writeConfig(_ name: String, _ text: String) throws {
        try text.write(toFile: "\(path)/\(name)/config.pbtxt", atomically: true, encoding: .utf8)
    }

    public func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}
