import Foundation
import Testing
@testable import SwitchyardEngine
import SwitchyardGraph
import SwitchyardTensor

@Suite struct ElementwiseReductionTests {
    typealias Support = ElementwiseTestSupport

    /// Groups the elements of a row-major `shape` by their coordinates outside `axes`,
    /// in output order, by explicit coordinate arithmetic.
    static func groups(_ values: [Double], shape: [Int], axes: [Int]) -> [[Double]] {
        let keptShape = shape.indices.map { axes.contains($0) ? 1 : shape[$0] }
        var result = [[Double]](repeating: [], count: keptShape.reduce(1, *))
        for linear in values.indices {
            var remainder = linear, key = 0, scale = 1
            for axis in stride(from: shape.count - 1, through: 0, by: -1) {
                let coordinate = remainder % shape[axis]
                remainder /= shape[axis]
                if !axes.contains(axis) { key += coordinate * scale; scale *= shape[axis] }
            }
            result[key].append(values[linear])
        }
        return result
    }

    static let reductions: [(op: String, f: @Sendable ([Double]) -> Double)] = [
        ("ReduceL1", { $0.map(abs).reduce(0, +) }),
        ("ReduceL2", { $0.map { $0 * $0 }.reduce(0, +).squareRoot() }),
        ("ReduceLogSum", { log($0.reduce(0, +)) }),
        ("ReduceLogSumExp", { log($0.map(exp).reduce(0, +)) }),
        ("ReduceMax", { $0.max()! }),
        ("ReduceMean", { $0.reduce(0, +) / Double($0.count) }),
        ("ReduceMin", { $0.min()! }),
        ("ReduceProd", { $0.reduce(1, *) }),
        ("ReduceSum", { $0.reduce(0, +) }),
        ("ReduceSumSquare", { $0.map { $0 * $0 }.reduce(0, +) }),
    ]

    static let axesCases: [[Int]] = [[1], [0, 2], [2, 3], [-1], [0, 1, 2, 3], [1, 3]]

    @Test(arguments: reductions.indices, axesCases.indices)
    func float32ReductionsMatchClosedForms(_ operation: Int, _ axesIndex: Int) throws {
        let (op, f) = Self.reductions[operation]
        let axes = Self.axesCases[axesIndex]
        let shape = [2, 3, 4, 5]
        var generator = Support.SeededGenerator(seed: UInt64(300 + operation * 10 + axesIndex))
        // Positive values keep LogSum defined; Prod stays near 1.
        let values = (0..<120).map { _ in Float.random(in: 0.5...1.5, using: &generator) }
        let normalized = axes.map { $0 < 0 ? $0 + 4 : $0 }.sorted()
        let expected = Self.groups(values.map(Double.init), shape: shape, axes: normalized).map(f)
        let x = Tensor(shape: shape, scalars: values)
        for keepDims in [true, false] {
            let axesTensor = Tensor(shape: [axes.count], scalars: axes.map(Int64.init))
            let y = try Support.run1(op, [x, axesTensor], attributes: ["keepdims": .int(keepDims ? 1 : 0)], opset: 18)
            let expectedShape = keepDims ? shape.indices.map { normalized.contains($0) ? 1 : shape[$0] }
                : shape.indices.filter { !normalized.contains($0) }.map { shape[$0] }
            #expect(y.shape == expectedShape)
            #expect(Support.close(y.doubles(), expected, tolerance: 1e-5), "\(op) \(axes) keepdims \(keepDims)")
            // Before opset 18 (13 for ReduceSum) the axes are an attribute.
            let legacy = try Support.run1(op, [x], attributes: ["axes": .ints(axes), "keepdims": .int(keepDims ? 1 : 0)],
                                          opset: 11)
            #expect(legacy.shape == expectedShape)
            #expect(Support.close(legacy.doubles(), expected, tolerance: 1e-5))
        }
    }

    @Test func defaultAxesAndNoopWithEmptyAxes() throws {
        let x = Tensor(shape: [2, 3], scalars: [Float(1), 2, 3, 4, 5, 6])
        let all = try Support.run1("ReduceSum", [x], opset: 13)
        #expect(all.shape == [1, 1] && all.scalars(as: Float.self) == [21])
        let empty = Tensor(zeros: .int64, shape: [0])
        #expect(try Support.run1("ReduceSum", [x, empty], opset: 13).scalars(as: Float.self) == [21])
        let noop = try Support.run1("ReduceSum", [x, empty], attributes: ["noop_with_empty_axes": .int(1)], opset: 13)
        #expect(noop.shape == [2, 3] && noop.scalars(as: Float.self) == [1, 2, 3, 4, 5, 6])
        let noInput = try Support.run1("ReduceMax", [x], attributes: ["noop_with_empty_axes": .int(1), "keepdims": .int(0)],
                                       opset: 18)
        #expect(noInput.shape == [2, 3])
    }

