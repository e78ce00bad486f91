import CDNNL
import SwitchyardGraph

/// Softmax and LogSoftmax as oneDNN softmax v2. From opset 13 the operator normalizes one axis;
/// before, it flattened the input to 2-D at `axis` and normalized the second dimension, which
/// is the same primitive over a reshaped plain view.
struct DNNLSoftmaxOperation: DNNLOperation {
    let opType: String
    let axis: Int
    /// Opset < 13: coerce to 2-D at `axis`.
    let flattens: Bool

    func lower(_ inputs: [DNNLOperand?], into builder: inout DNNLPlanBuilder) throws -> [(slot: Int, shape: [Int])] {
        let x = try inputs.required(0, opType)
        guard !x.shape.isEmpty else { throw KernelError.unsupported("\(opType): scalar input") }
        let axis = try ShapeMath.normalizedAxis(self.axis, rank: x.shape.count, op: opType)
        let slot: Int, dnnlAxis: Int
        if flattens {
            let outer = x.shape.prefix(axis).reduce(1, *), inner = x.shape.dropFirst(axis).reduce(1, *)
            slot = try builder.reshape(x.slot, to: [outer, inner])
            dnnlAxis = 1
        } else {
            slot = x.slot
            dnnlAxis = axis
        }
        let data = builder.desc(slot)
        var op = dnnl_softmax_v2_desc_t()
        let alg = opType == "LogSoftmax" ? dnnl_softmax_log : dnnl_softmax_accurate
        try withUnsafePointer(to: data.raw) { (raw) throws(DNNLError) in
            try dnnlCheck(dnnl_softmax_v2_forward_desc_init(&op, dnnl_forward_inference, alg, raw, raw, Int32(dnnlAxis)),
                          "dnnl_softmax_v2_forward_desc_init(\(opType))")
        }
        let pd = try DNNLPrimitiveDescriptor(op, attributes: DNNLAttributes(), engine: builder.engine, name: opType)
        let output = builder.slot(pd.desc(dnnl_query_dst_md) ?? data)
        try builder.add(pd, arguments: [(DNNL_ARG_SRC, slot), (DNNL_ARG_DST, output)])
        return [(output, x.shape)]
    }
}
