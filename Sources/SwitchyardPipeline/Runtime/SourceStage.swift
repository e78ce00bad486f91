import Synchronization

/// A `source` stage: one thread pulls frames from its `FrameSource` and queues them to the
/// stages it feeds under its overflow policy, until the input ends or the pipeline stops.
struct SourceStage: Sendable {
    let name: String
    let source: any FrameSource
    let policy: OverflowPolicy
    let skipThrough: Int?
    let router: ItemRouter
    let metrics: StageMetrics
    let stopping: StopFlag
    let reportError: @Sendable (PipelineError) -> Void

    func start(exited: @escaping @Sendable () -> Void) {
        WorkerThreads.start(stage: name, count: 1, body: { _ in run() }, whenAllExited: {
            router.finish()
            exited()
        })
    }

    private func run() {
        do throws(PipelineError) {
            try source.frames(skipThrough: skipThrough) { frame, values in
                if stopping.isSet { return false }
                let item = PipelineItem(source: name, frame: frame, values: values, stage: name)
                metrics.recordItem(failed: item.error != nil)
                return router.emitFrame(item, policy: policy)
            }
        } catch {
            reportError(error)
        }
    }
}

/// Set once when the pipeline is asked to stop; sources check it before each frame.
final class StopFlag: Sendable {
    private let flag = Atomic<Bool>(false)

    var isSet: Bool { flag.load(ordering: .relaxed) }

    func set() { flag.store(true, ordering: .relaxed) }
}
