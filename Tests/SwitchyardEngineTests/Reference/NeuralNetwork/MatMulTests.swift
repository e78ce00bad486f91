import SwitchyardGraph
import SwitchyardTensor
import Testing
@testable import SwitchyardEngine

@Suite struct MatMulTests {
    typealias Support = NeuralNetworkTestSupport

    /// Plain triple loop over row-major matrices: `a` is m×k, `b` is k×n.
    static func product(_ a: [Double], _ b: [Double], m: Int, k: Int, n: Int) -> [Double] {
        var c = [Double](repeating: 0, count: m * n)
        for i in 0..<m { for j in 0..<n { for l in 0..<k { c[i * n + j] += a[i * k + l] * b[l * n + j] } } }
        return c
    }

    static func transpose(_ x: [Double], rows: Int, columns: Int) -> [Double] {
        (0..<(rows * columns)).map { index in x[(index % rows) * columns + index / rows] }
    }

    /// NumPy matmul: promote 1-D operands, broadcast the batch axes, multiply each pair.
    static func numpyMatMul(_ a: [Double], _ aShape: [Int], _ b: [Double], _ bShape: [Int]) -> (values: [Double], shape: [Int]) {
        let aMatrix = aShape.count == 1 ? [1, aShape[0]] : Array(aShape.suffix(2))
        let bMatrix = bShape.count == 1 ? [bShape[0], 1] : Array(bShape.suffix(2))
        let (m, k, n) = (aMatrix[0], aMatrix[1], bMatrix[1])
        let aBatch = Array(aShape.dropLast(2)), bBatch = Array(bShape.dropLast(2))
        let rank = max(aBatch.count, bBatch.count)
        let aPadded = Array(repeating: 1, count: rank - aBatch.count) + aBatch
        let bPadded = Array(repeating: 1, count: rank - bBatch.count) + bBatch
        let batch = zip(aPadded, bPadded).map { max($0, $1) }
        var values: [Double] = []
        for index in Support.indices(batch) {
            let aIndex = zip(index, aPadded).map { $1 == 1 ? 0 : $0 }, bIndex = zip(index, bPadded).map { $1 == 1 ? 0 : $0 }
            let aOffset = Support.offset(aIndex, aPadded) * m * k, bOffset = Support.offset(bIndex, bPadded) * k * n
            values += product(Array(a[aOffset..<(aOffset + m * k)]), Array(b[bOffset..<(bOffset + k * n)]), m: m, k: k, n: n)
        }
        var shape = batch
        if aShape.count > 1 { shape.append(m) }
        if bShape.count > 1 { shape.append(n) }
        return (values, shape)
    }

    @Test(arguments: [
        ([4], [4]), ([3], [3, 5]), ([2, 3], [3]), ([4, 3], [3, 5]), ([2, 4, 3], [3, 5]), ([2, 1, 4, 3], [3, 3, 2]),
        ([1, 3], [2, 3, 4]), ([5], [2, 5, 3]), ([2, 3, 4, 5], [5]), ([0, 3], [3, 2]), ([2, 0], [0, 3]),
    ])
    func numpySemantics(aShape: [Int], bShape: [Int]) throws {
        var random = NeuralNetworkTestRandom(seed: UInt64(aShape.reduce(7, *) + bShape.count * 31))
        let a = random.values(aShape.reduce(1, *)), b = random.values(bShape.reduce(1, *))
        let expected = Self.numpyMatMul(a, aShape, b, bShape)
        for type in [DataType.float32, .float64, .float16] {
            let aTensor = Tensor(dataType: type, shape: aShape, doubles: a), bTensor = Tensor(dataType: type, shape: bShape, doubles: b)
            let reference = Self.numpyMatMul(aTensor.doubles(), aShape, bTensor.doubles(), bShape)
            let y = try Support.run("MatMul", inputs: [aTensor, bTensor])[0]
            #expect(y.dataType == type)
            Support.expectClose(y, reference.values, shape: expected.shape, tolerance: type == .float16 ? 3e-3 : 1e-5)
        }
    }

