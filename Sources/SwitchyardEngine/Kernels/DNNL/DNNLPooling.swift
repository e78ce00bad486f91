import CDNNL
import SwitchyardGraph

/// MaxPool, AveragePool and their global forms as a oneDNN pooling (v2, with dilations), in
/// whatever layout the input arrives. ceil_mode becomes extra end padding, which max pooling
/// and padding-excluding average pooling ignore; an average that counts padding would count
/// that extra too, so that case is left to the reference kernel.
struct DNNLPoolingOperation: DNNLOperation {
    enum Kind: Sendable {
        case max
        case average(countIncludePad: Bool)
    }

    let opType: String
    let kind: Kind
    /// nil for the global forms, whose window is the whole spatial extent.
    let window: DNNLWindowAttributes?
    let ceilMode: Bool

    /// Max pooling also moves 8-bit data (`QuantizedMovementFusion`); an average is float only.
    var takesIntegerData: Bool {
        if case .max = kind { return true }
        return false
    }

    func lower(_ inputs: [DNNLOperand?], into builder: inout DNNLPlanBuilder) throws -> [(slot: Int, shape: [Int])] {
        let x = try inputs.required(0, opType)
        guard (3...5).contains(x.shape.count) else {
            throw KernelError.unsupported("\(opType): oneDNN pools 1-D to 3-D windows, got input \(x.shape)")
        }
        let spatial = Array(x.shape.dropFirst(2))
        let resolved: DNNLWindow
        if let window {
            resolved = try window.resolve(spatial: spatial, kernel: nil, ceilMode: ceilMode, op: opType)
        } else {
            let zeros = [Int](repeating: 0, count: spatial.count), ones = [Int](repeating: 1, count: spatial.count)
            resolved = DNNLWindow(kernel: spatial, strides: ones, dilations: ones, padBegin: zeros, padEnd: zeros,
                                  outputs: ones, ceilPadding: zeros)
        }
        let alg: dnnl_alg_kind_t
        switch kind {
        case .max: alg = dnnl_pooling_max
        case .average(let countIncludePad):
            if countIncludePad && resolved.ceilPadding.contains(where: { $0 > 0 }) {
                throw KernelError.unsupported("\(opType): ceil_mode with count_include_pad")
            }
            alg = countIncludePad ? dnnl_pooling_avg_include_padding : dnnl_pooling_avg_exclude_padding
        }
        let dstShape = Array(x.shape.prefix(2)) + resolved.outputs
        func descriptor(reading src: DNNLMemoryDesc) throws -> DNNLPrimitiveDescriptor {
            // A maximum of 8-bit values is one of them: the destination keeps their type.
            let dst = try DNNLMemoryDesc.any(dstShape, type: takesIntegerData ? src.dataType : dnnl_f32)
            var op = dnnl_pooling_v2_desc_t()
            let status = withUnsafePointer(to: src.raw) { srcRaw in
                withUnsafePointer(to: dst.raw) { dstRaw in
                    dnnl_pooling_v2_forward_desc_init(&op, dnnl_forward_inference, alg, srcRaw, dstRaw,
                                                      resolved.strides.int64, resolved.kernel.int64, resolved.dnnlDilations,
                                                      resolved.padBegin.int64, resolved.padEnd.int64)
                }
            }
            try dnnlCheck(status, "dnnl_pooling_v2_forward_desc_init(\(opType))")
            return try DNNLPrimitiveDescriptor(op, attributes: DNNLAttributes(), engine: builder.engine, name: opType)
        }
        var source = x.slot
        var pd = try descriptor(reading: builder.desc(source))
        // oneDNN's 8-bit pooling kernels read channels-last only: bytes in a float path's blocked
        // layout (ONNX Runtime's QDQ YOLOv8 pools between a QuantizeLinear and a DequantizeLinear)
        // would get its reference kernel.
        let type = builder.desc(source).dataType
        if pd.isReference, type == dnnl_u8 || type == dnnl_s8 {
            source = try builder.reorder(source, to: .channelsLast(x.shape, type: type))
            pd = try descriptor(reading: builder.desc(source))
        }
        guard let dstChosen = pd.desc(dnnl_query_dst_md) else {
            throw KernelError.unsupported("\(opType): oneDNN reported no destination layout")
        }
        let output = builder.slot(dstChosen)
        try builder.add(pd, arguments: [(DNNL_ARG_SRC, source), (DNNL_ARG_DST, output)])
        return [(output, dstShape)]
    }
}
