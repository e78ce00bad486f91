import SwitchyardTensor

/// The shapes of a NumPy-style matrix product: 1-D operands are promoted (a leading 1 for A, a
/// trailing 1 for B) and dropped again from the result; leading batch axes broadcast.
struct MatMulPlan {
    var m: Int
    var k: Int
    var n: Int
    var outputShape: [Int]
    /// Per output matrix, the index of the A and B matrices it multiplies.
    var aMatrices: [Int]
    var bMatrices: [Int]
    /// True when B is one matrix shared by all of A's, so the batch folds into the rows of a
    /// single product.
    var foldsBatchIntoRows: Bool

    init(a: [Int], b: [Int], op: String) throws(KernelError) {
        guard !a.isEmpty, !b.isEmpty else {
            throw .invalidArgument("\(op): operands must have rank ≥ 1, got shapes \(a) and \(b)")
        }
        let aMatrix = a.count == 1 ? [1, a[0]] : Array(a.suffix(2))
        let bMatrix = b.count == 1 ? [b[0], 1] : Array(b.suffix(2))
        guard aMatrix[1] == bMatrix[0] else {
            throw .invalidArgument("\(op): cannot multiply shapes \(a) and \(b): inner dimensions \(aMatrix[1]) and \(bMatrix[0]) differ")
        }
        m = aMatrix[0]
        k = aMatrix[1]
        n = bMatrix[1]
        let aBatch = Array(a.dropLast(2)), bBatch = Array(b.dropLast(2))
        let batch: [Int]
        do {
            batch = try ShapeMath.broadcast([aBatch, bBatch])
        } catch {
            throw .invalidArgument("\(op): batch dimensions of \(a) and \(b) cannot be broadcast together")
        }
        outputShape = batch
        if a.count > 1 { outputShape.append(m) }
        if b.count > 1 { outputShape.append(n) }
        aMatrices = ShapeMath.broadcastIndices(from: aBatch, to: batch)
        bMatrices = ShapeMath.broadcastIndices(from: bBatch, to: batch)
        foldsBatchIntoRows = bBatch.reduce(1, *) == 1 && aBatch.reduce(1, *) == batch.reduce(1, *)
    }

    var batchCount: Int { aMatrices.count }

    /// Runs the product on raw buffers with the shared GEMM.
    func multiply<T: ReferenceGEMMScalar>(a: UnsafePointer<T>, b: UnsafePointer<T>, c: UnsafeMutablePointer<T>) {
        if foldsBatchIntoRows {
            T.referenceGEMM(GEMMProblem(
                m: m * batchCount, n: n, k: k, a: a, lda: k, transposeA: false, b: b, ldb: n, transposeB: false,
                c: c, ldc: n, alpha: 1, beta: 0))
            return
        }
        for index in 0..<batchCount {
            T.referenceGEMM(GEMMProblem(
                m: m, n: n, k: k, a: a + aMatrices[index] * m * k, lda: k, transposeA: false,
                b: b + bMatrices[index] * k * n, ldb: n, transposeB: false,
                c: c + index * m * n, ldc: n, alpha: 1, beta: 0))
        }
    }

    /// The product of two tensors of element type `T`.
    func multiply<T: ReferenceGEMMScalar>(_: T.Type, _ a: Tensor, _ b: Tensor) -> Tensor {
        var result = Tensor(uninitialized: T.dataType, shape: outputShape)
        if result.count == 0 { return result }
        a.withUnsafeBufferPointer(of: T.self) { aBuffer in
            b.withUnsafeBufferPointer(of: T.self) { bBuffer in
                result.withUnsafeMutableBufferPointer(of: T.self) { cBuffer in
                    multiply(a: aBuffer.baseAddress!, b: bBuffer.baseAddress!, c: cBuffer.baseAddress!)
                }
            }
        }
        return result
    }
}

/// MatMul (opsets 1, 9, 13) and MatMulInteger (opset 10).
enum MatMulKernel {
    static func matMul(_ context: OpContext) throws -> [Tensor] {
        let op = context.node.opType
        let a = try context.input(0), b = try context.input(1)
        guard a.dataType == b.dataType else {
            throw KernelError.invalidArgument("\(op): A has type \(a.dataType) but B has \(b.dataType)")
        }
        let plan = try MatMulPlan(a: a.shape, b: b.shape, op: op)
        switch a.dataType {
        case .float32: return [plan.multiply(Float.self, a, b)]
        case .float64: return [plan.multiply(Double.self, a, b)]
        case .float16, .bfloat16:
            return [plan.multiply(Float.self, a.converted(to: .float32), b.converted(to: .float32)).converted(to: a.dataType)]
        case .int32: return [plan.multiply(Int32.self, a, b)]
        case .int64: return [plan.multiply(Int64.self, a, b)]
        case .uint32: return [plan.multiply(UInt32.self, a, b)]
        case .uint64: return [plan.multiply(UInt64.self, a, b)]
        default: throw KernelError.unsupported("\(op): type \(a.dataType) is not supported")
        }
    }

    /// MatMulInteger: `(A − a_zero_point) · (B − b_zero_point)` in int32. A's zero point is a
    /// scalar or one per row of A; B's a scalar or one per column of B.
    static func matMulInteger(_ context: OpContext) throws -> [Tensor] {
        let op = context.node.opType
        let a = try context.input(0), b = try context.input(1)
        for (tensor, name) in [(a, "A"), (b, "B")] where tensor.dataType != .uint8 && tensor.dataType != .int8 {
            throw KernelError.invalidArgument("\(op): \(name) must be uint8 or int8, got \(tensor.dataType)")
        }
        let plan = try MatMulPlan(a: a.shape, b: b.shape, op: op)
        let aZero = try ZeroPoints.read(context, index: 2, valueType: a.dataType, allowedCounts: [1, plan.m], name: "a_zero_point")
        let bZero = try ZeroPoints.read(context, index: 3, valueType: b.dataType, allowedCounts: [1, plan.n], name: "b_zero_point")
        let aShifted = a.int64s().enumerated().map { index, value in
            Int32(truncatingIfNeeded: value) &- aZero[aZero.count == 1 ? 0 : (index / plan.k) % plan.m]
        }
        let bShifted = b.int64s().enumerated().map { index, value in
            Int32(truncatingIfNeeded: value) &- bZero[bZero.count == 1 ? 0 : index % plan.n]
        }
        return [plan.multiply(Int32.self, Tensor(shape: a.shape, scalars: aShifted), Tensor(shape: b.shape, scalars: bShifted))]
    }
}
