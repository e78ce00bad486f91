import Testing
import SwitchyardGraph
import SwitchyardTensor
@testable import SwitchyardEngine

/// What a model and its sessions hold between runs: one packed copy of the weights for every
/// session (`PackedWeights`), and per session the arenas and buffers its runs keep.
@Suite("Session memory")
struct SessionMemoryTests {
    static func model() throws -> LoadedModel {
        try LoadedModel(model: Model(graph: DNNLRegionTests.residualBlock(channels: 16, seed: 91)))
    }

    static func input(batch: Int, size: Int, seed: UInt64) -> [String: Tensor] {
        var generator = SeededGenerator(seed: seed)
        return ["x": generator.tensor([batch, 16, size, size])]
    }

    @Test("the sessions of one model share one packed copy of its weights")
    func sessionsSharePackedWeights() throws {
        let model = try Self.model()
        #expect(model.packedWeightBytes == 0, "nothing is packed before a run")
        let first = try Session(model: model, options: SessionOptions(threads: 1))
        let x = Self.input(batch: 1, size: 24, seed: 92)
        let expected = try first.run(x)
        let packed = model.packedWeightBytes
        // Two 16×16×3×3 float convolutions: at least their 18 KiB of weights.
        #expect(packed >= 2 * 16 * 16 * 9 * 4)
        let second = try Session(model: model, options: SessionOptions(threads: 1))
        let got = try second.run(x)
        #expect(model.packedWeightBytes == packed, "a second session packed its own copy")
        for (name, tensor) in expected { #expect(got[name]?.floats() == tensor.floats()) }
        // A batch of two on two threads runs as two pieces on the one-thread program: still one copy.
        let parallel = try Session(model: model, options: SessionOptions(threads: 2, adaptsThreads: false))
        _ = try parallel.run(Self.input(batch: 2, size: 24, seed: 93))
        #expect(model.packedWeightBytes == packed)
    }

    @Test("a session keeps buffers between runs that grow with the largest input it ran")
    func keptBuffersFollowTheInputs() throws {
        let model = try Self.model()
        let session = try Session(model: model, options: SessionOptions(threads: 1))
        #expect(session.keptBufferBytes == 0)
        _ = try session.run(Self.input(batch: 1, size: 16, seed: 94))
        let small = session.keptBufferBytes
        #expect(small > 0)
        _ = try session.run(Self.input(batch: 4, size: 96, seed: 95))
        let large = session.keptBufferBytes
        // The region's values at 4 × 16 × 96² floats are 2.25 MiB each; its arena holds several.
        #expect(large >= 4 * 16 * 96 * 96 * 4, "kept \(large) bytes after the large run, \(small) after the small one")
    }
}
