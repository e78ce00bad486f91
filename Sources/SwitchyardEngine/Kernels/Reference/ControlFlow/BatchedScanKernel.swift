import SwitchyardGraph
import SwitchyardTensor

/// ONNX `Scan` opset 8: inputs are an optional `sequence_lens` [batch], N initial states
/// [batch, …] and M scan inputs [batch, sequence, …]. Each batch entry runs its own scan over
/// axis 1 (reversed per input by `directions`) for `sequence_lens[b]` steps; states come back
/// stacked over the batch, scan outputs as [batch, max sequence, …] with the steps past a
/// shorter sequence zero-filled.
enum BatchedScanKernel {
    static func run(_ context: OpContext) throws -> [Tensor] {
        let body = try ControlFlowSupport.body(context, "body")
        let inputs = try ControlFlowSupport.presentInputs(context, from: 1)
        let layout = try ScanLayout(context, body: body, variadicInputs: inputs.count)
        let initialStates = Array(inputs[..<layout.n])
        let scanInputs = Array(inputs[layout.n...])
        let reversed = try ScanLayout.directions(context, "directions", count: layout.m)

        for (i, input) in scanInputs.enumerated() where input.rank < 2 {
            throw KernelError.invalidArgument("Scan (opset 8): scan input \(i) has shape \(input.shape); it needs a batch axis 0 and a sequence axis 1")
        }
        let batch = scanInputs[0].shape[0]
        let maxLength = scanInputs[0].shape[1]
        for (i, input) in scanInputs.enumerated() where input.shape[0] != batch || input.shape[1] != maxLength {
            throw KernelError.invalidArgument("Scan (opset 8): scan input 0 has batch \(batch) and sequence length \(maxLength) but scan input \(i) has shape \(input.shape)")
        }
        for (i, state) in initialStates.enumerated() where state.rank < 1 || state.shape[0] != batch {
            throw KernelError.invalidArgument("Scan (opset 8): initial state \(i) has shape \(state.shape); it needs batch axis 0 of size \(batch)")
        }
        let lengths = try sequenceLengths(context.optionalInput(0), batch: batch, maxLength: maxLength)

        var finalStates = [[Tensor]](repeating: [], count: layout.n)
        var batchScans: [[ScanOutputCollector]] = []
        for b in 0..<batch {
            var states = initialStates.map { AxisSlicing.slice($0, axis: 0, index: b) }
            let sequences = scanInputs.map { AxisSlicing.slice($0, axis: 0, index: b) }
            var scans = layout.collectors(op: "Scan", body: body)
            let length = lengths[b]
            for t in 0..<length {
                var bodyInputs: [Tensor?] = states
                for (i, sequence) in sequences.enumerated() {
                    bodyInputs.append(AxisSlicing.slice(sequence, axis: 0, index: reversed[i] ? length - 1 - t : t))
                }
                let outputs = try ControlFlowSupport.run(context, "body", inputs: bodyInputs, expected: layout.n + layout.k)
                states = Array(outputs[..<layout.n])
                for j in 0..<layout.k { try scans[j].append(outputs[layout.n + j]) }
            }
            for (i, state) in states.enumerated() { finalStates[i].append(state) }
            batchScans.append(scans)
        }

        var results: [Tensor] = []
        for (i, states) in finalStates.enumerated() {
            results.append(try stackOverBatch(states, what: "state \(i)", empty: initialStates[i]))
        }
        for j in 0..<layout.k {
            results.append(try paddedScanOutput(batchScans.map { $0[j] }, index: j, body: body, layout: layout, maxLength: maxLength))
        }
        return results
    }

    /// `sequence_lens`, or the full length for every batch entry when omitted.
    private static func sequenceLengths(_ tensor: Tensor?, batch: Int, maxLength: Int) throws(KernelError) -> [Int] {
        guard let tensor else { return [Int](repeating: maxLength, count: batch) }
        guard tensor.dataType.isInteger, tensor.count == batch else {
            throw .invalidArgument("Scan (opset 8): sequence_lens must be \(batch) integers, got \(tensor.dataType) \(tensor.shape)")
        }
        let lengths = tensor.ints()
        for (b, length) in lengths.enumerated() where length < 0 || length > maxLength {
            throw .invalidArgument("Scan (opset 8): sequence_lens[\(b)] is \(length), outside 0...\(maxLength)")
        }
        return lengths
    }

    private static func stackOverBatch(_ parts: [Tensor], what: String, empty: Tensor) throws(KernelError) -> Tensor {
        guard let first = parts.first else { return empty }
        for (b, part) in parts.enumerated() where part.shape != first.shape || part.dataType != first.dataType {
            throw .invalidArgument("Scan (opset 8): \(what) is \(first.dataType) \(first.shape) for batch entry 0 but \(part.dataType) \(part.shape) for entry \(b)")
        }
        return AxisSlicing.stack(parts, axis: 0)
    }

    /// Scan output `index`: each batch entry's steps stacked and zero-padded to `maxLength`,
    /// then stacked over the batch.
    private static func paddedScanOutput(
        _ collectors: [ScanOutputCollector], index: Int, body: Graph, layout: ScanLayout, maxLength: Int
    ) throws(KernelError) -> Tensor {
        // The element shape comes from any entry that ran; all must agree.
        let reference = collectors.first { !$0.parts.isEmpty } ?? layout.collectors(op: "Scan", body: body)[index]
        let shape = try reference.elementShape()
        let type = try reference.elementType()
        var perBatch: [Tensor] = []
        for collector in collectors {
            var steps = collector.parts
            if let first = steps.first, first.shape != shape || first.dataType != type {
                throw .invalidArgument("Scan (opset 8): scan output \(index) is \(type) \(shape) in one batch entry but \(first.dataType) \(first.shape) in another")
            }
            while steps.count < maxLength { steps.append(Tensor(zeros: type, shape: shape)) }
            perBatch.append(steps.isEmpty ? Tensor(zeros: type, shape: [0] + shape) : AxisSlicing.stack(steps, axis: 0))
        }
        if perBatch.isEmpty { return Tensor(zeros: type, shape: [0, maxLength] + shape) }
        return AxisSlicing.stack(perBatch, axis: 0)
    }
}
