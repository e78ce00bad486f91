import ArgumentParser
import SwitchyardEngine
import SwitchyardTensor

/// `switchyard infer MODEL --input NAME=FILE.npy … --output-dir DIR [--threads N]`.
struct InferCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "infer",
        abstract: "Run a model once on inputs read from .npy files and write each output to DIR/<output name>.npy."
    )

    @Argument(help: "The .onnx model file.")
    var model: String

    @Option(name: .customLong("input"), help: ArgumentHelp("An input value from a .npy file (repeatable).", valueName: "NAME=FILE.npy"),
            transform: { try InputFileAssignment.parse($0) })
    var inputs: [InputFileAssignment] = []

    @Option(name: .customLong("output-dir"), help: "Directory for the outputs (created if missing).")
    var outputDirectory: String

    @Option(help: "Threads the engine may use.")
    var threads = 1

    func validate() throws {
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1, got \(threads)") }
    }

    /// One written output.
    struct WrittenOutput: Equatable {
        var name: String
        var path: String
        var shape: [Int]
        var dataType: DataType
    }

    func run() throws {
        let loaded = try ModelFile.load(model)
        let tensors = try Self.readInputs(inputs)
        let session = try Session(model: loaded, options: SessionOptions(threads: threads))
        let outputs = try DedicatedThread.run { try session.run(tensors) }
        for output in try Self.writeOutputs(outputs, order: session.outputs.map(\.name), to: outputDirectory) {
            print("\(output.name): \(output.dataType) [\(output.shape.map(String.init).joined(separator: ", "))] -> \(output.path)")
        }
    }

    /// The input tensors by name; each name once.
    static func readInputs(_ assignments: [InputFileAssignment]) throws(CLIError) -> [String: Tensor] {
        var tensors: [String: Tensor] = [:]
        for assignment in assignments {
            guard tensors[assignment.name] == nil else { throw CLIError("--input gives '\(assignment.name)' twice") }
            tensors[assignment.name] = try ModelFile.readNpy(assignment.path)
        }
        return tensors
    }

    /// Writes `outputs` (in `order`) to `directory` under file-safe names.
    static func writeOutputs(_ outputs: [String: Tensor], order: [String], to directory: String) throws(CLIError) -> [WrittenOutput] {
        try ModelFile.createDirectory(directory)
        var written: [WrittenOutput] = []
        for (name, fileName) in zip(order, FileSafeName.unique(order)) {
            guard let tensor = outputs[name] else { continue }
            let path = (directory.hasSuffix("/") ? directory : directory + "/") + fileName + ".npy"
            try ModelFile.writeNpy(tensor, to: path)
            written.append(WrittenOutput(name: name, path: path, shape: tensor.shape, dataType: tensor.dataType))
        }
        return written
    }
}
