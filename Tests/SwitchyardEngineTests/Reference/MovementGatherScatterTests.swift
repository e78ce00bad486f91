import SwitchyardGraph
import SwitchyardTensor
import Testing
@testable import SwitchyardEngine

private typealias Kit = MovementTestKit

@Suite struct MovementGatherScatterTests {
    @Test(arguments: [0, 1, 2, -1])
    func gatherPicksSlicesWithWrappedIndices(axis: Int) throws {
        var generator = Kit.Generator(seed: 11)
        let shape = [3, 4, 5]
        let resolved = axis < 0 ? axis + 3 : axis
        let data = Kit.randomFloatTensor(shape, &generator)
        let dimension = shape[resolved]
        let indexValues = (0..<6).map { _ in Int.random(in: -dimension..<dimension, using: &generator) }
        let output = try Kit.run1("Gather", [data, Kit.int64s(indexValues, shape: [2, 3])], attributes: ["axis": .int(axis)])
        var outputShape = shape
        outputShape.replaceSubrange(resolved...resolved, with: [2, 3])
        #expect(output.shape == outputShape)
        let values = data.floats(), result = output.floats()
        for linear in result.indices {
            let o = Kit.coordinate(linear, outputShape)
            var index = indexValues[o[resolved] * 3 + o[resolved + 1]]
            if index < 0 { index += dimension }
            let source = Array(o[..<resolved]) + [index] + Array(o[(resolved + 2)...])
            #expect(result[linear] == values[Kit.linear(source, shape)])
        }
    }

    @Test func gatherRejectsOutOfRangeIndicesNamingValueAndBound() throws {
        let data = Tensor(shape: [5, 2], scalars: [Float](repeating: 1, count: 10))
        let message = Kit.kernelErrorMessage { try Kit.run1("Gather", [data, Kit.int64s([0, 7])]) }
        #expect(message?.contains("7") == true && message?.contains("5") == true)
        #expect(Kit.throwsKernelError { try Kit.run1("Gather", [data, Kit.int64s([-6])]) })
        #expect(Kit.throwsKernelError { try Kit.run1("Gather", [data, Kit.int64s([0])], attributes: ["axis": .int(2)]) })
    }

    @Test func gatherScalarIndexDropsTheAxis() throws {
        let data = Tensor(shape: [2, 3], strings: ["a", "b", "c", "d", "e", "f"])
        let output = try Kit.run1("Gather", [data, Tensor(scalar: Int32(-1))], attributes: ["axis": .int(1)])
        #expect(output.shape == [2] && output.strings == ["c", "f"])
    }

    @Test(arguments: [0, 1, -1])
    func gatherElementsFollowsIndicesPerElement(axis: Int) throws {
        var generator = Kit.Generator(seed: 12)
        let shape = [3, 4]
        let resolved = axis < 0 ? axis + 2 : axis
        let data = Kit.randomFloatTensor(shape, &generator)
        let indexShape = [2, 3]
        let indexValues = (0..<6).map { _ in Int.random(in: -shape[resolved]..<shape[resolved], using: &generator) }
        let output = try Kit.run1("GatherElements", [data, Kit.int64s(indexValues, shape: indexShape)], attributes: ["axis": .int(axis)])
        let values = data.floats()
        let expected = indexValues.indices.map { linear -> Float in
            var coordinate = Kit.coordinate(linear, indexShape)
            coordinate[resolved] = indexValues[linear] < 0 ? indexValues[linear] + shape[resolved] : indexValues[linear]
            return values[Kit.linear(coordinate, shape)]
        }
        #expect(output.shape == indexShape && output.floats() == expected)
        #expect(Kit.throwsKernelError {
            try Kit.run1("GatherElements", [data, Kit.int64s([4], shape: [1, 1])], attributes: ["axis": .int(1)])
        })
    }

    @Test func gatherNDWithAndWithoutBatchDims() throws {
        let data = Tensor(shape: [2, 2, 2], scalars: (0..<8).map(Int32.init))
        let plain = try Kit.run1("GatherND", [data, Kit.int64s([0, 1, -1, 0], shape: [2, 2])])
        #expect(plain.shape == [2, 2] && plain.scalars(as: Int32.self) == [2, 3, 4, 5])
        let batched = try Kit.run1("GatherND", [data, Kit.int64s([1, 0], shape: [2, 1])], attributes: ["batch_dims": .int(1)])
        #expect(batched.shape == [2, 2] && batched.scalars(as: Int32.self) == [2, 3, 4, 5])
        #expect(Kit.throwsKernelError { try Kit.run1("GatherND", [data, Kit.int64s([2, 0], shape: [1, 2])]) })
    }

    @Test(arguments: ["none", "add", "mul", "max", "min"])
    func scatterElementsCombinesUpdates(reduction: String) throws {
        var generator = Kit.Generator(seed: 13)
        let data = Kit.randomFloatTensor([3, 3], &generator)
        let indexValues = [1, -1, 0, 0, 2, 1] // shape [2, 3], axis 1, duplicates in row 0? no: per row
        let updates = Kit.randomFloatTensor([2, 3], &generator)
        let output = try Kit.run1("ScatterElements", [data, Kit.int64s(indexValues, shape: [2, 3]), updates],
                                  attributes: ["axis": .int(1), "reduction": .string(reduction)])
        var expected = data.floats()
        let changes = updates.floats()
        for linear in 0..<6 {
            let row = linear / 3
            let column = indexValues[linear] < 0 ? indexValues[linear] + 3 : indexValues[linear]
            let target = row * 3 + column
            switch reduction {
            case "add": expected[target] += changes[linear]
            case "mul": expected[target] *= changes[linear]
            case "max": expected[target] = max(expected[target], changes[linear])
            case "min": expected[target] = min(expected[target], changes[linear])
            default: expected[target] = changes[linear]
            }
        }
        #expect(output.floats() == expected)
    }

    @Test func scatterOpset9AndScatterNDWriteSlices() throws {
        let data = Tensor(shape: [2, 3], scalars: [Int64](repeating: 1, count: 6))
        let scatter = try Kit.run1("Scatter", opset: 9, [data, Kit.int64s([2, 0], shape: [1, 2]), Kit.int64s([7, 8], shape: [1, 2])],
                                   attributes: ["axis": .int(1)])
        #expect(scatter.scalars(as: Int64.self) == [8, 1, 7, 1, 1, 1])
        let nd = try Kit.run1("ScatterND", [data, Kit.int64s([-1], shape: [1, 1]), Kit.int64s([4, 5, 6], shape: [1, 3])])
        #expect(nd.scalars(as: Int64.self) == [1, 1, 1, 4, 5, 6])
        let added = try Kit.run1("ScatterND", [data, Kit.int64s([0, 1, 0, 1], shape: [2, 2]), Kit.int64s([5, 6])],
                                 attributes: ["reduction": .string("add")])
        #expect(added.scalars(as: Int64.self) == [1, 12, 1, 1, 1, 1])
        #expect(Kit.throwsKernelError { try Kit.run1("ScatterND", [data, Kit.int64s([2], shape: [1, 1]), Kit.int64s([4, 5, 6], shape: [1, 3])]) })
        #expect(Kit.throwsKernelError {
            try Kit.run1("ScatterElements", [data, Kit.int64s([3], shape: [1, 1]), Kit.int64s([1], shape: [1, 1])], attributes: ["axis": .int(1)])
        })
    }
}
