import Foundation
import Testing
@testable import SwitchyardONNX
import SwitchyardGraph
import SwitchyardTensor

@Suite struct TestDataReaderTests {
    private func floats(_ name: String, _ values: [Float]) -> Onnx_TensorProto {
        Proto.floats(name, [Int64(values.count)], values)
    }

    private func sequence(_ tensors: [Onnx_TensorProto]) -> Onnx_SequenceProto {
        var sequence = Onnx_SequenceProto()
        sequence.elemType = Int32(Onnx_SequenceProto.DataType.tensor.rawValue)
        sequence.tensorValues = tensors
        return sequence
    }

    private func floatsOf(_ value: TestValue?) -> [Float]? {
        if case .tensor(let tensor)? = value { return tensor.scalars(as: Float.self) }
        return nil
    }

    @Test func readsATensorFromAFile() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("switchyard-\(UUID()).pb").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try (try floats("x", [1, -2.5]).serializedBytes() as Data).write(to: URL(fileURLWithPath: path))
        #expect(floatsOf(try TestDataReader.value(path: path, kind: .tensor)) == [1, -2.5])
    }

    @Test func readsSequencesOfTensorsAndOfSequences() throws {
        let flat = try TestDataReader.value(data: try sequence([floats("a", [1]), floats("b", [2, 3])]).serializedBytes(),
                                            kind: .sequence(of: .tensor))
        guard case .sequence(let items) = flat else { Issue.record("not a sequence"); return }
        #expect(items.map(floatsOf) == [[1], [2, 3]])

        var nested = Onnx_SequenceProto()
        nested.elemType = Int32(Onnx_SequenceProto.DataType.sequence.rawValue)
        nested.sequenceValues = [sequence([floats("a", [4])]), sequence([])]
        guard case .sequence(let outer) = try TestDataReader.value(data: try nested.serializedBytes(), kind: .sequence(of: .sequence(of: .tensor))),
              case .sequence(let first) = outer[0], case .sequence(let second) = outer[1] else {
            Issue.record("not nested sequences")
            return
        }
        #expect(first.map(floatsOf) == [[4]] && second.isEmpty)
    }

    @Test func readsMapsWithIntegerAndStringKeys() throws {
        var map = Onnx_MapProto()
        map.keyType = DataType.int64.rawValue
        map.keys = [7, -1]
        map.values = sequence([floats("", [1]), floats("", [2])])
        guard case .map(let keys, let values) = try TestDataReader.value(data: try map.serializedBytes(), kind: .map(key: .int64, value: .tensor)) else {
            Issue.record("not a map")
            return
        }
        #expect(keys.scalars(as: Int64.self) == [7, -1] && values.map(floatsOf) == [[1], [2]])

        map.keyType = DataType.string.rawValue
        map.keys = []
        map.stringKeys = [Data("x".utf8)]
        #expect(throws: ONNXError.self) { try TestDataReader.value(data: try map.serializedBytes(), kind: .map(key: .string, value: .tensor)) }
        map.values = sequence([floats("", [5])])
        guard case .map(let names, _) = try TestDataReader.value(data: try map.serializedBytes(), kind: .map(key: .string, value: .tensor)) else {
            Issue.record("not a map")
            return
        }
        #expect(names.strings == ["x"])
    }

    @Test func readsFullAndEmptyOptionals() throws {
        var full = Onnx_OptionalProto()
        full.elemType = Int32(Onnx_OptionalProto.DataType.tensor.rawValue)
        full.tensorValue = floats("v", [8])
        guard case .optional(let value) = try TestDataReader.value(data: try full.serializedBytes(), kind: .optional(of: .tensor)) else {
            Issue.record("not an optional")
            return
        }
        #expect(floatsOf(value) == [8])

        var empty = Onnx_OptionalProto()
        empty.elemType = Int32(Onnx_OptionalProto.DataType.sequence.rawValue)
        guard case .optional(let nothing) = try TestDataReader.value(data: try empty.serializedBytes(), kind: .optional(of: .sequence(of: .tensor))) else {
            Issue.record("not an optional")
            return
        }
        #expect(nothing == nil)
    }

    @Test func explainsAMismatchedKind() throws {
        let tensorBytes: Data = try floats("x", [1, 2]).serializedBytes()
        do {
            _ = try TestDataReader.value(data: tensorBytes, kind: .sequence(of: .tensor), path: "input_0.pb")
            Issue.record("a tensor file read as a sequence")
        } catch {
            #expect(error.description.contains("input_0.pb is not valid ONNX test data"))
        }
        #expect(throws: ONNXError.self) { try TestDataReader.value(data: Data([0xFF, 0xFF, 0xFF]), kind: .tensor) }
    }
}
