import SwitchyardGraph
import SwitchyardTensor
import Testing
@testable import SwitchyardEngine

private typealias Kit = MovementTestKit

@Suite struct MovementCopyTests {
    /// Every permutation of a rank-4 tensor, for several element sizes and strings, against
    /// coordinate-by-coordinate mapping.
    @Test(arguments: [DataType.float32, .int64, .float16, .bool, .string])
    func transposeMatchesCoordinateMapping(dataType: DataType) throws {
        var generator = Kit.Generator(seed: 3)
        let shape = [2, 3, 4, 5]
        let values = Kit.distinctInt64s(120, &generator)
        let data = Tensor(dataType: dataType, shape: shape, int64s: values)
        for permutation in permutations([0, 1, 2, 3]) {
            let output = try Kit.run1("Transpose", [data], attributes: ["perm": .ints(permutation)])
            let outputShape = permutation.map { shape[$0] }
            #expect(output.shape == outputShape)
            var expected = [Int64](repeating: 0, count: 120)
            for linear in 0..<120 {
                let outputCoordinate = Kit.coordinate(linear, outputShape)
                var inputCoordinate = [Int](repeating: 0, count: 4)
                for (axis, source) in permutation.enumerated() { inputCoordinate[source] = outputCoordinate[axis] }
                expected[linear] = values[Kit.linear(inputCoordinate, shape)]
            }
            #expect(output.converted(to: .int64).scalars(as: Int64.self)
                == Tensor(dataType: dataType, shape: outputShape, int64s: expected).converted(to: .int64).scalars(as: Int64.self))
        }
    }

    @Test func transposeDefaultsToReversedAxesAndRejectsBadPermutations() throws {
        var generator = Kit.Generator(seed: 4)
        let data = Kit.randomFloatTensor([2, 3], &generator)
        let output = try Kit.run1("Transpose", [data])
        let values = data.floats()
        #expect(output.shape == [3, 2])
        #expect(output.floats() == [values[0], values[3], values[1], values[4], values[2], values[5]])
        #expect(Kit.throwsKernelError { try Kit.run1("Transpose", [data], attributes: ["perm": .ints([0, 0])]) })
        #expect(Kit.throwsKernelError { try Kit.run1("Transpose", [data], attributes: ["perm": .ints([0])]) })
    }

    @Test(arguments: [0, 1, 2, -1, -3])
    func concatJoinsAlongAxis(axis: Int) throws {
        var generator = Kit.Generator(seed: 5)
        let resolved = axis < 0 ? axis + 3 : axis
        var shapes: [[Int]] = []
        for size in [2, 0, 3] {
            var shape = [2, 3, 4]
            shape[resolved] = size
            shapes.append(shape)
        }
        let inputs = shapes.map { Kit.randomFloatTensor($0, &generator) }
        let output = try Kit.run1("Concat", inputs, attributes: ["axis": .int(axis)])
        var outputShape = [2, 3, 4]
        outputShape[resolved] = 5
        #expect(output.shape == outputShape)
        let values = output.floats()
        for linear in 0..<values.count {
            var coordinate = Kit.coordinate(linear, outputShape)
            var which = 0
            while coordinate[resolved] >= shapes[which][resolved] {
                coordinate[resolved] -= shapes[which][resolved]
                which += 1
            }
            #expect(values[linear] == inputs[which].floats()[Kit.linear(coordinate, shapes[which])])
        }
        #expect(Kit.throwsKernelError { try Kit.run1("Concat", inputs, attributes: ["axis": .int(3)]) })
        #expect(Kit.throwsKernelError {
            try Kit.run1("Concat", [inputs[0], Tensor(zeros: .float32, shape: [9, 9, 9])], attributes: ["axis": .int(axis)])
        })
    }

    @Test func concatMovesStrings() throws {
        let a = Tensor(shape: [2, 1], strings: ["a", "b"])
        let b = Tensor(shape: [2, 2], strings: ["c", "d", "e", "f"])
        #expect(try Kit.run1("Concat", [a, b], attributes: ["axis": .int(-1)]).strings == ["a", "c", "d", "b", "e", "f"])
    }

    @Test func splitBySizesEqualPartsAndNumOutputs() throws {
        let data = Tensor(shape: [2, 5], scalars: (1...10).map(Int64.init))
        let bySizes = try Kit.run("Split", [data, Kit.int64s([2, 3])], attributes: ["axis": .int(-1)], outputs: 2)
        #expect(bySizes.map { $0.scalars(as: Int64.self) } == [[1, 2, 6, 7], [3, 4, 5, 8, 9, 10]])
        let attribute = try Kit.run("Split", opset: 11, [data], attributes: ["axis": .int(1), "split": .ints([4, 1])], outputs: 2)
        #expect(attribute.map(\.shape) == [[2, 4], [2, 1]])
        let uneven = try Kit.run("Split", [data], attributes: ["axis": .int(1), "num_outputs": .int(3)], outputs: 3)
        #expect(uneven.map(\.shape) == [[2, 2], [2, 2], [2, 1]])
        #expect(uneven[2].scalars(as: Int64.self) == [5, 10])
        let equal = try Kit.run("Split", [data], outputs: 2)
        #expect(equal.map { $0.scalars(as: Int64.self) } == [[1, 2, 3, 4, 5], [6, 7, 8, 9, 10]])
        #expect(Kit.throwsKernelError { try Kit.run("Split", [data, Kit.int64s([2, 2])], attributes: ["axis": .int(1)], outputs: 2) })
        #expect(Kit.throwsKernelError { try Kit.run("Split", [data], attributes: ["axis": .int(1)], outputs: 2) })
    }

    /// Random slices with positive and negative steps and out-of-range bounds, against a
    /// Python-style slice computed element by element.
    @Test func sliceMatchesPythonSlicing() throws {
        var generator = Kit.Generator(seed: 6)
        let shape = [4, 5, 6]
        let data = Kit.randomFloatTensor(shape, &generator)
        let values = data.floats()
        for _ in 0..<40 {
            var starts: [Int] = [], ends: [Int] = [], axes: [Int] = [], steps: [Int] = []
            for axis in [0, 1, 2].shuffled(using: &generator).prefix(Int.random(in: 1...3, using: &generator)) {
                axes.append(Bool.random(using: &generator) ? axis - 3 : axis)
                starts.append(Int.random(in: -8...8, using: &generator))
                ends.append(Bool.random(using: &generator) ? Int.random(in: -8...8, using: &generator) : (Bool.random(using: &generator) ? Int(Int64.max) : Int(Int64.min)))
                steps.append([-3, -2, -1, 1, 2, 3].randomElement(using: &generator)!)
            }
            let output = try Kit.run1("Slice", [data, Kit.int64s(starts), Kit.int64s(ends), Kit.int64s(axes), Kit.int64s(steps)])
            var picks = shape.map { Array(0..<$0) }
            for index in axes.indices {
                let axis = axes[index] < 0 ? axes[index] + 3 : axes[index]
                picks[axis] = pythonSlice(count: shape[axis], start: starts[index], end: ends[index], step: steps[index])
            }
            #expect(output.shape == picks.map(\.count))
            var expected: [Float] = []
            for i in picks[0] { for j in picks[1] { for k in picks[2] { expected.append(values[Kit.linear([i, j, k], shape)]) } } }
            #expect(output.floats() == expected)
        }
    }

    @Test func sliceBeforeOpset10ReadsAttributesAndRejectsZeroSteps() throws {
        let data = Tensor(shape: [2, 4], scalars: (1...8).map(Int64.init))
        let output = try Kit.run1("Slice", opset: 9, [data], attributes: ["starts": .ints([1]), "ends": .ints([-1]), "axes": .ints([1])])
        #expect(output.scalars(as: Int64.self) == [2, 3, 6, 7])
        #expect(Kit.throwsKernelError {
            try Kit.run1("Slice", [data, Kit.int64s([0]), Kit.int64s([2]), Kit.int64s([0]), Kit.int64s([0])])
        })
        #expect(Kit.throwsKernelError { try Kit.run1("Slice", [data, Kit.int64s([0]), Kit.int64s([2]), Kit.int64s([2])]) })
    }

    @Test func expandBroadcastsBothWays() throws {
        let data = Tensor(shape: [3, 1], scalars: [Int32(1), 2, 3])
        let output = try Kit.run1("Expand", [data, Kit.int64s([2, 1, 2])])
        #expect(output.shape == [2, 3, 2])
        #expect(output.scalars(as: Int32.self) == [1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3])
        #expect(Kit.throwsKernelError { try Kit.run1("Expand", [data, Kit.int64s([2, 2])]) })
    }

    @Test func tileRepeatsEachAxis() throws {
        let data = Tensor(shape: [2, 2], strings: ["a", "b", "c", "d"])
        let output = try Kit.run1("Tile", [data, Kit.int64s([2, 3])])
        #expect(output.shape == [4, 6])
        let expected = (0..<24).map { linear -> String in
            let (row, column) = (linear / 6, linear % 6)
            return ["a", "b", "c", "d"][(row % 2) * 2 + column % 2]
        }
        #expect(output.strings == expected)
        #expect(Kit.throwsKernelError { try Kit.run1("Tile", [data, Kit.int64s([2])]) })
    }

    @Test(arguments: ["constant", "reflect", "edge", "wrap"])
    func padMatchesIndexArithmetic(mode: String) throws {
        var generator = Kit.Generator(seed: 7)
        let shape = [3, 4]
        let data = Kit.randomFloatTensor(shape, &generator)
        let values = data.floats()
        let pads = [2, -1, 1, 5] // begin axis 0, begin axis 1, end axis 0, end axis 1
        let output = try Kit.run1("Pad", [data, Kit.int64s(pads), Tensor(shape: [], scalars: [Float(9.5)])],
                                  attributes: ["mode": .string(mode)])
        let outputShape = [3 + 2 + 1, 4 - 1 + 5]
        #expect(output.shape == outputShape)
        func source(_ index: Int, _ size: Int) -> Int? {
            if (0..<size).contains(index) { return index }
            switch mode {
            case "edge": return min(max(index, 0), size - 1)
            case "wrap": return ((index % size) + size) % size
            case "reflect":
                var reflected = index
                while !(0..<size).contains(reflected) { reflected = reflected < 0 ? -reflected : 2 * (size - 1) - reflected }
                return reflected
            default: return nil
            }
        }
        var expected: [Float] = []
        for i in 0..<outputShape[0] {
            for j in 0..<outputShape[1] {
                if let row = source(i - 2, 3), let column = source(j + 1, 4) {
                    expected.append(values[row * 4 + column])
                } else {
                    expected.append(9.5)
                }
            }
        }
        #expect(output.floats() == expected)
    }

    @Test func padWithAxesAndOldAttributes() throws {
        let data = Tensor(shape: [2, 2], scalars: [Int64(1), 2, 3, 4])
        let axes = try Kit.run1("Pad", [data, Kit.int64s([1, 1]), nil, Kit.int64s([-1])])
        #expect(axes.scalars(as: Int64.self) == [0, 1, 2, 0, 0, 3, 4, 0])
        let old = try Kit.run1("Pad", opset: 2, [data], attributes: ["pads": .ints([1, 0, 0, 0]), "value": .float(7)])
        #expect(old.scalars(as: Int64.self) == [7, 7, 1, 2, 3, 4])
        #expect(Kit.throwsKernelError { try Kit.run1("Pad", [data, Kit.int64s([1, 1])]) })
        #expect(Kit.throwsKernelError { try Kit.run1("Pad", [data, Kit.int64s([0, -3, 0, 0])]) })
    }
}

