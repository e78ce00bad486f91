import Foundation
import Testing
import SwitchyardPipeline

/// Items flow through processors and reach the sinks in frame order, losing nothing in `block`.
@Suite struct PipelineFlowTests {
    /// api source → fan-out processor (value-dependent region count, 3 workers) → collector.
    static let fanOutSpec = """
        name: fan
        stages:
          - {name: in, type: source, kind: api}
          - {name: split, type: processor, processor: split, inputs: [in], workers: 3, queue: 2}
          - {name: out, type: sink, kind: collector, inputs: [split], queue: 3}
        """

    static var splitRegistry: ProcessorRegistry {
        var registry = ProcessorRegistry()
        registry.register("split") { _ in
            ClosureProcessor { item throws(PipelineError) in
                let value = try item.number("value")
                // Uneven work so that workers finish out of order.
                Thread.sleep(forTimeInterval: Double(Int(value) % 3) * 0.001)
                return (0..<(Int(value) % 4)).map { region in
                    item.region(region, adding: ["text": .text("\(Int(value))-\(region)", confidence: 1)])
                }
            }
        }
        return registry
    }

    @Test func blockLosesNothingAndKeepsFrameOrder() async throws {
        let values = PipelineTestKit.randomValues(count: 300, seed: 5)
        let pipeline = try PipelineTestKit.pipeline(Self.fanOutSpec, registry: Self.splitRegistry)
        pipeline.start()
        PipelineTestKit.feed(pipeline, count: values.count) { ["value": .number(values[$0])] }
        let summary = await pipeline.wait()
        let events = try #require(pipeline.collector("out")).events

        let expected = values.enumerated().flatMap { frame, value in
            (0..<(Int(value) % 4)).map { "\(frame):\(Int(value))-\($0)" }
        }
        #expect(events.count == expected.count)
        #expect(events.map { "\($0.frame):\($0.text ?? "")" } == expected)
        #expect(summary.framesIn == values.count && summary.dropped == 0 && summary.errors == 0)
        #expect(pipeline.collector("out")?.completedFrames["in"] == values.count - 1)
    }

    @Test func failingProcessorBecomesAnErrorEventAndTheRestGoesOn() async throws {
        var registry = ProcessorRegistry()
        registry.register("fragile") { _ in
            ClosureProcessor { item throws(PipelineError) in
                if item.frame % 7 == 3 { throw PipelineError("cannot handle \(item.label)") }
                var next = item
                next["label"] = .label("ok", score: Float(try item.number("value")))
                return [next]
            }
        }
        let spec = """
            name: fragile
            stages:
              - {name: in, type: source, kind: api}
              - {name: work, type: processor, processor: fragile, inputs: [in], workers: 2}
              - {name: after, type: processor, processor: fragile, inputs: [work]}
              - {name: out, type: sink, kind: collector, inputs: [after]}
            """
        let values = PipelineTestKit.randomValues(count: 50, seed: 9)
        let pipeline = try PipelineTestKit.pipeline(spec, registry: registry)
        pipeline.start()
        PipelineTestKit.feed(pipeline, count: values.count) { ["value": .number(values[$0])] }
        let summary = await pipeline.wait()
        let events = try #require(pipeline.collector("out")).events

        #expect(events.map(\.frame) == Array(0..<50))
        for event in events {
            if event.frame % 7 == 3 {
                // The error is attributed to the first stage that failed, and later stages let it pass.
                #expect(event.stage == "work" && event.error == "cannot handle source 'in' frame \(event.frame)")
            } else {
                #expect(event.error == nil && event.label == "ok" && event.score == Float(values[event.frame]))
            }
        }
        #expect(summary.errors == 7)
    }

    @Test func fanInFromTwoBranchesKeepsEveryEvent() async throws {
        var registry = ProcessorRegistry()
        for name in ["left", "right"] {
            registry.register(name) { _ in
                ClosureProcessor { item in
                    var next = item
                    next["text"] = .text(name, confidence: 1)
                    return [next]
                }
            }
        }
        let spec = """
            name: diamond
            stages:
              - {name: in, type: source, kind: api}
              - {name: l, type: processor, processor: left, inputs: [in]}
              - {name: r, type: processor, processor: right, inputs: [in], workers: 2}
              - {name: out, type: sink, kind: collector, inputs: [l, r]}
            """
        let pipeline = try PipelineTestKit.pipeline(spec, registry: registry)
        pipeline.start()
        PipelineTestKit.feed(pipeline, count: 40) { ["value": .number(Double($0 + 1))] }
        _ = await pipeline.wait()
        let events = try #require(pipeline.collector("out")).events
        #expect(events.count == 80)
        #expect(events.map(\.frame) == events.map(\.frame).sorted())
        for frame in 0..<40 {
            #expect(Set(events.filter { $0.frame == frame }.compactMap(\.text)) == ["left", "right"])
        }
    }
}
