import MetricsTestKit
import Testing
import SwitchyardPipeline

/// The per-stage metrics (`/metrics` in the server), recorded through a test factory.
@Suite struct PipelineMetricsTests {
    @Test func stagesRecordItemsLatencyQueueDepthAndDrops() async throws {
        let metrics = TestMetrics()
        var registry = ProcessorRegistry()
        registry.register("halve") { _ in
            ClosureProcessor { item in item.frame % 2 == 0 ? [item] : [] }
        }
        let spec = """
            name: counted
            stages:
              - {name: in, type: source, kind: api, overflow: drop-oldest}
              - {name: halve, type: processor, processor: halve, inputs: [in], queue: 2}
              - {name: out, type: sink, kind: collector, inputs: [halve], queue: 2}
            """
        let stalled = BackpressureTests.StalledSink()
        let pipeline = try Pipeline(SpecLoader.load(yaml: spec, file: "counted.yaml"), registry: registry,
                                    sinks: ["out": stalled], options: PipelineOptions(metricsFactory: metrics))
        let values = PipelineTestKit.randomValues(count: 300, seed: 8)
        let posted = PipelineTestKit.Counter()
        pipeline.start()
        PipelineTestKit.feed(pipeline, count: values.count, posted: posted) { ["value": .number(values[$0])] }
        #expect(await PipelineTestKit.eventually { posted.count == values.count })
        stalled.release()
        let summary = await pipeline.wait()

        func dimensions(_ stage: String) -> [(String, String)] { [("pipeline", "counted"), ("stage", stage)] }
        let halve = try #require(summary.stages.first { $0.stage == "halve" })
        #expect(try metrics.expectCounter(PipelineMetricNames.items, dimensions("in")).totalValue == Int64(values.count))
        #expect(try metrics.expectCounter(PipelineMetricNames.items, dimensions("halve")).totalValue == Int64(halve.items))
        #expect(try metrics.expectCounter(PipelineMetricNames.dropped, dimensions("in")).totalValue == Int64(summary.dropped))
        #expect(summary.dropped > 0 && halve.items + summary.dropped == values.count)
        let latencies = try metrics.expectTimer(PipelineMetricNames.stageLatency, dimensions("halve")).values
        #expect(latencies.count == halve.items && latencies.allSatisfy { $0 >= 0 })
        let depths = try metrics.expectGauge(PipelineMetricNames.queueDepth, dimensions("halve")).values
        #expect(!depths.isEmpty && depths.allSatisfy { $0 <= 2 })
    }
}
