import CDNNL
import SwitchyardGraph

/// ConvTranspose as a oneDNN deconvolution with oneDNN-chosen layouts. ONNX's weights
/// `[C, M/g, k...]` are described to oneDNN by strides as its `[G, O/G, I/G, k...]` and
/// prepacked. `output_padding` extends the end of the output, which is oneDNN's end padding
/// reduced by it. An explicit `output_shape` is left to the reference kernel.
struct DNNLDeconvolutionOperation: DNNLOperation {
    let window: DNNLWindowAttributes
    let group: Int
    let outputPadding: [Int]?

    func lower(_ inputs: [DNNLOperand?], into builder: inout DNNLPlanBuilder) throws -> [(slot: Int, shape: [Int])] {
        let op = "ConvTranspose"
        let x = try inputs.required(0, op), w = try inputs.required(1, op), bias = inputs.optional(2)
        let geometry = try DNNLChannelGeometry(x: x.shape, w: w.shape, group: group, outputChannelsAxis: 1, op: op)
        let rank = geometry.spatial.count
        let kernel = window.kernelShape ?? geometry.kernel
        let strides = window.strides ?? [Int](repeating: 1, count: rank)
        let dilations = window.dilations ?? [Int](repeating: 1, count: rank)
        let extra = outputPadding ?? [Int](repeating: 0, count: rank)
        guard kernel == geometry.kernel, strides.count == rank, dilations.count == rank, extra.count == rank,
              strides.allSatisfy({ $0 > 0 }), dilations.allSatisfy({ $0 > 0 }) else {
            throw KernelError.invalidArgument("\(op): kernel_shape, strides, dilations and output_padding need \(rank) values matching the weights")
        }
        var begin = [Int](repeating: 0, count: rank), end = begin, outputs = begin
        for axis in 0..<rank {
            let extent = (kernel[axis] - 1) * dilations[axis] + 1
            let full = strides[axis] * (geometry.spatial[axis] - 1) + extra[axis] + extent
            switch window.autoPad {
            case "SAME_UPPER", "SAME_LOWER":
                let total = full - geometry.spatial[axis] * strides[axis]
                guard total >= 0 else { throw KernelError.unsupported("\(op): negative SAME padding") }
                begin[axis] = window.autoPad == "SAME_UPPER" ? total / 2 : total - total / 2
                end[axis] = total - begin[axis]
            case "VALID":
                break
            default:
                if let pads = window.pads {
                    guard pads.count == 2 * rank else { throw KernelError.invalidArgument("\(op): pads needs \(2 * rank) values") }
                    begin[axis] = pads[axis]
                    end[axis] = pads[rank + axis]
                }
            }
            outputs[axis] = full - begin[axis] - end[axis]
            guard outputs[axis] > 0 else { throw KernelError.invalidArgument("\(op): output size \(outputs[axis]) on axis \(axis + 2)") }
        }
        let dstShape = [geometry.batch, geometry.outputChannels] + outputs
        let outPerGroup = geometry.outputChannels / group, inPerGroup = geometry.inputChannels / group
        let kernelSize = kernel.reduce(1, *)
        let kernelStrides = ShapeMath.strides(kernel)
        let weightDims: [Int], weightStrides: [Int]
        if group == 1 {
            weightDims = [outPerGroup, inPerGroup] + kernel
            weightStrides = [kernelSize, outPerGroup * kernelSize] + kernelStrides
        } else {
            weightDims = [group, outPerGroup, inPerGroup] + kernel
            weightStrides = [inPerGroup * outPerGroup * kernelSize, kernelSize, outPerGroup * kernelSize] + kernelStrides
        }
        if let bias, bias.shape != [geometry.outputChannels] {
            throw KernelError.invalidArgument("\(op): bias shape \(bias.shape) must be [\(geometry.outputChannels)]")
        }

        let src = try DNNLMemoryDesc.any(x.shape), weights = try DNNLMemoryDesc.any(weightDims)
        let dst = try DNNLMemoryDesc.any(dstShape)
        let biasDesc = bias == nil ? nil : try DNNLMemoryDesc.plain([geometry.outputChannels])
        let dnnlEnd = zip(end, extra).map { Int64($0 - $1) }
        var desc = dnnl_deconvolution_desc_t()
        let status = withUnsafePointer(to: src.raw) { srcRaw in
            withUnsafePointer(to: weights.raw) { weightsRaw in
                withUnsafePointer(to: dst.raw) { dstRaw in
                    withOptionalPointer(to: biasDesc?.raw) { biasRaw in
                        dnnl_dilated_deconvolution_forward_desc_init(
                            &desc, dnnl_forward_inference, dnnl_deconvolution_direct, srcRaw, weightsRaw, biasRaw, dstRaw,
                            strides.int64, dilations.map { Int64($0 - 1) }, begin.int64, dnnlEnd)
                    }
                }
            }
        }
        try dnnlCheck(status, "dnnl_dilated_deconvolution_forward_desc_init")
        let pd = try DNNLPrimitiveDescriptor(desc, attributes: DNNLAttributes(), engine: builder.engine, name: op)
        guard let srcChosen = pd.desc(dnnl_query_src_md), let weightsChosen = pd.desc(dnnl_query_weights_md),
              let dstChosen = pd.desc(dnnl_query_dst_md) else {
            throw KernelError.unsupported("\(op): oneDNN reported no memory layouts")
        }
        var arguments: [(Int32, Int)] = [
            (DNNL_ARG_SRC, try builder.reorder(x.slot, to: srcChosen)),
            (DNNL_ARG_WEIGHTS, try builder.packed(w, source: .strided(weightDims, strides: weightStrides), as: weightsChosen)),
        ]
        if let bias, let biasChosen = pd.desc(dnnl_query_weights_md, index: 1) {
            arguments.append((DNNL_ARG_BIAS, try builder.packed(bias, as: biasChosen)))
        }
        let output = builder.slot(dstChosen)
        arguments.append((DNNL_ARG_DST, output))
        try builder.add(pd, arguments: arguments)
        return [(output, dstShape)]
    }
}
