import Testing
@testable import switchyard

@Suite struct StopRuleTests {
    @Test func iterationCountBoundsTheLastBlock() {
        let rule = StopRule.iterations(12)
        #expect(rule.blockLength(after: 0, preferred: 5) == 5)
        #expect(rule.blockLength(after: 10, preferred: 5) == 2)
        #expect(rule.wantsMore(samples: 11, elapsed: 0))
        #expect(!rule.wantsMore(samples: 12, elapsed: 0))
    }

    @Test func timeBudgetKeepsWholeBlocks() {
        let rule = StopRule.seconds(2)
        #expect(rule.blockLength(after: 37, preferred: 5) == 5)
        #expect(rule.wantsMore(samples: 0, elapsed: 9))
        #expect(!rule.wantsMore(samples: 40, elapsed: 2.5))
    }
}
