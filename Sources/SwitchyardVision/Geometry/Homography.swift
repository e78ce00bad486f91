/// A 3×3 projective transform, row-major, mapping (x, y) to ((m0 x + m1 y + m2) / w, (m3 x + m4 y + m5) / w)
/// with w = m6 x + m7 y + m8.
struct Homography {
    var matrix: [Double]

    /// The transform taking each of four `source` points to the matching `destination` point
    /// (`cv2.getPerspectiveTransform`): an 8×8 linear system solved by Gaussian elimination.
    init(from source: [(Double, Double)], to destination: [(Double, Double)]) {
        var a = [[Double]](repeating: [Double](repeating: 0, count: 9), count: 8)
        for i in 0..<4 {
            let (x, y) = source[i], (u, v) = destination[i]
            a[i] = [x, y, 1, 0, 0, 0, -x * u, -y * u, u]
            a[i + 4] = [0, 0, 0, x, y, 1, -x * v, -y * v, v]
        }
        for column in 0..<8 {
            let pivot = (column..<8).max { abs(a[$0][column]) < abs(a[$1][column]) }!
            a.swapAt(column, pivot)
            let p = a[column][column]
            guard p != 0 else { continue }  // Degenerate quad: leave the column, the warp samples garbage-free edges.
            for row in 0..<8 where row != column {
                let f = a[row][column] / p
                if f != 0 { for k in column..<9 { a[row][k] -= f * a[column][k] } }
            }
        }
        matrix = (0..<8).map { a[$0][$0] != 0 ? a[$0][8] / a[$0][$0] : 0 } + [1]
    }
}
