import CoreMetrics
import Foundation
import SwitchyardServing

/// Finds and builds the pipelines of a model repository. A model directory is served as a
/// pipeline when it holds
///
/// - `pipeline.yaml`: a pipeline spec (docs/pipelines.md) with one `api` source and one
///   `response` sink whose `tensors:` declare the request and response; or
/// - a `config.pbtxt` with `platform: "ensemble"` and `ensemble_scheduling` (Triton's ensemble).
///
/// Every other directory is an ONNX model for the `ModelManager`.
public enum ServedPipelineLoader {
    public static let specFileName = "pipeline.yaml"

    /// Whether the model directory at `directory` is a pipeline or an ensemble (what
    /// `ModelManagerOptions.isServedElsewhere` should say).
    public static func isPipelineDirectory(_ directory: String) -> Bool {
        if FileManager.default.fileExists(atPath: "\(directory)/\(specFileName)") { return true }
        guard let data = FileManager.default.contents(atPath: "\(directory)/\(ModelRepository.configFileName)"),
              let text = String(data: data, encoding: .utf8) else { return false }
        if let parsed = try? ModelConfigParser.parse(text, file: ModelRepository.configFileName) {
            if case .ensembleScheduling? = parsed.config.schedulingChoice { return true }
            return parsed.config.platform == ServedPipeline.platform
        }
        // A config that does not parse but is evidently an ensemble's: report its error as one.
        return text.contains("ensemble_scheduling")
    }

    /// The models pipeline `name` calls, read from its spec or config without checking them
    /// (to load them before the pipeline itself).
    static func memberNames(name: String, repositoryPath: String) throws -> [String] {
        let directory = "\(repositoryPath)/\(name)"
        if FileManager.default.fileExists(atPath: "\(directory)/\(specFileName)") {
            return try SpecLoader.load(contentsOf: "\(directory)/\(specFileName)").spec.modelNames
        }
        let text = try String(contentsOfFile: "\(directory)/\(ModelRepository.configFileName)", encoding: .utf8)
        let config = try ModelConfigParser.parse(text, file: name).config
        var seen: Set<String> = []
        return config.ensembleScheduling.step.map(\.modelName).filter { !$0.isEmpty && seen.insert($0).inserted }
    }

    /// Builds (does not start) pipeline `name` of the repository at `repositoryPath`.
    static func load(name: String, repositoryPath: String, registry: ProcessorRegistry, models: any InferenceService,
                     metricsFactory: (any MetricsFactory)?) throws(ServingError) -> (ServedPipeline, EnsembleDefinition?) {
        let directory = "\(repositoryPath)/\(name)"
        let specPath = "\(directory)/\(specFileName)"
        let modelKind: (String) -> Bool? = { model in
            let path = "\(repositoryPath)/\(model)"
            var isDirectory: ObjCBool = false
            guard !model.isEmpty, !model.contains("/"), !model.hasPrefix("."),
                  FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else { return nil }
            return isPipelineDirectory(path)
        }
        if FileManager.default.fileExists(atPath: specPath) {
            let file = "\(name)/\(specFileName)"
            let loaded: SpecLoader.Loaded
            do throws(PipelineError) {
                loaded = try SpecLoader.load(contentsOf: specPath)
            } catch {
                throw .invalidArgument(error.message.replacingOccurrences(of: specPath, with: file))
            }
            guard loaded.spec.name == name else {
                throw .invalidArgument("\(file): field 'name': '\(loaded.spec.name)' does not match the directory '\(name)' (they must be equal)")
            }
            for stage in loaded.spec.stages {
                guard let model = stage.model else { continue }
                switch modelKind(model) {
                case nil: throw .invalidArgument("\(file): stage '\(stage.name)': field 'model': there is no model '\(model)' in the repository \(repositoryPath)")
                case true?: throw .invalidArgument("\(file): stage '\(stage.name)': field 'model': '\(model)' is a pipeline; a model stage calls an ONNX model")
                case false?: break
                }
            }
            let interface = try PipelineInterface(spec: loaded.spec, file: file)
            let served = try ServedPipeline(name: name, loaded: loaded, interface: interface, config: interface.config(name: name),
                                            registry: registry, models: models, metricsFactory: metricsFactory)
            return (served, nil)
        }
        let file = "\(name)/\(ModelRepository.configFileName)"
        guard let data = FileManager.default.contents(atPath: "\(directory)/\(ModelRepository.configFileName)"),
              let text = String(data: data, encoding: .utf8) else {
            throw .invalidArgument("\(file) cannot be read as UTF-8 text")
        }
        let parsed = try ModelConfigParser.parse(text, file: file)
        let ensemble = try EnsembleDefinition(config: parsed.config, name: name, file: file, isPipeline: modelKind)
        var config = parsed.config
        config.name = name
        let loaded = SpecLoader.Loaded(spec: ensemble.spec, baseDirectory: directory, processorOptions: [:])
        let served = try ServedPipeline(name: name, loaded: loaded, interface: ensemble.interface, config: config,
                                        registry: registry, models: models, metricsFactory: metricsFactory)
        return (served, ensemble)
    }
}
