import CDNNL
import SwitchyardGraph
import SwitchyardTensor

/// The oneDNN-backed kernels: the fast path for convolutions, matrix products, pooling,
/// normalization, softmax and elementwise operators on float32.
///
/// A kernel is made per node and returns nil when oneDNN cannot compute the node exactly as the
/// ONNX spec says (an attribute combination it lacks); the caller then uses the reference
/// kernel. Limits that depend on the inputs (a non-float32 tensor, a broadcast oneDNN lacks)
/// are found when the kernel first sees those shapes, and those calls run the reference kernel.
public enum DNNLKernels {
    /// The kernel for `node`, or nil. `constants` are the graph's initializers: weights found
    /// there are prepacked once into `packedWeights` (the model's, shared by all its kernels)
    /// instead of reordered on every call. `threads` is the OpenMP team size oneDNN uses on the
    /// calling thread.
    public static func kernel(for node: Node, opset: Int, constants: [String: Tensor] = [:],
                              threads: Int = 1, packedWeights: PackedWeights = PackedWeights()) -> KernelFunction? {
        makeKernel(for: node, opset: opset, constants: constants, threads: threads, packedWeights: packedWeights)?.function
    }

    /// Like `kernel(for:opset:constants:threads:packedWeights:)`, but returns the kernel object,
    /// which also reports the oneDNN implementations it runs (`implementationNames`).
    public static func makeKernel(for node: Node, opset: Int, constants: [String: Tensor] = [:],
                                  threads: Int = 1, packedWeights: PackedWeights = PackedWeights()) -> DNNLRegionKernel? {
        guard (try? DNNLEngine.shared()) != nil else { return nil }
        if node.domain == ReferenceKernels.switchyardDomain && node.opType == DNNLRegionPartitioner.opType {
            return DNNLRegionPartitioner.kernel(for: node, constants: constants, threads: threads, packedWeights: packedWeights)
        }
        // Data movement alone is no faster in oneDNN; it pays off inside regions, where it keeps
        // values in blocked layouts.
        guard !DNNLRegionPartitioner.regionOnly.contains(node.opType),
              let operation = operation(for: node, opset: opset) else { return nil }
        // Quantized operators bake their scales and zero points into the primitive: those
        // must be initializers (a runtime zero point, as DynamicQuantizeLinear makes, runs on
        // the reference kernel).
        if operation.takesIntegerData, operation.parameterInputs.contains(where: { index in
            index < node.inputs.count && !node.inputs[index].isEmpty && constants[node.inputs[index]] == nil
        }) { return nil }
        return DNNLRegionKernel(members: [.init(node: node, opset: opset, operation: operation)],
                                inputNames: node.inputs, outputNames: [node.outputs[0]],
                                constants: constants, threads: threads, packedWeights: packedWeights)
    }

    /// The oneDNN lowering of `node`, or nil when oneDNN cannot compute it exactly.
    static func operation(for node: Node, opset: Int) -> (any DNNLOperation)? {
        // Every supported operator has exactly one output; extra requested outputs (MaxPool's
        // Indices, BatchNormalization's training statistics, LayerNormalization's Mean) are not
        // produced here.
        guard let first = node.outputs.first, !first.isEmpty,
              node.opType == "Split" || node.outputs.dropFirst().allSatisfy(\.isEmpty) else { return nil }
        let attributes = AttributeReader(node: node)
        let operation: (any DNNLOperation)?
        switch (node.domain, node.opType) {
        case ("", _), ("ai.onnx", _):
            operation = onnxOperation(node, opset: opset, attributes)
        case (ReferenceKernels.switchyardDomain, "FusedConv"):
            operation = DNNLActivations.fused(node).flatMap { convolution(node, attributes, activation: $0) }
        case (ReferenceKernels.switchyardDomain, FakeQuantizeFusion.opType):
            operation = (try? FakeQuantization(node: node)).map {
                DNNLEltwiseOperation(opType: node.opType, chain: DNNLActivations.fakeQuantize($0))
            }
        case (ReferenceKernels.switchyardDomain, QuantizedLookupFusion.opType):
            operation = DNNLQuantizedLookupOperation(node: node)
        case (ReferenceKernels.switchyardDomain, DequantizedMeanFusion.opType):
            operation = DNNLDequantizedMeanOperation()
        case (ReferenceKernels.switchyardDomain, QuantizedElementwiseFusion.opType):
            operation = DNNLQuantizedElementwiseOperation(node: node)
        case (ReferenceKernels.switchyardDomain, "FusedMatMul"):
            operation = DNNLActivations.fused(node).map {
                DNNLMatMulOperation(opType: "FusedMatMul", activation: $0, computeType: computeType(of: node))
            }
        default:
            operation = nil
        }
        // A wrongly typed attribute is the reference kernel's to report, not ours to default.
        return attributes.foundMistyped ? nil : operation
    }

