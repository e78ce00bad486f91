import Foundation
import GRDB
import Testing
import SwitchyardPipeline

@Suite struct SQLiteEventSinkTests {
    static func temporaryPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("events-\(UUID().uuidString).db").path
    }

    @Test func writesEventsAndProgressAndResumesFromThem() throws {
        let path = Self.temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let values = PipelineTestKit.randomValues(count: 6, seed: 21)
        let sink = try SQLiteEventSink(path: path, pipeline: "p", resume: false)
        let events = values.enumerated().map { frame, value in
            PipelineEvent(time: 1000 + Double(frame), source: "cam", frame: frame, region: frame % 2, stage: "rec",
                          label: "l\(frame)", score: Float(value), box: [1, 2, Float(value), 4], text: "t\(Int(value))")
        }
        try sink.write(Array(events[0..<4]), completed: ["cam": 3])
        try sink.write([PipelineEvent(time: 2000, source: "cam", frame: 4, stage: "det", error: "bad frame")], completed: ["cam": 4])
        try sink.finish()

        let database = try DatabaseQueue(path: path)
        let rows = try database.read { db in
            try Row.fetchAll(db, sql: "SELECT frame, region, stage, label, score, box, text, error FROM events ORDER BY id")
        }
        #expect(rows.count == 5)
        #expect(rows[2]["label"] as String? == "l2" && rows[2]["text"] as String? == "t\(Int(values[2]))")
        #expect(rows[2]["box"] as String? == "[1.0,2.0,\(Float(values[2])),4.0]")
        #expect(rows[4]["error"] as String? == "bad frame" && rows[4]["region"] as Int? == nil)
        let journal = try database.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") }
        #expect(journal == "wal")
        let indexes = try database.read { db in try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'events'") }
        #expect(indexes.contains("events_time"))
        try database.close()

        let resumed = try SQLiteEventSink(path: path, pipeline: "p", resume: true)
        #expect(try resumed.committedFrames() == ["cam": 4])
        try resumed.finish()
        let fresh = try SQLiteEventSink(path: path, pipeline: "p", resume: false)
        #expect(try fresh.committedFrames() == [:])
        try fresh.finish()
    }

    @Test func pipelineResumesAfterTheCommittedFrames() async throws {
        let path = Self.temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        var registry = ProcessorRegistry()
        registry.register("tag") { _ in
            ClosureProcessor { item in
                var next = item
                next["text"] = .text("frame \(item.frame)", confidence: 1)
                return [next]
            }
        }
        let spec = """
            name: resumable
            stages:
              - {name: in, type: source, kind: api}
              - {name: tag, type: processor, processor: tag, inputs: [in]}
              - {name: db, type: sink, kind: events, path: \(path), inputs: [tag]}
            """
        let first = try PipelineTestKit.pipeline(spec, registry: registry)
        first.start()
        PipelineTestKit.feed(first, count: 10) { ["value": .number(Double($0 + 1))] }
        _ = await first.wait()

        let loaded = try SpecLoader.load(yaml: spec, file: "resume.yaml")
        let second = try Pipeline(loaded, registry: registry, options: PipelineOptions(resume: true))
        second.start()
        PipelineTestKit.feed(second, count: 5) { ["value": .number(Double($0 + 1))] }
        _ = await second.wait()

        let database = try DatabaseQueue(path: path)
        let frames = try await database.read { db in try Int.fetchAll(db, sql: "SELECT frame FROM events ORDER BY id") }
        let texts = try await database.read { db in try String.fetchAll(db, sql: "SELECT text FROM events ORDER BY id") }
        #expect(frames == Array(0..<15))
        #expect(texts == (0..<15).map { "frame \($0)" })
        try database.close()
    }

    @Test func resumeWithoutAnEventsSinkIsRefused() throws {
        let path = Self.temporaryPath() + ".jsonl"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let spec = """
            name: lines-only
            stages:
              - {name: in, type: source, kind: api}
              - {name: out, type: sink, kind: jsonl, path: \(path), inputs: [in]}
            """
        let loaded = try SpecLoader.load(yaml: spec, file: "lines.yaml")
        #expect(throws: PipelineError.self) { try Pipeline(loaded, options: PipelineOptions(resume: true)) }
        do {
            _ = try Pipeline(loaded, options: PipelineOptions(resume: true))
        } catch {
            #expect(error.description.contains("--resume needs an `events` (SQLite) sink"))
        }
        _ = try Pipeline(loaded, options: PipelineOptions(resume: false))
    }
}
