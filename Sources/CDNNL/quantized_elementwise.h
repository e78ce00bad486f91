#ifndef SWITCHYARD_CDNNL_QUANTIZED_ELEMENTWISE_H
#define SWITCHYARD_CDNNL_QUANTIZED_ELEMENTWISE_H
#include <stddef.h>
#include <stdint.h>
#include "team.h"
#include <stdlib.h>

/// `ai.switchyard` QuantizedElementwise inside oneDNN regions: a short float program over 8-bit
/// tensors of the output's shape (dequantized as they are read) and float tensors of one value
/// per batch item and channel (a squeeze-excitation scale), quantized as it is written. One pass
/// reads bytes and writes bytes, in plain or channels-last layout, where the float graph would
/// dequantize, compute and quantize in separate passes over four times the bytes.
///
/// Every step is one float32 operation per element, in the order the ONNX nodes compute it
/// (no fused multiply-add), so the result is the reference kernels' bit for bit.
#pragma clang fp contract(off)

enum switchyard_qe_opcode {
    SWITCHYARD_QE_ADD, SWITCHYARD_QE_SUB, SWITCHYARD_QE_MUL, SWITCHYARD_QE_DIV,
    /// `x < 0 ? 0 : x`.
    SWITCHYARD_QE_RELU,
    /// `y = p0·x + p1`, then `y < 0 ? 0 : (y > 1 ? 1 : y)`.
    SWITCHYARD_QE_HARD_SIGMOID,
};

/// `registers[out] = op(registers[a], registers[b])` (b unused by the unary steps).
typedef struct {
    int32_t op, out, a, b;
    float p0, p1;
} switchyard_qe_step;

#define SWITCHYARD_QE_MAX_INPUTS 8

/// One run. Registers `0 ..< byte_inputs` hold the dequantized 8-bit inputs, the next
/// `float_inputs` the float inputs; the program writes the others. The tensor is `batch ×
/// channels × spatial`, stored channels-last (`nhwc`) or plain (`nchw`); the 8-bit inputs and the
/// output share that layout, and float input `i`'s value for item `n`, channel `c` is
/// `floats[i][n·float_batch_stride[i] + c·float_channel_stride[i]]` (a stride 0 broadcasts).
typedef struct {
    size_t batch, channels, spatial;
    int channels_last;
    int byte_inputs;
    const uint8_t *bytes[SWITCHYARD_QE_MAX_INPUTS];
    float byte_scale[SWITCHYARD_QE_MAX_INPUTS], byte_zero[SWITCHYARD_QE_MAX_INPUTS];
    int byte_signed[SWITCHYARD_QE_MAX_INPUTS];
    int float_inputs;
    const float *floats[SWITCHYARD_QE_MAX_INPUTS];
    size_t float_batch_stride[SWITCHYARD_QE_MAX_INPUTS], float_channel_stride[SWITCHYARD_QE_MAX_INPUTS];
    int registers, step_count, result;
    const switchyard_qe_step *steps;
    uint8_t *output;
    float output_scale, output_zero;
    int output_signed;
} switchyard_qe_job;

/// Elements per block: the registers of a block stay in the first-level cache.
#define SWITCHYARD_QE_BLOCK 256

/// Channels-last: pixels per block (whole pixels, so a channel operand's block is its channel
/// values repeated), rounded up so that a block fills whole vectors where that keeps it within
/// four nominal blocks: 200 channels make blocks of 2 pixels, 400 values, instead of 1 pixel ending
/// in a half vector read and written byte by byte. Plain: a block is part of one channel's row.
static inline size_t switchyard_qe_pixels_per_block(const switchyard_qe_job *job) {
    size_t pixels = SWITCHYARD_QE_BLOCK / job->channels;
    if (pixels == 0) pixels = 1;
    const size_t whole = switchyard_lcm16(job->channels) / job->channels;  // pixels that fill whole vectors
    if (whole * job->channels <= 4 * SWITCHYARD_QE_BLOCK) pixels = (pixels + whole - 1) / whole * whole;
    return pixels;
}

static inline size_t switchyard_qe_block_count(const switchyard_qe_job *job) {
    if (job->channels_last) {
        size_t pixels = switchyard_qe_pixels_per_block(job);
        return job->batch * ((job->spatial + pixels - 1) / pixels);
    }
    return job->batch * job->channels * ((job->spatial + SWITCHYARD_QE_BLOCK - 1) / SWITCHYARD_QE_BLOCK);
}

/// Floats per register: a block's elements, rounded up to whole vectors (the lanes past the
/// block are computed and never stored).
static inline size_t switchyard_qe_register_length(const switchyard_qe_job *job) {
    size_t length = job->channels_last ? switchyard_qe_pixels_per_block(job) * job->channels : SWITCHYARD_QE_BLOCK;
    return (length + 15) / 16 * 16;
}

