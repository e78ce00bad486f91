import Testing
@testable import SwitchyardServing

@Suite struct EvictionPlannerTests {
    typealias Candidate = EvictionPlanner.Candidate

    let loaded = [
        Candidate(name: "old", bytes: 300, lastUsed: 1, pinned: false, busy: false),
        Candidate(name: "pinned", bytes: 300, lastUsed: 0, pinned: true, busy: false),
        Candidate(name: "recent", bytes: 300, lastUsed: 9, pinned: false, busy: false),
        Candidate(name: "busy", bytes: 300, lastUsed: 2, pinned: false, busy: true),
    ]

    @Test func evictsNothingWhenTheModelFits() {
        #expect(EvictionPlanner.victims(neededBytes: 100, budgetBytes: 1300, candidates: loaded) == [])
    }

    @Test func evictsLeastRecentlyUsedIdleModelsFirst() {
        let victims = EvictionPlanner.victims(neededBytes: 400, budgetBytes: 1300, candidates: loaded)
        #expect(victims?.map(\.name) == ["old"])
        let more = EvictionPlanner.victims(neededBytes: 700, budgetBytes: 1300, candidates: loaded)
        #expect(more?.map(\.name) == ["old", "recent"])
    }

    @Test func evictsBusyModelsOnlyAfterIdleOnes() {
        let victims = EvictionPlanner.victims(neededBytes: 1000, budgetBytes: 1300, candidates: loaded)
        #expect(victims?.map(\.name) == ["old", "recent", "busy"])
    }

    @Test func neverEvictsPinnedModels() {
        #expect(EvictionPlanner.victims(neededBytes: 1100, budgetBytes: 1300, candidates: loaded) == nil)
    }
}
