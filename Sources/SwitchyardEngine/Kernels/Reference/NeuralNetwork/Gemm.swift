import SwitchyardTensor

/// Gemm (opsets 1–13): `Y = alpha · op(A) · op(B) + beta · C`, where `op` transposes when
/// `transA`/`transB` is set and C (optional from opset 11) broadcasts unidirectionally to
/// `[M, N]`.
enum GemmKernel {
    static func run(_ context: OpContext) throws -> [Tensor] {
        let op = context.node.opType
        let a = try context.input(0), b = try context.input(1)
        let c = context.optionalInput(2)
        guard a.rank == 2, b.rank == 2 else {
            throw KernelError.invalidArgument("\(op): A and B must be matrices, got shapes \(a.shape) and \(b.shape)")
        }
        guard a.dataType == b.dataType, c.map({ $0.dataType == a.dataType }) ?? true else {
            throw KernelError.invalidArgument("\(op): A, B and C must share one type, got \(a.dataType), \(b.dataType)\(c.map { ", \($0.dataType)" } ?? "")")
        }
        let transposeA = try context.int("transA", default: 0) != 0
        let transposeB = try context.int("transB", default: 0) != 0
        let alpha = try context.float("alpha", default: 1), beta = try context.float("beta", default: 1)
        let m = transposeA ? a.shape[1] : a.shape[0], k = transposeA ? a.shape[0] : a.shape[1]
        let bRows = transposeB ? b.shape[1] : b.shape[0], n = transposeB ? b.shape[0] : b.shape[1]
        guard k == bRows else {
            throw KernelError.invalidArgument(
                "\(op): op(A) is \(m)×\(k) but op(B) is \(bRows)×\(n) (A \(a.shape), B \(b.shape), transA \(transposeA), transB \(transposeB))")
        }
        var cIndices: [Int]?
        if let c, beta != 0 {
            guard c.rank <= 2, zip(c.shape.reversed(), [n, m]).allSatisfy({ $0 == 1 || $0 == $1 }) else {
                throw KernelError.invalidArgument("\(op): C \(c.shape) does not broadcast to the output [\(m), \(n)]")
            }
            cIndices = ShapeMath.broadcastIndices(from: c.shape, to: [m, n])
        }
        let problem = Problem(m: m, n: n, k: k, transposeA: transposeA, transposeB: transposeB, alpha: alpha, beta: beta)
        switch a.dataType {
        case .float32: return [problem.floating(Float.self, a, b, c, cIndices)]
        case .float64: return [problem.floating(Double.self, a, b, c, cIndices)]
        case .float16, .bfloat16:
            let wide = problem.floating(
                Float.self, a.converted(to: .float32), b.converted(to: .float32), c?.converted(to: .float32), cIndices)
            return [wide.converted(to: a.dataType)]
        case .int32: return [problem.integer(Int32.self, a, b, c, cIndices)]
        case .int64: return [problem.integer(Int64.self, a, b, c, cIndices)]
        case .uint32: return [problem.integer(UInt32.self, a, b, c, cIndices)]
        case .uint64: return [problem.integer(UInt64.self, a, b, c, cIndices)]
        default: throw KernelError.unsupported("\(op): type \(a.dataType) is not supported")
        }
    }

    private struct Problem {
        var m, n, k: Int
        var transposeA, transposeB: Bool
        var alpha, beta: Float

        /// Fills Y with the broadcast C, then lets the GEMM scale and accumulate onto it.
        func floating<T: ReferenceFloatingScalar>(_: T.Type, _ a: Tensor, _ b: Tensor, _ c: Tensor?, _ cIndices: [Int]?) -> Tensor {
            var y = Tensor(uninitialized: T.dataType, shape: [m, n])
            if y.count == 0 { return y }
            let cValues = c?.scalars(as: T.self)
            a.withUnsafeBufferPointer(of: T.self) { aBuffer in
                b.withUnsafeBufferPointer(of: T.self) { bBuffer in
                    y.withUnsafeMutableBufferPointer(of: T.self) { yBuffer in
                        if let cValues, let cIndices {
                            for index in 0..<yBuffer.count { yBuffer[index] = cValues[cIndices[index]] }
                        }
                        T.referenceGEMM(GEMMProblem(
                            m: m, n: n, k: k, a: aBuffer.baseAddress!, lda: a.shape[1], transposeA: transposeA,
                            b: bBuffer.baseAddress!, ldb: b.shape[1], transposeB: transposeB,
                            c: yBuffer.baseAddress!, ldc: n, alpha: T(alpha), beta: cIndices == nil ? 0 : T(beta)))
                    }
                }
            }
            return y
        }

        /// Integer Gemm: the product is exact (wrapping); scaling by non-unit alpha or beta goes
        /// through double and truncates, as NumPy's `astype` does.
        func integer<T: ReferenceGEMMScalar & FixedWidthInteger>(
            _: T.Type, _ a: Tensor, _ b: Tensor, _ c: Tensor?, _ cIndices: [Int]?
        ) -> Tensor {
            var y = Tensor(uninitialized: T.dataType, shape: [m, n])
            if y.count == 0 { return y }
            let cValues = c?.scalars(as: T.self)
            a.withUnsafeBufferPointer(of: T.self) { aBuffer in
                b.withUnsafeBufferPointer(of: T.self) { bBuffer in
                    y.withUnsafeMutableBufferPointer(of: T.self) { yBuffer in
                        T.referenceGEMM(GEMMProblem(
                            m: m, n: n, k: k, a: aBuffer.baseAddress!, lda: a.shape[1], transposeA: transposeA,
                            b: bBuffer.baseAddress!, ldb: b.shape[1], transposeB: transposeB,
                            c: yBuffer.baseAddress!, ldc: n, alpha: 1, beta: 0))
                        for index in 0..<yBuffer.count {
                            let addend = cIndices.map { cValues![$0[index]] }
                            if alpha == 1 && (beta == 1 || addend == nil) {
                                yBuffer[index] = yBuffer[index] &+ (addend ?? 0)
                            } else {
                                let value = Double(alpha) * Double(yBuffer[index]) + Double(beta) * Double(addend ?? 0)
                                yBuffer[index] = T(clamping: Int64(exactly: value.rounded(.towardZero)) ?? (value < 0 ? .min : .max))
                            }
                        }
                    }
                }
            }
            return y
        }
    }
}
