import Synchronization

/// Tells the model manager when a version first runs a set of input shapes: the shapes a batch
/// runs decide the arenas its instance keeps, so a new set is when the version may have grown
/// past what the memory budget counted (`ModelManager.checkBudget(afterGrowthOf:)`).
final class NewShapeNotice: Sendable {
    /// Distinct shape sets remembered; past this many the memory starts over (a stream of
    /// always-new shapes then notifies at most once per run, and costs no more memory).
    static let remembered = 256

    private let seen = Mutex<Set<[[Int]]>>([])
    private let onNew: @Sendable () -> Void

    init(onNew: @escaping @Sendable () -> Void) {
        self.onNew = onNew
    }

    /// Notes that a batch ran with `shapes` (one per input); notifies when they are new.
    func ran(_ shapes: [[Int]]) {
        let isNew = seen.withLock { seen in
            if seen.count >= Self.remembered { seen.removeAll(keepingCapacity: true) }
            return seen.insert(shapes).inserted
        }
        if isNew { onNew() }
    }
}
