import SwitchyardGraph
import SwitchyardTensor
import Testing
@testable import SwitchyardEngine

private typealias Kit = MovementTestKit

@Suite struct MovementConstantTests {
    @Test func constantReadsEveryValueAttribute() throws {
        let tensor = Tensor(shape: [2], scalars: [Int32(4), -5])
        #expect(try Kit.run1("Constant", [], attributes: ["value": .tensor(tensor)]).scalars(as: Int32.self) == [4, -5])
        #expect(try Kit.run1("Constant", [], attributes: ["value_float": .float(2.5)]).floats() == [2.5])
        #expect(try Kit.run1("Constant", [], attributes: ["value_floats": .floats([1, 2])]).shape == [2])
        let int = try Kit.run1("Constant", [], attributes: ["value_int": .int(-7)])
        #expect(int.dataType == .int64 && int.shape == [] && int.scalars(as: Int64.self) == [-7])
        #expect(try Kit.run1("Constant", [], attributes: ["value_ints": .ints([3, 4])]).scalars(as: Int64.self) == [3, 4])
        #expect(try Kit.run1("Constant", [], attributes: ["value_string": .string("x")]).strings == ["x"])
        #expect(try Kit.run1("Constant", [], attributes: ["value_strings": .strings(["p", "q"])]).strings == ["p", "q"])
        #expect(Kit.throwsKernelError { try Kit.run1("Constant", []) })
    }

    @Test func constantOfShapeFillsWithTheValue() throws {
        let filled = try Kit.run1("ConstantOfShape", [Kit.int64s([2, 3])],
                                  attributes: ["value": .tensor(Tensor(shape: [1], scalars: [Int32(-4)]))])
        #expect(filled.shape == [2, 3] && filled.scalars(as: Int32.self) == [Int32](repeating: -4, count: 6))
        let zeros = try Kit.run1("ConstantOfShape", [Kit.int64s([0])])
        #expect(zeros.dataType == .float32 && zeros.shape == [0])
        #expect(Kit.throwsKernelError { try Kit.run1("ConstantOfShape", [Kit.int64s([-1])]) })
    }

    @Test func rangeCountsUpAndDown() throws {
        let ints = try Kit.run1("Range", [Tensor(scalar: Int32(10)), Tensor(scalar: Int32(3)), Tensor(scalar: Int32(-3))])
        #expect(ints.scalars(as: Int32.self) == [10, 7, 4])
        let floats = try Kit.run1("Range", [Tensor(scalar: Float(1)), Tensor(scalar: Float(2)), Tensor(scalar: Float(0.25))])
        #expect(floats.floats() == [1, 1.25, 1.5, 1.75])
        let empty = try Kit.run1("Range", [Tensor(scalar: Int64(5)), Tensor(scalar: Int64(1)), Tensor(scalar: Int64(2))])
        #expect(empty.shape == [0])
        #expect(Kit.throwsKernelError { try Kit.run1("Range", [Tensor(scalar: Int64(0)), Tensor(scalar: Int64(1)), Tensor(scalar: Int64(0))]) })
    }

    @Test func eyeLikePlacesOnesOnDiagonalK() throws {
        let input = Tensor(zeros: .int32, shape: [3, 4])
        let output = try Kit.run1("EyeLike", [input], attributes: ["k": .int(1), "dtype": .int(Int(DataType.float64.rawValue))])
        #expect(output.dataType == .float64)
        #expect(output.scalars(as: Double.self) == [0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1])
        let negative = try Kit.run1("EyeLike", [input], attributes: ["k": .int(-2)])
        #expect(negative.scalars(as: Int32.self) == [0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0])
    }

    @Test(arguments: [(true, 0), (true, 2), (true, -1), (false, 0), (false, -2), (false, 5)])
    func triluKeepsOneTriangle(upper: Bool, k: Int) throws {
        var generator = Kit.Generator(seed: 8)
        let shape = [2, 3, 4]
        let data = Kit.randomFloatTensor(shape, &generator)
        let output = try Kit.run1("Trilu", [data, Tensor(scalar: Int64(k))], attributes: ["upper": .int(upper ? 1 : 0)])
        let values = data.floats()
        let expected = values.indices.map { linear -> Float in
            let coordinate = Kit.coordinate(linear, shape)
            let offset = coordinate[2] - coordinate[1]
            return (upper ? offset >= k : offset <= k) ? values[linear] : 0
        }
        #expect(output.floats() == expected)
    }

    @Test(arguments: ["DCR", "CRD"])
    func depthToSpaceMatchesTheFormulaAndInvertsSpaceToDepth(mode: String) throws {
        var generator = Kit.Generator(seed: 9)
        let (n, c, h, w, b) = (2, 8, 2, 3, 2)
        let data = Kit.randomFloatTensor([n, c, h, w], &generator)
        let output = try Kit.run1("DepthToSpace", [data], attributes: ["blocksize": .int(b), "mode": .string(mode)])
        let depth = c / (b * b)
        #expect(output.shape == [n, depth, h * b, w * b])
        let values = data.floats(), result = output.floats()
        for linear in result.indices {
            let o = Kit.coordinate(linear, output.shape)
            let (y, x) = (o[2] / b, o[3] / b)
            let (by, bx) = (o[2] % b, o[3] % b)
            let channel = mode == "DCR" ? (by * b + bx) * depth + o[1] : o[1] * b * b + by * b + bx
            #expect(result[linear] == values[Kit.linear([o[0], channel, y, x], [n, c, h, w])])
        }
        if mode == "DCR" {
            let back = try Kit.run1("SpaceToDepth", [output], attributes: ["blocksize": .int(b)])
            #expect(back.shape == data.shape && back.floats() == values)
        }
        #expect(Kit.throwsKernelError { try Kit.run1("DepthToSpace", [data], attributes: ["blocksize": .int(3)]) })
    }

    @Test(arguments: [(0, 1), (1, 0)])
    func reverseSequenceReversesEachPrefix(batchAxis: Int, timeAxis: Int) throws {
        var generator = Kit.Generator(seed: 10)
        let (batch, time, inner) = (3, 4, 2)
        var shape = [0, 0, inner]
        shape[batchAxis] = batch
        shape[timeAxis] = time
        let data = Kit.randomFloatTensor(shape, &generator)
        let lengths = [4, 1, 3]
        let output = try Kit.run1("ReverseSequence", [data, Kit.int64s(lengths)],
                                  attributes: ["batch_axis": .int(batchAxis), "time_axis": .int(timeAxis)])
        let values = data.floats(), result = output.floats()
        for linear in result.indices {
            var coordinate = Kit.coordinate(linear, shape)
            let (b, t) = (coordinate[batchAxis], coordinate[timeAxis])
            if t < lengths[b] { coordinate[timeAxis] = lengths[b] - 1 - t }
            #expect(result[linear] == values[Kit.linear(coordinate, shape)])
        }
        #expect(Kit.throwsKernelError {
            try Kit.run1("ReverseSequence", [data, Kit.int64s([5, 1, 1])],
                         attributes: ["batch_axis": .int(batchAxis), "time_axis": .int(timeAxis)])
        })
    }
}
