import Foundation
import Testing
@testable import SwitchyardEngine
import SwitchyardGraph
import SwitchyardTensor

@Suite struct ElementwiseVariadicTests {
    typealias Support = ElementwiseTestSupport

    @Test func variadicOperatorsBroadcastAllInputs() throws {
        var generator = Support.SeededGenerator(seed: 31)
        let shapes: [[Int]] = [[2, 1, 4], [3, 1], [4]]
        let values = shapes.map { Support.nonZeroFloats($0.reduce(1, *), generator: &generator) }
        let inputs = zip(shapes, values).map { Tensor(shape: $0, scalars: $1) }
        let operands = Array(zip(shapes, values)).map { (shape: $0, values: $1) }
        let cases: [(String, ([Float]) -> Float)] = [
            ("Max", { $0.max()! }), ("Min", { $0.min()! }),
            ("Sum", { ($0[0] + $0[1]) + $0[2] }), ("Mean", { (($0[0] + $0[1]) + $0[2]) / 3 }),
        ]
        for (op, f) in cases {
            let y = try Support.run1(op, inputs)
            let expected = Support.broadcastReference(operands, f)
            #expect(y.shape == [2, 3, 4])
            #expect(y.scalars(as: Float.self) == expected.values, "\(op)")
        }
    }

    @Test func singleInputIsReturnedAndNoInputIsAnError() throws {
        let x = Tensor(shape: [3], scalars: [Int32(4), -2, 9])
        #expect(try Support.run1("Max", [x]).scalars(as: Int32.self) == [4, -2, 9])
        #expect(try Support.run1("Min", [x, Tensor(scalar: Int32(0))]).scalars(as: Int32.self) == [0, -2, 0])
        #expect(throws: KernelError.self) { try Support.run1("Sum", []) }
        #expect(throws: KernelError.self) { try Support.run1("Mean", [x]) }
    }

    @Test func maxAndMinPropagateNaN() throws {
        let a = Tensor(shape: [2], scalars: [Float.nan, 1]), b = Tensor(shape: [2], scalars: [Float(0), .nan])
        #expect(try Support.run1("Max", [a, b]).scalars(as: Float.self).allSatisfy(\.isNaN))
        #expect(try Support.run1("Min", [b, a]).scalars(as: Float.self).allSatisfy(\.isNaN))
    }

    @Test func whereSelectsWithThreeWayBroadcast() throws {
        var generator = Support.SeededGenerator(seed: 32)
        let condition = (0..<4).map { _ in Bool.random(using: &generator) }
        let x = Support.nonZeroInts(6, generator: &generator), y = Support.nonZeroInts(2, generator: &generator)
        let expected = Support.broadcastReference([([4, 1, 1], condition.map { $0 ? 1 : 0 }), ([3, 2], x), ([2], y)]) {
            $0[0] == 1 ? $0[1] : $0[2]
        }
        for type in [DataType.int64, .int8, .float32, .float16, .float64] {
            let result = try Support.run1("Where", [
                Tensor(shape: [4, 1, 1], scalars: condition),
                Tensor(dataType: type, shape: [3, 2], int64s: x), Tensor(dataType: type, shape: [2], int64s: y),
            ])
            #expect(result.dataType == type)
            #expect(result.shape == [4, 3, 2])
            #expect(result.int64s() == expected.values, "\(type)")
        }
        let strings = try Support.run1("Where", [
            Tensor(shape: [2], scalars: [true, false]), Tensor(shape: [1], strings: ["yes"]), Tensor(shape: [2, 1], strings: ["a", "b"]),
        ])
        #expect(strings.strings == ["yes", "a", "yes", "b"])
        #expect(throws: KernelError.self) {
            try Support.run1("Where", [Tensor(shape: [2], scalars: [Int32(1), 0]), Tensor(scalar: Float(1)), Tensor(scalar: Float(2))])
        }
        #expect(throws: KernelError.self) {
            try Support.run1("Where", [Tensor(shape: [2], scalars: [true, false]), Tensor(zeros: .float32, shape: [3]), Tensor(scalar: Float(2))])
        }
    }
}
