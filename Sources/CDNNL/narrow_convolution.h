#ifndef SWITCHYARD_CDNNL_NARROW_CONVOLUTION_H
#define SWITCHYARD_CDNNL_NARROW_CONVOLUTION_H
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "depthwise.h"

/// Int8 convolutions whose filter rows are narrow (`kernel_w × channels` of at most about 96
/// bytes), with AVX-512 VNNI, writing `nhwc` bytes. Two kinds of layer need it:
///
/// - **The first layer, over an image's few channels** (YOLOv8n: 3 → 16 channels, 3×3, stride 2),
///   read in its planar (NCHW) layout. oneDNN 2.6 wants `nhwc` input, so a 3-channel image needed
///   a transposing reorder (4.5 ms for 8 images of 640², as long as the quantization itself), and
///   then reduced over 3 channels padded to 4 at a fifth of the dense layers' rate.
/// - **Narrow layers with a fused SiLU** (YOLOv8n's 16- to 96-channel layers), read in `nhwc`.
///   oneDNN's `swish` post-op costs more than these layers' arithmetic (a 32-channel 1×1 at 80²:
///   0.44 ms without it, 1.39 ms with it); the SiLU here costs a third of that.
///
/// Each input row is brought into `nhwc` order once (copied, or interleaved from the planes with
/// one `vpermb` per 16 columns); there the taps of one filter row lie side by side, and `vpdpbusd`
/// multiplies four of them (broadcast) by 16 output channels' weights at once.
///
/// The source zero point is exact (padding filled with it, `-zero · Σ w` folded into the bias).
/// Requantization is `switchyard_int8_store`'s (with or without a fused activation).

/// The most input channels the kernel takes in planar layout (one 128-bit lane of a `vpermb` each).
#define SWITCHYARD_NARROW_MAX_CHANNELS 4

/// The widest filter row (`kernel_w × channels` bytes) an `nhwc` input is taken with. Against
/// oneDNN with its `swish` post-op, 8 images, one core: 3×3 over 16 and 32 channels and 1×1 over
/// 32 to 96 ran 8–40 % faster here; 3×3 over 64 channels (192 bytes) 10 % slower.
#define SWITCHYARD_NARROW_MAX_ROW_BYTES 96

/// Groups of four taps in one filter row.
static inline size_t switchyard_narrow_quads(size_t channels, int kernel_w) {
    return ((size_t)kernel_w * channels + 3) / 4;
}

/// Bytes of the packed weights: `[16-output-channel block][kh][quad][16][4]`.
static inline size_t switchyard_narrow_packed_weight_bytes(size_t out_channels, size_t channels, int kernel_h, int kernel_w) {
    return (out_channels + 15) / 16 * (size_t)kernel_h * switchyard_narrow_quads(channels, kernel_w) * 64;
}

/// Packs `weights` (`[out_channels][channels][kernel_h][kernel_w]` int8): tap `(kw, c)` of row
/// `kh` is byte `kw · channels + c` of the row. Writes `bias_out[o] = bias[o] − source_zero · Σ w_o`
/// and `scales_out[o]` for `o < round_up(out_channels, 16)` (`bias` may be NULL; `scales` has
/// one entry or `out_channels`).
static inline void switchyard_narrow_pack(const int8_t *weights, const int32_t *bias, const float *scales,
                                        size_t scale_count, size_t out_channels, size_t channels, int kernel_h,
                                        int kernel_w, int32_t source_zero, int8_t *packed, int32_t *bias_out,
                                        float *scales_out) {
    size_t quads = switchyard_narrow_quads(channels, kernel_w), blocks = (out_channels + 15) / 16;
    memset(packed, 0, switchyard_narrow_packed_weight_bytes(out_channels, channels, kernel_h, kernel_w));
    for (size_t o = 0; o < blocks * 16; o++) {
        int32_t sum = 0;
        for (size_t c = 0; o < out_channels && c < channels; c++) {
            for (int kh = 0; kh < kernel_h; kh++) {
                for (int kw = 0; kw < kernel_w; kw++) {
                    int8_t w = weights[((o * channels + c) * (size_t)kernel_h + (size_t)kh) * (size_t)kernel_w + (size_t)kw];
                    size_t tap = (size_t)kw * channels + c;
                    packed[(((o / 16 * (size_t)kernel_h + (size_t)kh) * quads + tap / 4) * 16 + o % 16) * 4 + tap % 4] = w;
                    sum += w;
                }
            }
        }
        bias_out[o] = (o < out_channels && bias ? bias[o] : 0) - source_zero * sum;
        scales_out[o] = o < out_channels ? scales[scale_count == 1 ? 0 : o] : 0.0f;
    }
}

