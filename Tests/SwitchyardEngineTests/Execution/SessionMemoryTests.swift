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

    /// Two residual blocks with a softmax over the channels between them, which keeps them in
    /// two oneDNN regions.
    static func twoRegions(channels c: Int = 16, seed: UInt64) throws -> LoadedModel {
        var generator = SeededGenerator(seed: seed)
        var initializers: [String: Tensor] = [:]
        var nodes: [Node] = []
        let pads: [String: Attribute] = ["pads": .ints([1, 1, 1, 1])]
        for block in 0..<2 {
            let x = block == 0 ? "x" : "soft"
            for index in 1...2 { initializers["w\(block)\(index)"] = generator.tensor([c, c, 3, 3], in: -0.3...0.3) }
            nodes += [
                Node(name: "conv\(block)1", opType: "Conv", inputs: [x, "w\(block)1"], outputs: ["c\(block)1"], attributes: pads),
                Node(name: "relu\(block)", opType: "Relu", inputs: ["c\(block)1"], outputs: ["r\(block)"]),
                Node(name: "conv\(block)2", opType: "Conv", inputs: ["r\(block)", "w\(block)2"], outputs: ["c\(block)2"], attributes: pads),
                Node(name: "add\(block)", opType: "Add", inputs: ["c\(block)2", "r\(block)"], outputs: ["sum\(block)"]),
            ]
        }
        nodes.insert(Node(name: "softmax", opType: "Softmax", inputs: ["sum0"], outputs: ["soft"], attributes: ["axis": .int(1)]), at: 4)
        let graph = Graph(name: "two regions", nodes: nodes, inputs: [ValueInfo(name: "x")], outputs: [ValueInfo(name: "sum1")],
                          initializers: initializers)
        return try LoadedModel(model: Model(graph: graph))
    }

    @Test("the oneDNN regions of a run share one scratch arena, as large as the largest needs")
    func regionsShareOneArena() throws {
        let model = try Self.twoRegions(seed: 96)
        let session = try Session(model: model, options: SessionOptions(threads: 1))
        let x = Self.input(batch: 2, size: 40, seed: 97)
        let first = try session.run(x)
        let regions = session.program.regions.filter { $0.members.count > 1 }
        #expect(regions.count == 2, "the softmax did not split the graph into two regions")
        let arenas = regions.map(\.arenaBytes)
        #expect(arenas.allSatisfy { $0 > 0 })
        let kept = session.keptBufferBytes
        // One arena of the largest region's size, plus the pool's buffers (none above a MiB here);
        // an arena per region would keep the sum.
        #expect(kept >= arenas.max()! && kept < arenas.reduce(0, +), "kept \(kept) bytes; the regions' arenas are \(arenas)")
        // The second region overwrote what the first left in the arena; a second run agrees.
        let second = try session.run(x)
        #expect(second["sum1"]?.floats() == first["sum1"]?.floats())
        let reference = try Session(model: model, options: SessionOptions(threads: 1, referenceOnly: true)).run(x)
        let error = zip(first["sum1"]!.floats(), reference["sum1"]!.floats()).map { abs($0 - $1) }.max()!
        #expect(error < 1e-3)
    }
}
