import SwitchyardEngine
import SwitchyardGraph
import SwitchyardTensor

/// Writes the static INT8 model in ONNX's QDQ form, as ONNX Runtime's `quantize_static` does:
/// each calibrated activation gets a QuantizeLinear → DequantizeLinear pair that every reader
/// goes through; each planned node reads int8 weights (symmetric, per channel or per tensor)
/// through a DequantizeLinear, and its bias as int32 at input scale × weight scale. Nodes the plan
/// keeps in FP32 read the float activation (its Q/DQ pair goes when nothing else reads it).
struct QDQRewriter {
    let plan: QuantizationPlan
    let ranges: [String: ActivationRange]
    let activationType: ActivationType
    let perChannel: Bool
    let weightRange: WeightRange
    /// Values quantized besides the plan's activations (`MovementQuantization`), with ranges in `ranges`.
    var extraActivations: [String] = []

    func rewrite(_ model: Model, report: inout QuantizationReport) -> Model {
        var model = model
        var graph = model.graph
        var names = NameAllocator(graph)
        var emitted: [Node] = []
        var dequantized: [String: String] = [:]
        var inputScales: [String: Float] = [:]

        func quantizeActivation(_ name: String) {
            let (scale, zeroPoint) = (ranges[name] ?? ActivationRange(minimum: 0, maximum: 0))
                .quantizationParameters(for: activationType)
            inputScales[name] = scale
            let scaleName = names.fresh("\(name)_scale"), zeroName = names.fresh("\(name)_zero_point")
            graph.initializers[scaleName] = Tensor(scalar: scale)
            graph.initializers[zeroName] = activationType == .u8
                ? Tensor(scalar: UInt8(zeroPoint)) : Tensor(scalar: Int8(zeroPoint))
            let quantized = names.fresh("\(name)_quantized"), output = names.fresh("\(name)_dequantized")
            emitted.append(Node(name: names.fresh("\(name)_QuantizeLinear"), opType: "QuantizeLinear",
                                inputs: [name, scaleName, zeroName], outputs: [quantized]))
            emitted.append(Node(name: names.fresh("\(name)_DequantizeLinear"), opType: "DequantizeLinear",
                                inputs: [quantized, scaleName, zeroName], outputs: [output]))
            dequantized[name] = output
        }

        let planned = Set(plan.activations)
        let activations = plan.activations + extraActivations.filter { !planned.contains($0) }
        let activationSet = Set(activations)
        let defined = graph.nodes.reduce(into: Set<String>()) { $0.formUnion($1.outputs) }
        for name in activations where !defined.contains(name) { quantizeActivation(name) }

        let targets = Dictionary(uniqueKeysWithValues: plan.targets.map { ($0.nodeIndex, $0) })
        var weightCache: [String: (output: String, scales: [Float])] = [:]
        for (index, original) in graph.nodes.enumerated() {
            var node = original
            if !plan.floatReaders.contains(index) { node.inputs = node.inputs.map { dequantized[$0] ?? $0 } }
            if let target = targets[index] {
                let weight: (output: String, scales: [Float])
                if let cached = weightCache[target.weight] {
                    weight = cached
                } else {
                    weight = dequantizeWeight(target, inputScale: inputScales[target.activation], graph: &graph,
                                              names: &names, emitted: &emitted)
                    weightCache[target.weight] = weight
                }
                node.inputs[1] = weight.output
                var detail = "weights s8 \(weight.scales.count > 1 ? "per-channel (\(weight.scales.count) scales)" : "per-tensor"), input \(activationType.rawValue)"
                if let bias = target.bias, let inputScale = inputScales[target.activation],
                   let tensor = graph.initializers[bias],
                   let quantized = WeightQuantization.quantizeBias(tensor, inputScale: inputScale, weightScales: weight.scales) {
                    let valuesName = names.fresh("\(bias)_quantized"), scaleName = names.fresh("\(bias)_scale")
                    graph.initializers[valuesName] = quantized.values
                    // Per-tensor weights give one bias scale: no `axis`, which opsets before 13 lack.
                    let perTensor = weight.scales.count == 1
                    graph.initializers[scaleName] = perTensor
                        ? Tensor(scalar: quantized.scales[0]) : Tensor(shape: [quantized.scales.count], scalars: quantized.scales)
                    let output = names.fresh("\(bias)_dequantized")
                    emitted.append(Node(name: names.fresh("\(bias)_DequantizeLinear"), opType: "DequantizeLinear",
                                        inputs: [valuesName, scaleName], outputs: [output],
                                        attributes: perTensor ? [:] : ["axis": .int(0)]))
                    node.inputs[2] = output
                    detail += ", bias int32"
                } else if target.bias != nil || (node.inputs.count > 2 && !node.inputs[2].isEmpty) {
                    detail += ", bias float (does not fit int32 at this scale, or Gemm alpha/beta ≠ 1)"
                }
                report.converted.append(.init(name: original.displayName, opType: original.opType, detail: detail))
            }
            emitted.append(node)
            for output in original.outputs where activationSet.contains(output) { quantizeActivation(output) }
        }
        graph.nodes = emitted
        _ = DeadNodeElimination().run(on: &graph, scope: PassScope(opsets: model.opsetImports))
        model.graph = graph
        return model
    }

    /// Stores the target's weight as int8 with its scales and returns the DequantizeLinear output.
    /// With the layer's `inputScale`, no scale is so small that the layer's bias overflows int32.
    private func dequantizeWeight(
        _ target: QuantizationPlan.Target, inputScale: Float?, graph: inout Graph, names: inout NameAllocator,
        emitted: inout [Node]
    ) -> (output: String, scales: [Float]) {
        let weight = graph.initializers[target.weight]!
        var minimumScales: [Float]?
        if let bias = target.bias.flatMap({ graph.initializers[$0] }), let inputScale {
            minimumScales = WeightQuantization.smallestScalesFitting(bias, inputScale: inputScale)
        }
        let quantized = WeightQuantization.quantize(weight, axis: perChannel ? target.channelAxis : nil, range: weightRange,
                                                    minimumScales: minimumScales)
        let valuesName = names.fresh("\(target.weight)_quantized")
        let scaleName = names.fresh("\(target.weight)_scale"), zeroName = names.fresh("\(target.weight)_zero_point")
        graph.initializers[valuesName] = quantized.values
        let count = quantized.scales.count
        graph.initializers[scaleName] = perChannel ? Tensor(shape: [count], scalars: quantized.scales) : Tensor(scalar: quantized.scales[0])
        graph.initializers[zeroName] = perChannel ? Tensor(shape: [count], scalars: [Int8](repeating: 0, count: count)) : Tensor(scalar: Int8(0))
        let output = names.fresh("\(target.weight)_dequantized")
        emitted.append(Node(name: names.fresh("\(target.weight)_DequantizeLinear"), opType: "DequantizeLinear",
                            inputs: [valuesName, scaleName, zeroName], outputs: [output],
                            attributes: perChannel ? ["axis": .int(target.channelAxis)] : [:]))
        return (output, quantized.scales)
    }
}