    @Test func integerTypesWrapLikeNumPy() throws {
        var random = NeuralNetworkTestRandom(seed: 120)
        let a = (0..<(2 * 3 * 4)).map { _ in Int64.random(in: -1000...1000, using: &random) }
        let b = (0..<(4 * 5)).map { _ in Int64.random(in: -1000...1000, using: &random) }
        let expected = Self.numpyMatMul(a.map(Double.init), [2, 3, 4], b.map(Double.init), [4, 5])
        for type in [DataType.int32, .int64] {
            let y = try Support.run("MatMul", inputs: [Tensor(dataType: type, shape: [2, 3, 4], int64s: a), Tensor(dataType: type, shape: [4, 5], int64s: b)])[0]
            #expect(y.dataType == type)
            Support.expectClose(y, expected.values, shape: expected.shape, tolerance: 0)
        }
        let big = Tensor(shape: [1, 2], scalars: [UInt32.max, 2]), column = Tensor(shape: [2, 1], scalars: [UInt32(2), 1])
        #expect(try Support.run("MatMul", inputs: [big, column])[0].scalars(as: UInt32.self) == [UInt32.max &* 2 &+ 2])
    }

    /// Sizes past every block edge of the packed float GEMM (4×8 tiles, 256-deep, 96-row and
    /// 512-column blocks), with each transpose, alpha, beta and a padded output stride.
    @Test func packedGEMMAgainstTripleLoop() {
        var random = NeuralNetworkTestRandom(seed: 121)
        for (m, n, k) in [(1, 1, 1), (5, 9, 3), (101, 523, 260), (97, 13, 515)] {
            let a = random.values(m * k), b = random.values(k * n), c = random.values(m * (n + 3))
            let expectedProduct = Self.product(a, b, m: m, k: k, n: n)
            for (transposeA, transposeB) in [(false, false), (true, false), (false, true), (true, true)] {
                let aStored = (transposeA ? Self.transpose(a, rows: m, columns: k) : a).map { Float($0) }
                let bStored = (transposeB ? Self.transpose(b, rows: k, columns: n) : b).map { Float($0) }
                var output = c.map { Float($0) }
                output.withUnsafeMutableBufferPointer { buffer in
                    Float.referenceGEMM(GEMMProblem(
                        m: m, n: n, k: k, a: aStored, lda: transposeA ? m : k, transposeA: transposeA,
                        b: bStored, ldb: transposeB ? k : n, transposeB: transposeB,
                        c: buffer.baseAddress!, ldc: n + 3, alpha: 0.5, beta: -2))
                }
                var worst = 0.0
                for i in 0..<m {
                    for j in 0..<(n + 3) {
                        let expected = j < n ? 0.5 * expectedProduct[i * n + j] - 2 * c[i * (n + 3) + j] : c[i * (n + 3) + j]
                        worst = max(worst, abs(Double(output[i * (n + 3) + j]) - expected))
                    }
                }
                #expect(worst < 1e-3, "m \(m) n \(n) k \(k) transA \(transposeA) transB \(transposeB): error \(worst)")
            }
        }
    }

    @Test func matMulIntegerWithPerRowAndPerColumnZeroPoints() throws {
        var random = NeuralNetworkTestRandom(seed: 122)
        let a = (0..<(2 * 3 * 4)).map { _ in UInt8.random(in: 0...255, using: &random) }
        let b = (0..<(4 * 5)).map { _ in Int8.random(in: -128...127, using: &random) }
        let aZero: [UInt8] = [3, 200, 17], bZero: [Int8] = [-5, 0, 9, 127, -128]
        let aShifted = a.enumerated().map { Double($1) - Double(aZero[($0 / 4) % 3]) }
        let bShifted = b.enumerated().map { Double($1) - Double(bZero[$0 % 5]) }
        let expected = Self.numpyMatMul(aShifted, [2, 3, 4], bShifted, [4, 5])
        let y = try Support.run("MatMulInteger", opset: 10, inputs: [
            Tensor(shape: [2, 3, 4], scalars: a), Tensor(shape: [4, 5], scalars: b),
            Tensor(shape: [3], scalars: aZero), Tensor(shape: [5], scalars: bZero),
        ])[0]
        #expect(y.dataType == .int32)
        Support.expectClose(y, expected.values, shape: expected.shape, tolerance: 0)
        let scalarZero = try Support.run("MatMulInteger", opset: 10, inputs: [
            Tensor(shape: [2, 3, 4], scalars: a), Tensor(shape: [4, 5], scalars: b), Tensor(scalar: UInt8(3)),
        ])[0]
        let plain = Self.numpyMatMul(a.map { Double($0) - 3 }, [2, 3, 4], b.map(Double.init), [4, 5])
        Support.expectClose(scalarZero, plain.values, shape: plain.shape, tolerance: 0)
    }

