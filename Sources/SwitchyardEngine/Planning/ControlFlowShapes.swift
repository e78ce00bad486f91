import SwitchyardGraph
import SwitchyardTensor

/// Shapes of `If`, `Loop` and `Scan` outputs, from their bodies.
enum ControlFlowShapes {
    static func infer(_ context: InferenceContext, opsets: [String: Int], visible: [String: ValueFact]) -> [ValueFact] {
        let node = context.node
        let outer = visible.mapValues(\.withoutValue)
        switch node.opType {
        case "If":
            guard case .graph(let thenBranch)? = node.attributes["then_branch"],
                  case .graph(let elseBranch)? = node.attributes["else_branch"] else { break }
            let thenFacts = ShapeInference.infer(thenBranch, opsets: opsets, outer: outer)
            let elseFacts = ShapeInference.infer(elseBranch, opsets: opsets, outer: outer)
            return node.outputs.indices.map { index in
                guard index < thenBranch.outputs.count, index < elseBranch.outputs.count,
                      let a = thenFacts[thenBranch.outputs[index].name], let b = elseFacts[elseBranch.outputs[index].name]
                else { return ValueFact() }
                return merge(a, b)
            }
        case "Loop":
            // Loop-carried values keep their type; scan outputs gain a leading iteration axis.
            guard case .graph(let body)? = node.attributes["body"] else { break }
            let carried = Swift.max(0, node.inputs.count - 2)
            return node.outputs.indices.map { index in
                let bodyIndex = index + 1
                guard bodyIndex < body.outputs.count else { return ValueFact() }
                let declared = ValueFact(body.outputs[bodyIndex])
                if index < carried { return ValueFact(dataType: context.dataType(index + 2) ?? declared.dataType) }
                return ValueFact(dataType: declared.dataType, shape: declared.shape.map { [.unknown] + $0 })
            }
        default: break
        }
        return node.outputs.map { _ in ValueFact() }
    }

    /// What two facts agree on.
    static func merge(_ a: ValueFact, _ b: ValueFact) -> ValueFact {
        let dataType = a.dataType == b.dataType ? a.dataType : nil
        guard let x = a.shape, let y = b.shape, x.count == y.count else { return ValueFact(dataType: dataType) }
        return ValueFact(dataType: dataType, shape: zip(x, y).map { $0 == $1 ? $0 : .unknown })
    }
}
