import SwitchyardEngine
import SwitchyardGraph
import SwitchyardTensor

/// Finds the range of chosen activations by running the FP32 model with the engine on every
/// calibration sample, those activations made graph outputs. `.minmax` needs one pass over the
/// samples; `.percentile` and `.entropy` a second one that fills a histogram of |x| up to the
/// first pass's largest value (tensors with fewer values than histogram bins keep min/max).
///
/// Blocking: runs the model on the calling thread. Call it from a dedicated thread, never from
/// Swift's cooperative pool.
struct Calibrator {
    let model: Model
    let tensors: [String]
    let method: CalibrationMethod
    let percentile: Double
    let threads: Int

    func ranges(from inputs: CalibrationInputs) throws(QuantizationError) -> [String: ActivationRange] {
        let session = try makeSession()
        var ranges: [String: ActivationRange] = [:]
        try forEachActivation(session, inputs) { name, values in
            var range = ranges[name] ?? ActivationRange(minimum: .infinity, maximum: -.infinity)
            for value in values where value.isFinite {
                range.minimum = min(range.minimum, value)
                range.maximum = max(range.maximum, value)
            }
            ranges[name] = range
        }
        for name in tensors where ranges[name] == nil || !(ranges[name]!.minimum <= ranges[name]!.maximum) {
            ranges[name] = ActivationRange(minimum: 0, maximum: 0)
        }
        guard method != .minmax else { return ranges }

        var histograms = ranges.mapValues { ActivationHistogram(limit: max(abs($0.minimum), abs($0.maximum))) }
        try forEachActivation(session, inputs) { name, values in histograms[name]?.add(values) }
        for (name, histogram) in histograms {
            // A histogram with fewer values than bins is mostly empty: its percentile and KL
            // thresholds are noise (a final layer seen on a few samples), so keep min/max.
            guard histogram.counts.reduce(0, +) >= Double(histogram.counts.count) else { continue }
            let threshold = method == .percentile
                ? histogram.percentileThreshold(percentile) : histogram.entropyThreshold()
            ranges[name] = ranges[name]!.clipped(to: threshold)
        }
        return ranges
    }

    /// A session over the model with every wanted activation as an output.
    private func makeSession() throws(QuantizationError) -> Session {
        var observed = model
        let existing = Set(model.graph.outputs.map(\.name))
        let runtimeInputs = Set(model.graph.inputs.map(\.name))
        for name in tensors where !existing.contains(name) && !runtimeInputs.contains(name) {
            observed.graph.outputs.append(ValueInfo(name: name, dataType: .float32))
        }
        do {
            return try Session(model: LoadedModel(model: observed), options: SessionOptions(threads: threads))
        } catch {
            throw QuantizationError("cannot run the FP32 model for calibration: \(error)")
        }
    }

    private func forEachActivation(
        _ session: Session, _ inputs: CalibrationInputs,
        _ body: (String, UnsafeBufferPointer<Float>) -> Void
    ) throws(QuantizationError) {
        for index in 0..<inputs.count {
            let feed = try inputs.sample(at: index)
            let outputs: [String: Tensor]
            do {
                outputs = try session.run(feed)
            } catch {
                throw QuantizationError("calibration sample '\(inputs.samples.name(at: index))' failed to run: \(error)")
            }
            for name in tensors {
                guard let tensor = outputs[name] ?? feed[name], tensor.dataType == .float32 else { continue }
                tensor.withUnsafeBufferPointer(of: Float.self) { body(name, $0) }
            }
        }
    }
}
