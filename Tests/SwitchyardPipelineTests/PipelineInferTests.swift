import Testing
import SwitchyardPipeline

/// `Pipeline.infer`: a request becomes one frame of an `api` source and gets back exactly the
/// items of that frame that reached the `response` sink, in region order — also when the frame
/// fans out, is filtered out entirely, or another sink takes the same items.
@Suite struct PipelineInferTests {
    static let spec = """
        name: fan
        stages:
          - {name: in, type: source, kind: api}
          - {name: explode, type: processor, processor: explode, inputs: [in], workers: 3}
          - {name: answer, type: sink, kind: response, inputs: [explode]}
          - {name: log, type: sink, kind: collector, inputs: [explode]}
        """

    /// `explode`: `count` items (regions emitted last first), none when `count` is 0.
    static var registry: ProcessorRegistry {
        var registry = ProcessorRegistry()
        registry.register("explode") { _ in
            ClosureProcessor { item throws(PipelineError) in
                let count = Int(try item.number("count"))
                return (0..<count).reversed().map { item.region($0, adding: ["index": .number(Double($0))]) }
            }
        }
        return registry
    }

    @Test func concurrentRequestsGetExactlyTheirOwnItems() async throws {
        let pipeline = try PipelineTestKit.pipeline(Self.spec, registry: Self.registry)
        pipeline.start()
        let ids = PipelineTestKit.randomValues(count: 60, seed: 21)
        let results = try await withThrowingTaskGroup(of: (Int, [PipelineItem]).self) { group in
            for (request, id) in ids.enumerated() {
                group.addTask {
                    let items = try await pipeline.infer(["count": .number(Double(request % 4)), "id": .number(id)], source: "in")
                    return (request, items)
                }
            }
            var results: [Int: [PipelineItem]] = [:]
            for try await (request, items) in group { results[request] = items }
            return results
        }
        #expect(results.count == ids.count)
        for (request, id) in ids.enumerated() {
            let items = try #require(results[request])
            #expect(items.count == request % 4, "request \(request)")
            #expect(items.map(\.region) == (0..<(request % 4)).map { Optional($0) })
            #expect(items.allSatisfy { (try? $0.number("id")) == id && (try? $0.number("count")) == Double(request % 4) })
            #expect(Set(items.map(\.frame)).count <= 1)
        }
        pipeline.finishPosting(to: "in")
        _ = await pipeline.wait()
        #expect(pipeline.collector("log")?.events.count == ids.indices.reduce(0) { $0 + $1 % 4 })
        await #expect(throws: PipelineError.self) { try await pipeline.infer(["count": .number(1)], source: "in") }
        await #expect(throws: PipelineError.self) { try await pipeline.infer(["count": .number(1)], source: "nope") }
    }

    @Test func aFailingItemComesBackWithItsError() async throws {
        let pipeline = try PipelineTestKit.pipeline(Self.spec, registry: Self.registry)
        pipeline.start()
        let items = try await pipeline.infer(["count": .string("three")], source: "in")
        #expect(items.count == 1 && items[0].stage == "explode" && items[0].error?.contains("'count'") == true)
        let fine = try await pipeline.infer(["count": .number(2)], source: "in")
        #expect(fine.count == 2 && fine.allSatisfy { $0.error == nil })
        pipeline.finishPosting(to: "in")
        _ = await pipeline.wait()
    }
}