    @Test func emptySetsGiveTheIdentity() throws {
        let x = Tensor(zeros: .float32, shape: [2, 0, 4])
        let axes = Tensor(shape: [1], scalars: [Int64(1)])
        let identities: [(String, Float)] = [
            ("ReduceSum", 0), ("ReduceProd", 1), ("ReduceMax", -.infinity), ("ReduceMin", .infinity),
            ("ReduceL1", 0), ("ReduceL2", 0), ("ReduceSumSquare", 0), ("ReduceLogSum", -.infinity),
            ("ReduceLogSumExp", -.infinity),
        ]
        for (op, identity) in identities {
            let y = try Support.run1(op, [x, axes], opset: 18)
            #expect(y.shape == [2, 1, 4])
            #expect(y.scalars(as: Float.self) == [Float](repeating: identity, count: 8), "\(op)")
        }
        #expect(try Support.run1("ReduceMean", [x, axes], opset: 18).scalars(as: Float.self).allSatisfy(\.isNaN))
        // A zero-sized kept axis gives an empty result.
        #expect(try Support.run1("ReduceSum", [x, Tensor(shape: [1], scalars: [Int64(2)])], opset: 18).shape == [2, 0, 1])
    }

    @Test func integerAndBoolReductions() throws {
        var generator = Support.SeededGenerator(seed: 41)
        let values = Support.nonZeroInts(24, range: 20, generator: &generator)
        let x = Tensor(shape: [2, 3, 4], scalars: values.map { Int32($0) })
        let axes = Tensor(shape: [1], scalars: [Int64(2)])
        let grouped = Self.groups(values.map(Double.init), shape: [2, 3, 4], axes: [2])
        #expect(try Support.run1("ReduceSum", [x, axes], opset: 18).int64s() == grouped.map { Int64($0.reduce(0, +)) })
        #expect(try Support.run1("ReduceMax", [x, axes], opset: 18).int64s() == grouped.map { Int64($0.max()!) })
        #expect(try Support.run1("ReduceProd", [x, axes], opset: 18).int64s() == grouped.map { Int64($0.reduce(1, *)) })
        #expect(try Support.run1("ReduceMean", [x, axes], opset: 18).int64s()
            == grouped.map { Int64(($0.reduce(0, +) / 4).rounded(.towardZero)) })
        let flags = Tensor(shape: [2, 2], scalars: [true, false, false, false])
        let rows = Tensor(shape: [1], scalars: [Int64(1)])
        #expect(try Support.run1("ReduceMax", [flags, rows], opset: 20).scalars(as: Bool.self) == [true, false])
        #expect(try Support.run1("ReduceMin", [flags, rows], opset: 20).scalars(as: Bool.self) == [false, false])
        #expect(throws: KernelError.self) { try Support.run1("ReduceSum", [flags, rows], opset: 20) }
    }

    @Test func badAxesAreErrors() {
        let x = Tensor(zeros: .float32, shape: [2, 3])
        #expect(throws: KernelError.self) { try Support.run1("ReduceSum", [x, Tensor(shape: [1], scalars: [Int64(2)])], opset: 13) }
        #expect(throws: KernelError.self) { try Support.run1("ReduceMean", [x], attributes: ["axes": .ints([0, -2])], opset: 13) }
        #expect(throws: KernelError.self) { try Support.run1("ArgMax", [x], attributes: ["axis": .int(-3)]) }
    }

    @Test func argMaxAndArgMinWithTiesAndKeepDims() throws {
        let x = Tensor(shape: [2, 4], scalars: [Float(3), 7, 7, 1, -2, -2, 5, -2])
        #expect(try Support.run1("ArgMax", [x], attributes: ["axis": .int(1)]).scalars(as: Int64.self) == [1, 2])
        #expect(try Support.run1("ArgMax", [x], attributes: ["axis": .int(1), "select_last_index": .int(1)])
            .scalars(as: Int64.self) == [2, 2])
        #expect(try Support.run1("ArgMin", [x], attributes: ["axis": .int(-1)]).scalars(as: Int64.self) == [3, 0])
        let last = try Support.run1("ArgMin", [x], attributes: ["axis": .int(1), "select_last_index": .int(1), "keepdims": .int(0)])
        #expect(last.shape == [2] && last.scalars(as: Int64.self) == [3, 3])
        let columns = try Support.run1("ArgMax", [x])
        #expect(columns.shape == [1, 4] && columns.scalars(as: Int64.self) == [0, 0, 0, 0])
        var generator = Support.SeededGenerator(seed: 42)
        let values = Support.nonZeroInts(30, range: 1000, generator: &generator)
        let ints = try Support.run1("ArgMax", [Tensor(shape: [5, 6], scalars: values.map { Int16($0) })],
                                    attributes: ["axis": .int(1), "keepdims": .int(0)])
        var expected: [Int64] = []
        for row in 0..<5 {
            var best = 0
            for column in 1..<6 where values[row * 6 + column] > values[row * 6 + best] { best = column }
            expected.append(Int64(best))
        }
        #expect(ints.scalars(as: Int64.self) == expected)
    }
}
