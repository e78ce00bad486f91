import SwitchyardGraph

/// What `quantize --validation DIR --max-drop X` measures on: a held-out set, its task metric and
/// the largest drop against the FP32 model the quantized one may show.
public struct AccuracyGateOptions: Sendable {
    /// Folder of held-out samples (`SampleSet` layout), not the calibration samples.
    public var validationDirectory: String
    /// Labels file (top1, ctc-exact); nil compares with the FP32 model's outputs.
    public var labelsPath: String?
    public var metric: ValidationMetric
    /// Largest acceptable drop, in the metric's unit (percentage points for accuracy metrics).
    public var maxDrop: Double
    /// Dictionary for ctc-exact when the model has no `character` metadata.
    public var characterDictionaryPath: String?
    /// Samples each layer's sensitivity is measured on (the first ones of the set).
    public var sensitivitySamples: Int
    /// Samples every check of the gate runs (the first ones); nil runs them all.
    public var maxSamples: Int?

    public init(validationDirectory: String, labelsPath: String? = nil, metric: ValidationMetric = .agreement,
                maxDrop: Double, characterDictionaryPath: String? = nil, sensitivitySamples: Int = 16,
                maxSamples: Int? = nil) {
        self.validationDirectory = validationDirectory
        self.labelsPath = labelsPath
        self.metric = metric
        self.maxDrop = maxDrop
        self.characterDictionaryPath = characterDictionaryPath
        self.sensitivitySamples = sensitivitySamples
        self.maxSamples = maxSamples
    }
}

/// Keeps in FP32 the fewest quantized layers needed for the quantized model to stay within
/// `maxDrop` of the FP32 model: checks the fully quantized model; when it misses, measures each
/// layer's sensitivity on a few samples (the metric with only that layer in FP32, and with only
/// that layer converted), ranks the layers costliest first and finds the shortest prefix of that ranking that meets the gate
/// (`fewestPassing`: 1, 2, 4 … layers, then bisection), so a real model with dozens of layers
/// needs about 2·log2(k) checks rather than one per kept layer.
///
/// Blocking: runs the models on the calling thread. Call it from a dedicated thread.
struct AccuracyGate {
    /// One quantizable layer the gate may keep in FP32.
    struct Layer {
        var nodeIndex: Int
        var name: String
        var opType: String
    }

    let options: AccuracyGateOptions
    let threads: Int

    /// The node indices to keep in FP32 and the report. `build(kept)` is the quantized model with
    /// the layers at those node indices left in FP32. With `lighter`, the chosen layers are
    /// checked once more as `lighter.build(kept)` builds them (in a precision between FP32 and
    /// the target's, named `lighter.keptAs`), and `lighterMeets` says whether that model is
    /// within the gate too.
    func choose(reference: Model, layers: [Layer], lighter: (keptAs: String, build: (Set<Int>) -> Model)? = nil,
                build: (Set<Int>) -> Model) throws(QuantizationError)
        -> (kept: Set<Int>, report: AccuracyGateReport, lighterMeets: Bool) {
        let fp32 = try ModelUnderTest(model: reference, path: "the FP32 model", threads: threads)
        let samples = try SampleSet(directory: options.validationDirectory, inputNames: fp32.loaded.inputs.map(\.name))
        let scorer = try Validator.makeScorer(
            for: fp32, samples: samples, outputNames: fp32.loaded.outputs.map(\.name),
            options: ValidationOptions(metric: options.metric, labelsPath: options.labelsPath,
                                       characterDictionaryPath: options.characterDictionaryPath))
        let gateSet = try SampleEvaluation(reference: fp32, samples: samples, scorer: scorer, maxSamples: options.maxSamples)
        var report = AccuracyGateReport(options: options, samples: gateSet.count,
                                        referenceMetric: gateSet.referenceScore.mean)
        func check(_ kept: Set<Int>, _ label: String) throws(QuantizationError) -> Bool {
            let model = try ModelUnderTest(model: build(kept), path: label, threads: threads)
            let score = try gateSet.evaluate(model)
            let names = layers.filter { kept.contains($0.nodeIndex) }.map(\.name)
            report.checks.append(.init(keptFP32: names, score: score, referenceMetric: report.referenceMetric, metric: options.metric))
            return report.checks.last!.drop <= options.maxDrop
        }
        if try check([], "the fully quantized model") { return ([], report, false) }

        let ranked = try rank(layers, reference: fp32, samples: samples, scorer: scorer, build: build)
        report.sensitivitySamples = ranked.samples
        var checkIndex: [Int: Int] = [:]
        let chosen = try Self.fewestPassing(count: ranked.layers.count) { (count: Int) throws(QuantizationError) -> Bool in
            let kept = Set(ranked.layers.prefix(count).map(\.0.nodeIndex))
            let passed = try check(kept, "the quantized model with \(count) layers in FP32")
            checkIndex[count] = report.checks.count - 1
            return passed
        }
        if let chosen, let index = checkIndex[chosen] {
            let kept = Set(ranked.layers.prefix(chosen).map(\.0.nodeIndex))
            report.kept = ranked.layers.prefix(chosen).map(\.1)
            // The written model's check goes last: the report's drop is its.
            let chosenCheck = report.checks.remove(at: index)
            if let lighter {
                let model = try ModelUnderTest(model: lighter.build(kept), path: "the quantized model with \(chosen) layers in \(lighter.keptAs)",
                                               threads: threads)
                let score = try gateSet.evaluate(model)
                var lighterCheck = AccuracyGateReport.Check(keptFP32: report.kept.map(\.node), score: score,
                                                            referenceMetric: report.referenceMetric, metric: options.metric)
                lighterCheck.keptAs = lighter.keptAs
                if lighterCheck.drop <= options.maxDrop {
                    report.checks.append(chosenCheck)
                    report.checks.append(lighterCheck)
                    return (kept, report, true)
                }
                report.checks.append(lighterCheck)
            }
            report.checks.append(chosenCheck)
            return (kept, report, false)
        }
        let last = report.checks.last!
        throw QuantizationError(String(
            format: "accuracy gate cannot be met: %@ drops %.4g%@ below the FP32 model (%.4g vs %.4g on %d samples of '%@') even with all %d quantized layers kept in FP32, above --max-drop %.4g; check the validation data and metric, or raise --max-drop",
            options.metric.rawValue, last.drop, options.metric.unit.isEmpty ? "" : " points", last.metric,
            report.referenceMetric, gateSet.count, options.validationDirectory, layers.count, options.maxDrop))
    }

