import SwitchyardGraph
import SwitchyardTensor
import Testing
@testable import SwitchyardEngine

private typealias Kit = MovementTestKit

@Suite struct MovementSelectionTests {
    @Test func compressKeepsSelectedSlices() throws {
        let data = Tensor(shape: [3, 2], scalars: (1...6).map(Int64.init))
        let condition = Tensor(shape: [3], scalars: [true, false, true])
        #expect(try Kit.run1("Compress", [data, condition], attributes: ["axis": .int(-2)]).scalars(as: Int64.self) == [1, 2, 5, 6])
        let flat = try Kit.run1("Compress", [data, Tensor(shape: [4], scalars: [false, true, true, false])])
        #expect(flat.shape == [2] && flat.scalars(as: Int64.self) == [2, 3])
        #expect(Kit.throwsKernelError { try Kit.run1("Compress", [data, condition], attributes: ["axis": .int(2)]) })
    }

    @Test func nonZeroListsCoordinatesInRowMajorOrder() throws {
        let data = Tensor(shape: [2, 3], scalars: [Float(0), 2, 0, -1, 0, 3])
        let output = try Kit.run1("NonZero", [data])
        #expect(output.shape == [2, 3] && output.scalars(as: Int64.self) == [0, 1, 1, 1, 0, 2])
    }

    @Test func oneHotWrapsNegativeIndicesAndIgnoresOutOfRange() throws {
        let indices = Tensor(shape: [3], scalars: [Float(1), -1, 5])
        let values = Tensor(shape: [2], scalars: [Int32(-2), 9])
        let output = try Kit.run1("OneHot", [indices, Tensor(scalar: Int64(3)), values], attributes: ["axis": .int(0)])
        #expect(output.shape == [3, 3])
        #expect(output.scalars(as: Int32.self) == [-2, -2, -2, 9, -2, -2, -2, 9, -2])
    }

    @Test func topKOrdersByValueThenIndex() throws {
        var generator = Kit.Generator(seed: 14)
        let raw = (0..<24).map { _ in Float(Int.random(in: 1...6, using: &generator)) } // many ties
        let data = Tensor(shape: [4, 6], scalars: raw)
        for largest in [true, false] {
            let outputs = try Kit.run("TopK", [data, Kit.int64s([3])], attributes: ["axis": .int(-1), "largest": .int(largest ? 1 : 0)], outputs: 2)
            #expect(outputs[0].shape == [4, 3] && outputs[1].shape == [4, 3])
            for row in 0..<4 {
                let slice = Array(raw[(row * 6)..<(row * 6 + 6)])
                let order = slice.indices.sorted { a, b in
                    slice[a] != slice[b] ? (largest ? slice[a] > slice[b] : slice[a] < slice[b]) : a < b
                }.prefix(3)
                #expect(Array(outputs[1].scalars(as: Int64.self)[(row * 3)..<(row * 3 + 3)]) == order.map(Int64.init))
                #expect(Array(outputs[0].floats()[(row * 3)..<(row * 3 + 3)]) == order.map { slice[$0] })
            }
        }
        let uint = Tensor(shape: [3], scalars: [UInt64.max, 1, UInt64.max - 1])
        let top = try Kit.run("TopK", opset: 9, [uint], attributes: ["k": .int(2)], outputs: 2)
        #expect(top[0].scalars(as: UInt64.self) == [.max, .max - 1] && top[1].scalars(as: Int64.self) == [0, 2])
        #expect(Kit.throwsKernelError { try Kit.run("TopK", [data, Kit.int64s([7])], outputs: 2) })
    }

    @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
    func cumSumAlongAxis(exclusive: Bool, reverse: Bool) throws {
        var generator = Kit.Generator(seed: 15)
        let values = Kit.distinctInt64s(12, &generator)
        let data = Tensor(shape: [3, 4], scalars: values.map { Int32($0) })
        let output = try Kit.run1("CumSum", [data, Tensor(scalar: Int64(-2))],
                                  attributes: ["exclusive": .int(exclusive ? 1 : 0), "reverse": .int(reverse ? 1 : 0)])
        let expected = (0..<12).map { linear -> Int32 in
            let (row, column) = (linear / 4, linear % 4)
            let rows = (0..<3).filter { other in
                reverse ? (exclusive ? other > row : other >= row) : (exclusive ? other < row : other <= row)
            }
            return Int32(rows.reduce(Int64(0)) { $0 + values[$1 * 4 + column] })
        }
        #expect(output.scalars(as: Int32.self) == expected)
    }

