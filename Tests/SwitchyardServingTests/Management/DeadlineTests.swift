import Foundation
import Testing
@testable import SwitchyardServing

@Suite struct DeadlineTests {
    @Test func quickWorkFinishesWithinTheDeadline() async {
        #expect(await Deadline.finishes(within: .seconds(30)) { try? await Task.sleep(for: .milliseconds(1)) })
    }

    @Test func theDeadlineReturnsWhileSlowWorkGoesOn() async {
        let started = Date()
        let finished = await Deadline.finishes(within: .milliseconds(50)) { try? await Task.sleep(for: .seconds(900)) }
        #expect(!finished)
        // Returning at all proves it did not wait for the work; the bound is loose because the
        // whole suite shares the cooperative pool with tests that compute on it.
        #expect(Date().timeIntervalSince(started) < 600)
    }
}
