#ifndef SWITCHYARD_CDNNL_LOOKUP_H
#define SWITCHYARD_CDNNL_LOOKUP_H
#include <stddef.h>
#include <stdint.h>
#include "team.h"

/// Byte table lookups for quantized elementwise chains (`QuantizedLookup` inside oneDNN regions):
/// `out[i] = table[a[i]]` (256 entries) or `table[a[i] << 8 | b[i]]` (65,536 entries). The bytes
/// are raw: the caller has arranged the table for the element types (int8's sign bit flipped).

#if defined(__x86_64__)
#include <immintrin.h>
/// 64 bytes per step: AVX-512 VBMI's `vpermi2b` selects from 128 table bytes by the low 7 bits
/// of each index; two of them cover the table's halves and the index's top bit picks one.
__attribute__((target("avx512f,avx512bw,avx512vbmi")))
static inline void switchyard_lookup8_vbmi(const uint8_t *a, uint8_t *out, size_t count, const uint8_t *table) {
    const __m512i t0 = _mm512_loadu_si512(table), t1 = _mm512_loadu_si512(table + 64);
    const __m512i t2 = _mm512_loadu_si512(table + 128), t3 = _mm512_loadu_si512(table + 192);
    for (size_t i = 0; i < count; i += 64) {
        __mmask64 valid = count - i >= 64 ? ~(__mmask64)0 : (((__mmask64)1 << (count - i)) - 1);
        __m512i index = _mm512_maskz_loadu_epi8(valid, a + i);
        __m512i low = _mm512_permutex2var_epi8(t0, index, t1), high = _mm512_permutex2var_epi8(t2, index, t3);
        _mm512_mask_storeu_epi8(out + i, valid, _mm512_mask_blend_epi8(_mm512_movepi8_mask(index), low, high));
    }
}
#endif

/// The portable loop, what CPUs without VBMI run (and what tests compare the vector path with).
static inline void switchyard_lookup8_scalar(const uint8_t *a, uint8_t *out, size_t count, const uint8_t *table) {
    for (size_t i = 0; i < count; i++) out[i] = table[a[i]];
}

/// True when `switchyard_lookup8` takes the AVX-512 VBMI path on this CPU.
static inline int switchyard_lookup8_is_vectorized(void) {
#if defined(__x86_64__)
    return __builtin_cpu_supports("avx512vbmi");
#else
    return 0;
#endif
}

/// `out[i] = table[a[i]]` for `count` bytes; `out` may be `a`.
static inline void switchyard_lookup8(const uint8_t *a, uint8_t *out, size_t count, const uint8_t *table) {
#if defined(__x86_64__)
    if (switchyard_lookup8_is_vectorized()) {
        switchyard_lookup8_vbmi(a, out, count, table);
        return;
    }
#endif
    switchyard_lookup8_scalar(a, out, count, table);
}

/// `out[i] = table[a[i] << 8 | b[i]]` for `count` bytes; `out` may be `a` or `b`.
static inline void switchyard_lookup8_pairs(const uint8_t *a, const uint8_t *b, uint8_t *out, size_t count,
                                            const uint8_t *table) {
    for (size_t i = 0; i < count; i++) out[i] = table[(size_t)a[i] << 8 | b[i]];
}

struct switchyard_lookup_job { const uint8_t *a, *b; uint8_t *out; const uint8_t *table; };

static void switchyard_lookup_range_of(const void *argument, size_t first, size_t last) {
    const struct switchyard_lookup_job *job = (const struct switchyard_lookup_job *)argument;
    if (job->b) {
        switchyard_lookup8_pairs(job->a + first, job->b + first, job->out + first, last - first, job->table);
    } else {
        switchyard_lookup8(job->a + first, job->out + first, last - first, job->table);
    }
}

/// `switchyard_lookup8` (`b` null) or `switchyard_lookup8_pairs` split over an OpenMP team of
/// `threads` (the one oneDNN's primitives use on this thread). Below 64 KiB the calling thread
/// does it alone: waking the team would cost more.
static inline void switchyard_lookup8_team(const uint8_t *a, const uint8_t *b, uint8_t *out, size_t count,
                                           const uint8_t *table, int threads) {
    struct switchyard_lookup_job job = { a, b, out, table };
    // Whole cache lines per member, so no two members write one.
    switchyard_team_run(switchyard_lookup_range_of, &job, count, 64, count < 65536 ? 1 : threads);
}

#endif
