import Synchronization
import SwitchyardTensor

/// Keeps one idle arena between runs of a region's plans, so a run reuses the pages the
/// previous run touched instead of mapping (and faulting in) a fresh arena each time: large
/// allocations come straight from the kernel, and a 640×640 detector's arena is tens of MiB.
/// Runs that overlap each get an arena of their own; only one is kept, the largest seen.
final class DNNLArenaPool: Sendable {
    private let idle = Mutex<TensorStorage?>(nil)

    /// An arena of at least `byteCount` bytes for one run; give it back with `recycle`.
    func take(atLeast byteCount: Int) -> TensorStorage {
        let kept = idle.withLock { kept in
            defer { kept = nil }
            return kept
        }
        if let kept, kept.byteCount >= byteCount { return kept }
        return TensorStorage(uninitializedByteCount: byteCount)
    }

    /// Keeps `arena` for the next run unless a larger one is already kept.
    func recycle(_ arena: TensorStorage) {
        idle.withLock { kept in
            if kept == nil || kept!.byteCount < arena.byteCount { kept = arena }
        }
    }
}
