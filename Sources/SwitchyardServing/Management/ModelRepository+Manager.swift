/// What the manager asks of the repository, forgiving an unreadable repository (it logs that
/// once per scan through the callers' paths and serves what it already has).
extension ModelRepository {
    /// The model names, or none when the repository cannot be read.
    func availableModelNames() -> [String] {
        (try? modelNames()) ?? []
    }

    func contains(model name: String) -> Bool {
        (try? fingerprint(of: name)) != nil
    }

    /// The fingerprint of `name`, nil when it is gone.
    func currentFingerprint(of name: String) -> ModelFingerprint? {
        try? fingerprint(of: name)
    }

    /// Bytes of the model files of the versions `name` serves (its weights, roughly): the
    /// estimate a budget check uses before the first load. A shadowed model counts its
    /// reference variant's file too.
    func modelFileBytes(of name: String) -> Int {
        guard let source = try? model(named: name).source.get() else { return 0 }
        return source.servedVersions.reduce(0) { total, version in
            let served = version.variants.first { $0.path == version.path }?.fileBytes ?? 0
            return total + served + (version.shadowReference?.fileBytes ?? 0)
        }
    }
}
