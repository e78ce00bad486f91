import SwitchyardGraph
import SwitchyardTensor

extension BatchSeparability {
    /// One node's inputs and outputs as the rules see them.
    struct Operands {
        let context: InferenceContext
        let roles: [Role?]
        /// The role of each (non-empty) output, where shape inference put the batch.
        let outputRoles: [Role]
        let facts: [String: ValueFact]

        var node: Node { context.node }
        var outputRank: Int? { node.outputs.first.flatMap { facts[$0]?.shape?.count } }
        var outputBatchAxis: Int? { outputRoles.first.flatMap(Self.axis(of:)) }

        func role(_ index: Int) -> Role? { index < roles.count ? roles[index] : nil }
        func rank(_ index: Int) -> Int? { context.shape(index)?.count }
        /// The batch's axis in input `index`, when that input is batch data.
        func batchAxis(_ index: Int) -> Int? { role(index).flatMap(Self.axis(of:)) }

        static func axis(of role: Role) -> Int? {
            if case .batched(let axis) = role { return axis }
            return nil
        }

        /// Every input other than `data` must be the same for every piece (weights, settings).
        func parameters(except data: Set<Int>) -> String? {
            for index in roles.indices where !data.contains(index) {
                if let reason = parameter(index) { return reason }
            }
            return nil
        }

        func parameter(_ index: Int) -> String? {
            switch role(index) {
            case .batched?: "reads batch data '\(node.inputs[index])' where it expects a weight or setting"
            case .sizeDependent?: "reads '\(node.inputs[index])', computed from the batch size, where it expects a constant"
            default: nil
            }
        }

        /// Data input `index`, broadcast against the output (dimensions aligned from the right):
        /// batch data whose batch lines up with the output's, or a tensor that is the same for
        /// every piece and has size 1 (or nothing) where the output has the batch.
        func broadcastData(_ index: Int) -> String? {
            guard let outputRank, let outputAxis = outputBatchAxis else { return "has an output without the batch" }
            guard let rank = rank(index) else { return "reads '\(node.inputs[index])', whose rank is unknown" }
            let aligned = outputAxis - (outputRank - rank)
            switch role(index) {
            case .batched(let axis)?:
                return axis == aligned ? nil : "broadcasts batch data '\(node.inputs[index])' so that its batch does not line up with the output's"
            case .sizeDependent?:
                return "mixes '\(node.inputs[index])', computed from the batch size, into the data"
            case .fixed?:
                guard aligned >= 0 else { return nil }
                return context.shape(index)?[aligned] == .fixed(1) ? nil
                    : "broadcasts '\(node.inputs[index])' along the batch dimension"
            case nil:
                return nil
            }
        }

        /// An operator working along `axis` of input `index`: any axis but the batch's.
        func alongAxis(_ axis: Int?, of index: Int = 0) -> String? {
            guard let axis else { return "has no axis attribute, so it works along the batch" }
            guard let rank = rank(index), let resolved = context.axis(axis, rank: rank) else { return "has an axis that cannot be resolved" }
            return resolved == batchAxis(index) ? "works along the batch dimension (axis \(axis))" : nil
        }

        /// An operator flattening input `index` to a matrix at `axis` (the pre-13 Softmax family)
        /// or normalizing every axis from `axis` on: the batch must come before it.
        func beforeAxis(_ axis: Int, of index: Int = 0) -> String? {
            guard let rank = rank(index), let resolved = context.axis(axis, rank: rank) else { return "has an axis that cannot be resolved" }
            guard let batch = batchAxis(index) else { return "does not take batch data" }
            return batch < resolved ? nil : "works across the batch dimension (axis \(axis))"
        }

        /// Axes (attribute or input, as the opset says) that must all be known and avoid the batch
        /// of a tensor of `rank` holding it at `batchAxis`.
        func axesAvoid(_ batchAxis: Int?, attributeBefore opset: Int, inputIndex: Int, rank: Int?, noneMeansAll: Bool) -> String? {
            guard let given = context.axes(attributeBefore: opset, inputIndex: inputIndex) else {
                return "has axes computed at run time"
            }
            guard let axes = given, !axes.isEmpty else {
                return noneMeansAll ? "works along every axis, the batch included" : nil
            }
            for axis in axes {
                guard let rank, let resolved = context.axis(axis, rank: rank) else { return "has an axis that cannot be resolved" }
                if resolved == batchAxis { return "works along the batch dimension (axis \(axis))" }
            }
            return nil
        }

        /// The known integer values of input `index` (a constant or a shape's arithmetic).
        func ints(_ index: Int) -> [Int]? { context.ints(ofInput: index) }
    }
}
