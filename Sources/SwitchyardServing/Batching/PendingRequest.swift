import SwitchyardTensor

/// A validated request waiting in a model's queue or running in a batch, with the continuation
/// its caller awaits. Created by `ServedModel.infer`, delivered exactly once by `ResponseDelivery`.
struct PendingRequest: Sendable {
    /// Resumes the caller; called exactly once.
    typealias Completion = @Sendable (Result<InferenceResponse, ServingError>) -> Void

    /// Unique per model version, known before queueing (cancellation and timeouts find the
    /// request by it).
    let ticket: UInt64
    /// Arrival order among accepted requests (0, 1, 2, … with no gaps); set when queued.
    var sequence: UInt64 = 0
    let id: String
    /// Inputs by name, as the client sent them.
    let inputs: [String: Tensor]
    /// Outputs to return, in order (already checked against the model's).
    let outputs: [String]
    /// Items along dim 0 (1 when the model takes no batch dimension).
    let batchSize: Int
    /// The shapes without the batch dimension, in the model's input order: only requests with
    /// equal signatures can share a batch.
    let signature: [[Int]]
    /// 1-based priority level (1 = highest).
    let priorityLevel: Int
    let timeoutAction: BatchingPolicy.TimeoutAction
    /// 0 = no timeout.
    let timeoutMicroseconds: UInt64
    /// Monotonic nanoseconds (`MonotonicClock`).
    let enqueuedAt: UInt64
    let completion: Completion

    /// When the queue timeout passes, in monotonic nanoseconds; nil = never.
    var deadline: UInt64? {
        guard timeoutMicroseconds > 0 else { return nil }
        let (nanoseconds, overflow) = timeoutMicroseconds.multipliedReportingOverflow(by: 1000)
        return overflow ? nil : enqueuedAt &+ nanoseconds
    }
}
