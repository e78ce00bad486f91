#ifndef SWITCHYARD_CDNNL_DEQUANTIZED_MEAN_H
#define SWITCHYARD_CDNNL_DEQUANTIZED_MEAN_H
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "team.h"

/// `GlobalAveragePool(DequantizeLinear(x))` read from the bytes: the mean of each item's channel
/// over its spatial positions, `(Σ q − count · zero) · scale / count`, with the sum in integers.
/// The float graph would first write the whole dequantized tensor (four bytes per element) and
/// then read it back; a squeeze-excitation block (MobileNetV3, PP-OCR cls) does this once per block.
typedef struct {
    const uint8_t *src;
    /// `[batch][channels]` floats.
    float *dst;
    size_t batch, channels, spatial;
    /// `src` is `[batch][spatial][channels]` (`nhwc`) rather than `[batch][channels][spatial]`.
    int channels_last;
    /// The bytes are int8 rather than uint8.
    int is_signed;
    float scale;
    int32_t zero;
} switchyard_dequantized_mean_job;

static inline float switchyard_dequantized_mean_value(const switchyard_dequantized_mean_job *job, int64_t sum) {
    return (float)(sum - (int64_t)job->spatial * job->zero) * job->scale / (float)job->spatial;
}

/// Adds `count` bytes (int8 when `is_signed`) to `sums`; `restrict` lets the compiler keep the
/// sums in vector registers (a byte pointer may otherwise alias them).
__attribute__((always_inline)) static inline void switchyard_dequantized_mean_add(int32_t *restrict sums,
                                                                                  const uint8_t *restrict bytes,
                                                                                  size_t count, int is_signed) {
    if (is_signed) {
        const int8_t *restrict values = (const int8_t *)bytes;
        for (size_t c = 0; c < count; c++) sums[c] += values[c];
    } else {
        for (size_t c = 0; c < count; c++) sums[c] += bytes[c];
    }
}

/// Items `first ..< last`: whole images when channels-last, one channel of one image when planar.
__attribute__((always_inline)) static inline void switchyard_dequantized_mean_items(
    const switchyard_dequantized_mean_job *job, size_t first, size_t last, int32_t *sums) {
    const size_t channels = job->channels, spatial = job->spatial;
    if (job->channels_last) {
        // Rows of `period` bytes (a multiple of 16 and of the channel count) hold whole pixels, so
        // every vector lane adds one channel's bytes whatever the count (8 channels: two pixels a
        // vector); the lanes of each channel are folded at the end.
        const size_t period = switchyard_lcm16(channels), per_row = period / channels;
        int32_t *wide = sums + channels;
        for (size_t n = first; n < last; n++) {
            memset(wide, 0, period * sizeof(int32_t));
            const uint8_t *image = job->src + n * spatial * channels;
            const size_t rows = spatial / per_row;
            for (size_t r = 0; r < rows; r++) switchyard_dequantized_mean_add(wide, image + r * period, period, job->is_signed);
            memset(sums, 0, channels * sizeof(int32_t));
            for (size_t k = 0; k < per_row; k++) {
                for (size_t c = 0; c < channels; c++) sums[c] += wide[k * channels + c];
            }
            for (size_t s = rows * per_row; s < spatial; s++) {
                switchyard_dequantized_mean_add(sums, image + s * channels, channels, job->is_signed);
            }
            for (size_t c = 0; c < channels; c++) job->dst[n * channels + c] = switchyard_dequantized_mean_value(job, sums[c]);
        }
        return;
    }
    // A plane at a time, in chunks whose int32 sums cannot overflow (2^23 bytes of at most 255).
    for (size_t row = first; row < last; row++) {
        const uint8_t *plane = job->src + row * spatial;
        int64_t sum = 0;
        for (size_t start = 0; start < spatial; start += (size_t)1 << 23) {
            size_t count = spatial - start < ((size_t)1 << 23) ? spatial - start : ((size_t)1 << 23);
            int32_t partial[16] = {0};
            size_t body = count / 16 * 16;
            for (size_t k = 0; k < body; k += 16) switchyard_dequantized_mean_add(partial, plane + start + k, 16, job->is_signed);
            for (size_t k = 0; k < 16; k++) sum += partial[k];
            for (size_t k = body; k < count; k++) sum += job->is_signed ? (int8_t)plane[start + k] : plane[start + k];
        }
        job->dst[row] = switchyard_dequantized_mean_value(job, sum);
    }
}

#if defined(__x86_64__)
__attribute__((target("avx512f,avx512bw"))) static void
switchyard_dequantized_mean_avx512(const switchyard_dequantized_mean_job *job, size_t first, size_t last, int32_t *sums) {
    switchyard_dequantized_mean_items(job, first, last, sums);
}

__attribute__((target("avx2"))) static void
switchyard_dequantized_mean_avx2(const switchyard_dequantized_mean_job *job, size_t first, size_t last, int32_t *sums) {
    switchyard_dequantized_mean_items(job, first, last, sums);
}
#endif

/// Items `first ..< last` with the widest vectors this CPU has.
static void switchyard_dequantized_mean_range(const void *argument, size_t first, size_t last) {
    const switchyard_dequantized_mean_job *job = (const switchyard_dequantized_mean_job *)argument;
    // `channels` sums, then the channels-last kernel's `period` lanes.
    size_t count = job->channels + switchyard_lcm16(job->channels);
    int32_t *sums = (int32_t *)malloc((count > 16 ? count : 16) * sizeof(int32_t));
    if (!sums) abort();
#if defined(__x86_64__)
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw")) {
        switchyard_dequantized_mean_avx512(job, first, last, sums);
    } else if (__builtin_cpu_supports("avx2")) {
        switchyard_dequantized_mean_avx2(job, first, last, sums);
    } else {
        switchyard_dequantized_mean_items(job, first, last, sums);
    }
#else
    switchyard_dequantized_mean_items(job, first, last, sums);
#endif
    free(sums);
}

/// Runs `job` on an OpenMP team of `threads`.
static inline void switchyard_dequantized_mean(const switchyard_dequantized_mean_job *job, int threads) {
    size_t items = job->channels_last ? job->batch : job->batch * job->channels;
    size_t bytes = job->batch * job->channels * job->spatial;
    switchyard_team_run(switchyard_dequantized_mean_range, job, items, 1, bytes < 65536 ? 1 : threads);
}
#endif
