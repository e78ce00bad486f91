/// Where a source stage's frames come from. `frames` runs on the source's dedicated thread and
/// calls `emit` once per frame, in frame order, until the input ends or `emit` returns false
/// (the pipeline is stopping).
protocol FrameSource: Sendable {
    /// Produces the frames after `skipThrough` (frames up to it were done by an earlier run).
    /// `emit(frame, values)` returns false when the source should stop. Throws when the source
    /// cannot produce at all (missing folder, ffmpeg failing); per-frame problems are emitted as
    /// error values instead.
    func frames(skipThrough: Int?, emit: (Int, [String: PipelineValue]) -> Bool) throws(PipelineError)
}
