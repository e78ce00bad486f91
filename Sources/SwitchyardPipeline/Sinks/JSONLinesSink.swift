import Foundation

/// Writes events as JSON Lines: one object per event (`time, source, frame, region, stage,
/// label, score, box, text, error`; absent fields left out), flushed after every batch.
public final class JSONLinesSink: EventSink {
    public let path: String
    private let handle: FileHandle

    /// Creates (or truncates) the file at `path`; with `append`, adds to it instead.
    public init(path: String, append: Bool = false) throws(PipelineError) {
        self.path = path
        let manager = FileManager.default
        if !append || !manager.fileExists(atPath: path) {
            guard manager.createFile(atPath: path, contents: nil) else {
                throw PipelineError("\(path): cannot create the JSON Lines file (does the folder exist and is it writable?)")
            }
        }
        guard let handle = FileHandle(forWritingAtPath: path) else {
            throw PipelineError("\(path): cannot open the JSON Lines file for writing")
        }
        handle.seekToEndOfFile()
        self.handle = handle
    }

    public func write(_ events: [PipelineEvent], completed: [String: Int]) throws(PipelineError) {
        guard !events.isEmpty else { return }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var data = Data()
        do {
            for event in events {
                data.append(try encoder.encode(event))
                data.append(0x0A)
            }
            try handle.write(contentsOf: data)
        } catch {
            throw PipelineError("\(path): cannot write \(events.count) events: \(error.localizedDescription)")
        }
    }

    public func finish() throws(PipelineError) {
        do {
            try handle.synchronize()
            try handle.close()
        } catch {
            throw PipelineError("\(path): cannot close the JSON Lines file: \(error.localizedDescription)")
        }
    }
}
