import Logging
import SwitchyardEngine

/// Loads every version of one repository model that its version policy serves: reads and
/// optimizes each ONNX file, completes and checks the configuration against it, and starts the
/// version's instances and batcher. The blocking work runs on a dedicated thread.
enum ModelVersionLoader {
    static func load(name: String, repository: ModelRepository, threads: Int,
                     logger: Logger) async throws(ServingError) -> LoadedModelVersions {
        let entry = try repository.model(named: name)
        let source = try entry.source.get()
        for warning in source.warnings {
            logger.warning("\(warning)", metadata: ["model": "\(name)"])
        }
        guard !source.servedVersions.isEmpty else {
            throw .unavailable("model '\(name)' has no version to serve in \(source.directory)")
        }
        var versions: [Int64: ServedModel] = [:]
        var configuration: ModelConfiguration?
        do throws(ServingError) {
            for file in source.servedVersions.sorted(by: { $0.version < $1.version }) {
                let (completed, served) = try await loadVersion(file, of: source, threads: threads, logger: logger)
                configuration = completed
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

    private static func loadVersion(_ file: ModelVersionFile, of source: ModelSource, threads: Int,
                                    logger: Logger) async throws(ServingError) -> (ModelConfiguration, ServedModel) {
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
                let served = try ServedModel(name: name, version: version, config: configuration.config, model: model,
                                             threadBudget: threads, logger: logger)
                return (configuration, served)
            }
        } catch let error as ServingError {
            throw error
        } catch {
            throw .internal("model '\(name)' version \(version): \(error)")
        }
    }
}
