#ifndef SWITCHYARD_CDNNL_SHIM_H
#define SWITCHYARD_CDNNL_SHIM_H
#include <oneapi/dnnl/dnnl.h>
#include <stddef.h>
#include <stdint.h>
#include "team.h"

/// `DNNL_MEMORY_ALLOCATE` is a macro, which Swift does not import.
static inline void *switchyard_dnnl_memory_allocate(void) { return DNNL_MEMORY_ALLOCATE; }
/// `DNNL_MEMORY_NONE`, likewise.
static inline void *switchyard_dnnl_memory_none(void) { return DNNL_MEMORY_NONE; }
/// `DNNL_RUNTIME_DIM_VAL`, likewise.
static inline int64_t switchyard_dnnl_runtime_dim(void) { return DNNL_RUNTIME_DIM_VAL; }

/// `DNNL_ARG_ATTR_MULTIPLE_POST_OP(index)`, a function-like macro: the argument base of
/// post-op number `index` (OR it with `DNNL_ARG_SRC_1` for a binary post-op's operand).
static inline int switchyard_dnnl_arg_post_op(int index) { return DNNL_ARG_ATTR_MULTIPLE_POST_OP(index); }

/// Sets the OpenMP team size of the calling thread (Debian's oneDNN uses GNU OpenMP).
void omp_set_num_threads(int);
int omp_get_max_threads(void);

/// SiLU, `x·sigmoid(x)`, of `count` floats in place, with sigmoid as MLAS's rational
/// approximation on [-18, 18] (absolute error below 2e-8; zero below -18). oneDNN 2.6's `swish`
/// post-op costs about 1 ns per element on AVX2, often more than a small convolution itself;
/// this pass over the convolution's output costs about a third of that.
#if defined(__x86_64__)
#include <immintrin.h>
__attribute__((target("avx2,fma"))) static inline void switchyard_silu_avx2(float *x, size_t count) {
    const __m256 lo = _mm256_set1_ps(-18.f), hi = _mm256_set1_ps(18.f), half = _mm256_set1_ps(0.5f);
    const __m256 a9 = _mm256_set1_ps(4.37031012579801e-11f), a7 = _mm256_set1_ps(1.15627324459942e-07f);
    const __m256 a5 = _mm256_set1_ps(6.08574864600143e-05f), a3 = _mm256_set1_ps(8.51377133304701e-03f);
    const __m256 a1 = _mm256_set1_ps(2.48287947061529e-01f), b10 = _mm256_set1_ps(6.10247389755681e-13f);
    const __m256 b8 = _mm256_set1_ps(5.76102136993427e-09f), b6 = _mm256_set1_ps(6.29106785017040e-06f);
    const __m256 b4 = _mm256_set1_ps(1.70198817374094e-03f), b2 = _mm256_set1_ps(1.16817656904453e-01f);
    const __m256 b0 = _mm256_set1_ps(9.93151921023180e-01f);
    for (size_t i = 0; i + 8 <= count; i += 8) {
        __m256 v = _mm256_loadu_ps(x + i);
        __m256 c = _mm256_min_ps(_mm256_max_ps(v, lo), hi), c2 = _mm256_mul_ps(c, c);
        __m256 p = _mm256_fmadd_ps(a9, c2, a7);
        p = _mm256_fmadd_ps(p, c2, a5); p = _mm256_fmadd_ps(p, c2, a3); p = _mm256_fmadd_ps(p, c2, a1);
        p = _mm256_mul_ps(p, c);
        __m256 q = _mm256_fmadd_ps(b10, c2, b8);
        q = _mm256_fmadd_ps(q, c2, b6); q = _mm256_fmadd_ps(q, c2, b4); q = _mm256_fmadd_ps(q, c2, b2);
        q = _mm256_fmadd_ps(q, c2, b0);
        __m256 y = _mm256_mul_ps(v, _mm256_add_ps(_mm256_div_ps(p, q), half));
        // Below -18, x·sigmoid(x) is under 3e-7 in magnitude: zero, not x·sigmoid(-18) (NaN kept).
        _mm256_storeu_ps(x + i, _mm256_and_ps(_mm256_cmp_ps(v, lo, _CMP_NLT_UQ), y));
    }
}
#endif

static inline void switchyard_silu_inplace(float *x, size_t count) {
    size_t done = 0;
#if defined(__x86_64__)
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
        done = count / 8 * 8;
        switchyard_silu_avx2(x, done);
    }
#endif
    for (size_t i = done; i < count; i++) {
        float c = x[i] < -18.f ? -18.f : (x[i] > 18.f ? 18.f : x[i]), c2 = c * c;
        float p = ((((4.37031012579801e-11f * c2 + 1.15627324459942e-07f) * c2 + 6.08574864600143e-05f) * c2
                   + 8.51377133304701e-03f) * c2 + 2.48287947061529e-01f) * c;
        float q = ((((6.10247389755681e-13f * c2 + 5.76102136993427e-09f) * c2 + 6.29106785017040e-06f) * c2
                   + 1.70198817374094e-03f) * c2 + 1.16817656904453e-01f) * c2 + 9.93151921023180e-01f;
        x[i] = x[i] < -18.f ? 0.f : x[i] * (p / q + 0.5f);
    }
}

static void switchyard_silu_range_of(const void *x, size_t first, size_t last) {
    switchyard_silu_inplace((float *)x + first, last - first);
}

/// `switchyard_silu_inplace` split over an OpenMP team of `threads`. Below 16K elements (about
/// 5 µs of work) the pass stays on the calling thread: waking the team would cost more.
static inline void switchyard_silu_inplace_team(float *x, size_t count, int threads) {
    // Whole multiples of 16 floats (64 bytes) per member, so no two members write one cache line.
    switchyard_team_run(switchyard_silu_range_of, x, count, 16, count < 16384 ? 1 : threads);
}

#endif
