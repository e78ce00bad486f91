/// What a loaded model holds in memory, in bytes (a version's serving model, or its shadow
/// reference).
struct MemoryHeld: Sendable, Equatable {
    /// The weights as loaded (after the optimizer's folding).
    var weightBytes: Int
    /// The weights reordered into oneDNN's layouts: one copy, made as shapes are first run.
    var packedWeightBytes: Int
    /// The instances' arenas and kept buffers: per instance, the larger of the arena planned for
    /// max batch and what the instance keeping the most keeps between runs.
    var arenaBytes: Int

    init(weightBytes: Int, packedWeightBytes: Int, arenaBytes: Int) {
        self.weightBytes = weightBytes
        self.packedWeightBytes = packedWeightBytes
        self.arenaBytes = arenaBytes
    }

    var totalBytes: Int { weightBytes + packedWeightBytes + arenaBytes }
}