    /// The smallest `k` in `1...count` for which `passes(k)` holds, or nil when `passes(count)`
    /// fails: tries 1, 2, 4 … (capped at `count`) until one passes, then bisects between the last
    /// failing and the first passing size. Assumes keeping more of the ranked layers in FP32 never
    /// makes the model worse; when that does not hold it still returns a passing size whose
    /// predecessor (as checked) fails.
    static func fewestPassing<E: Error>(count: Int, passes: (Int) throws(E) -> Bool) throws(E) -> Int? {
        guard count > 0 else { return nil }
        var failing = 0, size = 1
        while true {
            size = min(size, count)
            if try passes(size) { break }
            if size == count { return nil }
            failing = size
            size *= 2
        }
        var passing = size
        while passing - failing > 1 {
            let middle = (failing + passing) / 2
            if try passes(middle) { passing = middle } else { failing = middle }
        }
        return passing
    }

    /// Each layer's sensitivity, costliest first, measured on the first `sensitivitySamples` two
    /// ways: what keeping it alone in FP32 recovers, and what converting it alone costs (the
    /// ranking takes the larger, `LayerSensitivity.cost`). The first alone misses a layer whose
    /// rounding error partly cancels another's: PP-OCR det in BF16 on 16 pages, where keeping
    /// the stem convolution alone in FP32 *lowers* mask F1 by 0.12 points while converting it
    /// alone costs 0.18, so it ranked last and every prefix short of all 65 layers failed.
    private func rank(
        _ layers: [Layer], reference: ModelUnderTest, samples: SampleSet, scorer: SampleScorer, build: (Set<Int>) -> Model
    ) throws(QuantizationError) -> (layers: [(Layer, LayerSensitivity)], samples: Int) {
        let evaluation = try SampleEvaluation(reference: reference, samples: samples, scorer: scorer,
                                              maxSamples: options.sensitivitySamples)
        let baseline = try evaluation.evaluate(ModelUnderTest(model: build([]), path: "the fully quantized model", threads: threads))
        let all = Set(layers.map(\.nodeIndex))
        var measured: [(Layer, LayerSensitivity)] = []
        for layer in layers {
            let model = try ModelUnderTest(model: build([layer.nodeIndex]), path: "the quantized model with '\(layer.name)' in FP32",
                                           threads: threads)
            var sensitivity = LayerSensitivity(node: layer.name, opType: layer.opType, score: try evaluation.evaluate(model),
                                               baseline: baseline, metric: options.metric)
            let alone = try ModelUnderTest(model: build(all.subtracting([layer.nodeIndex])),
                                           path: "the FP32 model with only '\(layer.name)' converted", threads: threads)
            sensitivity.dropAlone = options.metric.drop(reference: evaluation.referenceScore.mean,
                                                        candidate: try evaluation.evaluate(alone).metric)
            measured.append((layer, sensitivity))
        }
        return (measured.sorted { LayerSensitivity.costlierFirst($0.1, $1.1) }, evaluation.count)
    }
}
