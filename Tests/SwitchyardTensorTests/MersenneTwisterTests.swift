import Testing
import SwitchyardTensor

/// The generator must reproduce NumPy's legacy stream exactly (values printed by NumPy 2).
@Suite struct MersenneTwisterTests {
    @Test func rawDrawsMatchNumPy() {
        // np.random.seed(0); np.random.randint(0, 2**32, 3, dtype=np.uint64)
        var generator = MersenneTwister(seed: 0)
        #expect([generator.next32(), generator.next32(), generator.next32()] == [2_357_136_044, 2_546_248_239, 3_071_714_933])
    }

    @Test func uniformDrawsMatchNumPyAcrossARegeneration() {
        // np.random.seed(0); u = np.random.uniform(0, 1, 1000): u[0], u[1], u[2], u[999]
        var generator = MersenneTwister(seed: 0)
        let draws = (0..<1000).map { _ in generator.nextUnitDouble() }
        #expect(draws[0] == 0.5488135039273248)
        #expect(draws[1] == 0.7151893663724195)
        #expect(draws[2] == 0.6027633760716439)
        #expect(draws[999] == 0.6771411441114241)
        var large = MersenneTwister(seed: 4_000_000_000)
        #expect(large.nextUnitDouble() == 0.8765553184532914)
    }
}
