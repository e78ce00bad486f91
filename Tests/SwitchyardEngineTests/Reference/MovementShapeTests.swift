import SwitchyardGraph
import SwitchyardTensor
import Testing
@testable import SwitchyardEngine

private typealias Kit = MovementTestKit

@Suite struct MovementShapeTests {
    @Test func reshapeResolvesZeroAndMinusOneWithoutCopying() throws {
        var generator = Kit.Generator(seed: 1)
        let data = Kit.randomFloatTensor([2, 3, 4], &generator)
        let output = try Kit.run1("Reshape", [data, Kit.int64s([0, -1, 2])])
        #expect(output.shape == [2, 6, 2])
        #expect(output.storage === data.storage)
        #expect(output.floats() == data.floats())
    }

    @Test func reshapeAllowZeroKeepsZeroDimensions() throws {
        let empty = Tensor(zeros: .float32, shape: [0, 3])
        #expect(try Kit.run1("Reshape", [empty, Kit.int64s([3, 0])], attributes: ["allowzero": .int(1)]).shape == [3, 0])
        // Without allowzero the 0 copies the input's dimension.
        #expect(try Kit.run1("Reshape", [empty, Kit.int64s([0, 3])]).shape == [0, 3])
    }

    @Test func reshapeBeforeOpset5ReadsTheAttribute() throws {
        let data = Tensor(shape: [6], scalars: (1...6).map(Int64.init))
        let output = try Kit.run1("Reshape", opset: 4, [data], attributes: ["shape": .ints([3, -1])])
        #expect(output.shape == [3, 2])
    }

    @Test func reshapeRejectsBadShapes() {
        let data = Tensor(zeros: .float32, shape: [2, 3])
        #expect(Kit.throwsKernelError { try Kit.run1("Reshape", [data, Kit.int64s([4, 2])]) })
        #expect(Kit.throwsKernelError { try Kit.run1("Reshape", [data, Kit.int64s([-1, -1])]) })
        #expect(Kit.throwsKernelError { try Kit.run1("Reshape", [data, Kit.int64s([-2, 3])]) })
    }

    @Test func flattenSplitsAtTheAxisIncludingNegativeAndRank() throws {
        let data = Tensor(zeros: .int8, shape: [2, 3, 4, 5])
        #expect(try Kit.run1("Flatten", [data], attributes: ["axis": .int(0)]).shape == [1, 120])
        #expect(try Kit.run1("Flatten", [data]).shape == [2, 60])
        #expect(try Kit.run1("Flatten", [data], attributes: ["axis": .int(-1)]).shape == [24, 5])
        #expect(try Kit.run1("Flatten", [data], attributes: ["axis": .int(4)]).shape == [120, 1])
        #expect(Kit.throwsKernelError { try Kit.run1("Flatten", [data], attributes: ["axis": .int(5)]) })
    }

    @Test func squeezeTakesAxesFromAttributeOrInput() throws {
        let data = Tensor(zeros: .float32, shape: [1, 3, 1, 2])
        #expect(try Kit.run1("Squeeze", opset: 11, [data], attributes: ["axes": .ints([-2])]).shape == [1, 3, 2])
        #expect(try Kit.run1("Squeeze", opset: 13, [data, Kit.int64s([0])]).shape == [3, 1, 2])
        #expect(try Kit.run1("Squeeze", opset: 13, [data]).shape == [3, 2])
        #expect(Kit.throwsKernelError { try Kit.run1("Squeeze", [data, Kit.int64s([1])]) })
        #expect(Kit.throwsKernelError { try Kit.run1("Squeeze", [data, Kit.int64s([4])]) })
    }