/// One convolution: `src` `[batch][channels][height][width]` uint8 (planar), `dst`
/// `[batch][out_height][out_width][out_channels]` (uint8, or int8 when `signed_output`).
struct switchyard_narrow_job {
    const uint8_t *src;
    uint8_t *dst;
    size_t batch, channels, height, width, out_channels, out_height, out_width;
    int kernel_h, kernel_w, stride_h, stride_w, pad_top, pad_left;
    const int8_t *packed_weights;
    const int32_t *bias;
    const float *scales;
    uint8_t source_zero;
    /// `src` is `[batch][height][width][channels]` (`nhwc`) instead of planar.
    int channels_last;
    /// `enum switchyard_int8_activation` on the real accumulator, then `output_scale` (`1 / y_scale`).
    int activation;
    float output_scale;
    float destination_zero;
    int signed_output;
};

/// Output columns computed at once (6 and 8 measured alike, 12 and 16 slower).
#define SWITCHYARD_NARROW_TILE 8

/// Output rows one work item computes (the input rows they share are interleaved once).
#define SWITCHYARD_NARROW_BAND 16

#if defined(__x86_64__)
/// The `vpermb` index that interleaves 16 columns of `channels` planes (one per 128-bit lane):
/// output byte `channels · i + c` is input byte `16c + i`, column i of channel c.
SWITCHYARD_DW_TARGET static inline __m512i switchyard_narrow_interleaving(size_t channels) {
    uint8_t order[64];
    for (size_t i = 0; i < 64; i++) order[i] = (uint8_t)(i < 16 * channels ? 16 * (i % channels) + i / channels : 0);
    return _mm512_loadu_si512(order);
}

/// Copies input row `ih` of image `n` into `row` in `nhwc` order (`channels` bytes per column,
/// from column `pad_left`): a copy from `nhwc`, an interleaving of the planes (16 columns a step)
/// from planar; columns past `columns` are left out.
/// `index` is `switchyard_narrow_interleaving`.
SWITCHYARD_DW_TARGET static inline void switchyard_narrow_gather_row(const struct switchyard_narrow_job *job, size_t n,
                                                                    size_t ih, uint8_t *row, size_t columns,
                                                                    __m512i index) {
    const size_t c_count = job->channels, plane = job->height * job->width;
    size_t room = columns - (size_t)job->pad_left;
    size_t width = job->width < room ? job->width : room;
    uint8_t *out = row + (size_t)job->pad_left * c_count;
    if (job->channels_last) {
        memcpy(out, job->src + (n * job->height + ih) * job->width * c_count, width * c_count);
        return;
    }
    const uint8_t *p = job->src + n * c_count * plane + ih * job->width;
    for (size_t w = 0; w < width; w += 16) {
        size_t lanes = width - w < 16 ? width - w : 16;
        __mmask16 valid = (__mmask16)((1u << lanes) - 1);
        __m512i gathered = _mm512_setzero_si512();
        for (size_t c = 0; c < c_count; c++) {
            __m128i bytes = _mm_maskz_loadu_epi8(valid, p + c * plane + w);
            gathered = _mm512_mask_blend_epi32((__mmask16)(0xF << (4 * c)), gathered,
                                               _mm512_broadcast_i32x4(bytes));
        }
        __mmask64 store = lanes * c_count == 64 ? ~(__mmask64)0 : (((__mmask64)1 << (lanes * c_count)) - 1);
        _mm512_mask_storeu_epi8(out + w * c_count, store, _mm512_permutexvar_epi8(index, gathered));
    }
}

struct switchyard_narrow_row_context {
    const struct switchyard_narrow_job *job;
    size_t n, columns;
    __m512i interleaving;
};

/// Brings input row `ih` into `slot` in `nhwc` order.
SWITCHYARD_DW_TARGET static void switchyard_narrow_prepare_row(const void *argument, size_t ih, uint8_t *slot) {
    const struct switchyard_narrow_row_context *context = (const struct switchyard_narrow_row_context *)argument;
    switchyard_narrow_gather_row(context->job, context->n, ih, slot, context->columns, context->interleaving);
}

