import Synchronization

/// Picks an even fraction of requests: the n-th (0-based) is sampled when ⌊(n+1)·rate⌋ > ⌊n·rate⌋,
/// so rate 1 samples every request, 0.05 every twentieth and 0 none. Deterministic, unlike a
/// random draw, so a test (or an operator) knows exactly how many samples a run takes.
final class ShadowSampler: Sendable {
    let rate: Double
    private let seen = Atomic<UInt64>(0)

    init(rate: Double) {
        self.rate = min(1, max(0, rate))
    }

    /// Whether the next request is a sample; safe from any thread.
    func next() -> Bool {
        guard rate > 0 else { return false }
        let n = Double(seen.wrappingAdd(1, ordering: .relaxed).oldValue)
        return ((n + 1) * rate).rounded(.down) > (n * rate).rounded(.down)
    }
}
