import SwitchyardTensor

/// ONNX `Col2Im` (opset 18): the inverse of im2col. Input `[N, C · ∏block, L]` holds, for each
/// of the L sliding-block positions, the block's values; they are summed back into an image
/// `[N, C, *image_shape]` with the given strides, dilations and pads.
enum Col2Im {
    static func run(_ context: OpContext) throws(KernelError) -> [Tensor] {
        let op = "Col2Im"
        let input = try context.input(0)
        let values = try FloatingValues.read(input, op: op, input: "input")
        let image = try context.input(1).ints(), block = try context.input(2).ints()
        let rank = image.count
        guard rank >= 1, block.count == rank, input.rank == 3 else {
            throw .invalidArgument("\(op): input must be [N, C·∏block, L] with image_shape and block_shape of one length, got \(input.shape), \(image), \(block)")
        }
        let dilations = try context.ints("dilations") ?? [Int](repeating: 1, count: rank)
        let strides = try context.ints("strides") ?? [Int](repeating: 1, count: rank)
        let pads = try context.ints("pads") ?? [Int](repeating: 0, count: 2 * rank)
        guard dilations.count == rank, strides.count == rank, pads.count == 2 * rank,
              dilations.allSatisfy({ $0 > 0 }), strides.allSatisfy({ $0 > 0 }),
              block.allSatisfy({ $0 > 0 }), image.allSatisfy({ $0 > 0 }) else {
            throw .invalidArgument("\(op): need positive image/block sizes, \(rank) positive dilations and strides and \(2 * rank) pads")
        }
        let blockSize = block.reduce(1, *)
        guard input.shape[1] % blockSize == 0 else {
            throw .invalidArgument("\(op): input dimension 1 (\(input.shape[1])) is not a multiple of the block size \(blockSize)")
        }
        let positions = (0..<rank).map { (i: Int) -> Int in
            let span: Int = dilations[i] * (block[i] - 1) + 1
            let padded: Int = image[i] + pads[i] + pads[i + rank]
            return (padded - span) / strides[i] + 1
        }
        guard positions.allSatisfy({ $0 >= 1 }), positions.reduce(1, *) == input.shape[2] else {
            throw .invalidArgument("\(op): input has \(input.shape[2]) blocks but the geometry gives \(positions)")
        }
        let (batch, channels, length) = (input.shape[0], input.shape[1] / blockSize, input.shape[2])
        let imageSize = image.reduce(1, *)
        let imageStrides = ShapeMath.strides(image)
        let blockStrides = ShapeMath.strides(block), positionStrides = ShapeMath.strides(positions)
        var output = [Double](repeating: 0, count: batch * channels * imageSize)
        for plane in 0..<(batch * channels) {
            for element in 0..<blockSize {
                let row = (plane * blockSize + element) * length
                positionLoop: for position in 0..<length {
                    var target = plane * imageSize
                    for axis in 0..<rank {
                        let offset = (element / blockStrides[axis]) % block[axis]
                        let step = (position / positionStrides[axis]) % positions[axis]
                        let coordinate = step * strides[axis] - pads[axis] + offset * dilations[axis]
                        if coordinate < 0 || coordinate >= image[axis] { continue positionLoop }
                        target += coordinate * imageStrides[axis]
                    }
                    output[target] += values[row + position]
                }
            }
        }
        return [Tensor(dataType: input.dataType, shape: [batch, channels] + image, doubles: output)]
    }
}
