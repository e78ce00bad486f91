import Dispatch
import Synchronization
import Foundation

/// SIGINT/SIGTERM during `pipeline run`: the first stops the sources (the pipeline drains and
/// the summary is printed), a second exits at once.
final class StopSignals {
    private let sources: [any DispatchSourceSignal]

    init(onStop: @escaping @Sendable () -> Void) {
        let count = SignalCount()
        sources = [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                if count.increment() > 1 { exit(128 + number) }
                FileHandle.standardError.write(Data("\nstopping: draining the pipeline (signal again to quit now)\n".utf8))
                onStop()
            }
            source.resume()
            return source
        }
    }

    func cancel() {
        for source in sources { source.cancel() }
    }

    private final class SignalCount: Sendable {
        private let value = Mutex(0)
        func increment() -> Int { value.withLock { $0 += 1; return $0 } }
    }
}
