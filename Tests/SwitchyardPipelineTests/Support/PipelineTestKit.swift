import Foundation
import SwitchyardPipeline
import SwitchyardServing
import SwitchyardTensor
import Synchronization

/// Builds small pipelines from YAML with in-code processors, and feeds their `api` sources
/// from a dedicated thread (posting blocks under backpressure).
enum PipelineTestKit {
    static func pipeline(_ yaml: String, registry: ProcessorRegistry = ProcessorRegistry(),
                         service: (any InferenceService)? = nil, sinks: [String: any EventSink] = [:]) throws -> Pipeline {
        try Pipeline(SpecLoader.load(yaml: yaml, file: "test.yaml"), registry: registry, service: service, sinks: sinks)
    }

    /// Posts `count` items to `source` on a new thread, then finishes the source. `posted`
    /// counts the posts that returned.
    static func feed(_ pipeline: Pipeline, source: String = "in", count: Int, posted: Counter? = nil,
                     values: @escaping @Sendable (Int) -> [String: PipelineValue]) {
        let thread = Thread {
            for index in 0..<count {
                do { try pipeline.post(values(index), to: source) } catch { break }
                posted?.increment()
            }
            pipeline.finishPosting(to: source)
        }
        thread.start()
    }

    /// Random non-zero payloads for items (seeded).
    static func randomValues(count: Int, seed: UInt64) -> [Double] {
        var generator = SplitMix64(seed: seed)
        return (0..<count).map { _ in Double(generator.next() % 999 + 1) }
    }

    /// Waits (polling, on the test's task) until `condition` holds or `seconds` pass.
    static func eventually(within seconds: Double = 20, _ condition: () -> Bool) async -> Bool {
        let deadline = Date(timeIntervalSinceNow: seconds)
        while Date() < deadline {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return condition()
    }

    /// A thread-safe counter.
    final class Counter: Sendable {
        private let value = Mutex(0)
        func increment() { value.withLock { $0 += 1 } }
        var count: Int { value.withLock { $0 } }
    }
}
