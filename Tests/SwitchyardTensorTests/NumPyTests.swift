import Foundation
import Testing
@testable import SwitchyardTensor

/// `.npy` files written by NumPy 2 (`np.save`, or `np.lib.format.write_array` for versions 2
/// and 3), base64-encoded, so the tests need no Python.
private let numpyFiles: [String: String] = [
    "float32_2x3": "k05VTVBZAQB2AHsnZGVzY3InOiAnPGY0JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsIDMpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAMA/AAAAwAAAQEAAAIBAAACoQAAAwMA=",
    "int64_scalar": "k05VTVBZAQB2AHsnZGVzY3InOiAnPGk4JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKCksIH0gICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAr5/////////w==",
    "bool_3": "k05VTVBZAQB2AHsnZGVzY3InOiAnfGIxJywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDMsKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoBAAE=",
    "float16_2": "k05VTVBZAQB2AHsnZGVzY3InOiAnPGYyJywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAOP/7",
    "uint8_4": "k05VTVBZAQB2AHsnZGVzY3InOiAnfHUxJywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDQsKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAf7/",
    "int8_2x2": "k05VTVBZAQB2AHsnZGVzY3InOiAnfGkxJywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsIDIpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAqAfwD/",
    "uint64_2": "k05VTVBZAQB2AHsnZGVzY3InOiAnPHU4JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAr//////////wMAAAAAAAAA",
    "float64_v2": "k05VTVBZAgB0AAAAeydkZXNjcic6ICc8ZjgnLCAnZm9ydHJhbl9vcmRlcic6IEZhbHNlLCAnc2hhcGUnOiAoMiwpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAAAAAKQJx1AIg85Df+",
    "int32_v3": "k05VTVBZAwB0AAAAeydkZXNjcic6ICc8aTQnLCAnZm9ydHJhbl9vcmRlcic6IEZhbHNlLCAnc2hhcGUnOiAoMiwgMSksIH0gICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoBAAAA/v///w==",
    "unicode_2": "k05VTVBZAQB2AHsnZGVzY3InOiAnPFUyJywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAphAAAAYgAAAOcAAADpAAAA",
    "fortran_2x2": "k05VTVBZAQB2AHsnZGVzY3InOiAnPGY0JywgJ2ZvcnRyYW5fb3JkZXInOiBUcnVlLCAnc2hhcGUnOiAoMiwgMiksIH0gICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAIA/AABAQAAAAEAAAIBA",
    "bigendian_2": "k05VTVBZAQB2AHsnZGVzY3InOiAnPmY0JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAo/gAAAQAAAAA==",
]

private func numpyFile(_ name: String) -> Data { Data(base64Encoded: numpyFiles[name]!)! }

private typealias SeededGenerator = SplitMix64

@Suite struct NumPyTests {
    @Test func readsNumPyFilesOfEveryType() throws {
        let floats = try Tensor(npyData: numpyFile("float32_2x3"))
        #expect(floats.shape == [2, 3])
        #expect(floats.scalars(as: Float.self) == [1.5, -2, 3, 4, 5.25, -6])

        let scalar = try Tensor(npyData: numpyFile("int64_scalar"))
        #expect(scalar.shape == [])
        #expect(scalar.scalars(as: Int64.self) == [-7])

        #expect(try Tensor(npyData: numpyFile("bool_3")).scalars(as: Bool.self) == [true, false, true])
        #expect(try Tensor(npyData: numpyFile("float16_2")).scalars(as: Float16.self) == [0.5, -65504])
        #expect(try Tensor(npyData: numpyFile("uint8_4")).scalars(as: UInt8.self) == [0, 1, 254, 255])
        let int8s = try Tensor(npyData: numpyFile("int8_2x2"))
        #expect(int8s.shape == [2, 2] && int8s.scalars(as: Int8.self) == [-128, 127, 0, -1])
        #expect(try Tensor(npyData: numpyFile("uint64_2")).scalars(as: UInt64.self) == [.max, 3])
        #expect(try Tensor(npyData: numpyFile("unicode_2")).strings == ["ab", "çé"])
    }

    @Test func readsAnyNonZeroBoolByteAsTrue() throws {
        var data = numpyFile("bool_3")
        data[data.count - 1] = 7
        let tensor = try Tensor(npyData: data)
        #expect(tensor.scalars(as: Bool.self) == [true, false, true])
        #expect(tensor.withUnsafeBytes { Array($0) } == [1, 0, 1])
    }

