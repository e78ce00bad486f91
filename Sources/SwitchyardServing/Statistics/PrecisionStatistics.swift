/// Which precision of a model version serves, what else its version directory holds, and what
/// the loaded one takes (`GET /v2/models/{m}/stats`, key `precision`; the load log line).
public struct PrecisionStatistics: Sendable, Equatable {
    /// The variant serving ("fp32" = the full-precision file).
    public var serving: String
    /// Every variant file in the version directory with its size on disk.
    public var variants: [PrecisionVariant]
    /// Weights of the serving variant as loaded (after the optimizer's folding).
    public var weightBytes: UInt64
    /// Its weights reordered into oneDNN's layouts (one copy for all instances, made as shapes
    /// are first run).
    public var packedWeightBytes: UInt64
    /// Arenas and kept buffers of all its instances: per instance, the larger of the arena
    /// planned for max batch and what the instance keeping the most keeps between runs.
    public var arenaBytes: UInt64

    public init(serving: String, variants: [PrecisionVariant], weightBytes: UInt64, packedWeightBytes: UInt64 = 0,
                arenaBytes: UInt64) {
        self.serving = serving
        self.variants = variants
        self.weightBytes = weightBytes
        self.packedWeightBytes = packedWeightBytes
        self.arenaBytes = arenaBytes
    }

    /// `fp32=1.2 MiB, int8=310.5 KiB (serving)`, for the load log line.
    public var summary: String {
        variants.map { variant in
            "\(variant.precision)=\(ByteCount(variant.fileBytes))" + (variant.precision == serving ? " (serving)" : "")
        }.joined(separator: ", ")
    }
}
