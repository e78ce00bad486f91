import SwitchyardTensor

/// Statistics and checks shared by the normalization kernels. Sums are accumulated in `Double`
/// whatever the element type, and variances are population variances computed from deviations
/// (two passes), which stays non-negative where `E[x²] - E[x]²` can round below zero.
enum NormalizationMath {
    /// Throws unless `tensor` holds floating-point elements.
    static func requireFloatingPoint(_ tensor: Tensor, _ op: String, _ name: String) throws(KernelError) {
        guard tensor.dataType.isFloatingPoint else {
            throw .invalidArgument("\(op): input '\(name)' must be float16, bfloat16, float or double, got \(tensor.dataType)")
        }
    }

    /// Throws unless `tensor` is a vector of `count` elements (any rank whose element count is
    /// `count`, as 1-D parameters are sometimes stored as `[C, 1, 1]`).
    static func requireCount(_ tensor: Tensor, _ count: Int, _ op: String, _ name: String, expected: String) throws(KernelError) {
        guard tensor.count == count else {
            throw .invalidArgument("\(op): '\(name)' has shape \(tensor.shape) (\(tensor.count) elements); expected \(expected) = \(count) elements")
        }
    }

    /// Mean and `1 / sqrt(variance + epsilon)` of each of `rows` contiguous rows of `cols`
    /// elements.
    static func rowStatistics<T: BinaryFloatingPoint>(
        _ x: UnsafeBufferPointer<T>, rows: Int, cols: Int, epsilon: Double
    ) -> (mean: [Double], invStdDev: [Double]) {
        var means = [Double](repeating: 0, count: rows)
        var invStdDevs = [Double](repeating: 0, count: rows)
        guard cols > 0 else { return (means, invStdDevs.map { _ in 1 / epsilon.squareRoot() }) }
        for row in 0..<rows {
            let base = row * cols
            var sum = 0.0
            for col in 0..<cols { sum += Double(x[base + col]) }
            let mean = sum / Double(cols)
            var squares = 0.0
            for col in 0..<cols {
                let deviation = Double(x[base + col]) - mean
                squares += deviation * deviation
            }
            means[row] = mean
            invStdDevs[row] = 1 / (squares / Double(cols) + epsilon).squareRoot()
        }
        return (means, invStdDevs)
    }

    /// Statistics over the axes `reduced` of a tensor of `shape`: each element belongs to the
    /// group named by its coordinates on the other axes, in row-major order of those axes.
    struct GroupedStatistics {
        /// Group of each element, in row-major element order.
        let groupOfElement: [Int]
        let mean: [Double]
        /// Population variance.
        let variance: [Double]
    }

    static func groupedStatistics(_ values: [Double], shape: [Int], reduced: Set<Int>) -> GroupedStatistics {
        let kept = (0..<shape.count).filter { !reduced.contains($0) }
        let groupCount = kept.map { shape[$0] }.reduce(1, *)
        // Stride of each axis within the group index (0 for reduced axes).
        var groupStrides = [Int](repeating: 0, count: shape.count)
        var running = 1
        for axis in kept.reversed() {
            groupStrides[axis] = running
            running *= shape[axis]
        }
        let groupOfElement = coordinateOffsets(shape: shape, strides: groupStrides)
        var sums = [Double](repeating: 0, count: groupCount)
        var counts = [Int](repeating: 0, count: groupCount)
        for (index, value) in values.enumerated() {
            sums[groupOfElement[index]] += value
            counts[groupOfElement[index]] += 1
        }
        let means = (0..<groupCount).map { counts[$0] > 0 ? sums[$0] / Double(counts[$0]) : 0 }
        var squares = [Double](repeating: 0, count: groupCount)
        for (index, value) in values.enumerated() {
            let deviation = value - means[groupOfElement[index]]
            squares[groupOfElement[index]] += deviation * deviation
        }
        let variances = (0..<groupCount).map { counts[$0] > 0 ? squares[$0] / Double(counts[$0]) : 0 }
        return GroupedStatistics(groupOfElement: groupOfElement, mean: means, variance: variances)
    }

    /// For each element of `shape` in row-major order, the dot product of its coordinates with
    /// `strides`.
    static func coordinateOffsets(shape: [Int], strides: [Int]) -> [Int] {
        let count = shape.reduce(1, *)
        var offsets = [Int](repeating: 0, count: count)
        guard count > 0 else { return offsets }
        var coordinate = [Int](repeating: 0, count: shape.count)
        var offset = 0
        for linear in 0..<count {
            offsets[linear] = offset
            var axis = shape.count - 1
            while axis >= 0 {
                coordinate[axis] += 1
                offset += strides[axis]
                if coordinate[axis] < shape[axis] { break }
                offset -= strides[axis] * coordinate[axis]
                coordinate[axis] = 0
                axis -= 1
            }
        }
        return offsets
    }

    /// Runs `body` on the elements of a floating-point `tensor` as `Float` (float32, float16,
    /// bfloat16) or `Double` (float64) and returns its result converted back to `tensor`'s type.
    /// float32 and float64 are read in place; the 16-bit types are widened to `Float` first.
    static func mapFloatingPoint(
        _ tensor: Tensor, shape: [Int]? = nil,
        float body: (UnsafeBufferPointer<Float>, UnsafeMutableBufferPointer<Float>) -> Void,
        double doubleBody: (UnsafeBufferPointer<Double>, UnsafeMutableBufferPointer<Double>) -> Void
    ) -> Tensor {
        let outputShape = shape ?? tensor.shape
        switch tensor.dataType {
        case .float32:
            var output = Tensor(uninitialized: .float32, shape: outputShape)
            tensor.withUnsafeBufferPointer(of: Float.self) { input in
                output.withUnsafeMutableBufferPointer(of: Float.self) { body(input, $0) }
            }
            return output
        case .float64:
            var output = Tensor(uninitialized: .float64, shape: outputShape)
            tensor.withUnsafeBufferPointer(of: Double.self) { input in
                output.withUnsafeMutableBufferPointer(of: Double.self) { doubleBody(input, $0) }
            }
            return output
        default:
            let widened = tensor.converted(to: .float32)
            var output = Tensor(uninitialized: .float32, shape: outputShape)
            widened.withUnsafeBufferPointer(of: Float.self) { input in
                output.withUnsafeMutableBufferPointer(of: Float.self) { body(input, $0) }
            }
            return output.converted(to: tensor.dataType)
        }
    }
}
