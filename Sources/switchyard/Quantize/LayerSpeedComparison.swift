import SwitchyardEngine

/// The speed gate's choice: each quantized layer's time in the converted model against the
/// same layer's time in the FP32 source (matched by node name), so only layers that int8 makes
/// slower are kept in FP32 — a dense convolution that int8 makes faster stays quantized however
/// long it takes.
///
/// Per-node profiles (`StepProfile.detail`, in execution order) hold more than the layers: the
/// quantize steps, FakeQuantize chains and reorders a quantized layer brings. Each of those is
/// charged to the layer that ran last before it in the same profile, so a layer's time includes
/// the quantization of its output.
struct LayerSpeedComparison: Sendable {
    /// One layer's time per run in both models.
    struct Layer: Sendable, Equatable {
        var name: String
        var quantizedMilliseconds: Double
        var floatMilliseconds: Double
        /// Time the quantized layer loses (positive: int8 is slower).
        var lossMilliseconds: Double { quantizedMilliseconds - floatMilliseconds }
    }

    /// A layer counts as losing when its quantized time exceeds its float time by this fraction
    /// and by `minimumLossMilliseconds`: timing noise on a shared machine is a few percent, and a
    /// microsecond either way is not worth the accuracy of a quantized layer.
    var slowerRatio = 1.05
    var minimumLossMilliseconds = 0.002

    /// Every layer in `layerNames` timed in both profiles, in the quantized model's order.
    /// `quantized` and `float` are per-node times per run in execution order.
    func layers(quantized: [(node: String, milliseconds: Double)], float: [(node: String, milliseconds: Double)],
                layerNames: Set<String>) -> [Layer] {
        let floatTimes = Self.perLayer(float, layerNames: layerNames)
        let quantizedTimes = Self.perLayer(quantized, layerNames: layerNames)
        return quantizedTimes.order.compactMap { name in
            guard let floatTime = floatTimes.times[name], let quantizedTime = quantizedTimes.times[name] else { return nil }
            return Layer(name: name, quantizedMilliseconds: quantizedTime, floatMilliseconds: floatTime)
        }
    }

    /// The layers that lose, largest loss first, leaving out those already `excluded`.
    func losing(_ layers: [Layer], excluded: Set<String> = []) -> [Layer] {
        layers.filter { layer in
            !excluded.contains(layer.name)
                && layer.quantizedMilliseconds > layer.floatMilliseconds * slowerRatio
                && layer.lossMilliseconds > minimumLossMilliseconds
        }
        .sorted { $0.lossMilliseconds > $1.lossMilliseconds }
    }

    /// Per node, its smallest time over several profiling passes, in first-seen order: on a
    /// shared machine one pre-empted run adds milliseconds to whichever node it hit, and the
    /// minimum over passes is what the node itself costs.
    static func fastest(of passes: [[(node: String, milliseconds: Double)]]) -> [(node: String, milliseconds: Double)] {
        var best: [String: Double] = [:]
        var order: [String] = []
        for pass in passes {
            for entry in pass {
                if let known = best[entry.node] {
                    best[entry.node] = min(known, entry.milliseconds)
                } else {
                    best[entry.node] = entry.milliseconds
                    order.append(entry.node)
                }
            }
        }
        return order.map { ($0, best[$0]!) }
    }

    /// Time per layer: each node in `layerNames` plus the nodes after it that are not layers.
    /// Nodes before the first layer are charged to no one.
    static func perLayer(_ entries: [(node: String, milliseconds: Double)], layerNames: Set<String>)
        -> (times: [String: Double], order: [String]) {
        var times: [String: Double] = [:]
        var order: [String] = []
        var current: String?
        for entry in entries {
            if layerNames.contains(entry.node) {
                current = entry.node
                if times[entry.node] == nil { order.append(entry.node) }
            }
            if let current { times[current, default: 0] += entry.milliseconds }
        }
        return (times, order)
    }
}

extension StepProfile {
    /// `detail` as per-run milliseconds, in execution order.
    func detailMilliseconds(runs: Int) -> [(node: String, milliseconds: Double)] {
        detail.map { ($0.node, $0.seconds * 1000 / Double(max(runs, 1))) }
    }
}
