import Logging
import Synchronization
import Testing
@testable import switchyard

/// `TextLogHandler` writes the lines swift-log's `StreamLogHandler` writes, rendering metadata
/// only when it writes one.
struct TextLogHandlerTests {
    /// Collects written lines; a stream for `StreamLogHandler`, a writer for `TextLogHandler`.
    final class Lines: TextOutputStream, Sendable {
        let lines = Mutex<[String]>([])
        func write(_ string: String) { lines.withLock { $0.append(string) } }
        /// The lines without their timestamps (the two handlers may straddle a second).
        var untimed: [String] { lines.withLock { $0 }.map { String($0.drop { $0 != " " }) } }
    }

    /// Sends the same messages through `logger`: without metadata, with the logger's own
    /// (a request id as Hummingbird sets it, out of key order), and with a message's metadata
    /// overriding one key.
    static func exercise(_ logger: inout Logger) {
        logger.info("started")
        logger[metadataKey: "hb.request.id"] = .stringConvertible(42)
        logger[metadataKey: "model"] = "cls"
        logger.warning("slow", metadata: ["model": "rec", "batch": .array(["1", "2"])], source: "SwitchyardServing")
        logger.debug("not written at info")
    }

    @Test func linesMatchStreamLogHandlers() {
        let ours = Lines(), theirs = Lines()
        var text = Logger(label: "switchyard") { TextLogHandler(label: $0, metadataProvider: nil, write: ours.write) }
        var stream = Logger(label: "switchyard") { StreamLogHandler(label: $0, stream: theirs, metadataProvider: nil) }
        Self.exercise(&text)
        Self.exercise(&stream)
        #expect(ours.untimed.count == 2)
        #expect(ours.untimed == theirs.untimed)
        #expect(ours.untimed.last == #" warning switchyard: batch=["1", "2"] hb.request.id=42 model=rec [SwitchyardServing] slow"# + "\n")
    }
}
