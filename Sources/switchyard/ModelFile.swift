import Foundation
import SwitchyardGraph
import SwitchyardONNX
import SwitchyardTensor

/// Reading models and `.npy` files for the commands, with errors that name the file.
enum ModelFile {
    static func load(_ path: String) throws(CLIError) -> Model {
        guard FileManager.default.fileExists(atPath: path) else { throw CLIError("no such model file: \(path)") }
        do {
            return try ModelLoader.load(path: path)
        } catch {
            throw CLIError("\(error)")
        }
    }

    /// The tensor stored in the `.npy` file at `path`.
    static func readNpy(_ path: String) throws(CLIError) -> Tensor {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw CLIError("no such file: \(path)")
        }
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw CLIError("cannot read \(path): \(error.localizedDescription)")
        }
        do { return try Tensor(npyData: data) } catch {
            throw CLIError("\(path) is not a valid .npy file: \(error)")
        }
    }

    static func writeNpy(_ tensor: Tensor, to path: String) throws(CLIError) {
        do {
            try tensor.npyData().write(to: URL(fileURLWithPath: path))
        } catch {
            throw CLIError("cannot write \(path): \(error)")
        }
    }

    static func createDirectory(_ path: String) throws(CLIError) {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw CLIError("cannot create directory \(path): \(error.localizedDescription)")
        }
    }
}
