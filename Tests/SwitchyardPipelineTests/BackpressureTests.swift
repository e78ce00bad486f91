import Foundation
import Synchronization
import Testing
import SwitchyardPipeline

/// A stalled sink: in `block` mode its full queue stops the source; in `drop-oldest` mode the
/// source goes on, queues never exceed their capacity, and drops are counted.
@Suite struct BackpressureTests {
    /// An event sink whose writes wait until `release()`.
    final class StalledSink: EventSink {
        private let gate = DispatchSemaphore(value: 0)
        private let state = Mutex((released: false, events: 0))

        var events: Int { state.withLock { $0.events } }

        func release() {
            state.withLock { $0.released = true }
            gate.signal()
        }

        func write(_ events: [PipelineEvent], completed: [String: Int]) throws(PipelineError) {
            if !state.withLock({ $0.released }) {
                gate.wait()
                gate.signal()
            }
            state.withLock { $0.events += events.count }
        }

        func finish() throws(PipelineError) {}
    }

    static func spec(overflow: String) -> String {
        """
        name: stall
        stages:
          - {name: in, type: source, kind: api, overflow: \(overflow)}
          - {name: pass, type: processor, processor: pass, inputs: [in], queue: 4}
          - {name: out, type: sink, kind: collector, inputs: [pass], queue: 3}
        """
    }

    static var passRegistry: ProcessorRegistry {
        var registry = ProcessorRegistry()
        registry.register("pass") { _ in ClosureProcessor { [$0] } }
        return registry
    }

    @Test func blockModeBackpressureReachesTheSource() async throws {
        let sink = StalledSink()
        let pipeline = try PipelineTestKit.pipeline(Self.spec(overflow: "block"), registry: Self.passRegistry, sinks: ["out": sink])
        let values = PipelineTestKit.randomValues(count: 200, seed: 3)
        let posted = PipelineTestKit.Counter()
        pipeline.start()
        PipelineTestKit.feed(pipeline, count: values.count, posted: posted) { ["value": .number(values[$0])] }

        // The sink holds at most a few items in hand; the rest wait in the queues, then the poster blocks.
        #expect(await PipelineTestKit.eventually { pipeline.progress().queueDepths.allSatisfy { $0.depth == $0.capacity } })
        // The sink may still take its batch after the queues first fill (a loaded machine delays
        // it), so wait for the count to settle before checking that it stays put.
        var stuckAt = posted.count
        for _ in 0..<20 {
            try await Task.sleep(for: .milliseconds(300))
            if posted.count == stuckAt { break }
            stuckAt = posted.count
        }
        try await Task.sleep(for: .milliseconds(300))
        #expect(posted.count == stuckAt, "the source kept posting while the sink was stalled")
        // Queues (4 + 3), the processor's item in hand, the posting hand-off, the source's item
        // in hand and the sink's batch (at most 32 items).
        #expect(stuckAt <= 42)
        #expect(sink.events == 0)

        sink.release()
        let summary = await pipeline.wait()
        #expect(posted.count == values.count && sink.events == values.count)
        #expect(summary.framesIn == values.count && summary.dropped == 0)
    }

    @Test func dropOldestStaysBoundedAndCountsDrops() async throws {
        let sink = StalledSink()
        let pipeline = try PipelineTestKit.pipeline(Self.spec(overflow: "drop-oldest"), registry: Self.passRegistry, sinks: ["out": sink])
        let values = PipelineTestKit.randomValues(count: 500, seed: 4)
        let posted = PipelineTestKit.Counter()
        let deepest = Mutex([String: Int]())
        pipeline.start()
        PipelineTestKit.feed(pipeline, count: values.count, posted: posted) { ["value": .number(values[$0])] }

        // The source never blocks: every post returns although the sink is stalled.
        let allPosted = await PipelineTestKit.eventually {
            for queue in pipeline.progress().queueDepths {
                deepest.withLock { $0[queue.stage] = max($0[queue.stage] ?? 0, queue.depth) }
            }
            return posted.count == values.count
        }
        #expect(allPosted)
        sink.release()
        let summary = await pipeline.wait()
        #expect(summary.framesIn == values.count)
        #expect(summary.dropped > 0)
        // Every frame either reached the sink or was counted as dropped.
        #expect(sink.events + summary.dropped == values.count)
        #expect(summary.stages.first { $0.stage == "in" }?.dropped == summary.dropped)
        for (stage, depth) in deepest.withLock({ $0 }) {
            #expect(depth <= (stage == "pass" ? 4 : 3))
        }
    }
}