/// Sixteen lanes in the compiler's generic vectors: each instruction-set variant below compiles
/// them to its own width (one AVX-512 register, two AVX2 ones, four SSE ones).
typedef float switchyard_qe_f16 __attribute__((vector_size(64)));
typedef int32_t switchyard_qe_i16 __attribute__((vector_size(64)));
typedef uint8_t switchyard_qe_u16 __attribute__((vector_size(16)));
typedef int8_t switchyard_qe_s16 __attribute__((vector_size(16)));

/// `count` (at most 16) bytes from `q`, zero-padded, as floats.
__attribute__((always_inline)) static inline switchyard_qe_f16 switchyard_qe_load(const uint8_t *q, size_t count, int is_signed) {
    switchyard_qe_u16 bytes;
    if (count >= 16) {
        __builtin_memcpy(&bytes, q, 16);
    } else {
        uint8_t lanes[16] = {0};
        for (size_t k = 0; k < count; k++) lanes[k] = q[k];
        __builtin_memcpy(&bytes, lanes, 16);
    }
    return is_signed ? __builtin_convertvector((switchyard_qe_s16)bytes, switchyard_qe_f16)
                     : __builtin_convertvector(bytes, switchyard_qe_f16);
}

/// `mask ? a : b` lane by lane (`mask` all ones or zero per lane).
__attribute__((always_inline)) static inline switchyard_qe_f16 switchyard_qe_select(switchyard_qe_i16 mask, switchyard_qe_f16 a,
                                                                                    switchyard_qe_f16 b) {
    return (switchyard_qe_f16)(((switchyard_qe_i16)a & mask) | ((switchyard_qe_i16)b & ~mask));
}

/// Blocks `first ..< last`, with `scratch` holding `registers` registers of
/// `switchyard_qe_register_length` floats. Inlined into each instruction-set variant below.
__attribute__((always_inline)) static inline void switchyard_qe_blocks(const switchyard_qe_job *job, size_t first,
                                                                       size_t last, float *scratch) {
    const size_t stride = switchyard_qe_register_length(job) / 16, channels = job->channels;
    const size_t pixels = switchyard_qe_pixels_per_block(job);
    const size_t per_row = job->channels_last ? (job->spatial + pixels - 1) / pixels
                                              : (job->spatial + SWITCHYARD_QE_BLOCK - 1) / SWITCHYARD_QE_BLOCK;
    switchyard_qe_f16 *registers = (switchyard_qe_f16 *)scratch;
    const switchyard_qe_f16 zeros = {0}, ones = zeros + 1.f;
    const switchyard_qe_f16 low = zeros + (job->output_signed ? -128.f : 0.f), high = zeros + (job->output_signed ? 127.f : 255.f);
    for (size_t block = first; block < last; block++) {
        size_t row = block / per_row, part = block % per_row, base, length, item, channel = 0;
        if (job->channels_last) {
            item = row;
            size_t start = part * pixels, count = job->spatial - start < pixels ? job->spatial - start : pixels;
            base = (item * job->spatial + start) * channels;
            length = count * channels;
        } else {
            item = row / channels;
            channel = row % channels;
            size_t start = part * SWITCHYARD_QE_BLOCK;
            length = job->spatial - start < SWITCHYARD_QE_BLOCK ? job->spatial - start : SWITCHYARD_QE_BLOCK;
            base = row * job->spatial + start;
        }
        const size_t vectors = (length + 15) / 16;
        for (int i = 0; i < job->byte_inputs; i++) {
            switchyard_qe_f16 *r = registers + (size_t)i * stride;
            const uint8_t *q = job->bytes[i] + base;
            const float scale = job->byte_scale[i], zero = job->byte_zero[i];
            const int is_signed = job->byte_signed[i];
            for (size_t v = 0; v < vectors; v++) r[v] = (switchyard_qe_load(q + 16 * v, length - 16 * v, is_signed) - zero) * scale;
        }
        for (int i = 0; i < job->float_inputs; i++) {
            float *r = (float *)(registers + (size_t)(job->byte_inputs + i) * stride);
            const float *values = job->floats[i] + item * job->float_batch_stride[i];
            const size_t step = job->float_channel_stride[i];
            if (job->channels_last && step == 1) {
                for (size_t k = 0; k < length; k += channels) __builtin_memcpy(r + k, values, channels * sizeof(float));
            } else if (job->channels_last) {
                for (size_t k = 0; k < length; k += channels) {
                    for (size_t c = 0; c < channels; c++) r[k + c] = values[c * step];
                }
            } else {
                const float value = values[channel * step];
                for (size_t k = 0; k < length; k++) r[k] = value;
            }
        }
        for (int s = 0; s < job->step_count; s++) {
            const switchyard_qe_step op = job->steps[s];
            switchyard_qe_f16 *o = registers + (size_t)op.out * stride;
            const switchyard_qe_f16 *a = registers + (size_t)op.a * stride, *b = registers + (size_t)op.b * stride;
            switch (op.op) {
            case SWITCHYARD_QE_ADD: for (size_t v = 0; v < vectors; v++) o[v] = a[v] + b[v]; break;
            case SWITCHYARD_QE_SUB: for (size_t v = 0; v < vectors; v++) o[v] = a[v] - b[v]; break;
            case SWITCHYARD_QE_MUL: for (size_t v = 0; v < vectors; v++) o[v] = a[v] * b[v]; break;
            case SWITCHYARD_QE_DIV: for (size_t v = 0; v < vectors; v++) o[v] = a[v] / b[v]; break;
            case SWITCHYARD_QE_RELU:
                for (size_t v = 0; v < vectors; v++) o[v] = switchyard_qe_select(a[v] < zeros, zeros, a[v]);
                break;
            case SWITCHYARD_QE_HARD_SIGMOID:
                for (size_t v = 0; v < vectors; v++) {
                    switchyard_qe_f16 y = op.p0 * a[v];
                    y = y + op.p1;
                    y = switchyard_qe_select(y < zeros, zeros, y);
                    o[v] = switchyard_qe_select(y > ones, ones, y);
                }
                break;
            }
        }
        // round(x / scale) + zero, half to even, saturated; NaN becomes the lowest value.
        const switchyard_qe_f16 *x = registers + (size_t)job->result * stride;
        const float scale = job->output_scale, zero = job->output_zero;
        for (size_t v = 0; v < vectors; v++) {
            switchyard_qe_f16 q = __builtin_elementwise_roundeven(x[v] / scale) + zero;
            q = switchyard_qe_select(q > low, q, low);
            q = switchyard_qe_select(q < high, q, high);
            switchyard_qe_i16 integers = __builtin_convertvector(q, switchyard_qe_i16);
            switchyard_qe_u16 bytes = job->output_signed
                ? (switchyard_qe_u16)__builtin_convertvector(integers, switchyard_qe_s16)
                : __builtin_convertvector(integers, switchyard_qe_u16);
            uint8_t *out = job->output + base + 16 * v;
            if (length - 16 * v >= 16) {
                __builtin_memcpy(out, &bytes, 16);
            } else {
                uint8_t lanes[16];
                __builtin_memcpy(lanes, &bytes, 16);
                for (size_t k = 0; k < length - 16 * v; k++) out[k] = lanes[k];
            }
        }
    }
}

