// What a FakeQuantize chain costs in oneDNN 2.6 on this CPU (issue 4, INT8 speed), outside the
// engine: standalone eltwise steps, convolutions with the chain as post-ops (a second chain as
// binary post-ops), and a binary-multiply pass on blocked vs plain layouts.
// Build and run (libdnnl-dev):
//   g++ -O2 -o /tmp/postop_cost benchmarks/dnnl/postop_cost.cpp -ldnnl && OMP_NUM_THREADS=1 /tmp/postop_cost
// Times are the 10th percentile of 200 runs, in ms; shapes are the classifier's last stage at batch 8.
#include <dnnl.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <unordered_map>
#include <vector>
using namespace dnnl;
using tag = memory::format_tag;
using dt = memory::data_type;

static engine eng(engine::kind::cpu, 0);
static stream strm(eng);

static double timeit(const std::function<void()> &f, int reps = 200) {
    f();
    std::vector<double> t;
    for (int i = 0; i < reps; i++) {
        auto a = std::chrono::steady_clock::now();
        f();
        strm.wait();
        t.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - a).count());
    }
    std::sort(t.begin(), t.end());
    return t[t.size() / 10];
}

static void fill(memory &m) {
    auto *p = static_cast<float *>(m.get_data_handle());
    size_t n = m.get_desc().get_size() / 4;
    for (size_t i = 0; i < n; i++) p[i] = ((i * 2654435761u) % 1000) / 100.0f - 5.0f;
}

// FakeQuantize as the engine appends it: pow(x, 1)·(1/s) → round → clip → linear(s).
static void fakeQuantize(post_ops &po, float s) {
    po.append_eltwise(1, algorithm::eltwise_pow, 1 / s, 1);
    po.append_eltwise(1, algorithm::eltwise_round, 0, 0);
    po.append_eltwise(1, algorithm::eltwise_clip_v2, -100, 150);
    po.append_eltwise(1, algorithm::eltwise_linear, s, 0);
}

int main() {
    const int N = 8, C = 200, H = 2, W = 96;
    memory::dims d = {N, C, H, W};
    auto blocked = memory::desc(d, dt::f32, tag::nChw8c);
    {
        memory src(blocked, eng), dst(blocked, eng);
        fill(src);
        const char *names[] = {"linear", "round", "pow(beta 1)", "clip_v2", "hardswish"};
        algorithm algs[] = {algorithm::eltwise_linear, algorithm::eltwise_round, algorithm::eltwise_pow,
                            algorithm::eltwise_clip_v2, algorithm::eltwise_hardswish};
        for (int i = 0; i < 5; i++) {
            auto pd = eltwise_forward::primitive_desc(
                    eltwise_forward::desc(prop_kind::forward_inference, algs[i], blocked, 0.5f, 1.f), eng);
            auto p = eltwise_forward(pd);
            printf("eltwise %-12s nChw8c  %-10s %.4f\n", names[i], pd.impl_info_str(),
                   timeit([&] { p.execute(strm, {{DNNL_ARG_SRC, src}, {DNNL_ARG_DST, dst}}); }));
        }
    }
    auto scalar = memory::desc({1, 1, 1, 1}, dt::f32, tag::nchw);
    auto bias = memory::desc({C}, dt::f32, tag::x);
    const char *variants[] = {"no post-ops", "hardswish", "FQ+hardswish", "FQ+hardswish+FQ(binary)"};
    for (int kind = 0; kind < 2; kind++) {
        for (int v = 0; v < 4; v++) {
            post_ops po;
            if (v >= 2) fakeQuantize(po, 0.05f);
            if (v >= 1) po.append_eltwise(1, algorithm::eltwise_hardswish, 0, 0);
            if (v == 3) {  // a second FakeQuantize: binary multiplies, another clip kind
                po.append_binary(algorithm::binary_mul, scalar);
                po.append_eltwise(1, algorithm::eltwise_round, 0, 0);
                po.append_eltwise(1, algorithm::eltwise_clip, -10, 240);
                po.append_binary(algorithm::binary_mul, scalar);
            }
            primitive_attr attr;
            attr.set_post_ops(po);
            auto any = memory::desc(d, dt::f32, tag::any);
            auto cd = kind == 0
                    ? convolution_forward::desc(prop_kind::forward_inference, algorithm::convolution_direct, any,
                                                memory::desc({C, 1, 1, 5, 5}, dt::f32, tag::any), bias, any,
                                                {1, 1}, {2, 2}, {2, 2})
                    : convolution_forward::desc(prop_kind::forward_inference, algorithm::convolution_direct,
                                                memory::desc({N, 32, H, W}, dt::f32, tag::any),
                                                memory::desc({C, 32, 1, 1}, dt::f32, tag::any), bias, any,
                                                {1, 1}, {0, 0}, {0, 0});
            auto pd = convolution_forward::primitive_desc(cd, attr, eng);
            memory s(pd.src_desc(), eng), w(pd.weights_desc(), eng), b(bias, eng), o(pd.dst_desc(), eng);
            memory k1(scalar, eng), k2(scalar, eng);
            fill(s); fill(w); fill(b);
            *static_cast<float *>(k1.get_data_handle()) = 1 / 0.07f;
            *static_cast<float *>(k2.get_data_handle()) = 0.07f;
            std::unordered_map<int, memory> args = {
                    {DNNL_ARG_SRC, s}, {DNNL_ARG_WEIGHTS, w}, {DNNL_ARG_BIAS, b}, {DNNL_ARG_DST, o}};
            if (v == 3) {
                args[DNNL_ARG_ATTR_MULTIPLE_POST_OP(5) | DNNL_ARG_SRC_1] = k1;
                args[DNNL_ARG_ATTR_MULTIPLE_POST_OP(8) | DNNL_ARG_SRC_1] = k2;
            }
            auto p = convolution_forward(pd);
            printf("%s conv, %-24s %-12s %.4f\n", kind == 0 ? "5x5 depthwise" : "1x1 32->200  ", variants[v],
                   pd.impl_info_str(), timeit([&] { p.execute(strm, args); }));
        }
    }
    for (int plain = 0; plain < 2; plain++) {
        auto m0 = plain ? memory::desc({N * C * H * W}, dt::f32, tag::a) : blocked;
        auto m1 = plain ? memory::desc({1}, dt::f32, tag::a) : scalar;
        post_ops po;
        fakeQuantize(po, 0.05f);
        primitive_attr attr;
        attr.set_post_ops(po);
        auto pd = binary::primitive_desc(binary::desc(algorithm::binary_mul, m0, m1, m0), attr, eng);
        memory a(m0, eng), one(m1, eng), o(m0, eng);
        fill(a);
        *static_cast<float *>(one.get_data_handle()) = 1;
        auto p = binary(pd);
        printf("binary x*1 + FQ post-ops, %-14s %-10s %.4f\n", plain ? "flat (1-D)" : "nChw8c", pd.impl_info_str(),
               timeit([&] { p.execute(strm, {{DNNL_ARG_SRC_0, a}, {DNNL_ARG_SRC_1, one}, {DNNL_ARG_DST, o}}); }, plain ? 200 : 5));
    }
}
