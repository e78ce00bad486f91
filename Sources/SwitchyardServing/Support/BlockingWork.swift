import Foundation

/// Runs blocking work (loading and optimizing a model, profiling it) on a thread of its own and
/// lets async code wait for it without occupying a thread of Swift's cooperative pool.
enum BlockingWork {
    static func run<T: Sendable>(name: String, stackSize: Int = 64 << 20,
                                 _ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                continuation.resume(with: Result { try body() })
            }
            thread.stackSize = stackSize
            thread.name = name
            thread.start()
        }
    }
}
