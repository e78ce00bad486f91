import SwitchyardGraph
import SwitchyardTensor

/// ONNX `Scan`, opset 9 and later: inputs are N initial states then M scan inputs
/// (`num_scan_inputs`). Each iteration `t` feeds the body the states and, per scan input,
/// its slice at `t` along `scan_input_axes[i]` (counted from the end when
/// `scan_input_directions[i]` is 1). The node returns the final states and, per scan output,
/// the body's per-iteration values stacked along `scan_output_axes[j]`, appended or (with
/// `scan_output_directions[j]` = 1) prepended.
enum ScanKernel {
    static func run(_ context: OpContext) throws -> [Tensor] {
        let body = try ControlFlowSupport.body(context, "body")
        let inputs = try ControlFlowSupport.presentInputs(context, from: 0)
        let layout = try ScanLayout(context, body: body, variadicInputs: inputs.count)
        var states = Array(inputs[..<layout.n])
        let scanInputs = Array(inputs[layout.n...])

        let inputAxes = try ScanLayout.perItem(context, "scan_input_axes", count: layout.m, default: 0)
        let inputDirections = try ScanLayout.directions(context, "scan_input_directions", count: layout.m)
        var axes: [Int] = []
        for (i, input) in scanInputs.enumerated() {
            axes.append(try ShapeMath.normalizedAxis(inputAxes[i], rank: input.rank, op: "Scan scan_input_axes[\(i)]"))
            guard input.rank > 0 else {
                throw KernelError.invalidArgument("Scan: scan input \(i) is a scalar; it needs an axis to scan")
            }
        }
        let length = scanInputs[0].shape[axes[0]]
        for (i, input) in scanInputs.enumerated() where input.shape[axes[i]] != length {
            throw KernelError.invalidArgument("Scan: scan input 0 has \(length) steps along axis \(axes[0]) but scan input \(i) has \(input.shape[axes[i]]) along axis \(axes[i])")
        }

        var scans = layout.collectors(op: "Scan", body: body)
        for t in 0..<length {
            var bodyInputs: [Tensor?] = states
            for (i, input) in scanInputs.enumerated() {
                bodyInputs.append(AxisSlicing.slice(input, axis: axes[i], index: inputDirections[i] ? length - 1 - t : t))
            }
            let outputs = try ControlFlowSupport.run(context, "body", inputs: bodyInputs, expected: layout.n + layout.k)
            states = Array(outputs[..<layout.n])
            for j in 0..<layout.k { try scans[j].append(outputs[layout.n + j]) }
        }

        let outputAxes = try ScanLayout.perItem(context, "scan_output_axes", count: layout.k, default: 0)
        let outputDirections = try ScanLayout.directions(context, "scan_output_directions", count: layout.k)
        var results = states
        for (j, scan) in scans.enumerated() {
            results.append(try scan.stacked(axis: outputAxes[j], prepending: outputDirections[j]))
        }
        return results
    }
}

/// How a Scan node splits its variadic inputs and its body's outputs: N states, M scan
/// inputs, K scan outputs. Shared by both Scan forms.
struct ScanLayout {
    let n: Int
    let m: Int
    let k: Int

    /// `variadicInputs` counts the states and scan inputs (without opset 8's sequence_lens).
    init(_ context: OpContext, body: Graph, variadicInputs: Int) throws(KernelError) {
        guard let m = try context.int("num_scan_inputs"), m > 0 else {
            throw .invalidArgument("Scan needs a positive 'num_scan_inputs' attribute")
        }
        guard m <= variadicInputs else {
            throw .invalidArgument("Scan: num_scan_inputs is \(m) but the node has only \(variadicInputs) state and scan inputs")
        }
        n = variadicInputs - m
        self.m = m
        guard body.inputs.count == n + m else {
            throw .invalidArgument("Scan: body has \(body.inputs.count) inputs but needs \(n + m) (\(n) states and \(m) scan inputs)")
        }
        guard body.outputs.count >= n else {
            throw .invalidArgument("Scan: body has \(body.outputs.count) outputs but needs at least the \(n) states")
        }
        k = body.outputs.count - n
        guard context.node.outputs.count <= n + k else {
            throw .invalidArgument("Scan: the node has \(context.node.outputs.count) outputs but the body yields only \(n) states and \(k) scan outputs")
        }
    }

    /// One collector per scan output, declared by the body's outputs after the states.
    func collectors(op: String, body: Graph) -> [ScanOutputCollector] {
        (0..<k).map { ScanOutputCollector(op: op, index: $0, declared: body.outputs[n + $0]) }
    }

    /// An INTS attribute with one entry per item (`default` for all when absent).
    static func perItem(_ context: OpContext, _ name: String, count: Int, default value: Int) throws(KernelError) -> [Int] {
        guard let values = try context.ints(name) else { return [Int](repeating: value, count: count) }
        guard values.count == count else {
            throw .invalidArgument("Scan: attribute '\(name)' has \(values.count) entries, expected \(count)")
        }
        return values
    }

    /// A directions attribute: true means reverse (or prepend).
    static func directions(_ context: OpContext, _ name: String, count: Int) throws(KernelError) -> [Bool] {
        let values = try perItem(context, name, count: count, default: 0)
        for value in values where value != 0 && value != 1 {
            throw .invalidArgument("Scan: attribute '\(name)' entries must be 0 (forward) or 1 (reverse), got \(value)")
        }
        return values.map { $0 == 1 }
    }
}
