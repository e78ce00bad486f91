import Foundation
import Testing
import SwitchyardPipeline

/// A `join` stage: parallel branches of one frame meet again as one item.
@Suite struct PipelineJoinTests {
    /// api source → two branches (one slower, with two workers, so items arrive out of order) → join → collector.
    static func spec(branches: String = "classify, read", join: String = "both") -> String {
        """
        name: joined
        stages:
          - {name: in, type: source, kind: api}
          - {name: classify, type: processor, processor: classify, inputs: [in]}
          - {name: read, type: processor, processor: read, inputs: [in], workers: 2, queue: 3}
          - {name: \(join), type: join, inputs: [\(branches)], queue: 4}
          - {name: out, type: sink, kind: collector, inputs: [\(join)]}
        """
    }

    /// `classify` labels a frame by its value's parity, `read` writes the value as text; either
    /// may fail or filter out chosen frames.
    static func registry(failReadOn fails: Set<Int> = [], filterReadOn filtered: Set<Int> = []) -> ProcessorRegistry {
        var registry = ProcessorRegistry()
        registry.register("classify") { _ in
            ClosureProcessor { item throws(PipelineError) in
                var next = item
                next["label"] = .label(Int(try item.number("value")) % 2 == 0 ? "even" : "odd", score: 0.5)
                return [next]
            }
        }
        registry.register("read") { _ in
            ClosureProcessor { item throws(PipelineError) in
                if fails.contains(item.frame) { throw PipelineError("cannot read \(item.label)") }
                if filtered.contains(item.frame) { return [] }
                let value = Int(try item.number("value"))
                Thread.sleep(forTimeInterval: Double(value % 3) * 0.001)
                var next = item
                next["text"] = .text(String(value), confidence: 1)
                return [next]
            }
        }
        return registry
    }

    @Test func everyFrameBecomesOneItemWithBothBranchesValues() async throws {
        let values = PipelineTestKit.randomValues(count: 120, seed: 21)
        let pipeline = try PipelineTestKit.pipeline(Self.spec(), registry: Self.registry())
        pipeline.start()
        PipelineTestKit.feed(pipeline, count: values.count) { ["value": .number(values[$0])] }
        let summary = await pipeline.wait()
        let events = try #require(pipeline.collector("out")).events

        #expect(events.map(\.frame) == Array(0..<values.count))
        for event in events {
            let value = Int(values[event.frame])
            #expect(event.stage == "both" && event.error == nil)
            #expect(event.text == String(value) && event.label == (value % 2 == 0 ? "even" : "odd"))
        }
        #expect(summary.dropped == 0 && summary.errors == 0)
        #expect(summary.stages.first { $0.stage == "both" }?.items == 2 * values.count)
    }

    @Test func aBranchFailureBecomesTheFramesErrorEvent() async throws {
        let failing: Set<Int> = [3, 17, 18, 40]
        let pipeline = try PipelineTestKit.pipeline(Self.spec(), registry: Self.registry(failReadOn: failing))
        pipeline.start()
        PipelineTestKit.feed(pipeline, count: 50) { ["value": .number(Double($0 + 1))] }
        let summary = await pipeline.wait()
        let events = try #require(pipeline.collector("out")).events

        #expect(events.map(\.frame) == Array(0..<50))
        for event in events where failing.contains(event.frame) {
            #expect(event.stage == "read" && event.error == "cannot read source 'in' frame \(event.frame)")
        }
        #expect(events.filter { $0.error == nil }.count == 50 - failing.count)
        #expect(summary.errors == failing.count && summary.dropped == 0)
    }

    @Test func aFrameOneBranchFiltersOutIsDroppedAndCounted() async throws {
        let filtered: Set<Int> = [0, 9, 10, 33, 49]
        let pipeline = try PipelineTestKit.pipeline(Self.spec(), registry: Self.registry(filterReadOn: filtered))
        pipeline.start()
        PipelineTestKit.feed(pipeline, count: 50) { ["value": .number(Double($0 + 1))] }
        let summary = await pipeline.wait()
        let events = try #require(pipeline.collector("out")).events

        #expect(events.map(\.frame) == (0..<50).filter { !filtered.contains($0) })
        #expect(summary.stages.first { $0.stage == "both" }?.dropped == filtered.count)
        // Every frame completed, the filtered ones too: nothing is left waiting in the join.
        #expect(pipeline.collector("out")?.completedFrames["in"] == 49)
    }

    @Test func anIncompleteGroupDoesNotHoldBackLaterFrames() async throws {
        let pipeline = try PipelineTestKit.pipeline(Self.spec(), registry: Self.registry(filterReadOn: [0]))
        pipeline.start()
        let posting = Thread {
            for frame in 0..<4 { try? pipeline.post(["value": .number(Double(frame + 1))], to: "in") }
        }
        posting.start()
        // The source stays open: frames 1-3 reach the sink only once the join has found, by itself,
        // that frame 0 can never complete (sinks write a source's frames in order).
        let collector = try #require(pipeline.collector("out"))
        #expect(await PipelineTestKit.eventually(within: 10) { collector.events.map(\.frame) == [1, 2, 3] })
        pipeline.finishPosting(to: "in")
        _ = await pipeline.wait()
    }