#if defined(__x86_64__)
__attribute__((target("avx512f,avx512bw,avx512dq,avx512vl"))) static void
switchyard_qe_blocks_avx512(const switchyard_qe_job *job, size_t first, size_t last, float *scratch) {
    switchyard_qe_blocks(job, first, last, scratch);
}

__attribute__((target("avx2"))) static void
switchyard_qe_blocks_avx2(const switchyard_qe_job *job, size_t first, size_t last, float *scratch) {
    switchyard_qe_blocks(job, first, last, scratch);
}
#endif

/// Blocks `first ..< last` with the widest vectors this CPU has.
static inline void switchyard_qe_run_blocks(const switchyard_qe_job *job, size_t first, size_t last) {
    if (first >= last) return;
    size_t bytes = (size_t)job->registers * switchyard_qe_register_length(job) * sizeof(float);
    float *scratch = (float *)aligned_alloc(64, (bytes + 63) / 64 * 64);
    if (!scratch) abort();
#if defined(__x86_64__)
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq")
        && __builtin_cpu_supports("avx512vl")) {
        switchyard_qe_blocks_avx512(job, first, last, scratch);
    } else if (__builtin_cpu_supports("avx2")) {
        switchyard_qe_blocks_avx2(job, first, last, scratch);
    } else {
        switchyard_qe_blocks(job, first, last, scratch);
    }
#else
    switchyard_qe_blocks(job, first, last, scratch);
#endif
    free(scratch);
}

static void switchyard_qe_range_of(const void *job, size_t first, size_t last) {
    switchyard_qe_run_blocks((const switchyard_qe_job *)job, first, last);
}

/// Runs `job` on an OpenMP team of `threads` (the one oneDNN's primitives use on this thread).
/// Below 16K elements the calling thread does it alone: waking the team would cost more.
static inline void switchyard_quantized_elementwise(const switchyard_qe_job *job, int threads) {
    size_t elements = job->batch * job->channels * job->spatial;
    switchyard_team_run(switchyard_qe_range_of, job, switchyard_qe_block_count(job), 1, elements < 16384 ? 1 : threads);
}

#endif
