import Foundation

/// A Triton-style model repository on disk:
///
/// ```
/// <repo>/<model>/config.pbtxt          (optional: completed from the model when absent)
/// <repo>/<model>/<version>/model.onnx  (or the config's default_model_filename)
/// ```
///
/// Version directories are named by positive integers without leading zeros (others are
/// ignored, as Triton does); directories whose names start with "." are not models. Scanning
/// reads configs and stats files; models are loaded by the caller.
///
/// Threading: a value type over a path; every method reads the file system afresh and may be
/// called from any thread. The methods block on file I/O briefly (small reads, `stat`s).
public struct ModelRepository: Sendable {
    public static let configFileName = "config.pbtxt"
    public static let defaultModelFileName = "model.onnx"

    /// The repository directory.
    public let path: String
    /// Model directories another service serves (pipelines, ensembles): not listed, not loaded.
    private let excluded: (@Sendable (_ directory: String) -> Bool)?

    /// - Parameter excluded: says, from a model directory's path, whether another service serves
    ///   it (`ModelManagerOptions.isServedElsewhere`).
    public init(path: String, excluding excluded: (@Sendable (_ directory: String) -> Bool)? = nil) {
        self.path = path
        self.excluded = excluded
    }

    /// The model directories' names, sorted. Throws `unavailable` when the repository cannot
    /// be listed.
    public func modelNames() throws(ServingError) -> [String] {
        let entries: [String]
        do {
            entries = try FileManager.default.contentsOfDirectory(atPath: path)
        } catch {
            throw .unavailable("model repository \(path) cannot be read: \(error.localizedDescription)")
        }
        return entries.filter { !$0.hasPrefix(".") && isDirectory(directory(of: $0)) && !isExcluded($0) }.sorted()
    }

    /// Every model of the repository, by name. Only an unreadable repository throws; a broken
    /// model is reported in its own `RepositoryModel.source`.
    public func scan() throws(ServingError) -> [RepositoryModel] {
        try modelNames().map(model(in:))
    }

    /// One model; `notFound` when the repository has no directory `name`.
    public func model(named name: String) throws(ServingError) -> RepositoryModel {
        guard isModelName(name), isDirectory(directory(of: name)), !isExcluded(name) else {
            throw .notFound("model '\(name)' is not in the model repository \(path)")
        }
        return model(in: name)
    }

    /// The fingerprint of model `name` alone (cheaper than `model(named:)`: no parsing).
    public func fingerprint(of name: String) throws(ServingError) -> ModelFingerprint {
        guard isModelName(name), isDirectory(directory(of: name)), !isExcluded(name) else {
            throw .notFound("model '\(name)' is not in the model repository \(path)")
        }
        return fingerprint(directory: directory(of: name), config: FileManager.default.contents(atPath: configPath(of: name)))
    }

    /// Every model's fingerprint, by name: what a poller compares between two looks (a name
    /// that appears or disappears is a model added or removed).
    public func fingerprints() throws(ServingError) -> [String: ModelFingerprint] {
        var result: [String: ModelFingerprint] = [:]
        for name in try modelNames() {
            result[name] = fingerprint(directory: directory(of: name), config: FileManager.default.contents(atPath: configPath(of: name)))
        }
        return result
    }

    private func model(in name: String) -> RepositoryModel {
        let directory = directory(of: name)
        let configData = FileManager.default.contents(atPath: configPath(of: name))
        let fingerprint = fingerprint(directory: directory, config: configData)
        let source: Result<ModelSource, ServingError>
        do {
            source = .success(try read(name: name, directory: directory, configData: configData))
        } catch {
            source = .failure(error)
        }
        return RepositoryModel(name: name, directory: directory, fingerprint: fingerprint, source: source)
    }

    private func read(name: String, directory: String, configData: Data?) throws(ServingError) -> ModelSource {
        let configLabel = "\(name)/\(Self.configFileName)"
        var parsed: ParsedModelConfig?
        if let configData {
            guard let text = String(data: configData, encoding: .utf8) else {
                throw .invalidArgument("\(configLabel): not UTF-8 text")
            }
            let fromFile = try ModelConfigParser.parse(text, file: configLabel)
            try ModelConfigValidator.validateModelIndependent(fromFile.config, modelName: name, file: configLabel)
            parsed = fromFile
        } else if FileManager.default.fileExists(atPath: configPath(of: name)) {
            throw .unavailable("\(configLabel) cannot be read (check its permissions)")
        }
        var warnings = parsed?.warnings.map(\.description) ?? []
        let config = parsed?.config ?? Inference_ModelConfig()
        let fileName = config.defaultModelFilename.isEmpty ? Self.defaultModelFileName : config.defaultModelFilename
        var available: [ModelVersionFile] = []
        for version in versionNumbers(in: directory) {
            let file = "\(directory)/\(version)/\(fileName)"
            guard ModelFingerprint.stamp(name: fileName, path: file) != nil else {
                warnings.append("\(name): version \(version) skipped: \(name)/\(version)/\(fileName) is missing or not a regular file")
                continue
            }
            available.append(ModelVersionFile(version: version, path: file))
        }
        guard !available.isEmpty else {
            throw .unavailable("\(name): no version to serve: expected \(name)/<version>/\(fileName), e.g. \(name)/1/\(fileName)")
        }
        let served = try config.versionPolicy.versionsToServe(from: available.map(\.version), model: name)
        let servedFiles = available.filter { served.contains($0.version) }
        if let unreadable = servedFiles.first(where: { !FileManager.default.isReadableFile(atPath: $0.path) }) {
            throw .unavailable("\(name): \(name)/\(unreadable.version)/\(fileName) cannot be read (check its permissions)")
        }
        return ModelSource(name: name, directory: directory, configPath: configData == nil ? nil : configPath(of: name),
                           parsed: parsed, availableVersions: available, servedVersions: servedFiles, warnings: warnings)
    }

    private func fingerprint(directory: String, config: Data?) -> ModelFingerprint {
        let versions = versionNumbers(in: directory).map { version in
            let versionDirectory = "\(directory)/\(version)"
            let names = (try? FileManager.default.contentsOfDirectory(atPath: versionDirectory)) ?? []
            let files = names.sorted().compactMap { ModelFingerprint.stamp(name: $0, path: "\(versionDirectory)/\($0)") }
            return ModelFingerprint.VersionStamp(version: version, files: files)
        }
        return ModelFingerprint(configDigest: config.map { ModelFingerprint.digest($0) }, versions: versions)
    }

    /// Numeric version directories, ascending (`1`, `2`, `10`; not `0`, `01`, `v1`).
    private func versionNumbers(in directory: String) -> [Int64] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.compactMap { name -> Int64? in
            guard let first = name.first, first != "0", name.allSatisfy({ $0.isASCII && $0.isNumber }),
                  let version = Int64(name), isDirectory("\(directory)/\(name)") else { return nil }
            return version
        }.sorted()
    }

    private func directory(of name: String) -> String { "\(path)/\(name)" }
    private func isExcluded(_ name: String) -> Bool { excluded?(directory(of: name)) ?? false }
    private func configPath(of name: String) -> String { "\(directory(of: name))/\(Self.configFileName)" }

    /// A plain directory name: no separators, not "." or "..", not hidden.
    private func isModelName(_ name: String) -> Bool {
        !name.isEmpty && !name.hasPrefix(".") && !name.contains("/")
    }

    private func isDirectory(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
    }
}
