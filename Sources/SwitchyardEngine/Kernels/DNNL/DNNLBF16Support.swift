import CDNNL

/// Whether oneDNN computes BF16 convolutions and matmuls with native BF16 dot products on this
/// CPU (AVX-512 BF16 or AMX), from the ISA oneDNN dispatches to (queried, never assumed).
/// Without them oneDNN's BF16 kernels emulate the arithmetic and are slower than float32.
public enum DNNLBF16Support {
    /// True when this CPU has BF16 arithmetic oneDNN uses.
    public static let isAvailable = computesNatively(isa: dnnl_get_effective_cpu_isa())

    /// Whether values between BF16 layers that every reader rounds to BF16 are stored in BF16
    /// (`DNNLRegionKernel.bf16RoundedValues`); `SWITCHYARD_BF16_STORAGE=0` keeps them float32,
    /// to compare. Either way the results are the same bits.
    static let storesRoundedValues = getenv("SWITCHYARD_BF16_STORAGE").map { String(cString: $0) } != "0"

    /// Whether oneDNN's `isa` includes BF16 dot products (AVX-512 BF16; AMX builds on it).
    public static func computesNatively(isa: dnnl_cpu_isa_t) -> Bool {
        isa.rawValue & dnnl_cpu_isa_avx512_core_bf16.rawValue == dnnl_cpu_isa_avx512_core_bf16.rawValue
    }
}
