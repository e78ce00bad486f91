import SwitchyardGraph
import SwitchyardTensor

/// Rewrites a `ConvTranspose` whose kernel equals its stride (no padding, dilation or groups: the
/// output blocks do not overlap) as a 1×1 `Conv` producing `k²` channels per output channel and
/// a `DepthToSpace` (CRD) that moves them to their `k × k` places:
///
///     ConvTranspose(x, W[C, O, k, k], B) [→ Add(c) | BatchNormalization | Mul …] [→ Relu | Sigmoid …]
///       ⇒  Conv 1×1 (x, W'[O·k², C, 1, 1], B') [→ Relu | Sigmoid …] → DepthToSpace(k, CRD)
///
/// The per-channel affine maps that follow (a bias added separately, inference BatchNormalization,
/// `ConvAffineFolding`'s maps) fold into `W'` and `B'`, and the elementwise activations after them
/// move before the DepthToSpace, where the convolution takes them as post-ops. PP-OCR's detector
/// head is two such upsamplings: oneDNN 2.6 runs a deconvolution with a bias or any post-op
/// 4–70× slower than without (measured: 20.8 ms bare, 92 ms with a bias, 1.4 s with a binary
/// post-op, batch 8 at 160×160), so the bias, BatchNormalization and Relu ran as three more passes
/// over the largest tensors of the model (43 ms at batch 8); the 1×1 convolution with its folded
/// affine and fused activation, plus a reorder, replaces all of it.
public struct ConvTransposeAsConvolution: GraphPass {
    public let name = "conv-transpose-as-convolution"
    public init() {}

    /// Unary elementwise operators, which commute with any movement of elements.
    static let elementwise: Set<String> = [
        "Relu", "Sigmoid", "Tanh", "LeakyRelu", "HardSigmoid", "HardSwish", "Elu", "Selu", "Softplus", "Clip", "Abs",
        "Neg", "Exp", "Sqrt", "Gelu",
    ]

    public func run(on graph: inout Graph, scope: PassScope) -> [String] {
        // DepthToSpace has the CRD mode from opset 11.
        guard (scope.opsets[""] ?? 1) >= 11 else { return [] }
        var names = NameAllocator(graph)
        var changes: [String] = []
        var index = 0
        while index < graph.nodes.count {
            if let change = rewrite(at: index, in: &graph, names: &names) { changes.append(change) }
            index += 1
        }
        return changes
    }

