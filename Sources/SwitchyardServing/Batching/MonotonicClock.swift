import Dispatch
import Foundation

/// The one clock the batcher measures with: monotonic nanoseconds, the same base
/// `DispatchSemaphore.wait(timeout:)` uses, so a computed deadline can be waited on directly.
enum MonotonicClock {
    static func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

    static func dispatchTime(_ nanoseconds: UInt64) -> DispatchTime { DispatchTime(uptimeNanoseconds: nanoseconds) }

    /// Milliseconds since the Unix epoch (Triton's `last_inference`).
    static func epochMilliseconds() -> UInt64 { UInt64(max(0, Date().timeIntervalSince1970 * 1000)) }
}
