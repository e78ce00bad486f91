import Synchronization

/// Counts, per source frame, the items still travelling through the pipeline, so sinks can emit a
/// source's events in frame order and record which frames are fully written (for `--resume`).
///
/// A source registers each frame with the number of queues it pushed the frame to; a stage that
/// consumes one item and emits n items to m queues adds n·m − 1; a sink that takes an item, or a
/// queue that drops one, subtracts 1. A frame whose count reaches 0 is complete: every event it
/// will ever produce is in the sinks. Frames are registered in increasing order per source.
final class FrameLedger: Sendable {
    private struct SourceState {
        var incomplete: [Int: Int] = [:]
        var highestRegistered: Int?
    }

    private let state = Mutex<[String: SourceState]>([:])
    /// Told (outside the lock, on the thread that finished it) when a frame becomes complete:
    /// what answers a served pipeline's request as soon as its frame has left the pipeline.
    private let frameCompleted: (@Sendable (_ source: String, _ frame: Int) -> Void)?

    init(frameCompleted: (@Sendable (_ source: String, _ frame: Int) -> Void)? = nil) {
        self.frameCompleted = frameCompleted
    }

    func begin(source: String, frame: Int, count: Int) {
        state.withLock { sources in
            var entry = sources[source, default: SourceState()]
            if count > 0 { entry.incomplete[frame] = count }
            entry.highestRegistered = max(entry.highestRegistered ?? frame, frame)
            sources[source] = entry
        }
        if count <= 0 { frameCompleted?(source, frame) }
    }

    func adjust(source: String, frame: Int, by delta: Int) {
        guard delta != 0 else { return }
        let completed = state.withLock { sources -> Bool in
            guard let count = sources[source]?.incomplete[frame] else { return false }
            let next = count + delta
            sources[source]!.incomplete[frame] = next > 0 ? next : nil
            return next <= 0
        }
        if completed { frameCompleted?(source, frame) }
    }

    /// The items of `source`'s frame still travelling (0 once the frame is complete).
    func count(source: String, frame: Int) -> Int {
        state.withLock { $0[source]?.incomplete[frame] ?? 0 }
    }

    /// Every registered frame of `source` up to and including the watermark is complete
    /// (nil before the source registered anything).
    func watermark(source: String) -> Int? {
        state.withLock { sources in
            guard let entry = sources[source], let highest = entry.highestRegistered else { return nil }
            guard let oldest = entry.incomplete.keys.min() else { return highest }
            return oldest - 1
        }
    }

    /// The watermark of every source that registered frames.
    func watermarks() -> [String: Int] {
        state.withLock { sources in
            sources.compactMapValues { entry in
                guard let highest = entry.highestRegistered else { return nil }
                return entry.incomplete.keys.min().map { $0 - 1 } ?? highest
            }
        }
    }

    /// Items still travelling, over all frames.
    var inFlight: Int {
        state.withLock { $0.values.reduce(0) { $0 + $1.incomplete.values.reduce(0, +) } }
    }
}
