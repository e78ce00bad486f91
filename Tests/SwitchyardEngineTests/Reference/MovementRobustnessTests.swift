import SwitchyardGraph
import SwitchyardTensor
import Testing
@testable import SwitchyardEngine

private typealias Kit = MovementTestKit

/// Hostile attributes and inputs must give a `KernelError`, never a crash.
@Suite struct MovementRobustnessTests {
    @Test func axesOfScalarsAreRejected() {
        let scalar = Tensor(scalar: Float(3))
        let index = Kit.int64s([0])
        #expect(Kit.throwsKernelError { try Kit.run1("Gather", [scalar, index]) })
        #expect(Kit.throwsKernelError { try Kit.run1("Concat", [scalar, scalar], attributes: ["axis": .int(0)]) })
        #expect(Kit.throwsKernelError { try Kit.run1("Squeeze", [scalar, index]) })
        #expect(Kit.throwsKernelError { try Kit.run1("Slice", [scalar, index, index]) })
        #expect(Kit.throwsKernelError { try Kit.run("TopK", [scalar, Kit.int64s([1])], outputs: 2) })
        #expect(Kit.throwsKernelError { try Kit.run("Split", [scalar], outputs: 1) })
        #expect(Kit.throwsKernelError { try Kit.run1("GatherElements", [scalar, Tensor(scalar: Int64(0))]) })
    }

    @Test func extremeValuesDoNotOverflow() throws {
        let data = Tensor(shape: [2, 3], scalars: (1...6).map(Int64.init))
        let huge = Int(Int64.max), tiny = Int(Int64.min)
        // Extreme steps select at most one element.
        let forward = try Kit.run1("Slice", [data, Kit.int64s([0]), Kit.int64s([huge]), Kit.int64s([1]), Kit.int64s([huge])])
        #expect(forward.scalars(as: Int64.self) == [1, 4])
        let backward = try Kit.run1("Slice", [data, Kit.int64s([-1]), Kit.int64s([tiny]), Kit.int64s([1]), Kit.int64s([tiny])])
        #expect(backward.scalars(as: Int64.self) == [3, 6])
        #expect(try Kit.run1("Trilu", [data, Tensor(scalar: Int64.max)]).scalars(as: Int64.self) == [0, 0, 0, 0, 0, 0])
        #expect(try Kit.run1("Trilu", [data, Tensor(scalar: Int64.min)], attributes: ["upper": .int(0)]).scalars(as: Int64.self) == [0, 0, 0, 0, 0, 0])
        #expect(Kit.throwsKernelError { try Kit.run1("Reshape", [data, Kit.int64s([huge, huge, 0, -1])]) })
        #expect(Kit.throwsKernelError { try Kit.run1("Tile", [data, Kit.int64s([huge, 2])]) })
        #expect(Kit.throwsKernelError { try Kit.run1("Expand", [data, Kit.int64s([-1, 3])]) })
        #expect(Kit.throwsKernelError { try Kit.run1("Pad", [data, Kit.int64s([huge, 0, huge, 0])]) })
        #expect(Kit.throwsKernelError { try Kit.run1("ConstantOfShape", [Kit.int64s([huge, huge])]) })
        #expect(Kit.throwsKernelError { try Kit.run1("Range", [Tensor(scalar: Int64.min), Tensor(scalar: Int64.max), Tensor(scalar: Int64(1))]) })
        #expect(Kit.throwsKernelError { try Kit.run1("Range", [Tensor(scalar: Float(0)), Tensor(scalar: Float.infinity), Tensor(scalar: Float(1))]) })
    }

    @Test func malformedIndexTensorsAreRejected() {
        let data = Tensor(shape: [2, 2], scalars: [Float](repeating: 1, count: 4))
        #expect(Kit.throwsKernelError { try Kit.run1("GatherND", [data, Tensor(scalar: Int64(0))]) })
        #expect(Kit.throwsKernelError { try Kit.run1("GatherND", [data, Kit.int64s([0, 0, 0], shape: [1, 3])]) })
        #expect(Kit.throwsKernelError { try Kit.run1("GatherND", [data, Kit.int64s([0], shape: [1, 1])], attributes: ["batch_dims": .int(5)]) })
        #expect(Kit.throwsKernelError { try Kit.run1("ScatterND", [data, Kit.int64s([0], shape: [1, 1]), Tensor(zeros: .float32, shape: [1, 3])]) })
        #expect(Kit.throwsKernelError { try Kit.run1("OneHot", [Kit.int64s([0]), Tensor(scalar: Int64(0)), Tensor(shape: [2], scalars: [Float(0), 1])]) })
        #expect(Kit.throwsKernelError { try Kit.run1("Einsum", [data], attributes: ["equation": .string("ijk")]) })
        #expect(Kit.throwsKernelError { try Kit.run1("Einsum", [data], attributes: ["equation": .string("i.j")]) })
        #expect(Kit.throwsKernelError { try Kit.run1("Einsum", [data, Tensor(zeros: .float32, shape: [3])], attributes: ["equation": .string("ij,j->i")]) })
    }
}
