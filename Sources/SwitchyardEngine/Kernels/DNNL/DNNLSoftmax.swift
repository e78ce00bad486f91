import CDNNL
import SwitchyardGraph

/// Softmax and LogSoftmax as oneDNN softmax v2. From opset 13 the operator normalizes one axis;
/// before, it flattened the input to 2-D at `axis` and normalized the second dimension, which
/// is the same primitive over a reshaped plain view.
///
/// oneDNN's vectorized softmax wants the normalized axis innermost in memory; for any other
/// axis (YOLOv8's DFL head normalizes axis 1 of `[N, 16, 4, anchors]`) it offers only its scalar
/// `ref:any` loop. A plain float tensor with at least 16 elements after the axis is normalized
/// where it lies, 16 of them at a time (`switchyard_softmax_strided`); anything else is reordered
/// into a layout with the same dimensions whose innermost stride is the axis (`acdb` for axis 1
/// of a 4-D tensor), and normalized there by oneDNN.
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
        } else if axis == x.shape.count - 1 && builder.desc(x.slot).isPlain {
            slot = x.slot
            dnnlAxis = axis
        } else if builder.desc(x.slot).isPlain, builder.desc(x.slot).dataType == dnnl_f32,
                  x.shape.dropFirst(axis + 1).reduce(1, *) >= DNNLStridedSoftmaxStep.minimumInner {
            let output = builder.slot(try .plain(x.shape, type: dnnl_f32))
            let step = DNNLStridedSoftmaxStep(
                source: x.slot, destination: output, outer: x.shape.prefix(axis).reduce(1, *), axis: x.shape[axis],
                inner: x.shape.dropFirst(axis + 1).reduce(1, *), logarithm: opType == "LogSoftmax")
            builder.kernel(step, work: x.shape.reduce(1, *))
            return [(output, x.shape)]
        } else {
            slot = try builder.reorder(x.slot, to: .strided(x.shape, strides: Self.strides(x.shape, innermost: axis)))
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

    /// Dense strides of `shape` in which `axis` is innermost and the other axes keep their order.
    static func strides(_ shape: [Int], innermost axis: Int) -> [Int] {
        var strides = [Int](repeating: 0, count: shape.count)
        strides[axis] = 1
        var stride = shape[axis]
        for dimension in shape.indices.reversed() where dimension != axis {
            strides[dimension] = stride
            stride *= shape[dimension]
        }
        return strides
    }
}

/// `switchyard_softmax_strided` over a plain float slot viewed as `outer × axis × inner`.
struct DNNLStridedSoftmaxStep: DNNLKernelStep {
    /// Below 16 elements after the axis no vector fills; oneDNN's path is as good.
    static let minimumInner = 16

    let source: Int
    let destination: Int
    let outer: Int
    let axis: Int
    let inner: Int
    /// LogSoftmax instead of Softmax.
    let logarithm: Bool

    var sources: [Int] { [source] }

    func run(threads: Int, address: (Int) -> UnsafeMutableRawPointer) {
        switchyard_softmax_strided(address(source).assumingMemoryBound(to: Float.self),
                                   address(destination).assumingMemoryBound(to: Float.self),
                                   outer, axis, inner, logarithm ? 1 : 0, Int32(threads))
    }
}
