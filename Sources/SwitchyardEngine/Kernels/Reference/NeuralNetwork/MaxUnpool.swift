import SwitchyardTensor

/// MaxUnpool (opsets 9, 11, 22): the partial inverse of MaxPool. Each value of X goes to the
/// flat position its index names in a tensor of the pooled input's shape
/// (`(in − 1) · stride − pads + kernel` per spatial axis); everything else is zero. With the
/// `output_shape` input that tensor is placed at the origin of a larger zero tensor, as ONNX's
/// reference implementation does.
enum MaxUnpoolKernel {
    static func run(_ context: OpContext) throws -> [Tensor] {
        let op = context.node.opType
        let x = try context.input(0), indexTensor = try context.input(1)
        guard x.rank >= 3 else {
            throw KernelError.invalidArgument("\(op): X must have shape [N, C, spatial…] (rank ≥ 3), got \(x.shape)")
        }
        guard indexTensor.shape == x.shape, indexTensor.dataType == .int64 else {
            throw KernelError.invalidArgument("\(op): I must be int64 with X's shape \(x.shape), got \(indexTensor.dataType) \(indexTensor.shape)")
        }
        guard x.dataType != .string else { throw KernelError.unsupported("\(op): string tensors are not supported") }
        let attributes = try WindowAttributes(context, spatialRank: x.rank - 2, kernelFromWeights: nil, readsDilations: false)
        let rank = attributes.spatialRank
        var inferred = Array(x.shape[0..<2])
        for axis in 0..<rank {
            inferred.append((x.shape[axis + 2] - 1) * attributes.strides[axis] - attributes.pads[axis] - attributes.pads[rank + axis]
                + attributes.kernel[axis])
        }
        var outputShape = inferred
        if let requested = context.optionalInput(2) {
            outputShape = requested.ints()
            guard outputShape.count == x.rank, outputShape[0..<2] == inferred[0..<2],
                  zip(outputShape, inferred).allSatisfy({ $0 >= $1 }) else {
                throw KernelError.invalidArgument("\(op): output_shape \(outputShape) must keep N and C and be at least the inferred shape \(inferred)")
            }
        }
        guard inferred.allSatisfy({ $0 > 0 }) else {
            throw KernelError.invalidArgument("\(op): inferred output shape \(inferred) is not positive")
        }
        let inferredCount = inferred.reduce(1, *)
        let size = x.dataType.byteSize
        let indices = indexTensor.int64s()
        var unpooled = Tensor(zeros: x.dataType, shape: inferred)
        try x.withUnsafeBytes { source in
            try unpooled.withUnsafeMutableBytes { destination in
                for (position, index) in indices.enumerated() {
                    guard index >= 0 && index < inferredCount else {
                        throw KernelError.invalidArgument("\(op): index \(index) is outside the unpooled tensor of \(inferredCount) elements")
                    }
                    destination.baseAddress!.advanced(by: Int(index) * size)
                        .copyMemory(from: source.baseAddress!.advanced(by: position * size), byteCount: size)
                }
            }
        }
        if outputShape == inferred { return [unpooled] }
        return [embed(unpooled, in: outputShape)]
    }

    /// A zero tensor of `shape` with `tensor` copied to its origin corner.
    private static func embed(_ tensor: Tensor, in shape: [Int]) -> Tensor {
        var result = Tensor(zeros: tensor.dataType, shape: shape)
        let size = tensor.dataType.byteSize
        let rows = tensor.count / tensor.shape[tensor.rank - 1]
        let rowBytes = tensor.shape[tensor.rank - 1] * size
        let outerShape = Array(tensor.shape.dropLast())
        let resultStrides = ShapeMath.strides(shape)
        tensor.withUnsafeBytes { source in
            result.withUnsafeMutableBytes { destination in
                var coordinate = [Int](repeating: 0, count: outerShape.count)
                for row in 0..<rows {
                    var offset = 0
                    for axis in 0..<outerShape.count { offset += coordinate[axis] * resultStrides[axis] }
                    destination.baseAddress!.advanced(by: offset * size)
                        .copyMemory(from: source.baseAddress!.advanced(by: row * rowBytes), byteCount: rowBytes)
                    var axis = outerShape.count - 1
                    while axis >= 0 {
                        coordinate[axis] += 1
                        if coordinate[axis] < outerShape[axis] { break }
                        coordinate[axis] = 0
                        axis -= 1
                    }
                }
            }
        }
        return result
    }
}