private func permutations(_ items: [Int]) -> [[Int]] {
    guard items.count > 1 else { return [items] }
    return items.flatMap { item in permutations(items.filter { $0 != item }).map { [item] + $0 } }
}

/// The indices Python's `range(count)[start:end:step]` selects.
private func pythonSlice(count: Int, start: Int, end: Int, step: Int) -> [Int] {
    var result: [Int] = []
    if step > 0 {
        var index = start < 0 ? max(start + count, 0) : min(start, count)
        let stop = end < 0 ? max(end + count, 0) : min(end, count)
        while index < stop { result.append(index); index += step }
    } else {
        var index = start < 0 ? max(start + count, -1) : min(start, count - 1)
        let stop = end < 0 ? max(end + count, -1) : min(end, count - 1)
        while index > stop { result.append(index); index += step }
    }
    return result
}

@Suite struct MovementCropAndCacheTests {
    @Test func centerCropPadCropsAndPadsAroundTheCentre() throws {
        let data = Tensor(shape: [3, 4], scalars: (1...12).map(Int64.init))
        // Rows: 3 -> 2 crops one from the end; columns: 4 -> 7 pads 1 before and 2 after.
        let output = try Kit.run1("CenterCropPad", [data, Kit.int64s([2, 7])])
        #expect(output.shape == [2, 7])
        #expect(output.scalars(as: Int64.self) == [0, 1, 2, 3, 4, 0, 0, 0, 5, 6, 7, 8, 0, 0])
        let axes = try Kit.run1("CenterCropPad", [data, Kit.int64s([2])], attributes: ["axes": .ints([-1])])
        #expect(axes.scalars(as: Int64.self) == [2, 3, 6, 7, 10, 11])
        #expect(Kit.throwsKernelError { try Kit.run1("CenterCropPad", [data, Kit.int64s([2])]) })
    }

    @Test(arguments: ["linear", "circular"])
    func tensorScatterWritesUpdatesAtEachBatchIndex(mode: String) throws {
        var generator = Kit.Generator(seed: 17)
        let cacheShape = [2, 2, 5, 3], updateShape = [2, 2, 2, 3]
        let cache = Kit.randomFloatTensor(cacheShape, &generator)
        let update = Kit.randomFloatTensor(updateShape, &generator)
        let writeIndices = mode == "linear" ? [3, 0] : [4, 1]
        let output = try Kit.run1("TensorScatter", [cache, update, Kit.int64s(writeIndices)], attributes: ["mode": .string(mode)])
        var expected = cache.floats()
        let changes = update.floats()
        for linear in changes.indices {
            var coordinate = Kit.coordinate(linear, updateShape)
            coordinate[2] = (writeIndices[coordinate[0]] + coordinate[2]) % 5
            expected[Kit.linear(coordinate, cacheShape)] = changes[linear]
        }
        #expect(output.floats() == expected)
        if mode == "linear" {
            #expect(Kit.throwsKernelError { try Kit.run1("TensorScatter", [cache, update, Kit.int64s([4, 0])]) })
        }
    }
}