    private func rewrite(at index: Int, in graph: inout Graph, names: inout NameAllocator) -> String? {
        let node = graph.nodes[index]
        guard node.opType == "ConvTranspose", node.domain.isEmpty || node.domain == "ai.onnx",
              (2...3).contains(node.inputs.count), node.outputs.count == 1,
              let weights = graph.initializers[node.inputs[1]], weights.dataType == .float32, weights.rank == 4,
              weights.shape[2] == weights.shape[3], Self.blocksDoNotOverlap(node, kernel: weights.shape[2]) else { return nil }
        let (inputs, outputs, k) = (weights.shape[0], weights.shape[1], weights.shape[2])
        var scale = [Float](repeating: 1, count: outputs)
        var shift = [Float](repeating: 0, count: outputs)
        if node.inputs.count == 3, !node.inputs[2].isEmpty {
            guard let bias = graph.initializers[node.inputs[2]], bias.dataType == .float32, bias.count == outputs
            else { return nil }
            shift = bias.floats()
        }
        // Fold the per-channel affine maps that follow, then collect the activations after them.
        let usage = GraphUsage(graph)
        var removed = Set<Int>()
        var value = node.outputs[0]
        var affine: [String] = []
        while usage.hasSingleUse(value, in: graph), let reader = usage.consumers(of: value).first,
              let map = ConvAffineFolding().affineMap(of: graph.nodes[reader], reading: value, channels: outputs, rank: 4,
                                                     graph: graph) {
            for o in 0..<outputs {
                scale[o] *= map.scale[o]
                shift[o] = shift[o] * map.scale[o] + map.shift[o]
            }
            affine.append(graph.nodes[reader].opType)
            removed.insert(reader)
            value = graph.nodes[reader].outputs[0]
        }
        var activations: [Int] = []
        var last = value
        while usage.hasSingleUse(last, in: graph), let reader = usage.consumers(of: last).first,
              Self.isElementwise(graph.nodes[reader], reading: last, graph: graph) {
            activations.append(reader)
            last = graph.nodes[reader].outputs[0]
        }

        let channels = outputs * k * k
        var folded = [Float](repeating: 0, count: channels * inputs)
        let source = weights.floats()
        for c in 0..<inputs {
            for o in 0..<outputs {
                for position in 0..<(k * k) {
                    folded[(o * k * k + position) * inputs + c] = source[(c * outputs + o) * k * k + position] * scale[o]
                }
            }
        }
        let weightName = names.fresh("\(node.inputs[1])_as_1x1")
        let biasName = names.fresh("\(node.inputs[1])_as_1x1_bias")
        graph.initializers[weightName] = Tensor(shape: [channels, inputs, 1, 1], scalars: folded)
        graph.initializers[biasName] = Tensor(shape: [channels], scalars: (0..<channels).map { shift[$0 / (k * k)] })
        var produced = names.fresh("\(node.outputs[0])_blocks")
        var rewritten = [Node(name: node.name, opType: "Conv", inputs: [node.inputs[0], weightName, biasName],
                              outputs: [produced], attributes: ["kernel_shape": .ints([1, 1])], docString: node.docString)]
        for reader in activations {
            var activation = graph.nodes[reader]
            let output = names.fresh("\(activation.outputs[0])_blocks")
            activation.inputs[0] = produced
            activation.outputs = [output]
            rewritten.append(activation)
            produced = output
        }
        rewritten.append(Node(name: names.fresh("\(node.displayName)_depth_to_space"), opType: "DepthToSpace",
                              inputs: [produced], outputs: [last],
                              attributes: ["blocksize": .int(k), "mode": .string("CRD")]))
        let gone = removed.union(activations).union([index])
        var nodes: [Node] = []
        for (position, existing) in graph.nodes.enumerated() {
            if position == index { nodes += rewritten } else if !gone.contains(position) { nodes.append(existing) }
        }
        // Values that no longer exist lose their declared types; `last` keeps its name.
        for vanished in ([node.outputs[0]] + removed.union(activations).map { graph.nodes[$0].outputs[0] }) where vanished != last {
            graph.valueInfo[vanished] = nil
        }
        // The moved activations read only the new convolution, defined where the ConvTranspose was.
        graph.nodes = nodes
        let folds = affine.isEmpty ? "" : ", folding \(affine.joined(separator: ", "))"
        return "ConvTranspose '\(node.displayName)' (\(k)×\(k), stride \(k)) became a 1×1 Conv and DepthToSpace\(folds)"
    }

    /// True when the output blocks of a `kernel × kernel` transposed convolution do not overlap
    /// and nothing pads or crops them: strides equal to the kernel, one group, no dilation,
    /// padding or output shape.
    static func blocksDoNotOverlap(_ node: Node, kernel: Int) -> Bool {
        func ints(_ name: String) -> [Int]? {
            if case .ints(let values)? = node.attributes[name] { return values }
            return nil
        }
        if case .int(let group)? = node.attributes["group"], group != 1 { return false }
        if let shape = ints("kernel_shape"), shape != [kernel, kernel] { return false }
        guard ints("strides") == [kernel, kernel], node.attributes["output_shape"] == nil,
              (ints("dilations") ?? [1, 1]) == [1, 1], (ints("pads") ?? [0, 0, 0, 0]).allSatisfy({ $0 == 0 }),
              (ints("output_padding") ?? [0, 0]).allSatisfy({ $0 == 0 }) else { return false }
        if case .string(let pad)? = node.attributes["auto_pad"], !["NOTSET", "VALID"].contains(pad) { return false }
        return true
    }

    /// True for a unary elementwise node reading `value`, whose other inputs are scalar constants.
    static func isElementwise(_ node: Node, reading value: String, graph: Graph) -> Bool {
        guard node.domain.isEmpty || node.domain == "ai.onnx", elementwise.contains(node.opType),
              node.inputs.first == value, node.outputs.count == 1 else { return false }
        return node.inputs.dropFirst().allSatisfy { $0.isEmpty || graph.initializers[$0]?.count == 1 }
    }
}