    @Test func cumProdMultipliesAlongTheAxis() throws {
        let data = Tensor(shape: [2, 3], scalars: [Double(2), 3, -1, 0.5, 4, 2])
        #expect(try Kit.run1("CumProd", [data, Tensor(scalar: Int32(1))]).scalars(as: Double.self) == [2, 6, -6, 0.5, 2, 4])
        let exclusiveReverse = try Kit.run1("CumProd", [data, Tensor(scalar: Int32(0))],
                                            attributes: ["exclusive": .int(1), "reverse": .int(1)])
        #expect(exclusiveReverse.scalars(as: Double.self) == [0.5, 4, 2, 1, 1, 1])
        #expect(Kit.throwsKernelError { try Kit.run1("CumProd", [data, Tensor(scalar: Int32(2))]) })
    }

    @Test func einsumMatmulDiagonalEllipsisAndImplicitOutput() throws {
        var generator = Kit.Generator(seed: 16)
        let a = Kit.randomFloatTensor([2, 3, 4], &generator), b = Kit.randomFloatTensor([2, 4, 5], &generator)
        let product = try Kit.run1("Einsum", [a, b], attributes: ["equation": .string("...ij,...jk->...ik")])
        #expect(product.shape == [2, 3, 5])
        let (x, y, z) = (a.doubles(), b.doubles(), product.doubles())
        for batch in 0..<2 {
            for i in 0..<3 {
                for k in 0..<5 {
                    let sum = (0..<4).reduce(0.0) { $0 + x[batch * 12 + i * 4 + $1] * y[batch * 20 + $1 * 5 + k] }
                    #expect(abs(z[batch * 15 + i * 5 + k] - sum) < 1e-4)
                }
            }
        }
        let square = Tensor(shape: [3, 3], scalars: (1...9).map(Int64.init))
        #expect(try Kit.run1("Einsum", [square], attributes: ["equation": .string("ii")]).scalars(as: Int64.self) == [15])
        #expect(try Kit.run1("Einsum", [square], attributes: ["equation": .string("ii->i")]).scalars(as: Int64.self) == [1, 5, 9])
        // Implicit output: the labels used once, alphabetically ("ji" transposes).
        #expect(try Kit.run1("Einsum", [square], attributes: ["equation": .string("ji")]).scalars(as: Int64.self) == [1, 4, 7, 2, 5, 8, 3, 6, 9])
        let vector = Tensor(shape: [2], scalars: [Int64(2), -3])
        #expect(try Kit.run1("Einsum", [vector, vector], attributes: ["equation": .string("i,j->ij")]).scalars(as: Int64.self) == [4, -6, -6, 9])
        #expect(try Kit.run1("Einsum", [square, square], attributes: ["equation": .string("ij,ij->")]).scalars(as: Int64.self) == [285])
        // Ellipsis dimensions broadcast: [2, 1] against [3] gives [2, 3].
        let column = Tensor(shape: [2, 1], scalars: [Int64(1), 10])
        let row = Tensor(shape: [3], scalars: [Int64(1), 2, 3])
        let broadcast = try Kit.run1("Einsum", [column, row], attributes: ["equation": .string("...,...->...")])
        #expect(broadcast.shape == [2, 3] && broadcast.scalars(as: Int64.self) == [1, 2, 3, 10, 20, 30])
        #expect(Kit.throwsKernelError { try Kit.run1("Einsum", [square, square], attributes: ["equation": .string("ij,jk,kl")]) })
    }

    @Test func uniqueSortedUnsortedAndAlongAxis() throws {
        let data = Tensor(shape: [6], scalars: [Float(2), 1, 1, 3, 4, 3])
        let sorted = try Kit.run("Unique", [data], outputs: 4)
        #expect(sorted[0].floats() == [1, 2, 3, 4])
        #expect(sorted[1].scalars(as: Int64.self) == [1, 0, 3, 4])
        #expect(sorted[2].scalars(as: Int64.self) == [1, 0, 0, 2, 3, 2])
        #expect(sorted[3].scalars(as: Int64.self) == [2, 1, 2, 1])
        let unsorted = try Kit.run("Unique", [data], attributes: ["sorted": .int(0)], outputs: 4)
        #expect(unsorted[0].floats() == [2, 1, 3, 4])
        #expect(unsorted[2].scalars(as: Int64.self) == [0, 1, 1, 2, 3, 2])
        let rows = Tensor(shape: [3, 2], scalars: [Int64(1), 1, 0, 1, 1, 1])
        let byRow = try Kit.run("Unique", [rows], attributes: ["axis": .int(-2)], outputs: 4)
        #expect(byRow[0].shape == [2, 2] && byRow[0].scalars(as: Int64.self) == [0, 1, 1, 1])
        #expect(byRow[2].scalars(as: Int64.self) == [1, 0, 1])
        #expect(byRow[3].scalars(as: Int64.self) == [1, 2])
    }
}
