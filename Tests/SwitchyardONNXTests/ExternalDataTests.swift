import Foundation
import Testing
@testable import SwitchyardONNX
import SwitchyardTensor

@Suite struct ExternalDataTests {
    /// A fresh folder holding `weights.bin`: 7 junk bytes, then 6 floats, then 64-aligned 4 floats.
    private func makeFolder(values: [Float]) throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("switchyard-ext-\(UUID())").path
        try FileManager.default.createDirectory(atPath: folder + "/data", withIntermediateDirectories: true)
        var bytes = Data(repeating: 0xAB, count: 7)
        values.prefix(6).forEach { withUnsafeBytes(of: $0.bitPattern.littleEndian) { bytes.append(contentsOf: $0) } }
        bytes.append(Data(repeating: 0, count: 64 - bytes.count % 64))
        values.suffix(4).forEach { withUnsafeBytes(of: $0.bitPattern.littleEndian) { bytes.append(contentsOf: $0) } }
        try bytes.write(to: URL(fileURLWithPath: folder + "/data/weights.bin"))
        return folder
    }

    private func external(_ name: String, dims: [Int64], _ entries: [String: String]) -> Onnx_TensorProto {
        var tensor = Onnx_TensorProto()
        tensor.name = name
        tensor.dataType = DataType.float32.rawValue
        tensor.dims = dims
        tensor.dataLocation = .external
        tensor.externalData = entries.sorted { $0.key < $1.key }.map { key, value in
            var entry = Onnx_StringStringEntryProto()
            entry.key = key
            entry.value = value
            return entry
        }
        return tensor
    }

    private func model(_ initializers: [Onnx_TensorProto]) -> Data {
        Proto.bytes(Proto.model(Proto.graph(nodes: [Proto.node("Identity", [initializers[0].name], ["y"])],
                                            initializers: initializers)))
    }

    @Test func readsTensorsAtOffsetsNextToTheModel() throws {
        var generator = SeededGenerator(seed: 5)
        let values = generator.floats(10)
        let folder = try makeFolder(values: values)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let data = model([
            external("a", dims: [2, 3], ["location": "data/weights.bin", "offset": "7", "length": "24"]),
            external("b", dims: [4], ["location": "./data/weights.bin", "offset": "64"]),
        ])
        try data.write(to: URL(fileURLWithPath: folder + "/model.onnx"))
        let loaded = try ModelLoader.load(path: folder + "/model.onnx")
        #expect(loaded.graph.initializers["a"]?.shape == [2, 3])
        #expect(loaded.graph.initializers["a"]?.scalars(as: Float.self) == Array(values.prefix(6)))
        #expect(loaded.graph.initializers["b"]?.scalars(as: Float.self) == Array(values.suffix(4)))
        // The same bytes load from memory when the folder is given.
        let fromMemory = try ModelLoader.load(data: data, baseDirectory: folder)
        #expect(fromMemory.graph.initializers["b"]?.scalars(as: Float.self) == Array(values.suffix(4)))
    }

    @Test func refusesPathsOutsideTheModelFolder() throws {
        let folder = try makeFolder(values: Array(repeating: 1, count: 10))
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let absolute = model([external("w", dims: [4], ["location": folder + "/data/weights.bin", "offset": "64"])])
        #expect(loadError(absolute, baseDirectory: folder).contains("is an absolute path"))
        let escaping = model([external("w", dims: [4], ["location": "data/../../etc/passwd"])])
        #expect(loadError(escaping, baseDirectory: folder).contains("leaves the model's folder"))
    }

    @Test func explainsMissingShortAndUnlocatedData() throws {
        let folder = try makeFolder(values: Array(repeating: 1, count: 10))
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(loadError(model([external("w", dims: [4], ["location": "missing.bin"])]), baseDirectory: folder)
            .contains("cannot read 'missing.bin'"))
        #expect(loadError(model([external("w", dims: [4], ["location": "data/weights.bin", "offset": "70"])]), baseDirectory: folder)
            .contains("has 10"))
        #expect(loadError(model([external("w", dims: [4], ["location": "data/weights.bin", "offset": "64", "length": "64"])]),
                          baseDirectory: folder).contains("run past the end"))
        #expect(loadError(model([external("w", dims: [4], ["location": "data/weights.bin", "offset": "x"])]), baseDirectory: folder)
            .contains("offset 'x' is not a non-negative integer"))
        #expect(loadError(model([external("w", dims: [4], ["offset": "0"])]), baseDirectory: folder)
            .contains("no 'location'"))
        #expect(loadError(model([external("w", dims: [4], ["location": "data/weights.bin"])]), baseDirectory: nil)
            .contains("without a base directory"))
    }
}
