import Foundation
import SwitchyardGraph
import SwitchyardTensor
import SwitchyardVision

/// How `Validator.validate` measures.
public struct ValidationOptions: Sendable {
    public var metric: ValidationMetric
    /// A labels file (one line per sample); nil measures agreement with the reference.
    public var labelsPath: String?
    /// Engine threads per session.
    public var threads: Int
    /// The largest acceptable drop, in the metric's unit; nil never fails.
    public var maxDrop: Double?
    /// A dictionary file for ctc-exact when the reference model has no `character` metadata.
    public var characterDictionaryPath: String?
    /// Called after each sample with its index and both models' outputs (e.g. to save them); an
    /// error it throws stops the validation.
    public var sampleObserver: (@Sendable (_ index: Int, _ reference: [String: Tensor], _ candidate: [String: Tensor]) throws -> Void)?

    public init(metric: ValidationMetric = .agreement, labelsPath: String? = nil, threads: Int = 1,
                maxDrop: Double? = nil, characterDictionaryPath: String? = nil,
                sampleObserver: (@Sendable (Int, [String: Tensor], [String: Tensor]) throws -> Void)? = nil) {
        self.metric = metric
        self.labelsPath = labelsPath
        self.threads = threads
        self.maxDrop = maxDrop
        self.characterDictionaryPath = characterDictionaryPath
        self.sampleObserver = sampleObserver
    }
}

/// Runs a reference and a candidate model (e.g. FP32 and its quantized form) on every sample of a
/// held-out set and compares them.
public enum Validator {
    /// Validates the model file `candidate` against `reference` on `dataDirectory` (layout of
    /// `SampleSet`). Blocking: call it from a dedicated thread, never from the cooperative pool.
    public static func validate(reference: String, candidate: String, dataDirectory: String,
                                options: ValidationOptions) throws(QuantizationError) -> ValidationReport {
        let pair = try ModelPair(reference: ModelUnderTest(path: reference, threads: options.threads),
                                 candidate: ModelUnderTest(path: candidate, threads: options.threads))
        let samples = try SampleSet(directory: dataDirectory, inputNames: pair.inputNames)
        let scorer = try makeScorer(for: pair.reference, samples: samples, outputNames: pair.outputNames, options: options)
        return try validate(pair, samples: samples, scorer: scorer, options: options)
    }

    static func validate(_ pair: ModelPair, samples: SampleSet, scorer: SampleScorer,
                         options: ValidationOptions) throws(QuantizationError) -> ValidationReport {
        let maxDrop = options.maxDrop
        var referenceScore = ScoreTotal(), candidateScore = ScoreTotal()
        var errors = OutputErrorAccumulator()
        var referenceTimes: [Double] = [], candidateTimes: [Double] = []
        var firstShapes: [String: [Int]] = [:]
        for index in 0..<samples.count {
            let name = samples.name(at: index)
            let inputs = try samples.sample(at: index)
            try pair.reference.check(inputs, sample: name)
            if index == 0 {
                firstShapes = inputs.mapValues(\.shape)
                // Untimed warm-up: the first run of a shape builds its plan and primitives.
                _ = try pair.reference.run(inputs, sample: name)
                _ = try pair.candidate.run(inputs, sample: name)
            }
            let (referenceOutputs, referenceSeconds) = try pair.reference.run(inputs, sample: name)
            let (candidateOutputs, candidateSeconds) = try pair.candidate.run(inputs, sample: name)
            referenceTimes.append(referenceSeconds)
            candidateTimes.append(candidateSeconds)
            referenceScore.add(try scorer.score(referenceOutputs, reference: referenceOutputs, sample: index, sampleName: name))
            candidateScore.add(try scorer.score(candidateOutputs, reference: referenceOutputs, sample: index, sampleName: name))
            errors.add(candidateOutputs, reference: referenceOutputs)
            do {
                try options.sampleObserver?(index, referenceOutputs, candidateOutputs)
            } catch {
                throw QuantizationError("after sample '\(name)': \(error)")
            }
        }
        let referenceEvaluation = try evaluation(pair.reference, score: referenceScore, times: referenceTimes,
                                                 shapes: firstShapes, metric: scorer.metric)
        let candidateEvaluation = try evaluation(pair.candidate, score: candidateScore, times: candidateTimes,
                                                 shapes: firstShapes, metric: scorer.metric)
        let drop = scorer.metric.drop(reference: referenceEvaluation.metric, candidate: candidateEvaluation.metric)
        return ValidationReport(
            metric: scorer.metric, labeled: scorer.labels != nil, samples: samples.count,
            reference: referenceEvaluation, candidate: candidateEvaluation, drop: drop, maxDrop: maxDrop,
            passed: maxDrop.map { drop <= $0 } ?? true, outputs: errors.errors(order: scorer.outputNames))
    }

