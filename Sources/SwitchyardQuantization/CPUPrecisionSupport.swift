import CDNNL
import SwitchyardEngine

/// What this CPU computes natively, from oneDNN's effective ISA (never assumed): FP16 and BF16
/// are storage formats unless oneDNN can run them.
public struct CPUPrecisionSupport: Sendable {
    /// oneDNN's name for the instruction set it dispatches to (`avx2`, `avx512_core_bf16`…).
    public let isa: String
    /// BF16 convolutions and matmuls (AVX-512 BF16 or AMX).
    public let nativeBF16: Bool
    /// INT8 dot products (VNNI); without it oneDNN still runs u8×s8 on AVX2 via `vpmaddubsw`.
    public let nativeVNNI: Bool
    /// oneDNN 2.6 has no FP16 compute on CPUs: FP16 is always converted for compute.
    public let nativeFP16 = false

    /// The running CPU, as oneDNN sees it.
    public static var current: CPUPrecisionSupport { CPUPrecisionSupport(isa: dnnl_get_effective_cpu_isa()) }

    init(isa: dnnl_cpu_isa_t) {
        let names: [(dnnl_cpu_isa_t, String)] = [
            (dnnl_cpu_isa_avx2_vnni, "avx2_vnni"), (dnnl_cpu_isa_avx512_core_amx, "avx512_core_amx"),
            (dnnl_cpu_isa_avx512_core_bf16, "avx512_core_bf16"), (dnnl_cpu_isa_avx512_core_vnni, "avx512_core_vnni"),
            (dnnl_cpu_isa_avx512_core, "avx512_core"), (dnnl_cpu_isa_avx2, "avx2"), (dnnl_cpu_isa_avx, "avx"),
            (dnnl_cpu_isa_sse41, "sse41"),
        ]
        self.isa = names.first { $0.0 == isa }?.1 ?? "isa 0x\(String(isa.rawValue, radix: 16))"
        nativeBF16 = DNNLBF16Support.computesNatively(isa: isa)
        nativeVNNI = DNNLInt8Support.hasVNNI(isa: isa)
    }

    /// How `precision` is computed here, for reports and `inspect`.
    public func computePath(for precision: QuantizationPrecision) -> String {
        switch precision {
        case .fp16:
            "FP16 is a storage format on this CPU (oneDNN ISA \(isa), no FP16 arithmetic): weights are converted to FP32 once at load and computed in FP32"
        case .bf16:
            nativeBF16
                ? "BF16 compute on this CPU (oneDNN ISA \(isa)): convolutions and matmuls whose weights are stored in BF16 run on oneDNN's BF16 kernels (FP32 results); every other op computes in FP32"
                : "BF16 is a storage format on this CPU (oneDNN ISA \(isa), no avx512_bf16): weights are converted to FP32 once at load and computed in FP32"
        case .int8, .int8Dynamic:
            nativeVNNI
                ? "INT8 with VNNI dot products (oneDNN ISA \(isa))"
                : "INT8 without VNNI (oneDNN ISA \(isa)): oneDNN's u8×s8 AVX2 kernels (vpmaddubsw) where the engine fuses the pattern"
        }
    }
}

import SwitchyardGraph

extension CPUPrecisionSupport {
    /// How `model`'s low-precision weights are computed here (from the stored weight types),
    /// or nil for an all-FP32 model; `inspect` prints it.
    public func computePath(of model: Model) -> String? {
        let types = Set(model.graph.initializers.values.filter { $0.rank >= 2 }.map(\.dataType))
        if types.contains(.int8) || types.contains(.uint8) { return computePath(for: .int8) }
        if types.contains(.bfloat16) { return computePath(for: .bf16) }
        if types.contains(.float16) { return computePath(for: .fp16) }
        return nil
    }
}
