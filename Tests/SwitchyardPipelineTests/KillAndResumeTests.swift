import Foundation
import GRDB
import Testing

/// SIGKILL in the middle of `switchyard pipeline run`: the events database opens cleanly, holds
/// every committed frame's events exactly once, and `--resume` continues after the last one.
/// Runs the built binary; skips when it or ffmpeg is missing.
@Suite struct KillAndResumeTests {
    static var repositoryRoot: URL {
        var url = URL(fileURLWithPath: #filePath)  // Tests/SwitchyardPipelineTests/KillAndResumeTests.swift
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url
    }

    static var binary: String? {
        ["debug", "release"].map { repositoryRoot.appendingPathComponent(".build/\($0)/switchyard").path }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    static var hasFFmpeg: Bool {
        ["/usr/bin/ffmpeg", "/usr/local/bin/ffmpeg"].contains { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Long enough at 1× (30 s) that a loaded machine still kills the first run mid-video.
    static let frames = 600

    @Test(.enabled(if: binary != nil && hasFFmpeg, "needs .build/debug/switchyard (swift build --product switchyard) and ffmpeg"))
    // Synchronous on purpose: an `await` would let a full test run (other suites busy on the
    // cooperative threads) resume the polling only after the 30-second run has already ended.
    func killedRunKeepsCommittedEventsAndResumes() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kill-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // 600 frames at 20 frames/s, read at 1× speed by the first run (about 30 s); the resume
        // reads as fast as it can.
        let video = "\(directory)/clip.mp4"
        #expect(try Self.run("/usr/bin/env", ["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=32x24:rate=20",
                                              "-frames:v", "\(Self.frames)", "-pix_fmt", "yuv420p", video]).terminationStatus == 0)
        let spec = "\(directory)/spec.yaml", fastSpec = "\(directory)/fast.yaml"
        for (path, realtime) in [(spec, true), (fastSpec, false)] {
            try """
                name: killable
                stages:
                  - {name: camera, type: source, kind: video, path: clip.mp4, realtime: \(realtime)}
                  - {name: store, type: sink, kind: events, path: unused.db, inputs: [camera]}
                """.write(toFile: path, atomically: true, encoding: .utf8)
        }
        let database = "\(directory)/events.db"

        let first = try Self.start(Self.binary!, ["pipeline", "run", spec, "--events", database])
        var committed = 0
        for _ in 0..<400 where committed < 30 {
            usleep(25_000)
            committed = (try? Self.eventCount(database)) ?? 0
        }
        kill(first.processIdentifier, SIGKILL)
        first.waitUntilExit()
        #expect(first.terminationReason == .uncaughtSignal)
        #expect(committed >= 30, "the run committed too few events before the kill")

        let (frames, lastFrame) = try Self.read(database)
        #expect(frames.count < Self.frames, "the kill came after the run ended")
        #expect(frames == Array(0..<frames.count), "the committed events are whole frames, once each")
        #expect(lastFrame == frames.count - 1)

        let second = try Self.start(Self.binary!, ["pipeline", "run", fastSpec, "--events", database, "--resume"])
        for _ in 0..<1200 where second.isRunning { usleep(25_000) }
        if second.isRunning { second.terminate() }
        second.waitUntilExit()
        #expect(second.terminationStatus == 0)
        let (allFrames, finalFrame) = try Self.read(database)
        #expect(allFrames == Array(0..<Self.frames))
        #expect(finalFrame == Self.frames - 1)
    }

    private static func read(_ path: String) throws -> (frames: [Int], lastFrame: Int?) {
        let database = try DatabaseQueue(path: path)
        defer { try? database.close() }
        return try database.read { db in
            #expect(try String.fetchOne(db, sql: "PRAGMA integrity_check") == "ok")
            let frames = try Int.fetchAll(db, sql: "SELECT frame FROM events ORDER BY id")
            let last = try Int.fetchOne(db, sql: "SELECT last_frame FROM progress WHERE source = 'camera'")
            return (frames, last)
        }
    }

    private static func eventCount(_ path: String) throws -> Int {
        guard FileManager.default.fileExists(atPath: path) else { return 0 }
        var configuration = Configuration()
        configuration.readonly = true
        // The writer commits every frame; on a loaded machine an immediate SQLITE_BUSY would read
        // as "nothing committed yet" until the run is over.
        configuration.busyMode = .timeout(2)
        let database = try DatabaseQueue(path: path, configuration: configuration)
        defer { try? database.close() }
        return try database.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM events") ?? 0 }
    }

    private static func start(_ executable: String, _ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    private static func run(_ executable: String, _ arguments: [String]) throws -> Process {
        let process = try start(executable, arguments)
        process.waitUntilExit()
        return process
    }
}
