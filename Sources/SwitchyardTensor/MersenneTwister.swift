/// MT19937, seeded as NumPy's legacy `numpy.random.seed(n)` / `RandomState(n)` seeds it for a
/// 32-bit `n`. ONNX's reference implementation draws its random masks from that stream, so a
/// seeded random op that uses this generator gives exactly the reference's values.
public struct MersenneTwister: RandomNumberGenerator, Sendable {
    private static let stateCount = 624
    private var state: [UInt32]
    private var index: Int

    public init(seed: UInt32) {
        var state = [UInt32](repeating: 0, count: Self.stateCount)
        state[0] = seed
        for i in 1..<Self.stateCount {
            state[i] = 1_812_433_253 &* (state[i - 1] ^ (state[i - 1] >> 30)) &+ UInt32(i)
        }
        self.state = state
        index = Self.stateCount
    }

    /// The next 32 random bits.
    public mutating func next32() -> UInt32 {
        if index == Self.stateCount { regenerate() }
        var y = state[index]
        index += 1
        y ^= y >> 11
        y ^= (y << 7) & 0x9D2C_5680
        y ^= (y << 15) & 0xEFC6_0000
        return y ^ (y >> 18)
    }

    public mutating func next() -> UInt64 {
        UInt64(next32()) << 32 | UInt64(next32())
    }

    /// A double in [0, 1) from 53 random bits of two draws: NumPy's `random_sample()`, and so
    /// `uniform(0, 1)`.
    public mutating func nextUnitDouble() -> Double {
        let high = Double(next32() >> 5), low = Double(next32() >> 6)
        return (high * 67_108_864 + low) / 9_007_199_254_740_992
    }

    private mutating func regenerate() {
        let count = Self.stateCount
        for i in 0..<count {
            let y = (state[i] & 0x8000_0000) | (state[(i + 1) % count] & 0x7FFF_FFFF)
            var value = state[(i + 397) % count] ^ (y >> 1)
            if y & 1 != 0 { value ^= 0x9908_B0DF }
            state[i] = value
        }
        index = 0
    }
}
