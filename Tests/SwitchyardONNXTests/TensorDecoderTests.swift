import Foundation
import Testing
@testable import SwitchyardONNX
import SwitchyardTensor

@Suite struct TensorDecoderTests {
    private let decoder = TensorDecoder(externalData: nil)

    /// `tensor`'s data in the typed field ONNX uses for its type (not raw_data).
    private func typedProto(_ tensor: Tensor) -> Onnx_TensorProto {
        var proto = Onnx_TensorProto()
        proto.name = "t"
        proto.dataType = tensor.dataType.rawValue
        proto.dims = tensor.shape.map { Int64($0) }
        switch tensor.dataType {
        case .float32: proto.floatData = tensor.scalars(as: Float.self)
        case .float64: proto.doubleData = tensor.scalars(as: Double.self)
        case .int64: proto.int64Data = tensor.scalars(as: Int64.self)
        case .uint64: proto.uint64Data = tensor.scalars(as: UInt64.self)
        case .uint32: proto.uint64Data = tensor.scalars(as: UInt32.self).map { UInt64($0) }
        case .float16: proto.int32Data = tensor.scalars(as: Float16.self).map { Int32($0.bitPattern) }
        case .bfloat16: proto.int32Data = tensor.scalars(as: BFloat16.self).map { Int32($0.bitPattern) }
        case .string: proto.stringData = tensor.strings.map { Data($0.utf8) }
        default: proto.int32Data = tensor.int64s().map { Int32($0) }
        }
        return proto
    }

    @Test(arguments: DataType.allCases)
    func typedFieldsAndRawDataDecodeAlike(dataType: DataType) throws {
        var generator = SeededGenerator(seed: UInt64(dataType.rawValue) + 100)
        let values = (0..<12).map { _ in Double(Int.random(in: -300...300, using: &generator)) / 4 }
        let tensor = Tensor(dataType: dataType, shape: [3, 4], doubles: values)

        let fromTyped = try decoder.tensor(typedProto(tensor))
        #expect(fromTyped.dataType == dataType && fromTyped.shape == [3, 4])
        if dataType == .string {
            #expect(fromTyped.strings == tensor.strings)
            return
        }
        let expected = tensor.withUnsafeBytes { Array($0) }
        #expect(fromTyped.withUnsafeBytes { Array($0) } == expected)
        let fromRaw = try decoder.tensor(TensorEncoder.tensorProto(tensor, name: "t"))
        #expect(fromRaw.withUnsafeBytes { Array($0) } == expected)
    }

    @Test func decodesScalarsAndEmptyTensors() throws {
        let scalar = try decoder.tensor(Proto.floats("s", [], [2.5]))
        #expect(scalar.shape == [] && scalar.scalars(as: Float.self) == [2.5])
        let empty = try decoder.tensor(Proto.floats("e", [0, 3], []))
        #expect(empty.shape == [0, 3] && empty.count == 0)
    }

    @Test func normalizesBoolBytes() throws {
        let tensor = try decoder.tensor(Proto.raw("b", .bool, [3], [0, 1, 7]))
        #expect(tensor.scalars(as: Bool.self) == [false, true, true])
    }

    @Test func rejectsDataThatDisagreesWithItsShape() {
        #expect(message(Proto.raw("w", .float32, [2, 3], Array(repeating: 0, count: 20)))
            .contains("tensor 'w' has dims [2, 3] of float (24 bytes) but its raw_data holds 20 bytes"))
        #expect(message(Proto.floats("w", [4], [1, 2, 3])).contains("has dims [4] (4 elements) but float_data holds 3"))
        #expect(message(Proto.floats("w", [2], [])).contains("no data"))
        #expect(message(Proto.floats("w", [-1], [])).contains("negative dimension"))
        #expect(message(Proto.floats("w", [Int64.max, 4], [])).contains("overflows"))
    }

    @Test func namesUnsupportedAndUnknownDataTypes() {
        var float8 = Proto.raw("q", .uint8, [2], [1, 2])
        float8.dataType = 17
        #expect(message(float8).contains("data type FLOAT8E4M3FN (17), which Switchyard does not support"))
        var unknown = float8
        unknown.dataType = 99
        #expect(message(unknown).contains("unknown data type code 99"))
        var undefined = float8
        undefined.dataType = 0
        #expect(message(undefined).contains("no data type"))
        var strings = Proto.raw("s", .uint8, [2], [1, 2])
        strings.dataType = DataType.string.rawValue
        #expect(message(strings).contains("string tensor with raw_data"))
    }

    private func message(_ proto: Onnx_TensorProto) -> String {
        do {
            _ = try decoder.tensor(proto)
            return "decoded"
        } catch {
            return error.description
        }
    }
}
