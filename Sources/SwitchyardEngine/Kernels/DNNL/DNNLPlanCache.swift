/// What a region computes for one set of input shapes (and parameter values).
enum DNNLCachedPlan: Sendable {
    /// oneDNN primitives.
    case dnnl(DNNLPlan)
    /// oneDNN cannot compute these inputs exactly; the reference kernels run instead.
    case reference(reason: String)
    /// oneDNN cannot compute one member: it runs on the reference kernels, the rest as regions.
    case split(DNNLSplitPlan)
}

/// A member of a region whose lowering to oneDNN failed (the region splits around it).
struct DNNLMemberFailure: Error, CustomStringConvertible {
    let member: Int
    let error: any Error
    var description: String { "\(error)" }
}

/// The key of a plan: every input's shape, and the contents of the parameter inputs.
struct DNNLPlanKey: Hashable, Sendable {
    let shapes: [[Int]]
    let parameters: [[Float]]
}

/// A small least-recently-used cache of plans. A served model sees one shape per batch size
/// (16 is a common maximum), so that many fit; a bound keeps a stream of varying shapes from
/// holding a plan for each. Plans share their packed weights (`PackedWeights`), so one
/// plan more costs its primitives, not another copy of the weights.
struct DNNLPlanCache: Sendable {
    static let capacity = 16

    private var entries: [(key: DNNLPlanKey, plan: DNNLCachedPlan)] = []
    /// oneDNN implementations of the most recently used plan (empty when it fell back).
    private(set) var latestImplementations: [String] = []
    /// Why the most recently used plan fell back to the reference kernels (nil when it did not).
    private(set) var latestFallbackReason: String?
    /// Arena bytes of the most recently used plan (0 when it fell back).
    private(set) var latestArenaBytes = 0

    mutating func lookup(_ key: DNNLPlanKey) -> DNNLCachedPlan? {
        guard let index = entries.firstIndex(where: { $0.key == key }) else { return nil }
        let entry = entries.remove(at: index)
        entries.append(entry)
        note(entry.plan)
        return entry.plan
    }

    mutating func insert(_ plan: DNNLCachedPlan, for key: DNNLPlanKey) {
        entries.removeAll { $0.key == key }
        entries.append((key, plan))
        if entries.count > Self.capacity { entries.removeFirst() }
        note(plan)
    }

    var count: Int { entries.count }

    private mutating func note(_ plan: DNNLCachedPlan) {
        switch plan {
        case .dnnl(let compiled):
            latestImplementations = compiled.implementationNames
            latestFallbackReason = nil
            latestArenaBytes = compiled.arenaBytes
        case .reference(let reason):
            noteFallback(reason)
        case .split(let split):
            noteFallback(split.reason)
        }
    }

    private mutating func noteFallback(_ reason: String) {
        latestImplementations = []
        latestFallbackReason = reason
        latestArenaBytes = 0
    }
}
