import Synchronization

/// Hands each request's result to its waiting caller exactly once. With `preserve_ordering`
/// a result is held until every request that arrived before it has its result, so responses
/// complete in arrival order (failures included).
final class ResponseDelivery: Sendable {
    private struct Held {
        var nextSequence: UInt64 = 0
        var results: [UInt64: (PendingRequest.Completion, Result<InferenceResponse, ServingError>)] = [:]
    }

    private let preservesOrder: Bool
    private let held = Mutex(Held())
    /// Called once per delivered request, after its caller was resumed.
    private let onDelivered: @Sendable () -> Void

    init(preservesOrder: Bool, onDelivered: @escaping @Sendable () -> Void) {
        self.preservesOrder = preservesOrder
        self.onDelivered = onDelivered
    }

    func deliver(_ request: PendingRequest, _ result: Result<InferenceResponse, ServingError>) {
        guard preservesOrder else {
            request.completion(result)
            onDelivered()
            return
        }
        // Resumed under the lock: two instance threads delivering at once must not reorder.
        let delivered = held.withLock { held in
            held.results[request.sequence] = (request.completion, result)
            var delivered = 0
            while let (completion, result) = held.results.removeValue(forKey: held.nextSequence) {
                completion(result)
                held.nextSequence += 1
                delivered += 1
            }
            return delivered
        }
        for _ in 0..<delivered { onDelivered() }
    }
}
