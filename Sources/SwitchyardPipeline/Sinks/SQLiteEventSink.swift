import Foundation
import GRDB

/// Writes events into a SQLite database through GRDB, in WAL mode: table `events` (indexed by
/// time) and table `progress` (per pipeline and source, the last frame whose events are all
/// committed). Each `write` is one transaction, so after a crash the file holds whole frames
/// only, and `progress` says where a `--resume` run continues.
///
/// Schema:
///
///     events(id, time, pipeline, source, frame, region, stage, label, score, box, text, error)
///     progress(pipeline, source, last_frame, updated)
///     runs(id, pipeline, started, finished, resumed)
public final class SQLiteEventSink: EventSink {
    public let path: String
    public let pipeline: String
    private let pool: DatabasePool
    private let runID: Int64

    /// Opens (creating if needed) the database at `path`. Without `resume`, the pipeline's
    /// earlier events and progress in it are deleted first, so the file holds this run only.
    public init(path: String, pipeline: String, resume: Bool) throws(PipelineError) {
        self.path = path
        self.pipeline = pipeline
        do {
            var configuration = Configuration()
            configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = NORMAL") }
            pool = try DatabasePool(path: path, configuration: configuration)
            runID = try pool.write { db in
                try Self.createSchema(db)
                if !resume {
                    try db.execute(sql: "DELETE FROM events WHERE pipeline = ?", arguments: [pipeline])
                    try db.execute(sql: "DELETE FROM progress WHERE pipeline = ?", arguments: [pipeline])
                }
                try db.execute(sql: "INSERT INTO runs(pipeline, started, resumed) VALUES (?, ?, ?)",
                               arguments: [pipeline, Date().timeIntervalSince1970, resume])
                return db.lastInsertedRowID
            }
        } catch {
            throw PipelineError("\(path): cannot open the events database: \(error)")
        }
    }

    /// Per source, the last frame whose events are all committed (where `--resume` continues).
    public func committedFrames() throws(PipelineError) -> [String: Int] {
        do {
            return try pool.read { db in
                var frames: [String: Int] = [:]
                for row in try Row.fetchAll(db, sql: "SELECT source, last_frame FROM progress WHERE pipeline = ?", arguments: [pipeline]) {
                    frames[row["source"]] = row["last_frame"]
                }
                return frames
            }
        } catch {
            throw PipelineError("\(path): cannot read the progress table: \(error)")
        }
    }

    public func write(_ events: [PipelineEvent], completed: [String: Int]) throws(PipelineError) {
        do {
            try pool.write { db in
                let insert = try db.cachedStatement(sql: """
                    INSERT INTO events(time, pipeline, source, frame, region, stage, label, score, box, text, error)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """)
                for event in events {
                    try insert.execute(arguments: [
                        event.time, pipeline, event.source, event.frame, event.region, event.stage, event.label,
                        event.score.map { Double($0) }, event.box.map(Self.boxText), event.text, event.error,
                    ])
                }
                let now = Date().timeIntervalSince1970
                for (source, frame) in completed {
                    try db.execute(sql: """
                        INSERT INTO progress(pipeline, source, last_frame, updated) VALUES (?, ?, ?, ?)
                        ON CONFLICT(pipeline, source) DO UPDATE SET last_frame = max(last_frame, excluded.last_frame), updated = excluded.updated
                        """, arguments: [pipeline, source, frame, now])
                }
            }
        } catch {
            throw PipelineError("\(path): cannot write \(events.count) events: \(error)")
        }
    }

    public func finish() throws(PipelineError) {
        do {
            try pool.write { db in
                try db.execute(sql: "UPDATE runs SET finished = ? WHERE id = ?", arguments: [Date().timeIntervalSince1970, runID])
            }
            try pool.close()
        } catch {
            throw PipelineError("\(path): cannot close the events database: \(error)")
        }
    }

    private static func createSchema(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE IF NOT EXISTS events(
                id INTEGER PRIMARY KEY AUTOINCREMENT, time REAL NOT NULL, pipeline TEXT NOT NULL,
                source TEXT NOT NULL, frame INTEGER NOT NULL, region INTEGER, stage TEXT NOT NULL,
                label TEXT, score REAL, box TEXT, text TEXT, error TEXT);
            CREATE INDEX IF NOT EXISTS events_time ON events(time);
            CREATE TABLE IF NOT EXISTS progress(
                pipeline TEXT NOT NULL, source TEXT NOT NULL, last_frame INTEGER NOT NULL, updated REAL NOT NULL,
                PRIMARY KEY(pipeline, source));
            CREATE TABLE IF NOT EXISTS runs(
                id INTEGER PRIMARY KEY AUTOINCREMENT, pipeline TEXT NOT NULL, started REAL NOT NULL,
                finished REAL, resumed INTEGER NOT NULL);
            """)
    }

    /// A box as JSON text: "[x1,y1,x2,y2]".
    static func boxText(_ box: [Float]) -> String {
        "[" + box.map { "\($0)" }.joined(separator: ",") + "]"
    }
}
