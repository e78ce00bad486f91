import Foundation

/// A `processor` or `model` stage: `workers` threads take items from the stage's queue, run the processor
/// and forward its outputs. An item that fails becomes an error item; items that already carry
/// an error pass through untouched.
struct ProcessorStage: Sendable {
    let name: String
    let workers: Int
    let processor: any PipelineProcessor
    let input: BoundedQueue<PipelineItem>
    let router: ItemRouter
    let metrics: StageMetrics

    func start(exited: @escaping @Sendable () -> Void) {
        WorkerThreads.start(stage: name, count: workers, body: { _ in run() }, whenAllExited: {
            router.finish()
            exited()
        })
    }

    private func run() {
        while case .item(let item) = input.pop() {
            metrics.recordQueueDepth(input.depth)
            if item.error != nil {
                router.forward([item], replacing: item)
                continue
            }
            let started = DispatchTime.now().uptimeNanoseconds
            var outputs: [PipelineItem]
            var failed = false
            do throws(PipelineError) {
                outputs = try processor.process(item)
                for index in outputs.indices { outputs[index].stage = name }
            } catch {
                outputs = [item.failed(in: name, error.message)]
                failed = true
            }
            metrics.recordItem(latencySeconds: Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9, failed: failed)
            router.forward(outputs, replacing: item)
        }
    }
}
