import Testing
import SwitchyardGraph
import SwitchyardTensor
@testable import SwitchyardEngine

@Suite struct LinearAlgebraTests {
    typealias F = NormRNNFixtures

    /// Determinant by cofactor expansion along the first row.
    static func cofactorDeterminant(_ m: [[Double]]) -> Double {
        if m.count == 1 { return m[0][0] }
        return (0..<m.count).reduce(0.0) { sum, column in
            let minor = m.dropFirst().map { row in row.enumerated().filter { $0.offset != column }.map(\.element) }
            return sum + (column % 2 == 0 ? 1 : -1) * m[0][column] * cofactorDeterminant(minor)
        }
    }

    @Test(arguments: [1, 2, 3, 4])
    func determinantOfBatch(size: Int) throws {
        var rng = F.SeededGenerator(seed: 50 + UInt64(size))
        let values = F.values(3 * size * size, using: &rng)
        let expected = (0..<3).map { b in
            Self.cofactorDeterminant((0..<size).map { r in Array(values[(b * size + r) * size..<(b * size + r + 1) * size]) })
        }
        let y = try F.run("Det", opset: 22, inputs: [F.tensor([3, size, size], values, .float64)])
        F.expectClose(y[0], expected, shape: [3], tolerance: 1e-12)
    }

    @Test func singularAndNonSquare() throws {
        let singular = try F.run("Det", opset: 22, inputs: [F.tensor([2, 2], [1, 2, 2, 4])])
        #expect(singular[0].doubles() == [0])
        F.expectInvalid("square") { try F.run("Det", opset: 22, inputs: [F.tensor([2, 3], [1, 2, 3, 4, 5, 6])]) }
    }
}
