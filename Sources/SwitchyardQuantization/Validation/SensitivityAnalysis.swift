import Foundation
import SwitchyardGraph
import SwitchyardONNX
import SwitchyardTensor

/// How `SensitivityAnalysis.analyze` measures.
public struct SensitivityOptions: Sendable {
    public var metric: ValidationMetric
    public var labelsPath: String?
    public var threads: Int
    /// Samples used per layer (the first ones of the set): each layer costs one model load and
    /// this many runs.
    public var maxSamples: Int
    public var characterDictionaryPath: String?
    /// Only layers of these op types (e.g. `["Conv", "MatMul", "Gemm"]`); nil analyzes every layer.
    public var opTypes: Set<String>?

    public init(metric: ValidationMetric = .agreement, labelsPath: String? = nil, threads: Int = 1,
                maxSamples: Int = 16, characterDictionaryPath: String? = nil, opTypes: Set<String>? = nil) {
        self.opTypes = opTypes
        self.metric = metric
        self.labelsPath = labelsPath
        self.threads = threads
        self.maxSamples = maxSamples
        self.characterDictionaryPath = characterDictionaryPath
    }
}

/// What keeping one quantized layer in floating point recovers.
public struct LayerSensitivity: Sendable, Codable, Equatable {
    /// The layer's `Node.displayName`.
    public var node: String
    public var opType: String
    /// The candidate's metric with only this layer in floating point.
    public var metric: Double
    /// How much of the drop that recovers (positive = better than the fully quantized candidate).
    public var recovery: Double
    /// Mean absolute error of all outputs against the reference with only this layer in floating point.
    public var meanAbsoluteError: Double
    /// How much that lowers the mean absolute error (positive = closer to the reference).
    public var errorReduction: Double
    /// The drop against the reference with only this layer converted, every other one in
    /// floating point (the accuracy gate measures it; nil in `validate --per-layer`). Where
    /// layers' rounding errors partly cancel, keeping one alone in FP32 can make the model worse
    /// (negative `recovery`) although converting it alone costs the most: PP-OCR det's stem
    /// convolution in BF16.
    public var dropAlone: Double?

    init(node: String, opType: String, score: SampleEvaluation.Score, baseline: SampleEvaluation.Score,
         metric: ValidationMetric) {
        self.node = node
        self.opType = opType
        self.metric = score.metric
        recovery = metric.drop(reference: score.metric, candidate: baseline.metric)
        meanAbsoluteError = score.meanAbsoluteError
        errorReduction = baseline.meanAbsoluteError - score.meanAbsoluteError
    }

    /// What the layer costs by either measure: the larger of `recovery` and `dropAlone`.
    public var cost: Double { max(recovery, dropAlone ?? -.infinity) }

    /// The order of `SensitivityReport.layers` and of the accuracy gate's ranking: larger `cost`
    /// first, then larger error reduction.
    static func costlierFirst(_ a: LayerSensitivity, _ b: LayerSensitivity) -> Bool {
        (a.cost, a.errorReduction) > (b.cost, b.errorReduction)
    }
}

/// Per-layer sensitivity of a QDQ candidate.
public struct SensitivityReport: Sendable, Codable {
    public var metric: ValidationMetric
    public var samples: Int
    public var referenceMetric: Double
    public var candidateMetric: Double
    public var candidateMeanAbsoluteError: Double
    /// Most costly layers first: sorted by `recovery`, then by `errorReduction`, descending.
    public var layers: [LayerSensitivity]
}

/// Measures, for each quantized layer of a QDQ candidate, how much of the metric comes back when
/// only that layer runs in floating point. `quantize --max-drop` uses it to choose the fewest
/// layers to keep in FP32. Blocking: call it from a dedicated thread.
public enum SensitivityAnalysis {
    /// Analyzes the model files `candidate` (QDQ) against `reference` on `dataDirectory`.
    public static func analyze(reference: String, candidate: String, dataDirectory: String,
                               options: SensitivityOptions) throws(QuantizationError) -> SensitivityReport {
        try analyze(reference: load(reference), referencePath: reference, candidate: load(candidate),
                    candidatePath: candidate, dataDirectory: dataDirectory, options: options)
    }

    /// Analyzes in-memory models (e.g. a candidate the quantizer has just built).
    public static func analyze(reference: Model, referencePath: String = "reference", candidate: Model,
                               candidatePath: String = "candidate", dataDirectory: String,
                               options: SensitivityOptions) throws(QuantizationError) -> SensitivityReport {
        let pair = try ModelPair(reference: ModelUnderTest(model: reference, path: referencePath, threads: options.threads),
                                 candidate: ModelUnderTest(model: candidate, path: candidatePath, threads: options.threads))
        let samples = try SampleSet(directory: dataDirectory, inputNames: pair.inputNames)
        let scorer = try Validator.makeScorer(
            for: pair.reference, samples: samples, outputNames: pair.outputNames,
            options: ValidationOptions(metric: options.metric, labelsPath: options.labelsPath,
                                       characterDictionaryPath: options.characterDictionaryPath))
        let evaluation = try SampleEvaluation(reference: pair.reference, samples: samples, scorer: scorer,
                                              maxSamples: options.maxSamples)
        let baseline = try evaluation.evaluate(pair.candidate)
        let opTypeByLayer = Dictionary(candidate.graph.nodes.map { ($0.displayName, $0.opType) }, uniquingKeysWith: { a, _ in a })
        var layers: [LayerSensitivity] = []
        for layer in QDQLayerRewrite.quantizedLayers(in: candidate.graph)
        where options.opTypes.map({ $0.contains(opTypeByLayer[layer] ?? "") }) ?? true {
            let variant = QDQLayerRewrite.keepingFloat([layer], in: candidate, reference: reference)
            let model = try ModelUnderTest(model: variant, path: "\(candidatePath) with '\(layer)' in FP32", threads: options.threads)
            layers.append(LayerSensitivity(node: layer, opType: opTypeByLayer[layer] ?? "?",
                                           score: try evaluation.evaluate(model), baseline: baseline, metric: options.metric))
        }
        layers.sort(by: LayerSensitivity.costlierFirst)
        return SensitivityReport(metric: options.metric, samples: evaluation.count, referenceMetric: evaluation.referenceScore.mean,
                                 candidateMetric: baseline.metric, candidateMeanAbsoluteError: baseline.meanAbsoluteError, layers: layers)
    }

    private static func load(_ path: String) throws(QuantizationError) -> Model {
        do {
            return try ModelLoader.load(path: path)
        } catch {
            throw QuantizationError("cannot read model '\(path)': \(error)")
        }
    }
}