/// Work items `first ..< last`, each a band of `SWITCHYARD_NARROW_BAND` output rows of one image.
SWITCHYARD_DW_TARGET static void switchyard_narrow_range(const struct switchyard_narrow_job *job, size_t first, size_t last) {
    const int kh_count = job->kernel_h, sw = job->stride_w;
    const size_t c_count = job->channels, quads = switchyard_narrow_quads(c_count, job->kernel_w);
    const size_t blocks = (job->out_channels + 15) / 16;
    size_t columns = (job->out_width - 1) * (size_t)sw + (size_t)job->kernel_w;
    // Quads read up to 3 bytes past the last tap (their weights are 0), and a last, partial tile
    // reads whole tiles' columns (their results are not stored).
    size_t row_bytes = (columns * c_count + 4 + (size_t)SWITCHYARD_NARROW_TILE * (size_t)sw * c_count + 63) / 64 * 64;
    uint8_t *padding = (uint8_t *)aligned_alloc(64, row_bytes);
    memset(padding, job->source_zero, row_bytes);
    struct switchyard_row_ring ring = { (uint8_t *)aligned_alloc(64, (size_t)kh_count * row_bytes), row_bytes, padding,
                                        (long)job->height, kh_count, {0} };
    const __m512 zero = _mm512_set1_ps(job->destination_zero), output_scale = _mm512_set1_ps(job->output_scale);
    const int activation = job->activation, signed_output = job->signed_output;
    const __m512i interleaving = switchyard_narrow_interleaving(c_count);
    size_t bands = (job->out_height + SWITCHYARD_NARROW_BAND - 1) / SWITCHYARD_NARROW_BAND;
    for (size_t item = first; item < last; item++) {
        size_t n = item / bands, first_row = item % bands * SWITCHYARD_NARROW_BAND;
        size_t end_row = first_row + SWITCHYARD_NARROW_BAND < job->out_height ? first_row + SWITCHYARD_NARROW_BAND : job->out_height;
        switchyard_row_ring_reset(&ring);
        memset(ring.slots, job->source_zero, (size_t)kh_count * row_bytes);
        struct switchyard_narrow_row_context context = { job, n, columns, interleaving };
        for (size_t oh = first_row; oh < end_row; oh++) {
            const uint8_t *rows[SWITCHYARD_DW_MAX_KERNEL];
            switchyard_row_ring_rows(&ring, (long)oh * job->stride_h - job->pad_top, rows,
                                     switchyard_narrow_prepare_row, &context);
            uint8_t *out = job->dst + (n * job->out_height + oh) * job->out_width * job->out_channels;
            for (size_t block = 0; block < blocks; block++) {
                size_t o0 = block * 16, lanes = job->out_channels - o0 < 16 ? job->out_channels - o0 : 16;
                __mmask16 valid = (__mmask16)((1u << lanes) - 1);
                const int8_t *weights = job->packed_weights + block * (size_t)kh_count * quads * 64;
                __m512i bias = _mm512_loadu_si512(job->bias + o0);
                __m512 scale = _mm512_loadu_ps(job->scales + o0);
                size_t ow = 0;
                for (; ow < job->out_width; ow += SWITCHYARD_NARROW_TILE) {
                    size_t tile = job->out_width - ow < SWITCHYARD_NARROW_TILE ? job->out_width - ow : SWITCHYARD_NARROW_TILE;
                    __m512i acc[SWITCHYARD_NARROW_TILE];
                    _Pragma("GCC unroll 16") for (int t = 0; t < SWITCHYARD_NARROW_TILE; t++) acc[t] = _mm512_setzero_si512();
                    for (int kh = 0; kh < kh_count; kh++) {
                        const uint8_t *r = rows[kh] + ow * (size_t)sw * c_count;
                        for (size_t q = 0; q < quads; q++) {
                            __m512i w = _mm512_loadu_si512(weights + ((size_t)kh * quads + q) * 64);
                            _Pragma("GCC unroll 16") for (int t = 0; t < SWITCHYARD_NARROW_TILE; t++) {
                                int32_t taps;
                                memcpy(&taps, r + (size_t)t * (size_t)sw * c_count + q * 4, 4);
                                acc[t] = _mm512_dpbusd_epi32(acc[t], _mm512_set1_epi32(taps), w);
                            }
                        }
                    }
                    uint8_t *at = out + ow * job->out_channels + o0;
                    if (tile == SWITCHYARD_NARROW_TILE) {
                        _Pragma("GCC unroll 16") for (int t = 0; t < SWITCHYARD_NARROW_TILE; t++) {
                            switchyard_int8_store(activation, signed_output, acc[t], bias, scale, output_scale, zero,
                                                  at + (size_t)t * job->out_channels, valid);
                        }
                    } else {
                        for (size_t t = 0; t < tile; t++) {
                            switchyard_int8_store(activation, signed_output, acc[t], bias, scale, output_scale, zero,
                                                  at + t * job->out_channels, valid);
                        }
                    }
                }
            }
        }
    }
    free(padding);
    free(ring.slots);
}
#endif

#if defined(__x86_64__)
static void switchyard_narrow_range_of(const void *job, size_t first, size_t last) {
    switchyard_narrow_range((const struct switchyard_narrow_job *)job, first, last);
}
#endif

/// Runs `job` on an OpenMP team of `threads`. Only call when `switchyard_dw_is_supported()`.
static inline void switchyard_narrow_u8(const struct switchyard_narrow_job *job, int threads) {
#if defined(__x86_64__)
    size_t items = job->batch * ((job->out_height + SWITCHYARD_NARROW_BAND - 1) / SWITCHYARD_NARROW_BAND);
    switchyard_team_run(switchyard_narrow_range_of, job, items, 1, threads);
#else
    (void)job; (void)threads;
#endif
}
#endif
