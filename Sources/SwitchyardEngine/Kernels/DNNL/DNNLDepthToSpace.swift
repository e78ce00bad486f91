import CDNNL

/// DepthToSpace as one oneDNN reorder between two strided 6-D views: the input's channels split
/// into `(blocksize, blocksize, depth)` (DCR) or `(depth, blocksize, blocksize)` (CRD), written to
/// their spatial places in the output. oneDNN's jit reorder moves the bytes at memory
/// speed (PP-OCR det's 2×2 upsampling at batch 8: 7 ms), where a generic transpose gathers one
/// element at a time. A plain or channels-last input is read where it lies; a blocked one is made
/// plain first. This is also what runs a `ConvTranspose` whose kernel equals its stride after
/// `ConvTransposeAsConvolution` rewrote it to a 1×1 convolution.
struct DNNLDepthToSpaceOperation: DNNLOperation {
    let blockSize: Int
    /// CRD: channel `d · b² + i · b + j`; DCR: channel `(i · b + j) · depth + d`.
    let columnRowDepth: Bool

    /// A reorder moves 8-bit data as well (`QuantizedMovementFusion`).
    var takesIntegerData: Bool { true }
    var copiesValues: Bool { true }

    func lower(_ inputs: [DNNLOperand?], into builder: inout DNNLPlanBuilder) throws -> [(slot: Int, shape: [Int])] {
        let x = try inputs.required(0, "DepthToSpace")
        let b = blockSize
        guard x.shape.count == 4, b > 0, x.shape[1] % (b * b) == 0 else {
            throw KernelError.unsupported("DepthToSpace: input \(x.shape) with blocksize \(b)")
        }
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let depth = c / (b * b)
        var source = x.slot
        let type = builder.desc(source).dataType
        // Element strides of the input's n, c, h, w; a channels-last input gives a channels-last
        // output (what the convolution after it reads on AVX-512), a plain one a plain output.
        let inputStrides: [Int]
        let channelsLast: Bool
        if builder.desc(source).isPlain {
            (inputStrides, channelsLast) = ([c * h * w, h * w, w, 1], false)
        } else if let nhwc = try? DNNLMemoryDesc.strided(x.shape, strides: [h * w * c, 1, w * c, c], type: type),
                  nhwc == builder.desc(source) {
            (inputStrides, channelsLast) = ([h * w * c, 1, w * c, c], true)
        } else {
            source = try builder.plain(source)
            (inputStrides, channelsLast) = ([c * h * w, h * w, w, 1], false)
        }
        // The 6-D index (n, d, i, j, y, x) in both memories.
        let channelStride = inputStrides[1]
        let depthStride = columnRowDepth ? b * b * channelStride : channelStride
        let rowStride = columnRowDepth ? b * channelStride : b * depth * channelStride
        let columnStride = columnRowDepth ? channelStride : depth * channelStride
        let dims = [n, depth, b, b, h, w]
        let read = try DNNLMemoryDesc.strided(dims, strides: [inputStrides[0], depthStride, rowStride, columnStride,
                                                              inputStrides[2], inputStrides[3]], type: type)
        let (outH, outW) = (h * b, w * b)
        let outputShape = [n, depth, outH, outW]
        // Output strides of n, d, and of one step along the output's rows and columns.
        let (batch, channel, row, column) = channelsLast
            ? (outH * outW * depth, 1, outW * depth, depth) : (depth * outH * outW, outH * outW, outW, 1)
        let stored = builder.storedType(type)
        let written = try DNNLMemoryDesc.strided(dims, strides: [batch, channel, row, column, b * row, b * column], type: stored)
        let output = builder.slot(try .strided(outputShape, strides: [batch, channel, row, column], type: stored))
        let reorder = try DNNLPrimitiveDescriptor(reorderFrom: read, to: written, engine: builder.engine)
        try builder.add(reorder, arguments: [(DNNL_ARG_FROM, builder.view(source, as: read)),
                                             (DNNL_ARG_TO, builder.view(output, as: written))])
        return [(output, outputShape)]
    }
}
