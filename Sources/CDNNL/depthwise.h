#ifndef SWITCHYARD_CDNNL_DEPTHWISE_H
#define SWITCHYARD_CDNNL_DEPTHWISE_H
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "team.h"
#include "requantize.h"

/// Depthwise int8 convolution (one filter per channel, dilation 1) on `nhwc` bytes with AVX-512
/// VNNI, for CPUs where oneDNN 2.6 has no 4-way dot product for it: its depthwise kernels multiply
/// one tap per instruction, so int8 ran barely faster than float32.
///
/// Here `vpdpbusd` multiplies four horizontal taps of sixteen channels at once. Each input row of
/// a 16-channel block is rearranged once, into 64-byte groups holding input columns `w … w+3` of
/// every channel side by side (one `vpermb`), and every output row that reads it reuses it: a
/// 5×5 filter is 10 instructions per 16 outputs instead of 25.
///
/// The source zero point is exact: padding is filled with it, and `-zero · Σ w` is folded into
/// the bias when the weights are packed. Requantization is `switchyard_int8_store`'s: oneDNN's
/// `(acc + bias) · scale`, plus the destination zero point, rounded to nearest even and saturated;
/// with a fused activation (PP-OCR's HardSwish) it is applied to the real value first.

/// The weights as the kernel reads them: `[channel block][kh][tap group][16 channels][4 taps]`,
/// taps past the filter's width and channels past `channels` zero.
static inline size_t switchyard_dw_packed_weight_bytes(size_t channels, int kernel_h, int kernel_w) {
    return (channels + 15) / 16 * (size_t)kernel_h * (size_t)((kernel_w + 3) / 4) * 64;
}

/// Packs `weights` (`[channels][kernel_h][kernel_w]` int8) into `packed`
/// (`switchyard_dw_packed_weight_bytes`), and writes `bias_out[c] = bias[c] - source_zero · Σ w_c`
/// and `scales_out[c]` for `c < round_up(channels, 16)` (`bias` may be NULL; `scales` has
/// `channels` entries, or one when `scale_count` is 1).
static inline void switchyard_dw_pack(const int8_t *weights, const int32_t *bias, const float *scales,
                                      size_t scale_count, size_t channels, int kernel_h, int kernel_w,
                                      int32_t source_zero, int8_t *packed, int32_t *bias_out, float *scales_out) {
    size_t blocks = (channels + 15) / 16, groups = (size_t)(kernel_w + 3) / 4;
    memset(packed, 0, switchyard_dw_packed_weight_bytes(channels, kernel_h, kernel_w));
    for (size_t c = 0; c < blocks * 16; c++) {
        int32_t sum = 0;
        if (c < channels) {
            for (int kh = 0; kh < kernel_h; kh++) {
                for (int kw = 0; kw < kernel_w; kw++) {
                    int8_t w = weights[(c * (size_t)kernel_h + (size_t)kh) * (size_t)kernel_w + (size_t)kw];
                    size_t at = (((c / 16 * (size_t)kernel_h + (size_t)kh) * groups + (size_t)kw / 4) * 16 + c % 16) * 4
                        + (size_t)kw % 4;
                    packed[at] = w;
                    sum += w;
                }
            }
        }
        bias_out[c] = (c < channels && bias ? bias[c] : 0) - source_zero * sum;
        scales_out[c] = c < channels ? scales[scale_count == 1 ? 0 : c] : 0.0f;
    }
}

/// Output rows of one work item (all its channel blocks): a band's input rows stay in cache across
/// the blocks. One block of a whole image at a time, PP-OCR det's 3×3 layer over 32 channels at
/// 320² (stride 2) read its input from memory twice: 5.05 ms at batch 8, 3.8 ms by bands.
#define SWITCHYARD_DW_BAND 16

/// The tallest filter the kernel takes.
#define SWITCHYARD_DW_MAX_KERNEL 16

