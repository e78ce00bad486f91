import SwitchyardGraph
import SwitchyardTensor

/// The first samples of a held-out set with the reference's outputs on them, kept in memory so
/// that many candidates (one per excluded layer, say) are scored against the same runs.
/// Blocking: runs models on the calling thread; use it from a dedicated thread.
struct SampleEvaluation {
    /// One model's score over the samples.
    struct Score {
        var metric: Double
        /// Mean over the outputs of each output's mean absolute error against the reference.
        var meanAbsoluteError: Double
        /// Character error rate in percent (ctc-exact only).
        var characterErrorRate: Double?
    }

    let scorer: SampleScorer
    private(set) var cases: [(name: String, inputs: [String: Tensor], reference: [String: Tensor])] = []
    /// The reference's own score (against the labels, or itself).
    private(set) var referenceScore = ScoreTotal()

    var count: Int { cases.count }

    /// Runs `reference` on the first `maxSamples` samples (all when nil) of `samples`.
    init(reference: ModelUnderTest, samples: SampleSet, scorer: SampleScorer, maxSamples: Int?) throws(QuantizationError) {
        self.scorer = scorer
        for index in 0..<min(samples.count, max(1, maxSamples ?? samples.count)) {
            let name = samples.name(at: index)
            let inputs = try samples.sample(at: index)
            try reference.check(inputs, sample: name)
            let outputs = try reference.run(inputs, sample: name).outputs
            referenceScore.add(try scorer.score(outputs, reference: outputs, sample: index, sampleName: name))
            cases.append((name, inputs, outputs))
        }
    }

    /// `model`'s score on the kept samples.
    func evaluate(_ model: ModelUnderTest) throws(QuantizationError) -> Score {
        var total = ScoreTotal(), errors = OutputErrorAccumulator()
        for (index, sample) in cases.enumerated() {
            let outputs = try model.run(sample.inputs, sample: sample.name).outputs
            total.add(try scorer.score(outputs, reference: sample.reference, sample: index, sampleName: sample.name))
            errors.add(outputs, reference: sample.reference)
        }
        let perOutput = errors.errors(order: scorer.outputNames).map(\.meanAbsoluteError)
        return Score(metric: total.mean, meanAbsoluteError: perOutput.reduce(0, +) / Double(max(perOutput.count, 1)),
                     characterErrorRate: scorer.metric == .ctcExact ? total.characterErrorRate : nil)
    }
}