    @Test func fannedOutRegionsJoinRegionByRegion() async throws {
        var registry = Self.registry()
        registry.register("split") { _ in
            ClosureProcessor { item throws(PipelineError) in
                (0..<(Int(try item.number("value")) % 4)).map { item.region($0, adding: ["value": .number(Double($0 * 10 + 1))]) }
            }
        }
        let spec = """
            name: regions
            stages:
              - {name: in, type: source, kind: api}
              - {name: split, type: processor, processor: split, inputs: [in], workers: 2}
              - {name: classify, type: processor, processor: classify, inputs: [split]}
              - {name: read, type: processor, processor: read, inputs: [split], workers: 2}
              - {name: both, type: join, inputs: [read, classify]}
              - {name: out, type: sink, kind: collector, inputs: [both]}
            """
        let values = PipelineTestKit.randomValues(count: 60, seed: 4)
        let pipeline = try PipelineTestKit.pipeline(spec, registry: registry)
        pipeline.start()
        PipelineTestKit.feed(pipeline, count: values.count) { ["value": .number(values[$0])] }
        _ = await pipeline.wait()
        let events = try #require(pipeline.collector("out")).events

        let expected = values.enumerated().flatMap { frame, value in (0..<(Int(value) % 4)).map { "\(frame).\($0)" } }
        #expect(events.map { "\($0.frame).\($0.region ?? -1)" } == expected)
        for event in events {
            let region = try #require(event.region)
            #expect(event.text == String(region * 10 + 1) && event.label == "odd")
        }
    }

    @Test func aSecondItemFromOneInputIsReportedNotMergedTwice() async throws {
        var registry = Self.registry()
        // Fans out without region numbers: the join cannot tell the copies apart.
        registry.register("twice") { _ in ClosureProcessor { item in [item, item] } }
        let spec = """
            name: twice
            stages:
              - {name: in, type: source, kind: api}
              - {name: classify, type: processor, processor: classify, inputs: [in]}
              - {name: copies, type: processor, processor: twice, inputs: [in]}
              - {name: both, type: join, inputs: [classify, copies]}
              - {name: out, type: sink, kind: collector, inputs: [both]}
            """
        let pipeline = try PipelineTestKit.pipeline(spec, registry: registry)
        pipeline.start()
        PipelineTestKit.feed(pipeline, count: 10) { ["value": .number(Double($0 + 1))] }
        let summary = await pipeline.wait()
        let events = try #require(pipeline.collector("out")).events

        for frame in 0..<10 {
            #expect(events.filter { $0.frame == frame && $0.error == nil && $0.label != nil }.count == 1)
        }
        // The copy that finds its input's slot still waiting is an error event; one that comes after
        // the group completed waits alone and is dropped as incomplete. Either way it is counted.
        let reported = events.filter { $0.error?.contains("input 'copies' sent a second item for source 'in' frame") == true }.count
        let dropped = summary.stages.first { $0.stage == "both" }?.dropped ?? 0
        #expect(reported + dropped == 10)
    }

    @Test func dropOldestDropsOnlyWholeFrames() async throws {
        let spec = """
            name: live
            stages:
              - {name: in, type: source, kind: api, overflow: drop-oldest}
              - {name: classify, type: processor, processor: classify, inputs: [in], queue: 1}
              - {name: read, type: processor, processor: read, inputs: [in], queue: 1}
              - {name: both, type: join, inputs: [classify, read]}
              - {name: out, type: sink, kind: collector, inputs: [both]}
            """
        let pipeline = try PipelineTestKit.pipeline(spec, registry: Self.registry())
        pipeline.start()
        PipelineTestKit.feed(pipeline, count: 300) { ["value": .number(Double($0 % 7 + 2))] }
        let summary = await pipeline.wait()
        let events = try #require(pipeline.collector("out")).events

        // Each frame ends either joined whole or dropped: never half of one.
        #expect(events.allSatisfy { $0.error == nil && $0.text != nil && $0.label != nil })
        let joinDrops = summary.stages.first { $0.stage == "both" }?.dropped ?? 0
        let sourceDrops = summary.stages.first { $0.stage == "in" }?.dropped ?? 0
        #expect(sourceDrops > 0)
        #expect(events.count + joinDrops + Self.framesDroppedFromBothQueues(sourceDrops, joinDrops) == 300)
        #expect(pipeline.collector("out")?.completedFrames["in"] == 299)
    }

    /// A frame dropped from both branches' queues costs the source two drops and the join none;
    /// one dropped from one queue costs one source drop and one join drop.
    private static func framesDroppedFromBothQueues(_ sourceDrops: Int, _ joinDrops: Int) -> Int {
        (sourceDrops - joinDrops) / 2
    }

    @Test func theLoaderRejectsJoinsThatCouldNeverComplete() throws {
        func error(_ yaml: String) -> String {
            do { _ = try SpecLoader.load(yaml: yaml, file: "join.yaml"); return "loaded" } catch { return error.message }
        }
        #expect(error(Self.spec(branches: "read")).contains("stage 'both': field 'inputs': a join merges the items of several branches; list at least two stages, got 1"))
        let twoSources = """
            name: two
            stages:
              - {name: a, type: source, kind: api}
              - {name: b, type: source, kind: api}
              - {name: pa, type: processor, processor: x, inputs: [a]}
              - {name: both, type: join, inputs: [pa, b]}
              - {name: out, type: sink, kind: collector, inputs: [both]}
            """
        #expect(error(twoSources).contains("'pa' carries 'a' and 'b' carries 'b'"))
        let withWorkers = Self.spec().replacingOccurrences(of: "queue: 4}", with: "workers: 2}")
        #expect(error(withWorkers).contains("stage 'both': field 'workers': does not apply to a join stage"))
    }
}