/// One depthwise convolution: `src` `[batch][height][width][channels]` bytes (uint8), `dst`
/// `[batch][out_height][out_width][channels]` (uint8, or int8 when `signed_output`).
struct switchyard_dw_job {
    const uint8_t *src;
    uint8_t *dst;
    size_t batch, height, width, channels, out_height, out_width;
    int kernel_h, kernel_w, stride_h, stride_w, pad_top, pad_left;
    const int8_t *packed_weights;
    const int32_t *bias;
    const float *scales;
    uint8_t source_zero;
    /// `enum switchyard_int8_activation`; with one, `scales` are the accumulator's real scale and
    /// `output_scale` is `1 / y_scale`.
    int activation;
    float output_scale;
    float destination_zero;
    int signed_output;
};

#if defined(__x86_64__)
/// Output columns computed at once: six accumulators hide `vpdpbusd`'s latency (4 and 8 measured slower).
#define SWITCHYARD_DW_TILE 6

/// The input rows the output rows of a band read, each prepared once into one of `kernel_h` ring
/// slots of `slot_bytes` (a kernel's own layout of the row), or the `padding` row (every byte the
/// zero point) above and below the image.
struct switchyard_row_ring {
    uint8_t *slots;
    size_t slot_bytes;
    const uint8_t *padding;
    long height;
    int count;
    long rows[SWITCHYARD_DW_MAX_KERNEL];
};

/// Forgets every prepared row (a new image or channel block).
static inline void switchyard_row_ring_reset(struct switchyard_row_ring *ring) {
    for (int k = 0; k < ring->count; k++) ring->rows[k] = -1;
}

/// Points `rows[kh]` at input row `top + kh` for every filter row, preparing the ones not in the
/// ring with `prepare(context, ih, slot)`.
static inline void switchyard_row_ring_rows(struct switchyard_row_ring *ring, long top, const uint8_t **rows,
                                            void (*prepare)(const void *context, size_t ih, uint8_t *slot),
                                            const void *context) {
    for (int kh = 0; kh < ring->count; kh++) {
        long ih = top + kh;
        if (ih < 0 || ih >= ring->height) {
            rows[kh] = ring->padding;
            continue;
        }
        size_t slot = (size_t)ih % (size_t)ring->count;
        uint8_t *row = ring->slots + slot * ring->slot_bytes;
        if (ring->rows[slot] != ih) {
            prepare(context, (size_t)ih, row);
            ring->rows[slot] = ih;
        }
        rows[kh] = row;
    }
}

/// Interleaves one padded row (16 bytes per column) into `columns` groups of 4 columns, starting
/// every `step` columns.
SWITCHYARD_DW_TARGET static inline void switchyard_dw_interleave(const uint8_t *row, uint8_t *groups, size_t columns,
                                                                  size_t step) {
    // Output byte 4c + j is input byte 16j + c: column j of the group, channel c.
    static const uint8_t order[64] = {
        0, 16, 32, 48, 1, 17, 33, 49, 2, 18, 34, 50, 3, 19, 35, 51, 4, 20, 36, 52, 5, 21, 37, 53,
        6, 22, 38, 54, 7, 23, 39, 55, 8, 24, 40, 56, 9, 25, 41, 57, 10, 26, 42, 58, 11, 27, 43, 59,
        12, 28, 44, 60, 13, 29, 45, 61, 14, 30, 46, 62, 15, 31, 47, 63};
    const __m512i index = _mm512_loadu_si512(order);
    for (size_t w = 0; w < columns; w++) {
        _mm512_storeu_si512(groups + w * 64, _mm512_permutexvar_epi8(index, _mm512_loadu_si512(row + w * step * 16)));
    }
}