    @Test(arguments: [[], [1], [5], [1, 5], [4, 1], [4, 5], [1, 1]])
    func gemmBroadcastsC(cShape: [Int]) throws {
        var random = NeuralNetworkTestRandom(seed: 123 + UInt64(cShape.reduce(1, *)))
        let (m, k, n) = (4, 3, 5)
        let a = random.values(m * k), b = random.values(k * n), c = random.values(cShape.reduce(1, *))
        let product = Self.product(a, b, m: m, k: k, n: n)
        for (transposeA, transposeB) in [(false, false), (true, false), (false, true), (true, true)] {
            let aStored = transposeA ? Self.transpose(a, rows: m, columns: k) : a
            let bStored = transposeB ? Self.transpose(b, rows: k, columns: n) : b
            let expected = (0..<(m * n)).map { index -> Double in
                let (i, j) = (index / n, index % n)
                let cIndex = cShape.count == 2 ? (cShape[0] == 1 ? 0 : i) * cShape[1] + (cShape[1] == 1 ? 0 : j)
                    : (cShape.count == 1 && cShape[0] != 1 ? j : 0)
                return 0.25 * product[index] + 1.5 * c[cIndex]
            }
            let y = try Support.run("Gemm", inputs: [
                Tensor(shape: transposeA ? [k, m] : [m, k], scalars: aStored),
                Tensor(shape: transposeB ? [n, k] : [k, n], scalars: bStored),
                Tensor(shape: cShape, scalars: c),
            ], attributes: ["transA": .int(transposeA ? 1 : 0), "transB": .int(transposeB ? 1 : 0), "alpha": .float(0.25), "beta": .float(1.5)])[0]
            Support.expectClose(y, expected, shape: [m, n], tolerance: 1e-6)
        }
    }

    @Test func gemmWithoutCAndIntegerGemm() throws {
        var random = NeuralNetworkTestRandom(seed: 130)
        let a = random.values(6), b = random.values(12)
        let y = try Support.run("Gemm", inputs: [Tensor(shape: [2, 3], scalars: a.map { Float($0) }), Tensor(shape: [3, 4], scalars: b.map { Float($0) })])[0]
        Support.expectClose(y, Self.product(a, b, m: 2, k: 3, n: 4), shape: [2, 4])
        let ai: [Int32] = [1, -2, 3, 4, 5, -6], bi: [Int32] = [7, 8, -9, 10, 11, 12]
        let ci: [Int32] = [100, -100]
        let yi = try Support.run("Gemm", inputs: [Tensor(shape: [2, 3], scalars: ai), Tensor(shape: [3, 2], scalars: bi), Tensor(shape: [2], scalars: ci)])[0]
        let expected = Self.product(ai.map(Double.init), bi.map(Double.init), m: 2, k: 3, n: 2).enumerated().map { $1 + Double(ci[$0 % 2]) }
        Support.expectClose(yi, expected, shape: [2, 2], tolerance: 0)
    }

    @Test func mismatchedShapesThrow() {
        let f = { (shape: [Int]) in Tensor(zeros: .float32, shape: shape) }
        Support.expectKernelError { _ = try Support.run("MatMul", inputs: [f([2, 3]), f([4, 2])]) }
        Support.expectKernelError { _ = try Support.run("MatMul", inputs: [f([2, 2, 3]), f([3, 3, 2])]) }
        Support.expectKernelError { _ = try Support.run("MatMul", inputs: [f([]), f([3])]) }
        Support.expectKernelError { _ = try Support.run("MatMul", inputs: [f([2, 3]), Tensor(zeros: .float64, shape: [3, 2])]) }
        Support.expectKernelError { _ = try Support.run("MatMul", inputs: [Tensor(zeros: .bool, shape: [2, 2]), Tensor(zeros: .bool, shape: [2, 2])]) }
        Support.expectKernelError { _ = try Support.run("Gemm", inputs: [f([2, 3]), f([2, 3])]) }
        Support.expectKernelError { _ = try Support.run("Gemm", inputs: [f([2, 3]), f([3, 4]), f([3, 4])]) }
        Support.expectKernelError { _ = try Support.run("Gemm", inputs: [f([2, 3, 1]), f([3, 4])]) }
        Support.expectKernelError {
            _ = try Support.run("MatMulInteger", inputs: [Tensor(zeros: .uint8, shape: [2, 3]), Tensor(zeros: .uint8, shape: [3, 4]), Tensor(zeros: .uint8, shape: [4])])
        }
    }
}
