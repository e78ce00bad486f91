import CDNNL

/// A forward-inference direct convolution primitive descriptor and the memory layouts oneDNN
/// chose for it: what the float and the quantized convolutions share (they differ in data types
/// and in what they bind around it).
struct DNNLConvolutionDescriptor {
    let primitive: DNNLPrimitiveDescriptor
    let source: DNNLMemoryDesc
    let weights: DNNLMemoryDesc
    let destination: DNNLMemoryDesc

    /// `window` gives strides, dilations and padding; a `bias` descriptor may be nil. `opType`
    /// names the node in errors.
    init(source src: DNNLMemoryDesc, weights: DNNLMemoryDesc, bias: DNNLMemoryDesc?, destination dst: DNNLMemoryDesc,
         window resolved: DNNLWindow, attributes: DNNLAttributes, engine: DNNLEngine, opType: String) throws {
        var op = dnnl_convolution_desc_t()
        let status = withUnsafePointer(to: src.raw) { srcRaw in
            withUnsafePointer(to: weights.raw) { weightsRaw in
                withUnsafePointer(to: dst.raw) { dstRaw in
                    withOptionalPointer(to: bias?.raw) { biasRaw in
                        dnnl_dilated_convolution_forward_desc_init(
                            &op, dnnl_forward_inference, dnnl_convolution_direct, srcRaw, weightsRaw, biasRaw, dstRaw,
                            resolved.strides.int64, resolved.dnnlDilations, resolved.padBegin.int64, resolved.padEnd.int64)
                    }
                }
            }
        }
        try dnnlCheck(status, "dnnl_dilated_convolution_forward_desc_init(\(opType))")
        primitive = try DNNLPrimitiveDescriptor(op, attributes: attributes, engine: engine, name: opType)
        guard let srcChosen = primitive.desc(dnnl_query_src_md), let weightsChosen = primitive.desc(dnnl_query_weights_md),
              let dstChosen = primitive.desc(dnnl_query_dst_md) else {
            throw KernelError.unsupported("\(opType): oneDNN reported no memory layouts")
        }
        source = srcChosen
        self.weights = weightsChosen
        destination = dstChosen
    }
}