/// Copies input row `ih` of channels `c0 ..< c0+16` of image `n` into the columns of `row` (of
/// `columns`) that are inside the image; the padding columns keep the zero point they were filled
/// with. Input columns past the last one a filter reads are left out.
SWITCHYARD_DW_TARGET static inline void switchyard_dw_gather_row(const struct switchyard_dw_job *job, size_t n,
                                                                  size_t ih, size_t c0, uint8_t *row, size_t columns) {
    const uint8_t *p = job->src + (n * job->height + ih) * job->width * job->channels + c0;
    uint8_t *out = row + (size_t)job->pad_left * 16;
    size_t room = columns - (size_t)job->pad_left, stride = job->channels;
    size_t width = job->width < room ? job->width : room;
    if (job->channels - c0 >= 16) {
        for (size_t w = 0; w < width; w++) _mm_storeu_si128((__m128i *)(out + w * 16), _mm_loadu_si128((const __m128i *)(p + w * stride)));
    } else {
        __mmask16 valid = (__mmask16)((1u << (job->channels - c0)) - 1);
        const __m128i zero = _mm_set1_epi8((char)job->source_zero);
        for (size_t w = 0; w < width; w++) _mm_storeu_si128((__m128i *)(out + w * 16), _mm_mask_loadu_epi8(zero, valid, p + w * stride));
    }
}

struct switchyard_dw_row_context {
    const struct switchyard_dw_job *job;
    size_t n, c0;
    uint8_t *row;
    size_t row_columns, group_columns, step;
};

/// Gathers input row `ih` of a channel block and interleaves it into `slot`.
SWITCHYARD_DW_TARGET static void switchyard_dw_prepare_row(const void *argument, size_t ih, uint8_t *slot) {
    const struct switchyard_dw_row_context *context = (const struct switchyard_dw_row_context *)argument;
    switchyard_dw_gather_row(context->job, context->n, ih, context->c0, context->row, context->row_columns);
    switchyard_dw_interleave(context->row, slot, context->group_columns, context->step);
}

