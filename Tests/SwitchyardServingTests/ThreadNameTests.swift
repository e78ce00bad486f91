import Foundation
import Testing
@testable import SwitchyardServing

/// Dedicated threads carry their name to the kernel, cut to whole characters within 15 bytes.
@Suite struct ThreadNameTests {
    /// The kernel's name of a fresh thread after `ThreadName.set(name)`.
    private func kernelName(after name: String) -> String? {
        let seen = DispatchSemaphore(value: 0)
        // Written by the thread before it signals, read here after the wait.
        nonisolated(unsafe) var read: String?
        let thread = Thread {
            ThreadName.set(name)
            read = (try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8))?
                .trimmingCharacters(in: .newlines)
            seen.signal()
        }
        thread.start()
        seen.wait()
        return read
    }

    @Test func theKernelSeesTheNameCutToFifteenBytes() throws {
        #expect(kernelName(after: "yolo@0") == "yolo@0")
        #expect(kernelName(after: "a-very-long-stage-name") == "a-very-long-sta")
        // "é" is two bytes: the 15-byte cut would split it, so it is left out whole.
        #expect(kernelName(after: "abcdefghijklmné") == "abcdefghijklmn")
    }
}