    private static func onnxOperation(_ node: Node, opset: Int, _ attributes: AttributeReader) -> (any DNNLOperation)? {
        switch node.opType {
        case "Conv":
            return node.inputs.count <= 3 ? convolution(node, attributes, activation: []) : nil
        case "ConvTranspose":
            guard attributes.ints("output_shape") == nil, let window = DNNLWindowAttributes(node) else { return nil }
            return DNNLDeconvolutionOperation(window: window, group: attributes.int("group") ?? 1,
                                              outputPadding: attributes.ints("output_padding"))
        case "MatMul":
            return DNNLMatMulOperation(opType: "MatMul", activation: [], computeType: computeType(of: node))
        case "QLinearConv", "ConvInteger":
            guard DNNLInt8Support.isAvailable, let window = DNNLWindowAttributes(node) else { return nil }
            guard let activation = DNNLActivations.fused(node), activation.isEmpty || node.opType == "QLinearConv" else { return nil }
            return DNNLQuantizedConvolutionOperation(opType: node.opType, window: window, group: attributes.int("group") ?? 1,
                                                     activation: activation)
        case "QLinearMatMul", "MatMulInteger":
            return DNNLInt8Support.isAvailable ? DNNLQuantizedMatMulOperation(opType: node.opType) : nil
        case "QuantizeLinear", "DequantizeLinear":
            guard opset >= 10, (attributes.int("block_size") ?? 0) == 0, attributes.int("output_dtype") == nil,
                  attributes.int("precision") == nil else { return nil }
            return DNNLQuantizeLinearOperation(opType: node.opType)
        case "Gemm":
            return DNNLGemmOperation(transA: attributes.int("transA") ?? 0 != 0, transB: attributes.int("transB") ?? 0 != 0,
                                     alpha: attributes.float("alpha") ?? 1, beta: attributes.float("beta") ?? 1)
        case "MaxPool", "AveragePool":
            guard let window = DNNLWindowAttributes(node), window.kernelShape != nil else { return nil }
            let kind: DNNLPoolingOperation.Kind = node.opType == "MaxPool"
                ? .max : .average(countIncludePad: attributes.int("count_include_pad") ?? 0 != 0)
            return DNNLPoolingOperation(opType: node.opType, kind: kind, window: window,
                                        ceilMode: attributes.int("ceil_mode") ?? 0 != 0)
        case "GlobalMaxPool":
            return DNNLPoolingOperation(opType: node.opType, kind: .max, window: nil, ceilMode: false)
        case "GlobalAveragePool":
            return DNNLPoolingOperation(opType: node.opType, kind: .average(countIncludePad: false), window: nil, ceilMode: false)
        case "Add", "Sub", "Mul", "Div", "Max", "Min":
            guard node.inputs.count == 2 else { return nil }
            let (alg, commutative): (dnnl_alg_kind_t, Bool) = switch node.opType {
            case "Add": (dnnl_binary_add, true)
            case "Sub": (dnnl_binary_sub, false)
            case "Mul": (dnnl_binary_mul, true)
            case "Div": (dnnl_binary_div, false)
            case "Max": (dnnl_binary_max, true)
            default: (dnnl_binary_min, true)
            }
            return DNNLBinaryOperation(opType: node.opType, alg: alg, commutative: commutative)
        case "Concat":
            return attributes.int("axis").map { DNNLConcatOperation(axis: $0) }
        case "Split":
            guard node.outputs.allSatisfy({ !$0.isEmpty }) else { return nil }
            return DNNLSplitOperation(axis: attributes.int("axis") ?? 0, splitAttribute: attributes.ints("split"),
                                      numOutputs: attributes.int("num_outputs"), outputCount: node.outputs.count)
        case "Resize":
            guard opset >= 11, attributes.string("mode") == "nearest", attributes.ints("axes") == nil,
                  (attributes.int("antialias") ?? 0) == 0 else { return nil }
            let coordinates = attributes.string("coordinate_transformation_mode") ?? "half_pixel"
            let rounding = attributes.string("nearest_mode") ?? "round_prefer_floor"
            switch (coordinates, rounding) {
            case ("asymmetric", "floor"), ("half_pixel", "round_prefer_floor"), ("half_pixel", "round_prefer_ceil"):
                return DNNLResizeOperation()
            default:
                return nil
            }
        case "DepthToSpace":
            guard let block = attributes.int("blocksize") else { return nil }
            switch attributes.string("mode") ?? "DCR" {
            case "DCR": return DNNLDepthToSpaceOperation(blockSize: block, columnRowDepth: false)
            case "CRD": return DNNLDepthToSpaceOperation(blockSize: block, columnRowDepth: true)
            default: return nil
            }
        case "Softmax", "LogSoftmax":
            let axis = attributes.int("axis") ?? (opset >= 13 ? -1 : 1)
            return DNNLSoftmaxOperation(opType: node.opType, axis: axis, flattens: opset < 13)
        case "BatchNormalization":
            guard (attributes.int("training_mode") ?? 0) == 0, (attributes.int("spatial") ?? 1) == 1,
                  opset >= 7 || attributes.ints("consumed_inputs") == nil else { return nil }
            return DNNLBatchNormalizationOperation(epsilon: attributes.float("epsilon") ?? 1e-5)
        case "LayerNormalization":
            return DNNLLayerNormalizationOperation(axis: attributes.int("axis") ?? -1,
                                                   epsilon: attributes.float("epsilon") ?? 1e-5)
        case "Clip":
            if opset >= 11 { return DNNLEltwiseOperation(opType: "Clip", chain: nil) }
            guard let chain = DNNLActivations.clip(min: attributes.float("min") ?? -.infinity,
                                                   max: attributes.float("max") ?? .infinity) else { return nil }
            return DNNLEltwiseOperation(opType: "Clip", chain: chain)
        default:
            guard let chain = DNNLActivations.chain(opType: node.opType, floatAttribute: attributes.float,
                                                    stringAttribute: attributes.string) else { return nil }
            return DNNLEltwiseOperation(opType: node.opType, chain: chain)
        }
    }

