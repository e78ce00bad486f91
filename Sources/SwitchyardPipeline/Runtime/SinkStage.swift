import Foundation

/// A `sink` stage: one thread takes items, turns them into events, and writes them to its
/// `EventSink` in batches, per source in frame order: a frame's events are held until the
/// ledger says the frame and every earlier one are complete (all their items reached the sinks
/// or were filtered out), so events are never written out of order and the progress written
/// with them always names whole frames.
struct SinkStage: Sendable {
    let name: String
    let sink: any EventSink
    let input: BoundedQueue<PipelineItem>
    let ledger: FrameLedger
    let metrics: StageMetrics
    let reportError: @Sendable (PipelineError) -> Void

    /// Longest a released event waits before it is written; batches amortise transactions.
    private static let flushInterval = 0.05
    /// Items taken in before a write is attempted regardless of time, so a slow or stalled
    /// sink holds few items beside its queue (backpressure stays tight).
    private static let batchItems = 32

    func start(exited: @escaping @Sendable () -> Void) {
        WorkerThreads.start(stage: name, count: 1, body: { _ in run() }, whenAllExited: exited)
    }

    private func run() {
        var pending = PendingEvents()
        var lastFlush = Date()
        var sinceFlush = 0
        loop: while true {
            switch input.pop(timeout: Self.flushInterval) {
            case .item(let item):
                metrics.recordQueueDepth(input.depth)
                metrics.recordItem()
                pending.add(PipelineEvent.events(from: item))
                ledger.adjust(source: item.source, frame: item.frame, by: -1)
                sinceFlush += 1
                if sinceFlush >= Self.batchItems || Date().timeIntervalSince(lastFlush) >= Self.flushInterval {
                    flush(&pending)
                    lastFlush = Date()
                    sinceFlush = 0
                }
            case .timedOut:
                flush(&pending)
                lastFlush = Date()
                sinceFlush = 0
            case .finished:
                break loop
            }
        }
        // Other branches may still carry items of frames this sink holds: wait for them.
        flush(&pending)
        while !pending.isEmpty {
            Thread.sleep(forTimeInterval: 0.005)
            flush(&pending)
        }
        do throws(PipelineError) {
            try sink.finish()
        } catch {
            reportError(error)
        }
    }

    private func flush(_ pending: inout PendingEvents) {
        let marks = ledger.watermarks()
        let released = pending.release(upTo: marks)
        guard !released.isEmpty || pending.progressChanged(marks) else { return }
        let started = DispatchTime.now().uptimeNanoseconds
        do throws(PipelineError) {
            try sink.write(released, completed: marks)
            pending.committed(marks)
            metrics.recordEvents(released.count)
        } catch {
            reportError(error)
        }
        metrics.recordLatency(seconds: Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9)
    }
}

/// Events a sink holds until their frames are complete.
struct PendingEvents {
    private var bySource: [String: [PipelineEvent]] = [:]
    private var written: [String: Int] = [:]

    var isEmpty: Bool { bySource.values.allSatisfy(\.isEmpty) }

    mutating func add(_ events: [PipelineEvent]) {
        for event in events { bySource[event.source, default: []].append(event) }
    }

    /// Removes and returns the events of frames at or below each source's watermark, ordered by
    /// source, frame and region (arrival order within a region).
    mutating func release(upTo marks: [String: Int]) -> [PipelineEvent] {
        var released: [PipelineEvent] = []
        for source in bySource.keys.sorted() {
            guard let mark = marks[source], let events = bySource[source] else { continue }
            var ready: [(Int, PipelineEvent)] = []
            var waiting: [PipelineEvent] = []
            for (arrival, event) in events.enumerated() {
                if event.frame <= mark { ready.append((arrival, event)) } else { waiting.append(event) }
            }
            ready.sort { a, b in
                (a.1.frame, a.1.region ?? -1, a.0) < (b.1.frame, b.1.region ?? -1, b.0)
            }
            released += ready.map(\.1)
            bySource[source] = waiting
        }
        return released
    }

    func progressChanged(_ marks: [String: Int]) -> Bool {
        marks.contains { source, mark in written[source].map { $0 < mark } ?? true }
    }

    mutating func committed(_ marks: [String: Int]) {
        written.merge(marks) { max($0, $1) }
    }
}
