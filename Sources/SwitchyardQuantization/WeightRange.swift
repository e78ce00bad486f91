/// How much of int8 each quantized weight may use (`--weight-range`). Without VNNI, x86 int8
/// kernels multiply u8 activations by s8 weights with `vpmaddubsw`, whose 16-bit pair sums
/// saturate when weights go past ±63; ONNX Runtime calls the 7-bit form `reduce_range`.
public enum WeightRange: String, Sendable, CaseIterable {
    /// −127…127: exact on CPUs with VNNI (and in ONNX Runtime's reference paths).
    case full
    /// −63…63: exact on every x86 int8 kernel, at one bit of weight precision.
    case reduced

    /// The largest quantized magnitude.
    public var limit: Int8 { self == .full ? 127 : 63 }

    /// `reduced` on CPUs without VNNI (so the engine runs the model in int8 here), else `full`.
    public static var forThisCPU: WeightRange { CPUPrecisionSupport.current.nativeVNNI ? .full : .reduced }
}
