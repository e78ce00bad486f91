import Foundation
import SwitchyardTensor

/// Runs a model in ONNX Runtime through `scripts/ort_infer.py` in the project's venv (made by
/// scripts/setup.sh) and returns its outputs in the model's output order.
enum OnnxRuntimeReference {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static func run(model: String, inputs: [String: Tensor]) throws -> [Tensor] {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("switchyard-ort-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var arguments = [TestPaths.script("ort_infer.py"), model, directory + "/out"]
        for (name, tensor) in inputs.sorted(by: { $0.key < $1.key }) {
            let path = directory + "/in-\(arguments.count).npy"
            try tensor.writeNpy(to: path)
            arguments.append("\(name)=\(path)")
        }
        let python = TestPaths.python
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw Failure(description: "no Python venv at \(python): run scripts/setup.sh")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = arguments
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(description: "onnxruntime failed: \(String(decoding: message, as: UTF8.self))")
        }
        let outputs = try FileManager.default.contentsOfDirectory(atPath: directory + "/out").count
        return try (0..<outputs).map { try Tensor(npyFile: directory + "/out/\($0).npy") }
    }
}
