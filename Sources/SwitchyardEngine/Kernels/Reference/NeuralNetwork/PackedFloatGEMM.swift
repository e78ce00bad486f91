/// The float32 GEMM: cache-blocked, with `A` and `B` packed into panels so that a 4 × 8
/// register tile of `C` accumulates over contiguous memory (the GotoBLAS scheme). Blocks of
/// `kBlock` × `nBlock` of `B` stay in L2 while row panels of `A` stream past them.
enum PackedFloatGEMM {
    private static let tileRows = 4
    private static let tileColumns = 8
    private static let kBlock = 256
    private static let mBlock = 96
    private static let nBlock = 512

    static func run(_ p: GEMMProblem<Float>) {
        if p.m == 0 || p.n == 0 { return }
        if p.k == 0 || p.alpha == 0 {
            scaleC(p)
            return
        }
        let bPanels = (min(p.n, nBlock) + tileColumns - 1) / tileColumns
        let packedB = UnsafeMutablePointer<SIMD8<Float>>.allocate(capacity: bPanels * min(p.k, kBlock))
        let aRows = (min(p.m, mBlock) + tileRows - 1) / tileRows * tileRows
        let packedA = UnsafeMutablePointer<Float>.allocate(capacity: aRows * min(p.k, kBlock))
        defer {
            packedB.deallocate()
            packedA.deallocate()
        }
        for column0 in stride(from: 0, to: p.n, by: nBlock) {
            let columns = min(nBlock, p.n - column0)
            for depth0 in stride(from: 0, to: p.k, by: kBlock) {
                let depth = min(kBlock, p.k - depth0)
                packB(p, column0: column0, columns: columns, depth0: depth0, depth: depth, into: packedB)
                for row0 in stride(from: 0, to: p.m, by: mBlock) {
                    let rows = min(mBlock, p.m - row0)
                    packA(p, row0: row0, rows: rows, depth0: depth0, depth: depth, into: packedA)
                    for panelColumn in stride(from: 0, to: columns, by: tileColumns) {
                        let bPanel = packedB + (panelColumn / tileColumns) * depth
                        for panelRow in stride(from: 0, to: rows, by: tileRows) {
                            tile(
                                depth: depth, a: packedA + panelRow * depth, b: bPanel,
                                c: p.c + (row0 + panelRow) * p.ldc + column0 + panelColumn, ldc: p.ldc,
                                rows: min(tileRows, rows - panelRow),
                                columns: min(tileColumns, columns - panelColumn),
                                alpha: p.alpha, beta: depth0 == 0 ? p.beta : 1)
                        }
                    }
                }
            }
        }
    }

    /// `C = beta · C` when the product contributes nothing.
    private static func scaleC(_ p: GEMMProblem<Float>) {
        for i in 0..<p.m {
            let row = p.c + i * p.ldc
            if p.beta == 0 {
                row.update(repeating: 0, count: p.n)
            } else if p.beta != 1 {
                for j in 0..<p.n { row[j] *= p.beta }
            }
        }
    }

    /// Packs `op(B)[depth0..., column0...]` as column panels of 8: panel `q`, depth `l` holds
    /// columns `8q ..< 8q+8`, zero-padded past the edge.
    private static func packB(
        _ p: GEMMProblem<Float>, column0: Int, columns: Int, depth0: Int, depth: Int,
        into packed: UnsafeMutablePointer<SIMD8<Float>>
    ) {
        for panel in 0..<(columns + tileColumns - 1) / tileColumns {
            let first = column0 + panel * tileColumns
            let width = min(tileColumns, column0 + columns - first)
            let destination = packed + panel * depth
            for l in 0..<depth {
                var vector = SIMD8<Float>()
                if p.transposeB {
                    let source = p.b + first * p.ldb + depth0 + l
                    for j in 0..<width { vector[j] = source[j * p.ldb] }
                } else {
                    let source = p.b + (depth0 + l) * p.ldb + first
                    if width == tileColumns {
                        vector = UnsafeRawPointer(source).loadUnaligned(as: SIMD8<Float>.self)
                    } else {
                        for j in 0..<width { vector[j] = source[j] }
                    }
                }
                destination[l] = vector
            }
        }
    }

    /// Packs `op(A)[row0..., depth0...]` as row panels of 4: panel `q`, depth `l`, row `r` at
    /// `(q · depth + l) · 4 + r`, zero-padded past the edge.
    private static func packA(
        _ p: GEMMProblem<Float>, row0: Int, rows: Int, depth0: Int, depth: Int,
        into packed: UnsafeMutablePointer<Float>
    ) {
        for panel in 0..<(rows + tileRows - 1) / tileRows {
            let first = row0 + panel * tileRows
            let height = min(tileRows, row0 + rows - first)
            let destination = packed + panel * depth * tileRows
            for r in 0..<tileRows {
                if r >= height {
                    for l in 0..<depth { destination[l * tileRows + r] = 0 }
                } else if p.transposeA {
                    let source = p.a + depth0 * p.lda + first + r
                    for l in 0..<depth { destination[l * tileRows + r] = source[l * p.lda] }
                } else {
                    let source = p.a + (first + r) * p.lda + depth0
                    for l in 0..<depth { destination[l * tileRows + r] = source[l] }
                }
            }
        }
    }

    /// One 4 × 8 tile of `C`: accumulates in registers, then `C = alpha · acc + beta · C`.
    @inline(__always)
    private static func tile(
        depth: Int, a: UnsafePointer<Float>, b: UnsafePointer<SIMD8<Float>>,
        c: UnsafeMutablePointer<Float>, ldc: Int, rows: Int, columns: Int, alpha: Float, beta: Float
    ) {
        var sum0 = SIMD8<Float>(), sum1 = SIMD8<Float>(), sum2 = SIMD8<Float>(), sum3 = SIMD8<Float>()
        var aPointer = a
        for l in 0..<depth {
            let vector = b[l]
            sum0 += vector * aPointer[0]
            sum1 += vector * aPointer[1]
            sum2 += vector * aPointer[2]
            sum3 += vector * aPointer[3]
            aPointer += 4
        }
        let sums = (sum0, sum1, sum2, sum3)
        for r in 0..<rows {
            let sum: SIMD8<Float>
            switch r {
            case 0: sum = sums.0
            case 1: sum = sums.1
            case 2: sum = sums.2
            default: sum = sums.3
            }
            let row = c + r * ldc
            if columns == tileColumns {
                let raw = UnsafeMutableRawPointer(row)
                var result = sum * alpha
                if beta == 1 {
                    result += raw.loadUnaligned(as: SIMD8<Float>.self)
                } else if beta != 0 {
                    result += raw.loadUnaligned(as: SIMD8<Float>.self) * beta
                }
                raw.storeBytes(of: result, as: SIMD8<Float>.self)
            } else {
                for j in 0..<columns {
                    let product = alpha * sum[j]
                    row[j] = beta == 0 ? product : product + beta * row[j]
                }
            }
        }
    }
}
