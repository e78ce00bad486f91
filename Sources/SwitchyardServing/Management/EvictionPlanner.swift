/// Chooses which loaded models to evict so that a model of `neededBytes` fits the budget:
/// least recently used first, never a pinned one, idle models before busy ones (a busy model is
/// drained before it goes, which delays the load).
struct EvictionPlanner {
    struct Candidate: Equatable {
        var name: String
        var bytes: Int
        /// Larger = used more recently.
        var lastUsed: UInt64
        var pinned: Bool
        var busy: Bool
    }

    /// The models to evict, in order, or nil when even evicting every unpinned model would not
    /// make room.
    static func victims(neededBytes: Int, budgetBytes: Int, candidates: [Candidate]) -> [Candidate]? {
        var inUse = candidates.reduce(0) { $0 + $1.bytes }
        guard inUse + neededBytes > budgetBytes else { return [] }
        let order = candidates.filter { !$0.pinned }.sorted {
            ($0.busy ? 1 : 0, $0.lastUsed) < ($1.busy ? 1 : 0, $1.lastUsed)
        }
        var chosen: [Candidate] = []
        for candidate in order {
            chosen.append(candidate)
            inUse -= candidate.bytes
            if inUse + neededBytes <= budgetBytes { return chosen }
        }
        return nil
    }
}
