import Foundation
import Testing
@testable import SwitchyardEngine
import SwitchyardGraph
import SwitchyardTensor

@Suite struct ElementwiseSoftmaxTests {
    typealias Support = ElementwiseTestSupport

    /// Softmax over the lines selected by `line(index) -> group`, by the textbook formula.
    static func softmax(_ values: [Double], groups: [Int], log logarithm: Bool) -> [Double] {
        var sums: [Int: Double] = [:]
        for (value, group) in zip(values, groups) { sums[group, default: 0] += exp(value) }
        return zip(values, groups).map { value, group in
            logarithm ? value - log(sums[group]!) : exp(value) / sums[group]!
        }
    }

    /// The group of each element of shape `[2, 3, 4]` when normalizing along `axis`.
    static func groups(axis: Int) -> [Int] {
        (0..<24).map { index in
            let coordinate = [index / 12, (index / 4) % 3, index % 4]
            return (0..<3).filter { $0 != axis }.reduce(0) { $0 * 10 + coordinate[$1] }
        }
    }

    @Test(arguments: [0, 1, 2, -1])
    func softmaxAndLogSoftmaxAlongAnAxis(_ axis: Int) throws {
        var generator = Support.SeededGenerator(seed: UInt64(50 + axis + 1))
        let values = Support.nonZeroFloats(24, range: 4, generator: &generator)
        let x = Tensor(shape: [2, 3, 4], scalars: values)
        let groups = Self.groups(axis: axis < 0 ? axis + 3 : axis)
        for (op, logarithm) in [("Softmax", false), ("LogSoftmax", true)] {
            let y = try Support.run1(op, [x], attributes: ["axis": .int(axis)], opset: 13)
            #expect(Support.close(y.doubles(), Self.softmax(values.map(Double.init), groups: groups, log: logarithm),
                                  tolerance: 1e-5), "\(op) axis \(axis)")
        }
    }

    @Test func beforeOpset13TheInputIsCoercedTo2D() throws {
        var generator = Support.SeededGenerator(seed: 55)
        let values = Support.nonZeroFloats(24, range: 4, generator: &generator)
        let x = Tensor(shape: [2, 3, 4], scalars: values)
        // Default axis 1: each of the 2 leading blocks of 12 is one distribution.
        let y = try Support.run1("Softmax", [x], opset: 11)
        #expect(Support.close(y.doubles(), Self.softmax(values.map(Double.init), groups: (0..<24).map { $0 / 12 }, log: false),
                              tolerance: 1e-5))
        let hard = try Support.run1("Hardmax", [x], attributes: ["axis": .int(0)], opset: 11)
        let winner = values.indices.max { values[$0] < values[$1] }!
        #expect(hard.scalars(as: Float.self) == values.indices.map { $0 == winner ? 1 : 0 })
    }

    @Test func largeInputsDoNotOverflow() throws {
        let x = Tensor(shape: [1, 3], scalars: [Float(1000), 1001, 1002])
        let expected = Self.softmax([0, 1, 2], groups: [0, 0, 0], log: false)
        #expect(Support.close(try Support.run1("Softmax", [x]).doubles(), expected, tolerance: 1e-6))
        let logExpected = Self.softmax([0, 1, 2], groups: [0, 0, 0], log: true)
        #expect(Support.close(try Support.run1("LogSoftmax", [x]).doubles(), logExpected, tolerance: 1e-6))
    }

    @Test func hardmaxMarksTheFirstMaximum() throws {
        let x = Tensor(shape: [2, 3], scalars: [Float(1), 5, 5, -1, -3, -2])
        #expect(try Support.run1("Hardmax", [x]).scalars(as: Float.self) == [0, 1, 0, 1, 0, 0])
        #expect(try Support.run1("Hardmax", [x], attributes: ["axis": .int(0)]).scalars(as: Float.self) == [1, 1, 1, 0, 0, 0])
    }

    @Test func halfPrecisionAndErrors() throws {
        let x = Tensor(shape: [4], scalars: [Float(0.5), -1, 2, 0.25])
        let y = try Support.run1("Softmax", [x.converted(to: .float16)])
        #expect(y.dataType == .float16)
        #expect(Support.close(y.doubles(), Self.softmax(x.doubles(), groups: [0, 0, 0, 0], log: false), tolerance: 1e-3))
        #expect(throws: KernelError.self) { try Support.run1("Softmax", [Tensor(shape: [2], scalars: [Int32(1), 2])]) }
        #expect(throws: KernelError.self) { try Support.run1("Softmax", [x], attributes: ["axis": .int(1)]) }
    }
}
