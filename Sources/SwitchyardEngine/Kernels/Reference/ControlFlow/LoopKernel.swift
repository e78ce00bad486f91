import SwitchyardTensor

/// ONNX `Loop` (opset 1–21): runs `body` while the optional trip count `M` is not reached and
/// the condition holds. Body inputs: (iteration number int64, condition, N carried values);
/// outputs: (condition, N carried values, K scan outputs). The node returns the N final
/// carried values (the initial ones when no iteration ran) and the K scan outputs, each the
/// per-iteration values stacked along a new axis 0.
enum LoopKernel {
    static func run(_ context: OpContext) throws -> [Tensor] {
        let body = try ControlFlowSupport.body(context, "body")
        var carried = try ControlFlowSupport.presentInputs(context, from: 2)
        let n = carried.count
        guard body.inputs.count == 2 + n else {
            throw KernelError.invalidArgument("Loop: body has \(body.inputs.count) inputs but needs \(2 + n) (iteration number, condition and \(n) loop-carried value\(n == 1 ? "" : "s"))")
        }
        guard body.outputs.count >= 1 + n else {
            throw KernelError.invalidArgument("Loop: body has \(body.outputs.count) outputs but needs at least \(1 + n) (condition and \(n) loop-carried value\(n == 1 ? "" : "s"))")
        }
        let k = body.outputs.count - 1 - n
        guard context.node.outputs.count <= n + k else {
            throw KernelError.invalidArgument("Loop: the node has \(context.node.outputs.count) outputs but the body yields only \(n) loop-carried values and \(k) scan outputs")
        }

        var tripLimit: Int64?
        if let m = context.optionalInput(0) {
            guard m.count == 1, m.dataType.isInteger else {
                throw KernelError.invalidArgument("Loop: input 'M' must be a single integer, got \(m.dataType) \(m.shape)")
            }
            tripLimit = m.int64s()[0]
        }
        var condition = true
        if let cond = context.optionalInput(1) {
            condition = try ControlFlowSupport.condition(cond, "Loop: input 'cond'")
        }

        var scans = (0..<k).map { ScanOutputCollector(op: "Loop", index: $0, declared: body.outputs[1 + n + $0]) }
        var iteration: Int64 = 0
        while condition, tripLimit.map({ iteration < $0 }) ?? true {
            let inputs: [Tensor?] = [Tensor(scalar: iteration), Tensor(scalar: condition)] + carried
            let outputs = try ControlFlowSupport.run(context, "body", inputs: inputs, expected: 1 + n + k)
            condition = try ControlFlowSupport.condition(outputs[0], "Loop: body output 0 (condition) in iteration \(iteration)")
            carried = Array(outputs[1..<(1 + n)])
            for j in 0..<k { try scans[j].append(outputs[1 + n + j]) }
            iteration += 1
        }
        var results = carried
        for scan in scans { results.append(try scan.stacked(axis: 0)) }
        return results
    }
}
