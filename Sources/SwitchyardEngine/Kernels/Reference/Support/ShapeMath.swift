/// Shape arithmetic shared by the kernels.
enum ShapeMath {
    /// Row-major strides, in elements.
    static func strides(_ shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        var running = 1
        for axis in stride(from: shape.count - 1, through: 0, by: -1) {
            strides[axis] = running
            running *= shape[axis]
        }
        return strides
    }

    /// Resolves a possibly negative `axis` against `rank` (ONNX's `[-r, r-1]` convention).
    static func normalizedAxis(_ axis: Int, rank: Int, op: String = "") throws(KernelError) -> Int {
        let resolved = axis < 0 ? axis + rank : axis
        guard resolved >= 0 && resolved < max(rank, 1) else {
            throw .invalidArgument("\(op.isEmpty ? "" : op + ": ")axis \(axis) is out of range for rank \(rank)")
        }
        return resolved
    }

    /// The multidirectional (NumPy) broadcast of `shapes`.
    static func broadcast(_ shapes: [[Int]]) throws(KernelError) -> [Int] {
        let rank = shapes.map(\.count).max() ?? 0
        var result = [Int](repeating: 1, count: rank)
        for shape in shapes {
            let offset = rank - shape.count
            for (index, dim) in shape.enumerated() {
                let current = result[offset + index]
                if current == dim || dim == 1 { continue }
                if current == 1 { result[offset + index] = dim; continue }
                throw .invalidArgument("shapes \(shapes.map { "\($0)" }.joined(separator: ", ")) cannot be broadcast together")
            }
        }
        return result
    }

    /// For each element of `outputShape` (row-major), the index of the element of an input of
    /// `inputShape` that broadcasts onto it.
    static func broadcastIndices(from inputShape: [Int], to outputShape: [Int]) -> [Int] {
        let count = outputShape.reduce(1, *)
        let inputCount = inputShape.reduce(1, *)
        if inputShape == outputShape { return Array(0..<count) }
        if inputCount == 1 { return [Int](repeating: 0, count: count) }
        let rank = outputShape.count
        let padded = [Int](repeating: 1, count: rank - inputShape.count) + inputShape
        let inputStrides = strides(padded)
        // Broadcast dimensions contribute nothing to the input offset.
        let effective = (0..<rank).map { padded[$0] == 1 ? 0 : inputStrides[$0] }
        var indices = [Int](repeating: 0, count: count)
        var coordinate = [Int](repeating: 0, count: rank)
        var offset = 0
        for linear in 0..<count {
            indices[linear] = offset
            var axis = rank - 1
            while axis >= 0 {
                coordinate[axis] += 1
                offset += effective[axis]
                if coordinate[axis] < outputShape[axis] { break }
                offset -= effective[axis] * coordinate[axis]
                coordinate[axis] = 0
                axis -= 1
            }
        }
        return indices
    }
}