    @Test func unsqueezeInsertsAxesOfTheOutput() throws {
        let data = Tensor(zeros: .float32, shape: [3, 4])
        #expect(try Kit.run1("Unsqueeze", [data, Kit.int64s([-1, 0])]).shape == [1, 3, 4, 1])
        #expect(try Kit.run1("Unsqueeze", opset: 11, [data], attributes: ["axes": .ints([1, 3])]).shape == [3, 1, 4, 1])
        #expect(Kit.throwsKernelError { try Kit.run1("Unsqueeze", [data, Kit.int64s([1, 1])]) })
        #expect(Kit.throwsKernelError { try Kit.run1("Unsqueeze", [data, Kit.int64s([3])]) })
    }

    @Test func shapeAndSizeReportTheInput() throws {
        let data = Tensor(zeros: .bool, shape: [2, 3, 5])
        #expect(try Kit.run1("Shape", [data]).scalars(as: Int64.self) == [2, 3, 5])
        #expect(try Kit.run1("Shape", [data], attributes: ["start": .int(-2)]).scalars(as: Int64.self) == [3, 5])
        #expect(try Kit.run1("Shape", [data], attributes: ["start": .int(1), "end": .int(-1)]).scalars(as: Int64.self) == [3])
        #expect(try Kit.run1("Shape", [data], attributes: ["start": .int(-10), "end": .int(10)]).scalars(as: Int64.self) == [2, 3, 5])
        #expect(try Kit.run1("Shape", [data], attributes: ["start": .int(2), "end": .int(1)]).count == 0)
        let size = try Kit.run1("Size", [data])
        #expect(size.shape == [] && size.scalars(as: Int64.self) == [30])
    }

    @Test func identityAndInferenceDropoutPassDataThrough() throws {
        var generator = Kit.Generator(seed: 2)
        let data = Kit.randomFloatTensor([3, 4], &generator)
        #expect(try Kit.run1("Identity", [data]).storage === data.storage)
        let outputs = try Kit.run("Dropout", [data, Tensor(scalar: Float(0.3))], outputs: 2)
        #expect(outputs[0].floats() == data.floats())
        #expect(outputs[1].dataType == .bool && outputs[1].scalars(as: Bool.self).allSatisfy { $0 })
        // Training with ratio 0 is still the identity; a ratio of 1 or more is refused.
        let training = Tensor(scalar: true)
        #expect(try Kit.run1("Dropout", [data, Tensor(scalar: Float(0)), training]).floats() == data.floats())
        #expect(Kit.throwsKernelError { try Kit.run1("Dropout", [data, Tensor(scalar: Float(1)), training]) })
        // Before opset 10 the mask has the data's type.
        let old = try Kit.run("Dropout", opset: 6, [data], attributes: ["is_test": .int(0)], outputs: 2)
        #expect(old[0].floats() == data.floats() && old[1].floats() == [Float](repeating: 1, count: 12))
    }

    /// NumPy: `np.random.seed(3); np.random.uniform(0, 1, 6) >= 0.4` is
    /// [True, True, False, True, True, True] (draws 0.5508, 0.7081, 0.2909, 0.5108, 0.8929, 0.8963).
    @Test func trainingDropoutDrawsNumPysSeededMask() throws {
        var generator = Kit.Generator(seed: 5)
        let data = Kit.randomFloatTensor([2, 3], &generator)
        let outputs = try Kit.run("Dropout", [data, Tensor(scalar: Float(0.4)), Tensor(scalar: true)],
                                  attributes: ["seed": .int(3)], outputs: 2)
        let expectedMask = [true, true, false, true, true, true]
        #expect(outputs[1].scalars(as: Bool.self) == expectedMask)
        for (i, value) in outputs[0].floats().enumerated() {
            let expected = expectedMask[i] ? data.floats()[i] / 0.6 : 0
            #expect(abs(value - expected) <= 1e-6 * max(1, abs(expected)), "element \(i): \(value) vs \(expected)")
        }
        // The same seed gives the same mask on every run.
        let again = try Kit.run("Dropout", [data, Tensor(scalar: Float(0.4)), Tensor(scalar: true)],
                                attributes: ["seed": .int(3)], outputs: 2)
        #expect(again[1].scalars(as: Bool.self) == expectedMask)
    }
}
