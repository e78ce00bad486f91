import Testing
import SwitchyardTensor
@testable import SwitchyardEngine

@Suite struct ArenaPlacementTests {
    @Test(arguments: [11, 12, 13] as [UInt64])
    func buffersLiveTogetherNeverOverlap(seed: UInt64) {
        var generator = SplitMix64(seed: seed)
        let requests = (0..<80).map { _ -> ArenaPlacement.Request in
            let first = Int.random(in: 0..<40, using: &generator)
            return .init(bytes: 64 * Int.random(in: 1...64, using: &generator), first: first,
                         last: first + Int.random(in: 0..<6, using: &generator))
        }
        let (offsets, arenaBytes) = ArenaPlacement.place(requests)
        #expect(offsets.count == requests.count)
        for (i, a) in requests.enumerated() {
            #expect(offsets[i] % 64 == 0)
            #expect(offsets[i] + a.bytes <= arenaBytes)
            for j in requests.indices where j > i {
                let b = requests[j]
                guard a.first <= b.last && b.first <= a.last else { continue }
                #expect(offsets[i] + a.bytes <= offsets[j] || offsets[j] + b.bytes <= offsets[i],
                        "requests \(i) and \(j) are live together and overlap")
            }
        }
        let peak = (0..<46).map { step in
            requests.filter { $0.first <= step && step <= $0.last }.reduce(0) { $0 + $1.bytes }
        }.max() ?? 0
        #expect(arenaBytes >= peak)
        #expect(arenaBytes < requests.reduce(0) { $0 + $1.bytes }, "buffers that never meet share bytes")
    }

    @Test func aChainReusesTheBytesOfDeadBuffers() {
        // a → b → c → d, each read only by the next: two buffers at a time.
        let requests = (0..<4).map { ArenaPlacement.Request(bytes: 256, first: $0, last: $0 + 1) }
        let (offsets, arenaBytes) = ArenaPlacement.place(requests)
        #expect(arenaBytes == 512)
        #expect(offsets[0] == offsets[2] && offsets[1] == offsets[3] && offsets[0] != offsets[1])
    }
}
