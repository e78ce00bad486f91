import SwitchyardTensor

/// ONNX `If`: runs `then_branch` when the single-element `cond` is true, else `else_branch`,
/// and returns that branch's outputs. Both branches must have as many outputs as the node.
enum IfKernel {
    static func run(_ context: OpContext) throws -> [Tensor] {
        let condition = try ControlFlowSupport.condition(try context.input(0), "If: input 'cond'")
        let thenBranch = try ControlFlowSupport.body(context, "then_branch")
        let elseBranch = try ControlFlowSupport.body(context, "else_branch")
        let expected = context.node.outputs.count
        for (name, branch) in [("then_branch", thenBranch), ("else_branch", elseBranch)]
        where branch.outputs.count != expected {
            throw KernelError.invalidArgument("If: '\(name)' has \(branch.outputs.count) output\(branch.outputs.count == 1 ? "" : "s") but the node has \(expected); both branches must yield one value per node output")
        }
        return try ControlFlowSupport.run(context, condition ? "then_branch" : "else_branch", inputs: [], expected: expected)
    }
}
