import CDNNL
import SwitchyardTensor

/// Resize (opset 11+) in nearest mode by whole-number factors, as a oneDNN resampling
/// primitive in whatever layout its input arrives (the FPN upsampling of YOLOv8 and PP-OCR's
/// detector). oneDNN picks `round((d + 0.5) / k - 0.5)` for output index `d` and factor `k`,
/// which for whole `k` is `floor(d / k)`: ONNX's `asymmetric` + `floor` and `half_pixel` with
/// either `round_prefer_*`. Other modes and fractional factors stay with the reference kernel.
struct DNNLResizeOperation: DNNLOperation {
    /// Inputs roi (unused in these modes), scales and sizes.
    var parameterInputs: Set<Int> { [1, 2, 3] }
    /// Nearest-neighbour sampling copies values: 8-bit data keeps its type.
    var takesIntegerData: Bool { true }
    var copiesValues: Bool { true }

    func lower(_ inputs: [DNNLOperand?], into builder: inout DNNLPlanBuilder) throws -> [(slot: Int, shape: [Int])] {
        let x = try inputs.required(0, "Resize")
        guard (3...5).contains(x.shape.count) else {
            throw KernelError.unsupported("Resize: oneDNN resamples 1-D to 3-D spatial data, got \(x.shape)")
        }
        let shape = try outputShape(inputs, input: x.shape)
        let src = builder.desc(x.slot)
        func descriptor(storing type: dnnl_data_type_t) throws -> DNNLPrimitiveDescriptor {
            let dst = try DNNLMemoryDesc.any(shape, type: type)
            var op = dnnl_resampling_desc_t()
            let status = withUnsafePointer(to: src.raw) { srcRaw in
                withUnsafePointer(to: dst.raw) { dstRaw in
                    dnnl_resampling_forward_desc_init(&op, dnnl_forward_inference, dnnl_resampling_nearest, nil, srcRaw, dstRaw)
                }
            }
            try dnnlCheck(status, "dnnl_resampling_forward_desc_init(\(x.shape) -> \(shape))")
            return try DNNLPrimitiveDescriptor(op, attributes: DNNLAttributes(), engine: builder.engine, name: "Resize")
        }
        let pd = try DNNLPrimitiveDescriptor.firstFast(storing: [builder.storedType(src.dataType)], primitive: { $0 }) {
            try descriptor(storing: $0)
        } ?? descriptor(storing: src.dataType)
        guard let chosen = pd.desc(dnnl_query_dst_md) else {
            throw KernelError.unsupported("Resize: oneDNN reported no destination layout")
        }
        let output = builder.slot(chosen)
        try builder.add(pd, arguments: [(DNNL_ARG_SRC, x.slot), (DNNL_ARG_DST, output)])
        return [(output, shape)]
    }

    /// The output extents: batch and channels kept, each spatial extent a whole multiple.
    private func outputShape(_ inputs: [DNNLOperand?], input: [Int]) throws -> [Int] {
        func known(_ index: Int) -> Tensor? {
            guard let operand = inputs.optional(index) else { return nil }
            return operand.value.flatMap { $0.count > 0 ? $0 : nil }
        }
        let shape: [Int]
        switch (known(2), known(3)) {
        case (let scales?, nil) where scales.dataType == .float32 && scales.count == input.count:
            shape = try zip(input, scales.scalars(as: Float.self)).map { extent, scale throws(KernelError) in
                guard scale >= 1, scale == scale.rounded(), scale < 1_048_576 else {
                    throw .unsupported("Resize: scale \(scale) is not a whole number")
                }
                return extent * Int(scale)
            }
        case (nil, let sizes?) where sizes.dataType == .int64 && sizes.count == input.count:
            shape = sizes.scalars(as: Int64.self).map(Int.init)
        default:
            throw KernelError.unsupported("Resize: needs scales or sizes known at plan time, one value per axis")
        }
        guard shape[0] == input[0], shape[1] == input[1],
              zip(shape, input).allSatisfy({ $0 >= $1 && $1 > 0 && $0 % $1 == 0 }) else {
            throw KernelError.unsupported("Resize: \(input) -> \(shape) is not a whole-number spatial upsampling")
        }
        return shape
    }
}