    /// The scorer for `options`: reads the labels (when the metric uses them) and, for ctc-exact,
    /// the character dictionary (the reference's `character` metadata or the given file).
    static func makeScorer(for reference: ModelUnderTest, samples: SampleSet, outputNames: [String],
                           options: ValidationOptions) throws(QuantizationError) -> SampleScorer {
        let labels = try options.labelsPath.map { path throws(QuantizationError) in try samples.labels(contentsOf: path) }
        var decoder: CTCGreedyDecoder?
        if options.metric == .ctcExact {
            do {
                decoder = try options.characterDictionaryPath.map { path throws(VisionError) in try CTCGreedyDecoder(dictionaryFile: path) }
                    ?? CTCGreedyDecoder(modelMetadata: reference.loaded.model.metadata)
            } catch {
                throw QuantizationError("ctc-exact on '\(reference.path)': \(error)")
            }
        }
        return SampleScorer(metric: options.metric, labels: options.metric.usesLabels ? labels : nil,
                            decoder: decoder, outputNames: outputNames)
    }

    private static func evaluation(_ model: ModelUnderTest, score: ScoreTotal, times: [Double],
                                   shapes: [String: [Int]], metric: ValidationMetric) throws(QuantizationError) -> ModelEvaluation {
        let planned: Int
        do {
            planned = try model.loaded.arenaBytes(for: shapes)
        } catch {
            throw QuantizationError("cannot plan the memory of '\(model.path)' for input shapes \(shapes): \(error)")
        }
        // What the runs kept, when more than the plan (oneDNN's regions keep arenas of their own).
        let arena = max(planned, model.session.keptBufferBytes)
        let weights = model.loaded.weightBytes, packed = model.loaded.packedWeightBytes
        let sorted = times.sorted()
        let median = sorted.isEmpty ? 0 : (sorted[(sorted.count - 1) / 2] + sorted[sorted.count / 2]) / 2
        return ModelEvaluation(
            path: model.path, fileBytes: model.fileBytes, weightBytes: weights, packedWeightBytes: packed,
            arenaBytes: arena, residentBytes: weights + packed + arena, metric: score.mean,
            characterErrorRate: metric == .ctcExact ? score.characterErrorRate : nil,
            medianLatencyMilliseconds: median * 1000)
    }
}

/// Running totals of sample scores.
struct ScoreTotal {
    private(set) var sum = 0.0, count = 0, characterEdits = 0, characters = 0
    private(set) var pooledHits = 0.0, pooledTotal = 0.0, pooledCount = 0

    mutating func add(_ score: SampleScore) {
        sum += score.value
        count += 1
        characterEdits += score.characterEdits
        characters += score.characters
        if let pooled = score.pooled {
            pooledHits += pooled.hits
            pooledTotal += pooled.total
            pooledCount += 1
        }
    }

    /// The per-sample mean, or for pooled metrics Σ hits / Σ total in percent (100 when both
    /// models found nothing at all).
    var mean: Double {
        if pooledCount > 0 { return pooledTotal == 0 ? 100 : 100 * pooledHits / pooledTotal }
        return count == 0 ? 0 : sum / Double(count)
    }
    /// Edits per label character, in percent.
    var characterErrorRate: Double { characters == 0 ? 0 : 100 * Double(characterEdits) / Double(characters) }
}
