import CDNNL

/// Whether oneDNN computes BF16 convolutions and matmuls with native BF16 dot products on this
/// CPU (AVX-512 BF16 or AMX), from the ISA oneDNN dispatches to (queried, never assumed).
/// Without them oneDNN's BF16 kernels emulate the arithmetic and are slower than float32.
public enum DNNLBF16Support {
    /// True when this CPU has BF16 arithmetic oneDNN uses.
    public static let isAvailable: Bool = {
        let isa = dnnl_get_effective_cpu_isa().rawValue
        let bf16 = dnnl_cpu_isa_avx512_core_bf16.rawValue
        return isa & bf16 == bf16
    }()
}
