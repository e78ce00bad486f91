import CoreMetrics
import Foundation
import Logging
import SwitchyardEngine

/// Loads every version of one repository model that its version policy serves: reads and
/// optimizes each ONNX file, completes and checks the configuration against it, and starts the
/// version's instances and batcher. The blocking work runs on a dedicated thread.
enum ModelVersionLoader {
    /// Loads `name`'s versions; `onNewShapes` is each version's (`ServedModel.init`).
    static func load(name: String, repository: ModelRepository, threads: Int, cores: [Int]?, metricsFactory: (any MetricsFactory)?,
                     logger: Logger, onNewShapes: @escaping @Sendable () -> Void = {}) async throws(ServingError) -> LoadedModelVersions {
        let entry = try repository.model(named: name)
        let source = try entry.source.get()
        for warning in source.warnings {
            logger.warning("\(warning)", metadata: ["model": "\(name)"])
        }
        guard !source.servedVersions.isEmpty else {
            throw .unavailable("model '\(name)' has no version to serve in \(source.directory)")
        }
        var versions: [Int64: ServedModel] = [:]
        var configuration: (config: Inference_ModelConfig, parameters: ModelParameters)?
        do throws(ServingError) {
            for file in source.servedVersions.sorted(by: { $0.version < $1.version }) {
                let (completed, served) = try await loadVersion(file, of: source, threads: threads, cores: cores,
                                                                   metricsFactory: metricsFactory, logger: logger,
                                                                   onNewShapes: onNewShapes)
                configuration = (completed.config, completed.parameters)
                versions[file.version] = served
            }
        } catch {
            for served in versions.values { await served.shutdown() }
            throw error
        }
        guard let configuration else {
            throw .unavailable("model '\(name)' has no version to serve in \(source.directory)")
        }
        return LoadedModelVersions(config: configuration.config, versions: versions, fingerprint: entry.fingerprint,
                                   pinned: configuration.parameters.pinned)
    }

    private static func loadVersion(_ file: ModelVersionFile, of source: ModelSource, threads: Int, cores: [Int]?,
                                    metricsFactory: (any MetricsFactory)?, logger: Logger,
                                    onNewShapes: @escaping @Sendable () -> Void) async throws(ServingError) -> ((config: Inference_ModelConfig, parameters: ModelParameters), ServedModel) {
        let name = source.name, version = file.version
        do {
            return try await BlockingWork.run(name: "load-\(name)") {
                let model: LoadedModel
                do {
                    model = try LoadedModel(contentsOf: file.path)
                } catch {
                    throw ServingError.unavailable("model '\(name)' version \(version): cannot load \(file.path): \(error)")
                }
                let configuration = try source.configuration(for: model)
                let config = defaultInstances(configuration.config, written: source.parsed?.config, threads: threads)
                let shadow = try shadowReference(for: file, model: model, of: source, settings: configuration.parameters.shadow)
                let served = try ServedModel(name: name, version: version, config: config, model: model,
                                             threadBudget: threads, cores: cores, metricsFactory: metricsFactory, logger: logger,
                                             precision: file.precision, variants: file.variants, shadow: shadow,
                                             onNewShapes: onNewShapes)
                return ((config, configuration.parameters), served)
            }
        } catch let error as ServingError {
            throw error
        } catch {
            throw .internal("model '\(name)' version \(version): \(error)")
        }
    }

    /// The reference variant `shadow_reference` names, loaded and checked against the served
    /// model; nil when the model is not shadowed.
    private static func shadowReference(for file: ModelVersionFile, model: LoadedModel, of source: ModelSource,
                                        settings: ShadowSettings?) throws(ServingError) -> ShadowReference? {
        guard let settings else { return nil }
        let name = source.name, version = file.version
        guard let variant = file.shadowReference else {
            throw .unavailable("model '\(name)' version \(version): \(source.configLabel) parameter '\(ShadowSettings.referenceKey)' names \"\(settings.reference)\", which version \(version) does not hold")
        }
        let referenceModel: LoadedModel
        do {
            referenceModel = try LoadedModel(contentsOf: variant.path)
        } catch {
            throw .unavailable("model '\(name)' version \(version): cannot load the shadow reference \(variant.path) (parameter '\(ShadowSettings.referenceKey)'): \(error)")
        }
        let reference = ShadowReference(model: referenceModel, settings: settings)
        try reference.checkCompatible(with: model, servedLabel: "\(name)/\(version)/\((file.path as NSString).lastPathComponent)",
                                      referenceLabel: "\(name)/\(version)/\(variant.fileName)")
        return reference
    }

    /// When config.pbtxt names no instance group, one single-threaded instance per thread of
    /// the budget (Triton also runs two CPU instances by default). Measured here: an OpenMP team
    /// of two threads stalls whenever another process holds a core, while two one-thread
    /// instances fed by the batcher keep both cores busy (BENCHMARKS.md, Serving).
    static func defaultInstances(_ config: Inference_ModelConfig, written: Inference_ModelConfig?,
                                 threads: Int) -> Inference_ModelConfig {
        guard written?.instanceGroup.isEmpty ?? true, config.instanceGroup.count == 1 else { return config }
        var config = config
        config.instanceGroup[0].count = Int32(max(1, threads))
        return config
    }
}
