import SwitchyardTensor

/// ONNX `Det` (opsets 11, 22): the determinant of each square matrix in the last two axes,
/// by LU decomposition with partial pivoting in double.
enum Det {
    static func run(_ context: OpContext) throws(KernelError) -> [Tensor] {
        let op = "Det"
        let x = try context.input(0)
        let values = try FloatingValues.read(x, op: op, input: "X")
        guard x.rank >= 2, x.shape[x.rank - 1] == x.shape[x.rank - 2] else {
            throw .invalidArgument("\(op): X must be [*, M, M] (square matrices in the last two axes), got \(x.shape)")
        }
        let size = x.shape[x.rank - 1]
        let batchShape = Array(x.shape.dropLast(2))
        let determinants = (0..<batchShape.reduce(1, *)).map { index in
            determinant(Array(values[(index * size * size)..<((index + 1) * size * size)]), size: size)
        }
        return [Tensor(dataType: x.dataType, shape: batchShape, doubles: determinants)]
    }

    /// The determinant of the row-major `size × size` matrix `a`.
    static func determinant(_ matrix: [Double], size: Int) -> Double {
        var a = matrix
        var result = 1.0
        for column in 0..<size {
            var pivot = column
            for row in (column + 1)..<max(size, column + 1) where abs(a[row * size + column]) > abs(a[pivot * size + column]) {
                pivot = row
            }
            if a[pivot * size + column] == 0 { return 0 }
            if pivot != column {
                for k in 0..<size { a.swapAt(pivot * size + k, column * size + k) }
                result = -result
            }
            let diagonal = a[column * size + column]
            result *= diagonal
            for row in (column + 1)..<max(size, column + 1) {
                let factor = a[row * size + column] / diagonal
                if factor == 0 { continue }
                for k in column..<size { a[row * size + k] -= factor * a[column * size + k] }
            }
        }
        return result
    }
}
