import SwitchyardEngine
import SwitchyardGraph
import SwitchyardTensor

/// Weights-only INT8 for MatMul and Gemm in ONNX Runtime's `quantize_dynamic` form: the
/// activation is quantized at run time by DynamicQuantizeLinear (u8, per tensor), multiplied
/// with the int8 weight by MatMulInteger (int32), and rescaled to float by
/// `Cast × (activation scale × weight scale)`; a Gemm's bias is added in float.
/// Convolutions are left FP32: dynamic INT8 of conv nets runs at 0.12–0.28× FP32 in ONNX Runtime.
struct DynamicQuantization {
    let plan: QuantizationPlan
    let perChannel: Bool
    let weightRange: WeightRange

    func rewrite(_ model: Model, report: inout QuantizationReport) -> Model {
        var model = model
        var graph = model.graph
        var names = NameAllocator(graph)
        let targets = Dictionary(uniqueKeysWithValues: plan.targets.map { ($0.nodeIndex, $0) })
        var emitted: [Node] = []
        for (index, node) in graph.nodes.enumerated() {
            guard let target = targets[index] else {
                emitted.append(node)
                continue
            }
            emitted += lower(node, target: target, graph: &graph, names: &names)
            report.converted.append(.init(
                name: node.displayName, opType: node.opType,
                detail: "weights s8 \(perChannel ? "per-column" : "per-tensor"), input u8 at run time (DynamicQuantizeLinear + MatMulInteger)"))
        }
        graph.nodes = emitted
        _ = DeadNodeElimination().run(on: &graph, scope: PassScope(opsets: model.opsetImports))
        model.graph = graph
        return model
    }

    /// The nodes replacing `node`; they write its output name.
    private func lower(_ node: Node, target: QuantizationPlan.Target, graph: inout Graph, names: inout NameAllocator) -> [Node] {
        let base = node.name.isEmpty ? node.outputs[0] : node.name
        var weight = graph.initializers[target.weight]!
        var alpha: Float = 1, beta: Float = 1
        if node.opType == "Gemm" {
            if case .float(let value)? = node.attributes["alpha"] { alpha = value }
            if case .float(let value)? = node.attributes["beta"] { beta = value }
            // MatMulInteger multiplies [K, N]: store a transposed Gemm weight untransposed.
            if target.channelAxis == 0 { weight = Self.transposed(weight) }
        }
        let quantized = WeightQuantization.quantize(weight, axis: perChannel ? 1 : nil, range: weightRange)
        let weightName = names.fresh("\(target.weight)_quantized")
        let scaleName = names.fresh("\(target.weight)_scale")
        graph.initializers[weightName] = quantized.values
        let scales = quantized.scales.map { $0 * alpha }
        graph.initializers[scaleName] = perChannel ? Tensor(shape: [scales.count], scalars: scales) : Tensor(scalar: scales[0])

        let input = names.fresh("\(base)_input_quantized"), inputScale = names.fresh("\(base)_input_scale")
        let inputZero = names.fresh("\(base)_input_zero_point")
        let product = names.fresh("\(base)_int32"), productFloat = names.fresh("\(base)_int32_float")
        let combinedScale = names.fresh("\(base)_output_scale")
        let hasBias = node.opType == "Gemm" && node.inputs.count > 2 && !node.inputs[2].isEmpty
        let scaled = hasBias ? names.fresh("\(base)_scaled") : node.outputs[0]
        var nodes = [
            Node(name: names.fresh("\(base)_DynamicQuantizeLinear"), opType: "DynamicQuantizeLinear",
                 inputs: [node.inputs[0]], outputs: [input, inputScale, inputZero]),
            Node(name: names.fresh("\(base)_MatMulInteger"), opType: "MatMulInteger",
                 inputs: [input, weightName, inputZero], outputs: [product]),
            Node(name: names.fresh("\(base)_Cast"), opType: "Cast", inputs: [product], outputs: [productFloat],
                 attributes: ["to": .int(Int(DataType.float32.rawValue))]),
            Node(name: names.fresh("\(base)_scale_Mul"), opType: "Mul", inputs: [inputScale, scaleName], outputs: [combinedScale]),
            Node(name: names.fresh("\(base)_Mul"), opType: "Mul", inputs: [productFloat, combinedScale], outputs: [scaled]),
        ]
        if hasBias {
            var bias = node.inputs[2]
            if beta != 1, let tensor = graph.initializers[bias] {
                bias = names.fresh("\(bias)_times_beta")
                graph.initializers[bias] = Tensor(shape: tensor.shape, scalars: tensor.floats().map { $0 * beta })
            } else if beta != 1 {
                let betaName = names.fresh("\(base)_beta"), product = names.fresh("\(base)_bias_times_beta")
                graph.initializers[betaName] = Tensor(scalar: beta)
                nodes.append(Node(name: names.fresh("\(base)_beta_Mul"), opType: "Mul", inputs: [bias, betaName], outputs: [product]))
                bias = product
            }
            nodes.append(Node(name: names.fresh("\(base)_bias_Add"), opType: "Add", inputs: [scaled, bias], outputs: [node.outputs[0]]))
        }
        return nodes
    }

    /// A rank-2 float tensor transposed.
    static func transposed(_ tensor: Tensor) -> Tensor {
        let rows = tensor.shape[0], columns = tensor.shape[1]
        let values = tensor.floats()
        var result = [Float](repeating: 0, count: values.count)
        for row in 0..<rows { for column in 0..<columns { result[column * rows + row] = values[row * columns + column] } }
        return Tensor(shape: [columns, rows], scalars: result)
    }
}
