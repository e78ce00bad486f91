import CDNNL
import SwitchyardGraph

/// BatchNormalization in inference mode (running mean and variance) as oneDNN batch
/// normalization with global statistics, scale and shift, in the input's layout.
struct DNNLBatchNormalizationOperation: DNNLOperation {
    let epsilon: Float

    func lower(_ inputs: [DNNLOperand?], into builder: inout DNNLPlanBuilder) throws -> [(slot: Int, shape: [Int])] {
        let op = "BatchNormalization"
        let x = try inputs.required(0, op)
        guard (2...5).contains(x.shape.count) else {
            throw KernelError.unsupported("\(op): oneDNN normalizes inputs of rank 2 to 5, got \(x.shape)")
        }
        let channels = x.shape[1]
        var parameters: [DNNLOperand] = []
        for index in 1...4 {
            let operand = try inputs.required(index, op)
            guard operand.shape == [channels] else {
                throw KernelError.invalidArgument("\(op): input \(index) has shape \(operand.shape), expected [\(channels)]")
            }
            parameters.append(operand)
        }
        let data = builder.desc(x.slot)
        var desc = dnnl_batch_normalization_desc_t()
        let flags = dnnl_use_global_stats.rawValue | dnnl_use_scale.rawValue | dnnl_use_shift.rawValue
        try withUnsafePointer(to: data.raw) { (raw) throws(DNNLError) in
            try dnnlCheck(dnnl_batch_normalization_forward_desc_init(&desc, dnnl_forward_inference, raw, epsilon, flags),
                          "dnnl_batch_normalization_forward_desc_init")
        }
        let pd = try DNNLPrimitiveDescriptor(desc, attributes: DNNLAttributes(), engine: builder.engine, name: op)
        let vector = try DNNLMemoryDesc.plain([channels])
        let arguments: [(Int32, DNNLOperand)] = [
            (DNNL_ARG_SCALE, parameters[0]), (DNNL_ARG_SHIFT, parameters[1]),
            (DNNL_ARG_MEAN, parameters[2]), (DNNL_ARG_VARIANCE, parameters[3]),
        ]
        var bound: [(Int32, Int)] = [(DNNL_ARG_SRC, x.slot)]
        for (argument, operand) in arguments { bound.append((argument, try builder.packed(operand, as: vector))) }
        let output = builder.slot(pd.desc(dnnl_query_dst_md) ?? data)
        bound.append((DNNL_ARG_DST, output))
        try builder.add(pd, arguments: bound)
        return [(output, x.shape)]
    }
}

/// LayerNormalization (opset 17) as oneDNN layer normalization over a plain view flattened to
/// `[outer, inner]` at `axis`. Scale and bias must cover the normalized dimensions exactly
/// (oneDNN does not broadcast them).
struct DNNLLayerNormalizationOperation: DNNLOperation {
    let axis: Int
    let epsilon: Float

    func lower(_ inputs: [DNNLOperand?], into builder: inout DNNLPlanBuilder) throws -> [(slot: Int, shape: [Int])] {
        let op = "LayerNormalization"
        let x = try inputs.required(0, op), scale = try inputs.required(1, op), bias = inputs.optional(2)
        guard !x.shape.isEmpty else { throw KernelError.unsupported("\(op): scalar input") }
        let axis = try ShapeMath.normalizedAxis(self.axis, rank: x.shape.count, op: op)
        let outer = x.shape.prefix(axis).reduce(1, *), inner = x.shape.dropFirst(axis).reduce(1, *)
        for operand in [scale] + (bias.map { [$0] } ?? []) where operand.shape.reduce(1, *) != inner {
            throw KernelError.unsupported("\(op): scale/bias \(operand.shape) must cover \(Array(x.shape.dropFirst(axis)))")
        }
        let data = try builder.reshape(x.slot, to: [outer, inner])
        let dataDesc = builder.desc(data)
        var desc = dnnl_layer_normalization_desc_t()
        let flags = dnnl_use_scale.rawValue | (bias != nil ? dnnl_use_shift.rawValue : 0)
        try withUnsafePointer(to: dataDesc.raw) { (raw) throws(DNNLError) in
            try dnnlCheck(dnnl_layer_normalization_forward_desc_init(&desc, dnnl_forward_inference, raw, nil, epsilon, flags),
                          "dnnl_layer_normalization_forward_desc_init")
        }
        let pd = try DNNLPrimitiveDescriptor(desc, attributes: DNNLAttributes(), engine: builder.engine, name: op)
        let vector = try DNNLMemoryDesc.plain([inner])
        var arguments: [(Int32, Int)] = [(DNNL_ARG_SRC, data), (DNNL_ARG_SCALE, try builder.packed(scale, source: vector, as: vector))]
        if let bias { arguments.append((DNNL_ARG_SHIFT, try builder.packed(bias, source: vector, as: vector))) }
        let output = builder.slot(pd.desc(dnnl_query_dst_md) ?? dataDesc)
        arguments.append((DNNL_ARG_DST, output))
        try builder.add(pd, arguments: arguments)
        return [(output, x.shape)]
    }
}
