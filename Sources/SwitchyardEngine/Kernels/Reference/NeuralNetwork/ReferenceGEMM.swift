import SwitchyardTensor

/// One matrix product `C = alpha · op(A) · op(B) + beta · C` on row-major buffers, where
/// `op(X)` is `X` or its transpose. `op(A)` is `m × k`, `op(B)` is `k × n`, `C` is `m × n`;
/// `lda`, `ldb`, `ldc` are the row lengths of the buffers as stored. With `beta == 0` the old
/// contents of `C` are never read (they may be uninitialized).
struct GEMMProblem<Scalar> {
    var m: Int
    var n: Int
    var k: Int
    var a: UnsafePointer<Scalar>
    var lda: Int
    var transposeA: Bool
    var b: UnsafePointer<Scalar>
    var ldb: Int
    var transposeB: Bool
    var c: UnsafeMutablePointer<Scalar>
    var ldc: Int
    var alpha: Scalar
    var beta: Scalar
}

/// An element type the shared reference GEMM can multiply. MatMul, Gemm, Conv and
/// ConvTranspose all reduce to this one routine.
protocol ReferenceGEMMScalar: TensorScalar, Numeric {
    static func referenceGEMM(_ problem: GEMMProblem<Self>)
    /// `sum + a · b`, wrapping on overflow for integers (NumPy's behaviour).
    static func multiplyAdd(_ sum: Self, _ a: Self, _ b: Self) -> Self
}

extension Float: ReferenceGEMMScalar {
    @inline(__always) static func multiplyAdd(_ sum: Float, _ a: Float, _ b: Float) -> Float { sum + a * b }
    static func referenceGEMM(_ problem: GEMMProblem<Float>) { PackedFloatGEMM.run(problem) }
}

extension Double: ReferenceGEMMScalar {
    @inline(__always) static func multiplyAdd(_ sum: Double, _ a: Double, _ b: Double) -> Double { sum + a * b }
    static func referenceGEMM(_ problem: GEMMProblem<Double>) {
        PlainGEMM.run(problem, add: +, multiply: *)
    }
}

extension Int32: ReferenceGEMMScalar {
    @inline(__always) static func multiplyAdd(_ sum: Int32, _ a: Int32, _ b: Int32) -> Int32 { sum &+ a &* b }
    static func referenceGEMM(_ problem: GEMMProblem<Int32>) { PlainGEMM.run(problem, add: &+, multiply: &*) }
}

extension Int64: ReferenceGEMMScalar {
    @inline(__always) static func multiplyAdd(_ sum: Int64, _ a: Int64, _ b: Int64) -> Int64 { sum &+ a &* b }
    static func referenceGEMM(_ problem: GEMMProblem<Int64>) { PlainGEMM.run(problem, add: &+, multiply: &*) }
}

extension UInt32: ReferenceGEMMScalar {
    @inline(__always) static func multiplyAdd(_ sum: UInt32, _ a: UInt32, _ b: UInt32) -> UInt32 { sum &+ a &* b }
    static func referenceGEMM(_ problem: GEMMProblem<UInt32>) { PlainGEMM.run(problem, add: &+, multiply: &*) }
}

extension UInt64: ReferenceGEMMScalar {
    @inline(__always) static func multiplyAdd(_ sum: UInt64, _ a: UInt64, _ b: UInt64) -> UInt64 { sum &+ a &* b }
    static func referenceGEMM(_ problem: GEMMProblem<UInt64>) { PlainGEMM.run(problem, add: &+, multiply: &*) }
}

/// Row-by-row GEMM for the types without a packed kernel (float64, integers, which wrap on
/// overflow as NumPy does). The inner loop runs over a contiguous row of `C`.
private enum PlainGEMM {
    @inline(__always)
    static func run<T: ReferenceGEMMScalar>(
        _ p: GEMMProblem<T>, add: (T, T) -> T, multiply: (T, T) -> T
    ) {
        for i in 0..<p.m {
            let row = p.c + i * p.ldc
            if p.beta == .zero {
                row.update(repeating: .zero, count: p.n)
            } else if p.beta != 1 {
                for j in 0..<p.n { row[j] = multiply(row[j], p.beta) }
            }
            for l in 0..<p.k {
                let aValue = p.transposeA ? p.a[l * p.lda + i] : p.a[i * p.lda + l]
                let scaled = p.alpha == 1 ? aValue : multiply(p.alpha, aValue)
                if p.transposeB {
                    for j in 0..<p.n { row[j] = add(row[j], multiply(scaled, p.b[j * p.ldb + l])) }
                } else {
                    let bRow = p.b + l * p.ldb
                    for j in 0..<p.n { row[j] = add(row[j], multiply(scaled, bRow[j])) }
                }
            }
        }
    }
}