    @Test func readsFormatVersions2And3() throws {
        #expect(try Tensor(npyData: numpyFile("float64_v2")).scalars(as: Double.self) == [3.25, -1e300])
        let ints = try Tensor(npyData: numpyFile("int32_v3"))
        #expect(ints.shape == [2, 1] && ints.scalars(as: Int32.self) == [1, -2])
    }

    @Test func writesTheBytesNumPyWrites() throws {
        for name in ["float32_2x3", "int64_scalar", "bool_3", "float16_2", "uint8_4", "int8_2x2", "uint64_2", "unicode_2"] {
            let tensor = try Tensor(npyData: numpyFile(name))
            #expect(tensor.npyData() == numpyFile(name), "\(name)")
        }
    }

    @Test(arguments: [DataType.float32, .float64, .float16, .int8, .int16, .int32, .int64,
                      .uint8, .uint16, .uint32, .uint64, .bool])
    func roundTripsRandomTensors(dataType: DataType) throws {
        var generator = SeededGenerator(seed: UInt64(dataType.rawValue) * 7919)
        for shape in [[], [1], [3, 4], [2, 0, 5], [2, 3, 4]] as [[Int]] {
            let count = shape.reduce(1, *)
            let values = (0..<count).map { _ in Double.random(in: -100...100, using: &generator).rounded() / 2 }
            let tensor = Tensor(dataType: dataType, shape: shape, doubles: values)
            let data = tensor.npyData()
            #expect((data.count - tensor.byteCount) % 64 == 0, "data starts on a 64-byte boundary")
            let decoded = try Tensor(npyData: data)
            #expect(decoded.dataType == dataType)
            #expect(decoded.shape == shape)
            #expect(decoded.withUnsafeBytes { Array($0) } == tensor.withUnsafeBytes { Array($0) })
        }
    }

    @Test func writesBFloat16AsExactFloat32() throws {
        let values: [BFloat16] = [BFloat16(1.5), BFloat16(-3.25e10), BFloat16(0.007)]
        let decoded = try Tensor(npyData: Tensor(shape: [3], scalars: values).npyData())
        #expect(decoded.dataType == .float32)
        #expect(decoded.scalars(as: Float.self) == values.map(\.floatValue))
    }

    @Test func readsAndWritesFiles() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("switchyard-\(UUID()).npy").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let tensor = Tensor(shape: [2, 2], scalars: [Float(0.25), -8, 9.5, 1e-3])
        try tensor.writeNpy(to: path)
        #expect(try Tensor(npyFile: path).scalars(as: Float.self) == [0.25, -8, 9.5, 1e-3])
        #expect(throws: NumPyError.self) { try Tensor(npyFile: path + ".missing") }
    }

    @Test func refusesFortranOrderAndBigEndianWithAReason() {
        #expect(message { try Tensor(npyData: numpyFile("fortran_2x2")) }.contains("Fortran"))
        #expect(message { try Tensor(npyData: numpyFile("bigendian_2")) }.contains("big-endian"))
    }

    @Test func refusesMalformedData() {
        let good = numpyFile("float32_2x3")
        #expect(message { try Tensor(npyData: Data()) }.contains("magic"))
        #expect(message { try Tensor(npyData: Data("hello, world".utf8)) }.contains("magic"))
        #expect(message { try Tensor(npyData: good.prefix(40)) }.contains("truncated header"))
        #expect(message { try Tensor(npyData: good.dropLast(4)) }.contains("needs 24 data bytes, the file has 20"))
        var version9 = good
        version9[6] = 9
        #expect(message { try Tensor(npyData: version9) }.contains("format version 9"))
        var complex = good
        let range = complex.range(of: Data("<f4".utf8))!
        complex.replaceSubrange(range, with: Data("<c8".utf8))
        #expect(message { try Tensor(npyData: complex) }.contains("'<c8'"))
        var hugeStrings = good
        hugeStrings.replaceSubrange(hugeStrings.range(of: Data("'<f4'".utf8))!, with: Data("'<U9223372036854775807'".utf8))
        #expect(message { try Tensor(npyData: hugeStrings) }.contains("strings of"))
        var badHeader = good
        badHeader.replaceSubrange(badHeader.range(of: Data("(2, 3)".utf8))!, with: Data("(2; 3)".utf8))
        #expect(message { try Tensor(npyData: badHeader) }.contains("header"))
    }

    private func message(_ body: () throws -> Tensor) -> String {
        do {
            _ = try body()
            return "no error"
        } catch let error as NumPyError {
            return error.description
        } catch {
            return "unexpected error type: \(error)"
        }
    }
}
