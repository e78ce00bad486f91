/// Which of a model's versions to serve, per Triton's `version_policy`.
extension Inference_ModelVersionPolicy {
    /// The versions this policy serves out of `available`, ascending: the newest
    /// `num_versions` (`latest`; no policy = `latest { num_versions: 1 }`), every one (`all`),
    /// or the listed ones (`specific`, each of which must be available). `model` names the model
    /// in errors.
    public func versionsToServe(from available: [Int64], model: String) throws(ServingError) -> [Int64] {
        let sorted = Array(Set(available)).sorted()
        switch policyChoice {
        case .latest(let latest)?:
            return Array(sorted.suffix(Int(max(latest.numVersions, 1))))
        case nil:
            return Array(sorted.suffix(1))
        case .all?:
            return sorted
        case .specific(let specific)?:
            let wanted = Array(Set(specific.versions)).sorted()
            let missing = wanted.filter { !sorted.contains($0) }
            guard missing.isEmpty else {
                let have = sorted.isEmpty ? "none" : sorted.map(String.init).joined(separator: ", ")
                throw .unavailable("\(model): version_policy specific asks for version \(missing.map(String.init).joined(separator: ", ")), which the repository does not hold (available: \(have))")
            }
            return wanted
        }
    }
}
