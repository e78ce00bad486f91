#ifndef SWITCHYARD_CDNNL_SOFTMAX_H
#define SWITCHYARD_CDNNL_SOFTMAX_H
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include "team.h"

/// Softmax (or LogSoftmax) over an axis that is not innermost in a plain float32 tensor viewed as
/// `outer × axis × inner`, e.g. YOLOv8's DFL head (axis 1 of `[N, 16, 4, anchors]`). oneDNN's
/// vectorized softmax wants the axis innermost, so it needed two reorders around it; here 16
/// neighbouring positions along `inner` are normalized at once, reading the axis with stride
/// `inner`, and the tensor never moves.
///
/// `exp` is Cephes' single-precision polynomial (relative error under 2e-7); the tail of `inner`
/// not filling 16 lanes uses libm's `expf`.

typedef float switchyard_sm_f16 __attribute__((vector_size(64)));
typedef int32_t switchyard_sm_i16 __attribute__((vector_size(64)));

__attribute__((always_inline)) static inline switchyard_sm_f16 switchyard_sm_load(const float *p) {
    switchyard_sm_f16 v;
    __builtin_memcpy(&v, p, sizeof v);
    return v;
}

__attribute__((always_inline)) static inline void switchyard_sm_store(float *p, switchyard_sm_f16 v) {
    __builtin_memcpy(p, &v, sizeof v);
}

__attribute__((always_inline)) static inline switchyard_sm_f16 switchyard_sm_max(switchyard_sm_f16 a, switchyard_sm_f16 b) {
    switchyard_sm_i16 greater = a > b;
    return (switchyard_sm_f16)((greater & (switchyard_sm_i16)a) | (~greater & (switchyard_sm_i16)b));
}

/// e^x for x ≤ 0 (inputs minus their maximum); below -87.3 the result is 0.
__attribute__((always_inline)) static inline switchyard_sm_f16 switchyard_sm_exp(switchyard_sm_f16 x) {
    switchyard_sm_i16 underflow = x < -87.3f;
    switchyard_sm_f16 clamped = switchyard_sm_max(x, (switchyard_sm_f16){} - 87.3f);
    switchyard_sm_f16 t = clamped * 1.44269504088896341f + 0.5f;
    switchyard_sm_i16 k = __builtin_convertvector(t, switchyard_sm_i16);
    switchyard_sm_f16 fk = __builtin_convertvector(k, switchyard_sm_f16);
    // Truncation rounded toward zero: step down where that went above t (floor).
    switchyard_sm_i16 above = fk > t;
    k += above;
    fk = __builtin_convertvector(k, switchyard_sm_f16);
    switchyard_sm_f16 r = clamped - fk * 0.693359375f - fk * -2.12194440e-4f;
    switchyard_sm_f16 p = 1.9875691500e-4f * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * r * r + r + 1.0f;
    switchyard_sm_i16 scale = (k + 127) << 23;
    return (switchyard_sm_f16)(~underflow & (switchyard_sm_i16)(p * (switchyard_sm_f16)scale));
}

/// Work items `first ..< last`, each 16 positions along `inner` of one outer index (or the tail).
__attribute__((always_inline)) static inline void switchyard_softmax_strided_body(
    const float *src, float *dst, size_t axis, size_t inner, int logarithm, size_t first, size_t last) {
    size_t chunks = (inner + 15) / 16;
    for (size_t item = first; item < last; item++) {
        size_t o = item / chunks, i = item % chunks * 16;
        const float *s = src + o * axis * inner + i;
        float *d = dst + o * axis * inner + i;
        if (i + 16 <= inner) {
            switchyard_sm_f16 m = switchyard_sm_load(s);
            for (size_t j = 1; j < axis; j++) m = switchyard_sm_max(m, switchyard_sm_load(s + j * inner));
            switchyard_sm_f16 sum = {};
            for (size_t j = 0; j < axis; j++) {
                switchyard_sm_f16 e = switchyard_sm_exp(switchyard_sm_load(s + j * inner) - m);
                sum += e;
                if (!logarithm) switchyard_sm_store(d + j * inner, e);
            }
            if (logarithm) {
                switchyard_sm_f16 shift;
                for (int lane = 0; lane < 16; lane++) shift[lane] = m[lane] + logf(sum[lane]);
                for (size_t j = 0; j < axis; j++) switchyard_sm_store(d + j * inner, switchyard_sm_load(s + j * inner) - shift);
            } else {
                for (size_t j = 0; j < axis; j++) switchyard_sm_store(d + j * inner, switchyard_sm_load(d + j * inner) / sum);
            }
            continue;
        }
        for (size_t lane = 0; i + lane < inner; lane++) {
            float m = s[lane];
            for (size_t j = 1; j < axis; j++) m = s[j * inner + lane] > m ? s[j * inner + lane] : m;
            float sum = 0;
            for (size_t j = 0; j < axis; j++) sum += expf(s[j * inner + lane] - m);
            for (size_t j = 0; j < axis; j++) {
                float x = s[j * inner + lane] - m;
                d[j * inner + lane] = logarithm ? x - logf(sum) : expf(x) / sum;
            }
        }
    }
}

__attribute__((target("avx512f"))) static void switchyard_softmax_strided_avx512(
    const float *src, float *dst, size_t axis, size_t inner, int logarithm, size_t first, size_t last) {
    switchyard_softmax_strided_body(src, dst, axis, inner, logarithm, first, last);
}

__attribute__((target("avx2"))) static void switchyard_softmax_strided_avx2(
    const float *src, float *dst, size_t axis, size_t inner, int logarithm, size_t first, size_t last) {
    switchyard_softmax_strided_body(src, dst, axis, inner, logarithm, first, last);
}

static void switchyard_softmax_strided_baseline(
    const float *src, float *dst, size_t axis, size_t inner, int logarithm, size_t first, size_t last) {
    switchyard_softmax_strided_body(src, dst, axis, inner, logarithm, first, last);
}

struct switchyard_softmax_job { const float *src; float *dst; size_t outer, axis, inner; int logarithm; };

static void switchyard_softmax_strided_range(const struct switchyard_softmax_job *job, size_t first, size_t last) {
    if (__builtin_cpu_supports("avx512f")) {
        switchyard_softmax_strided_avx512(job->src, job->dst, job->axis, job->inner, job->logarithm, first, last);
    } else if (__builtin_cpu_supports("avx2")) {
        switchyard_softmax_strided_avx2(job->src, job->dst, job->axis, job->inner, job->logarithm, first, last);
    } else {
        switchyard_softmax_strided_baseline(job->src, job->dst, job->axis, job->inner, job->logarithm, first, last);
    }
}

static void switchyard_softmax_strided_range_of(const void *job, size_t first, size_t last) {
    switchyard_softmax_strided_range((const struct switchyard_softmax_job *)job, first, last);
}

/// The softmax of `src` (`outer × axis × inner` floats) into `dst` (the same shape; not `src`),
/// split over an OpenMP team of `threads` above 64K elements.
static inline void switchyard_softmax_strided(const float *src, float *dst, size_t outer, size_t axis, size_t inner,
                                              int logarithm, int threads) {
    struct switchyard_softmax_job job = { src, dst, outer, axis, inner, logarithm };
    switchyard_team_run(switchyard_softmax_strided_range_of, &job, outer * ((inner + 15) / 16), 1,
                        outer * axis * inner < 65536 ? 1 : threads);
}

#endif
