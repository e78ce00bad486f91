import CDNNL
#if canImport(Glibc)
import Glibc
#endif

/// Whether oneDNN runs int8 convolutions and matmuls with its JIT kernels on this CPU, from the
/// ISA oneDNN dispatches to (`dnnl_get_effective_cpu_isa`, queried, never assumed).
///
/// oneDNN 2.6 has JIT int8 kernels from AVX2 up (u8 × s8 through `vpmaddubsw`; `vpdpbusd` with
/// VNNI). Below AVX2 only its scalar `ref` implementations exist, which are slower than
/// computing the dequantized graph in float32: `QDQFusion` then leaves QDQ models as they are.
public enum DNNLInt8Support {
    /// True when int8 convolutions and matmuls run on oneDNN's JIT kernels here.
    public static let isAvailable: Bool = {
        let isa = dnnl_get_effective_cpu_isa().rawValue
        let avx2 = dnnl_cpu_isa_avx2.rawValue
        return isa & avx2 == avx2
    }()

    /// True when the CPU has VNNI int8 dot products (AVX-512 VNNI or AVX-VNNI).
    public static let hasVNNI = hasVNNI(isa: dnnl_get_effective_cpu_isa())

    /// Whether oneDNN's `isa` includes VNNI int8 dot products.
    public static func hasVNNI(isa: dnnl_cpu_isa_t) -> Bool {
        isa.rawValue & dnnl_cpu_isa_avx512_core_vnni.rawValue == dnnl_cpu_isa_avx512_core_vnni.rawValue
            || isa.rawValue & dnnl_cpu_isa_avx2_vnni.rawValue == dnnl_cpu_isa_avx2_vnni.rawValue
    }

    /// True when the engine runs its own int8 kernels (`DNNLQuantizedDepthwise`,
    /// `DNNLQuantizedNarrowConvolution`): the CPU has AVX-512 with VNNI and VBMI, oneDNN may use AVX-512 VNNI
    /// (`ONEDNN_MAX_CPU_ISA` limits both), and `SWITCHYARD_OWN_INT8_KERNELS` is not `0` (which
    /// leaves those convolutions to oneDNN, to compare).
    public static let hasOwnKernels = switchyard_dw_is_supported() != 0
        && dnnl_get_effective_cpu_isa().rawValue & dnnl_cpu_isa_avx512_core_vnni.rawValue
            == dnnl_cpu_isa_avx512_core_vnni.rawValue
        && getenv("SWITCHYARD_OWN_INT8_KERNELS").map { String(cString: $0) } != "0"

    /// One line for load reports: how int8 patterns compute on this CPU.
    public static var summary: String {
        if !isAvailable {
            return "int8: oneDNN has no JIT int8 kernels for this CPU (below AVX2); QDQ models compute in float32"
        }
        if hasOwnKernels {
            return "int8: oneDNN JIT kernels with VNNI dot products; depthwise, first-layer and narrow SiLU convolutions on Switchyard's AVX-512 VNNI kernels"
        }
        return hasVNNI ? "int8: oneDNN JIT kernels with VNNI dot products"
            : "int8: oneDNN JIT kernels on AVX2 without VNNI (u8 x s8 via vpmaddubsw)"
    }
}