    private static func convolution(_ node: Node, _ attributes: AttributeReader,
                                    activation: [DNNLEltwiseFunction]) -> (any DNNLOperation)? {
        guard let window = DNNLWindowAttributes(node) else { return nil }
        return DNNLConvolutionOperation(opType: node.opType, window: window, group: attributes.int("group") ?? 1,
                                        activation: activation,
                                        computeType: computeType(of: node))
    }

    /// The type a convolution or matmul computes in: BF16 when `BF16ComputeMarking` marked it.
    private static func computeType(of node: Node) -> dnnl_data_type_t {
        BF16ComputeMarking.isMarked(node) ? dnnl_bf16 : dnnl_f32
    }
}

/// Attribute lookups that note a wrongly typed attribute (`foundMistyped`); the kernel factory
/// then makes no kernel for the node and the reference kernel reports the problem.
private final class AttributeReader {
    let node: Node
    private(set) var foundMistyped = false

    init(node: Node) { self.node = node }

    func int(_ name: String) -> Int? {
        switch node.attributes[name] {
        case nil: return nil
        case .int(let value)?: return value
        default: foundMistyped = true; return nil
        }
    }

    func float(_ name: String) -> Float? {
        switch node.attributes[name] {
        case nil: return nil
        case .float(let value)?: return value
        case .int(let value)?: return Float(value)
        default: foundMistyped = true; return nil
        }
    }

    func string(_ name: String) -> String? {
        switch node.attributes[name] {
        case nil: return nil
        case .string(let value)?: return value
        default: foundMistyped = true; return nil
        }
    }

    func ints(_ name: String) -> [Int]? {
        switch node.attributes[name] {
        case nil: return nil
        case .ints(let value)?: return value
        default: foundMistyped = true; return nil
        }
    }
}
