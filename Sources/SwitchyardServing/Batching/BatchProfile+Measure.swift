import SwitchyardEngine

extension BatchProfile {
    /// Profiles `model` the way the batcher does when a version loads (batch sizes 1, 2, 4, …
    /// up to `maxBatchSize`, on random non-zero inputs, within the same time budget) on a session
    /// of its own with `threads` threads, and chooses the batch limit. `inputDims` gives each
    /// input's dims without the batch dim, where the model leaves them free.
    ///
    /// Blocks the calling thread: call it from a dedicated thread.
    public static func measure(model: LoadedModel, maxBatchSize: Int, inputDims: [String: [Int64]],
                               threads: Int = 1) throws(ServingError) -> BatchProfile {
        let session: Session
        do {
            session = try Session(model: model, options: SessionOptions(threads: threads))
        } catch {
            throw .internal("cannot make a session to profile the model: \(error)")
        }
        let profiler = BatchProfiler(modelName: "", maxBatchSize: maxBatchSize)
        do throws(ProfileSkip) {
            let measurements = try profiler.measure(session: session, configDims: inputDims)
            let best = bestBatchSize(of: measurements, maxBatchSize: maxBatchSize) ?? maxBatchSize
            return BatchProfile(measurements: measurements, chosenBatchSize: best, choice: .measured)
        } catch {
            return BatchProfile(measurements: [], chosenBatchSize: maxBatchSize, choice: .skipped(reason: error.reason))
        }
    }
}
