import Foundation
import SwitchyardTensor

/// Reads tensors whose bytes live outside the model file (`data_location: EXTERNAL`), from
/// files beside the model. Each file is memory-mapped once per load and shared by the tensors
/// in it; a tensor whose bytes start on a 64-byte boundary borrows the mapping without a copy.
final class ExternalDataReader {
    /// The model's folder; `nil` when the model came from memory.
    let baseDirectory: String?
    private var files: [String: MappedFile] = [:]

    init(baseDirectory: String?) {
        self.baseDirectory = baseDirectory
    }

    /// The storage for `byteCount` bytes of tensor `name` described by `entries` (`location`,
    /// `offset`, `length`, `checksum`).
    func storage(
        for entries: [Onnx_StringStringEntryProto], tensorName name: String, byteCount: Int
    ) throws(ONNXError) -> TensorStorage {
        var location: String?
        var offset = 0
        var declaredLength: Int?
        for entry in entries {
            switch entry.key {
            case "location": location = entry.value
            case "offset": offset = try Self.parseCount(entry.value, key: "offset", tensor: name)
            case "length": declaredLength = try Self.parseCount(entry.value, key: "length", tensor: name)
            default: break  // "checksum" and keys of newer ONNX versions
            }
        }
        guard let location, !location.isEmpty else {
            throw .externalData("tensor '\(name)' is marked EXTERNAL but has no 'location' entry")
        }
        let file = try mappedFile(location: location, tensor: name)
        let available = file.count - offset
        guard offset <= file.count else {
            throw .externalData("tensor '\(name)': offset \(offset) is past the end of '\(location)' (\(file.count) bytes)")
        }
        let length = declaredLength ?? available
        guard length <= available else {
            throw .externalData("tensor '\(name)': \(length) bytes at offset \(offset) run past the end of '\(location)' (\(file.count) bytes); the data file is truncated or belongs to another model")
        }
        guard length == byteCount else {
            throw .externalData("tensor '\(name)' needs \(byteCount) bytes for its shape and type but its external data in '\(location)' has \(length)")
        }
        let start = file.bytes.map { $0 + offset }
        if let start, Int(bitPattern: start) % TensorStorage.alignment == 0 {
            return TensorStorage(borrowing: start, byteCount: byteCount, owner: file)
        }
        let storage = TensorStorage(uninitializedByteCount: byteCount)
        if let start, byteCount > 0 { storage.bytes.copyMemory(from: start, byteCount: byteCount) }
        return storage
    }

    private func mappedFile(location: String, tensor: String) throws(ONNXError) -> MappedFile {
        if let cached = files[location] { return cached }
        guard let baseDirectory else {
            throw .externalData("tensor '\(tensor)' keeps its data in '\(location)', but the model was loaded from memory without a base directory to find it in; load it from its file or pass baseDirectory")
        }
        let path = try Self.resolve(location: location, in: baseDirectory, tensor: tensor)
        let file: MappedFile
        do {
            file = try MappedFile(path: path)
        } catch {
            throw .externalData("tensor '\(tensor)': cannot read '\(location)' next to the model (\(error)); copy the model's data files along with the .onnx file")
        }
        files[location] = file
        return file
    }

    /// `location` resolved against `baseDirectory`. ONNX requires a relative path inside the
    /// model's folder: absolute paths and `..` components are refused so a model cannot make
    /// the server read arbitrary files.
    static func resolve(location: String, in baseDirectory: String, tensor: String) throws(ONNXError) -> String {
        if location.hasPrefix("/") || location.hasPrefix("\\") || location.contains(":") {
            throw .externalData("tensor '\(tensor)': location '\(location)' is an absolute path; ONNX external data must be a path relative to the model's folder")
        }
        let components = location.split(whereSeparator: { $0 == "/" || $0 == "\\" })
        if components.contains("..") {
            throw .externalData("tensor '\(tensor)': location '\(location)' leaves the model's folder ('..'); ONNX external data must stay inside the model's folder")
        }
        let base = baseDirectory.isEmpty ? "." : baseDirectory
        return ([base] + components.map(String.init)).joined(separator: "/")
    }

    private static func parseCount(_ text: String, key: String, tensor: String) throws(ONNXError) -> Int {
        guard let value = Int(text), value >= 0 else {
            throw .externalData("tensor '\(tensor)': external data \(key) '\(text)' is not a non-negative integer")
        }
        return value
    }
}
