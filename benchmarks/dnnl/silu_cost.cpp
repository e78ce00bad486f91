// What oneDNN 2.6's swish post-op costs on YOLOv8n's convolutions (issue 2, session 6), outside
// the engine: per conv geometry, the convolution with the swish post-op, without it, and without
// it followed by an AVX2 SiLU pass (the engine's `switchyard_silu_inplace`, MLAS's rational
// sigmoid). Batch 1, one thread, p20 of N runs, in ms. The geometry list comes from the model:
//   .venv/bin/python benchmarks/dnnl/yolo_conv_geometries.py > /tmp/yolov8n_convs.txt
//   g++ -O2 -o /tmp/silu_cost benchmarks/dnnl/silu_cost.cpp -ldnnl
//   OMP_NUM_THREADS=1 /tmp/silu_cost /tmp/yolov8n_convs.txt 40
#include <dnnl.hpp>
#include <immintrin.h>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <functional>
#include <sstream>
#include <vector>
using namespace dnnl; using tag = memory::format_tag; using dt = memory::data_type;
static engine eng(engine::kind::cpu, 0); static stream strm(eng);
__attribute__((target("avx2,fma"))) static void silu(float *x, size_t n) {
  const __m256 lo = _mm256_set1_ps(-18.f), hi = _mm256_set1_ps(18.f), half = _mm256_set1_ps(0.5f);
  const __m256 a9 = _mm256_set1_ps(4.37031012579801e-11f), a7 = _mm256_set1_ps(1.15627324459942e-07f), a5 = _mm256_set1_ps(6.08574864600143e-05f),
    a3 = _mm256_set1_ps(8.51377133304701e-03f), a1 = _mm256_set1_ps(2.48287947061529e-01f);
  const __m256 b10 = _mm256_set1_ps(6.10247389755681e-13f), b8 = _mm256_set1_ps(5.76102136993427e-09f), b6 = _mm256_set1_ps(6.29106785017040e-06f),
    b4 = _mm256_set1_ps(1.70198817374094e-03f), b2 = _mm256_set1_ps(1.16817656904453e-01f), b0 = _mm256_set1_ps(9.93151921023180e-01f);
  for (size_t i = 0; i + 8 <= n; i += 8) {
    __m256 v = _mm256_loadu_ps(x + i);
    __m256 c = _mm256_min_ps(_mm256_max_ps(v, lo), hi), x2 = _mm256_mul_ps(c, c);
    __m256 p = _mm256_fmadd_ps(a9, x2, a7); p = _mm256_fmadd_ps(p, x2, a5); p = _mm256_fmadd_ps(p, x2, a3); p = _mm256_fmadd_ps(p, x2, a1); p = _mm256_mul_ps(p, c);
    __m256 q = _mm256_fmadd_ps(b10, x2, b8); q = _mm256_fmadd_ps(q, x2, b6); q = _mm256_fmadd_ps(q, x2, b4); q = _mm256_fmadd_ps(q, x2, b2); q = _mm256_fmadd_ps(q, x2, b0);
    __m256 s = _mm256_add_ps(_mm256_div_ps(p, q), half);
    _mm256_storeu_ps(x + i, _mm256_and_ps(_mm256_cmp_ps(v, lo, _CMP_NLT_UQ), _mm256_mul_ps(v, s)));
  }
}
static double timeit(const std::function<void()> &f, int reps) {
  f(); std::vector<double> t;
  for (int i = 0; i < reps; i++) { auto a = std::chrono::steady_clock::now(); f(); strm.wait();
    t.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - a).count()); }
  std::sort(t.begin(), t.end()); return t[t.size() / 5]; }
int main(int argc, char **argv) {
  std::ifstream in(argv[1]); std::string line; int reps = atoi(argv[2]);
  double T[3] = {0};
  while (std::getline(in, line)) {
    std::istringstream ls(line); std::string name; int ic, ih, iw, oc, oh, ow, k, s, p, g;
    ls >> name >> ic >> ih >> iw >> oc >> oh >> ow >> k >> s >> p >> g;
    if (name.find("dfl") != std::string::npos) continue;  // the DFL conv has no activation
    memory::desc src({1, ic, ih, iw}, dt::f32, ic == 3 ? tag::nchw : tag::nChw8c), dst({1, oc, oh, ow}, dt::f32, tag::any), wei({oc, ic, k, k}, dt::f32, tag::any), bia({oc}, dt::f32, tag::a);
    auto mk = [&](bool sw) { post_ops po; if (sw) po.append_eltwise(1, algorithm::eltwise_swish, 1, 0); primitive_attr at; at.set_post_ops(po);
      convolution_forward::desc d(prop_kind::forward_inference, algorithm::convolution_direct, src, wei, bia, dst, {s, s}, {p, p}, {p, p});
      return convolution_forward::primitive_desc(d, at, eng); };
    auto p0 = mk(false), p1 = mk(true);
    memory S(p0.src_desc(), eng), W(p0.weights_desc(), eng), B(bia, eng), D(p0.dst_desc(), eng), D2(p1.dst_desc(), eng);
    for (size_t i = 0; i < p0.src_desc().get_size() / 4; i++) ((float*)S.get_data_handle())[i] = std::sin(i * 0.37f);
    for (size_t i = 0; i < p0.weights_desc().get_size() / 4; i++) ((float*)W.get_data_handle())[i] = 0.05f * std::cos(i * 0.11f);
    for (int i = 0; i < oc; i++) ((float*)B.get_data_handle())[i] = 0.01f * i;
    convolution_forward c0(p0), c1(p1);
    size_t n = p0.dst_desc().get_size() / 4;
    double fused = timeit([&] { c1.execute(strm, {{DNNL_ARG_SRC, S}, {DNNL_ARG_WEIGHTS, W}, {DNNL_ARG_BIAS, B}, {DNNL_ARG_DST, D2}}); }, reps);
    double plain = timeit([&] { c0.execute(strm, {{DNNL_ARG_SRC, S}, {DNNL_ARG_WEIGHTS, W}, {DNNL_ARG_BIAS, B}, {DNNL_ARG_DST, D}}); }, reps);
    double sep = timeit([&] { c0.execute(strm, {{DNNL_ARG_SRC, S}, {DNNL_ARG_WEIGHTS, W}, {DNNL_ARG_BIAS, B}, {DNNL_ARG_DST, D}}); strm.wait(); silu((float*)D.get_data_handle(), n); }, reps);
    float err = 0; for (size_t i = 0; i < n; i++) err = std::max(err, std::fabs(((float*)D.get_data_handle())[i] - ((float*)D2.get_data_handle())[i]));
    T[0] += fused; T[1] += plain; T[2] += sep;
    printf("%-40s fused %.3f conv %.3f conv+silu %.3f err %.1e\n", name.c_str(), fused, plain, sep, err);
  }
  printf("TOTAL fused %.3f conv %.3f conv+silu %.3f\n", T[0], T[1], T[2]);
}
