#ifndef SWITCHYARD_CDNNL_REQUANTIZE_H
#define SWITCHYARD_CDNNL_REQUANTIZE_H
#include <stdint.h>

/// The activation the engine's int8 convolution kernels apply to the real accumulator
/// `(acc + bias) · scale` before dividing by the output's scale (`QDQFusion`'s fused activations).
enum switchyard_int8_activation {
    SWITCHYARD_INT8_IDENTITY = 0,
    /// `x · sigmoid(x)` (YOLOv8's SiLU).
    SWITCHYARD_INT8_SWISH = 1,
    /// `x · clip(x / 6 + 1/2, 0, 1)` (PP-OCR's and MobileNetV3's HardSwish).
    SWITCHYARD_INT8_HARDSWISH = 2,
};

#if defined(__x86_64__)
#include <immintrin.h>

#define SWITCHYARD_DW_TARGET __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,avx512vnni,avx512vbmi")))

/// Saturates 16 output codes to bytes (int8 when `signed_output`) and stores the `valid` ones at `out`.
SWITCHYARD_DW_TARGET static inline void switchyard_int8_store_codes(int signed_output, __m512i q, uint8_t *out,
                                                                     __mmask16 valid) {
    __m128i bytes = signed_output ? _mm512_cvtsepi32_epi8(q)
                                  : _mm512_cvtusepi32_epi8(_mm512_max_epi32(q, _mm512_setzero_si512()));
    if (valid == 0xFFFF) {
        _mm_storeu_si128((__m128i *)out, bytes);
    } else {
        _mm_mask_storeu_epi8(out, valid, bytes);
    }
}

/// `sigmoid(real)`, from e^(−|real|) as `2^t`: `vreduceps` splits t into an integer k and a
/// fraction f in [−½, ½], a degree-5 polynomial (fitted for relative error, 8e-8) gives 2^f, and
/// `scalef` applies k; `1 / (1 + e)` is `rcp14` and one Newton step. SiLU through it is within
/// 8e-7 of the exact value (Cephes' exp and a division: 2e-7). A cruder one (degree 4, no Newton
/// step: 3e-5) moved YOLOv8n's INT8 outputs a third further from ONNX Runtime's on the same file,
/// through rounding flips compounding over its SiLU layers. This form (against a degree-6
/// polynomial after a clamp and `roundscale`, and separate multiplies for the output scale and
/// zero point) made YOLOv8n's narrow SiLU layers 10–21 % faster at batch 8: the epilogue shares
/// the two vector ports with the convolution and used to take as long as the convolution itself.
SWITCHYARD_DW_TARGET static inline __m512 switchyard_int8_sigmoid(__m512 real) {
    __m512 t = _mm512_mul_ps(_mm512_abs_ps(real), _mm512_set1_ps(-1.44269504088896341f));
    __m512 f = _mm512_reduce_ps(t, _MM_FROUND_TO_NEAREST_INT);
    __m512 k = _mm512_sub_ps(t, f);
    __m512 p = _mm512_fmadd_ps(_mm512_set1_ps(1.3266970636323094e-3f), f, _mm512_set1_ps(9.675459936261177e-3f));
    p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(5.550742521882057e-2f));
    p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(2.4022121727466583e-1f));
    p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(6.931469440460205e-1f));
    p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(1.0000001192092896f));
    __m512 e = _mm512_scalef_ps(p, k);
    __m512 denominator = _mm512_add_ps(_mm512_set1_ps(1.0f), e);
    __m512 inverse = _mm512_rcp14_ps(denominator);
    inverse = _mm512_mul_ps(inverse, _mm512_fnmadd_ps(denominator, inverse, _mm512_set1_ps(2.0f)));
    // sigmoid(r) = 1 / (1 + e^-r) for r ≥ 0, e^r / (1 + e^r) below.
    __mmask16 negative = _mm512_cmp_ps_mask(real, _mm512_setzero_ps(), _CMP_LT_OQ);
    return _mm512_mask_mul_ps(inverse, negative, inverse, e);
}

/// `real · clip(real / 6 + 1/2, 0, 1)`.
SWITCHYARD_DW_TARGET static inline __m512 switchyard_int8_hardswish(__m512 real) {
    __m512 gate = _mm512_fmadd_ps(real, _mm512_set1_ps(1.0f / 6.0f), _mm512_set1_ps(0.5f));
    return _mm512_mul_ps(real, _mm512_min_ps(_mm512_max_ps(gate, _mm512_setzero_ps()), _mm512_set1_ps(1.0f)));
}

/// Requantizes 16 accumulators and stores their `valid` bytes at `out`. Without an activation,
/// oneDNN's `round((acc + bias) · scale) + zero` (`scale` the requantization multipliers);
/// with one, `real = (acc + bias) · scale` (`scale` the accumulator's real scale), then
/// `round(activation(real) · output_scale) + zero`. Rounding is to nearest even, then saturation.
SWITCHYARD_DW_TARGET static inline void switchyard_int8_store(int activation, int signed_output, __m512i acc,
                                                              __m512i bias, __m512 scale, __m512 output_scale,
                                                              __m512 zero, uint8_t *out, __mmask16 valid) {
    __m512 real = _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_add_epi32(acc, bias)), scale);
    if (activation == SWITCHYARD_INT8_SWISH) {
        // real · sigmoid(real) · output_scale + zero, the last multiply and add as one FMA.
        __m512 code = _mm512_fmadd_ps(_mm512_mul_ps(real, output_scale), switchyard_int8_sigmoid(real), zero);
        switchyard_int8_store_codes(signed_output, _mm512_cvtps_epi32(code), out, valid);
        return;
    }
    if (activation == SWITCHYARD_INT8_HARDSWISH) {
        real = _mm512_mul_ps(switchyard_int8_hardswish(real), output_scale);
    }
    switchyard_int8_store_codes(signed_output, _mm512_cvtps_epi32(_mm512_add_ps(real, zero)), out, valid);
}
#endif
#endif