/// Work items `first ..< last`, each a band of `SWITCHYARD_DW_BAND` output rows of one image.
SWITCHYARD_DW_TARGET static void switchyard_dw_range(const struct switchyard_dw_job *job, size_t first, size_t last) {
    const int kh_count = job->kernel_h, groups = (job->kernel_w + 3) / 4, sw = job->stride_w;
    // The last column a group the outputs read starts at; a group reads 4 columns of the padded row.
    size_t last_column = (job->out_width - 1) * (size_t)sw + 4 * (size_t)(groups - 1);
    size_t row_columns = last_column + 4;
    // With a stride of 2 (or 4) only every second (fourth) column starts a group an output reads.
    const size_t step = 4 % sw == 0 ? (size_t)sw : 1, advance = (size_t)sw / step, group_advance = 4 / step;
    size_t group_columns = last_column / step + 1;
    uint8_t *row = (uint8_t *)aligned_alloc(64, (row_columns * 16 + 63) / 64 * 64);
    // A row above or below the image is the zero point in every byte, interleaved or not.
    uint8_t *padding = (uint8_t *)aligned_alloc(64, group_columns * 64);
    memset(padding, job->source_zero, group_columns * 64);
    struct switchyard_row_ring ring = { (uint8_t *)aligned_alloc(64, (size_t)kh_count * group_columns * 64),
                                        group_columns * 64, padding, (long)job->height, kh_count, {0} };
    const int signed_output = job->signed_output, activation = job->activation;
    size_t blocks = (job->channels + 15) / 16;
    const __m512 zero = _mm512_set1_ps(job->destination_zero), output_scale = _mm512_set1_ps(job->output_scale);
    size_t bands = (job->out_height + SWITCHYARD_DW_BAND - 1) / SWITCHYARD_DW_BAND;
    for (size_t unit = first * blocks; unit < last * blocks; unit++) {
        // Every channel block of one band before the next band: the band's input rows, read
        // once from memory, stay in cache for the other blocks.
        size_t item = unit / blocks, n = item / bands, c0 = unit % blocks * 16;
        size_t first_row = item % bands * SWITCHYARD_DW_BAND;
        size_t end_row = first_row + SWITCHYARD_DW_BAND < job->out_height ? first_row + SWITCHYARD_DW_BAND : job->out_height;
        size_t lanes = job->channels - c0 < 16 ? job->channels - c0 : 16;
        __mmask16 valid = (__mmask16)((1u << lanes) - 1);
        const int8_t *weights = job->packed_weights + c0 / 16 * (size_t)kh_count * (size_t)groups * 64;
        __m512i bias = _mm512_loadu_si512(job->bias + c0);
        __m512 scale = _mm512_loadu_ps(job->scales + c0);
        switchyard_row_ring_reset(&ring);
        memset(row, job->source_zero, row_columns * 16);
        struct switchyard_dw_row_context context = { job, n, c0, row, row_columns, group_columns, step };
        for (size_t oh = first_row; oh < end_row; oh++) {
            const uint8_t *rows[SWITCHYARD_DW_MAX_KERNEL];
            switchyard_row_ring_rows(&ring, (long)oh * job->stride_h - job->pad_top, rows, switchyard_dw_prepare_row,
                                     &context);
            uint8_t *out = job->dst + ((n * job->out_height + oh) * job->out_width) * job->channels + c0;
            size_t ow = 0;
            for (; ow + SWITCHYARD_DW_TILE <= job->out_width; ow += SWITCHYARD_DW_TILE) {
                __m512i acc[SWITCHYARD_DW_TILE];
                _Pragma("GCC unroll 16") for (int t = 0; t < SWITCHYARD_DW_TILE; t++) acc[t] = _mm512_setzero_si512();
                for (int kh = 0; kh < kh_count; kh++) {
                    const uint8_t *r = rows[kh] + ow * advance * 64;
                    for (int g = 0; g < groups; g++) {
                        __m512i w = _mm512_loadu_si512(weights + ((size_t)kh * (size_t)groups + (size_t)g) * 64);
                        const uint8_t *p = r + (size_t)g * group_advance * 64;
                        _Pragma("GCC unroll 16") for (int t = 0; t < SWITCHYARD_DW_TILE; t++) {
                            acc[t] = _mm512_dpbusd_epi32(acc[t], _mm512_loadu_si512(p + (size_t)t * advance * 64), w);
                        }
                    }
                }
                _Pragma("GCC unroll 16") for (int t = 0; t < SWITCHYARD_DW_TILE; t++) {
                    switchyard_int8_store(activation, signed_output, acc[t], bias, scale, output_scale, zero,
                                          out + (ow + (size_t)t) * job->channels, valid);
                }
            }
            for (; ow < job->out_width; ow++) {
                __m512i a0 = _mm512_setzero_si512();
                for (int kh = 0; kh < kh_count; kh++) {
                    const uint8_t *r = rows[kh] + ow * advance * 64;
                    for (int g = 0; g < groups; g++) {
                        __m512i w = _mm512_loadu_si512(weights + ((size_t)kh * (size_t)groups + (size_t)g) * 64);
                        a0 = _mm512_dpbusd_epi32(a0, _mm512_loadu_si512(r + (size_t)g * group_advance * 64), w);
                    }
                }
                switchyard_int8_store(activation, signed_output, a0, bias, scale, output_scale, zero, out + ow * job->channels,
                                      valid);
            }
        }
    }
    free(padding);
    free(ring.slots);
    free(row);
}
#endif

/// True when this CPU runs `switchyard_dw_u8` (AVX-512 with DQ, VNNI and VBMI).
static inline int switchyard_dw_is_supported(void) {
#if defined(__x86_64__)
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl")
        && __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vnni")
        && __builtin_cpu_supports("avx512vbmi");
#else
    return 0;
#endif
}

#if defined(__x86_64__)
static void switchyard_dw_range_of(const void *job, size_t first, size_t last) {
    switchyard_dw_range((const struct switchyard_dw_job *)job, first, last);
}
#endif

/// Runs `job` on an OpenMP team of `threads`. Only call when `switchyard_dw_is_supported()`.
static inline void switchyard_dw_u8(const struct switchyard_dw_job *job, int threads) {
#if defined(__x86_64__)
    size_t items = job->batch * ((job->out_height + SWITCHYARD_DW_BAND - 1) / SWITCHYARD_DW_BAND);
    switchyard_team_run(switchyard_dw_range_of, job, items, 1, threads);
#else
    (void)job; (void)threads;
#endif
}
#endif
