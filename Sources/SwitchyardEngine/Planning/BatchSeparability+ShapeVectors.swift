import SwitchyardGraph
import SwitchyardTensor

extension BatchSeparability {
    /// Which element of a shape vector holds the batch size. `Shape` of batch data holds it at
    /// the batch's axis; picking the other elements (a feature map's height and width, for the
    /// anchors of a detector) gives values that are the same for every piece of a split batch.
    struct ShapeVectors {
        /// Vector name → index of its element holding the batch size.
        private var batchElement: [String: Int] = [:]

        func isSizeDependent(_ name: String) -> Bool { batchElement[name] != nil }

        /// Records the output of a `Shape` or `Size` node reading batch data.
        mutating func recordShape(of node: Node, inputRole: Role?, rank: Int?) {
            guard case .batched(let axis)? = inputRole, let output = node.outputs.first else { return }
            guard node.opType == "Shape" else {
                batchElement[output] = 0
                return
            }
            guard let rank else {
                batchElement[output] = axis
                return
            }
            func clamped(_ value: Int) -> Int { min(max(value < 0 ? value + rank : value, 0), rank) }
            let start = clamped(Self.int(node, "start") ?? 0)
            let end = clamped(Self.int(node, "end") ?? rank)
            if (start..<max(start, end)).contains(axis) { batchElement[output] = axis - start }
        }

        /// The role of the outputs of a node that reads no batch data.
        mutating func role(of node: Node, context: InferenceContext, inputRoles: [Role?], captured: [Role]) -> Role {
            guard inputRoles.contains(.some(.sizeDependent)) || captured.contains(.sizeDependent) else { return .fixed }
            guard node.domain.isEmpty, let source = node.inputs.first, let element = batchElement[source],
                  let output = node.outputs.first,
                  inputRoles.dropFirst().allSatisfy({ $0 == nil || $0 == .fixed }) else { return .sizeDependent }
            let picked: [Int]?
            switch node.opType {
            case "Cast", "Identity":
                batchElement[output] = element
                return .sizeDependent
            case "Gather" where (context.int("axis") ?? 0) == 0:
                let length = context.shape(0)?.first?.fixedValue
                picked = context.ints(ofInput: 1).flatMap { indices in
                    length.map { length in indices.map { $0 < 0 ? $0 + length : $0 } }
                }
            case "Slice" where context.opset >= 10:
                picked = Self.sliced(context, length: context.shape(0)?.first?.fixedValue)
            default:
                return .sizeDependent
            }
            guard let picked else { return .sizeDependent }
            guard let position = picked.firstIndex(of: element) else { return .fixed }
            batchElement[output] = position
            return .sizeDependent
        }

        /// The indices a one-dimensional Slice picks, when its settings are known.
        private static func sliced(_ context: InferenceContext, length: Int?) -> [Int]? {
            guard let length, let starts = context.ints(ofInput: 1), let ends = context.ints(ofInput: 2),
                  starts.count == 1, ends.count == 1 else { return nil }
            if context.isPresent(3), context.ints(ofInput: 3) != [0], context.ints(ofInput: 3) != [-1] { return nil }
            let step = context.isPresent(4) ? (context.ints(ofInput: 4)?.first ?? 0) : 1
            guard step != 0 else { return nil }
            func clamped(_ value: Int, low: Int, high: Int) -> Int { min(max(value < 0 ? value + length : value, low), high) }
            var indices: [Int] = []
            if step > 0 {
                var index = clamped(starts[0], low: 0, high: length)
                let end = clamped(ends[0], low: 0, high: length)
                while index < end { indices.append(index); index += step }
            } else {
                var index = clamped(starts[0], low: -1, high: length - 1)
                let end = clamped(ends[0], low: -1, high: length - 1)
                while index > end { indices.append(index); index += step }
            }
            return indices
        }

        private static func int(_ node: Node, _ name: String) -> Int? {
            if case .int(let value)? = node.attributes[name] { return value }
            return nil
        }
    }
}
