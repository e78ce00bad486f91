import Dispatch
import Foundation
import SwitchyardPipeline

/// The one-line live view on a terminal: frames, frames/s, queue depths, drops, redrawn twice a
/// second on standard error.
final class ProgressLine {
    private let pipeline: Pipeline
    private let timer: any DispatchSourceTimer

    init(pipeline: Pipeline) {
        self.pipeline = pipeline
        timer = DispatchSource.makeTimerSource(queue: .global())
    }

    func start() {
        timer.schedule(deadline: .now() + 0.5, repeating: 0.5)
        timer.setEventHandler { [pipeline] in
            FileHandle.standardError.write(Data(("\r\u{1B}[K" + Self.line(pipeline.progress())).utf8))
        }
        timer.resume()
    }

    func stop() {
        timer.cancel()
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }

    static func line(_ summary: PipelineSummary) -> String {
        let rate = summary.elapsedSeconds > 0 ? Double(summary.framesIn) / summary.elapsedSeconds : 0
        let queues = summary.queueDepths.map { "\($0.stage) \($0.depth)/\($0.capacity)" }.joined(separator: " ")
        return String(format: "frames %d  %.1f frames/s  ", summary.framesIn, rate)
            + "queues [\(queues)]  drops \(summary.dropped)  errors \(summary.errors)"
    }
}
