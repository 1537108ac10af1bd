// sm90_unit_stride_conv_probe.cu -- standalone probe, not part of the library build.
//
// QUESTION
//   Would CUTLASS's own Hopper (sm_90a) implicit-GEMM convolution (CUTLASS 3.x:
//   conv::collective::CollectiveBuilder<arch::Sm90,...>, TMA im2col, WGMMA,
//   kernel::ConvUniversal, device::ConvUniversalAdapter) beat cuDNN on stride-1
//   transposed 3-D convolutions?  Reference point (H200, TF32, channels_last,
//   k3s1 case below): cuDNN 0.463 ms, this library 0.528 ms.
//
// MATH MAPPING
//   PyTorch ConvTranspose3d, stride 1, dilation 1, output_padding 0, padding p:
//     W[Cin][Cout][k][k][k], x NDHWC (Cin), y NDHWC (Cout), Do = D - 1 - 2p + k
//     y[n][o][co] = sum_{ci,t} x[n][o + p - t][ci] * W[ci][co][t]     (per dim)
//
//   (1) kDgrad (what the brief asked for).  CUTLASS's ConvProblemShape always
//       describes the *forward* conv: act [N,D,H,W,C] -> xformed act [N,Z,P,Q,K]
//       with filter [K,T,R,S,C]; for kDgrad  A = xformed act ("dy"),
//       B = filter (KTRSC), C/D = act ("dx").  dgrad computes
//         dx[n][d][c] = sum_{k,t} dy[n][d + pad - t][k] * F[k][t][c]
//       so with  dy := x (K = Cin),  F[ci][t][r][s][co] := W[ci][co][t][r][s]
//       (a permute, no flip),  dx := y (C = Cout),  pad = p,  stride = dil = 1,
//       and act extent = Do, the xformed extent is Do + 2p - k + 1 = D, i.e. x.
//       The probe asserts shape_A/shape_B/shape_C at run time.
//   (2) kFprop with a flipped filter.  Stride-1 ConvTranspose is also a plain
//       cross-correlation:  y[n][o][co] = sum x[n][o - p' + t'][ci] * G[co][t'][ci]
//       with p' = k-1-p and G[co][t'][r'][s'][ci] = W[ci][co][k-1-t'][k-1-r'][k-1-s'].
//       This is the ONLY way to get TF32 out of the Sm90 conv builder: for
//       kDgrad the builder makes B (the filter, C-contiguous) MN-major, and
//       tf32 WGMMA only supports K-major operands, so TF32 kDgrad fails with
//       static_assert "MajorB must be GMMA::Major::K" (cute/arch/mma_sm90.hpp).
//       The CUTLASS library generator likewise emits TF32 only for Sm90 Fprop.
//   The filter permute/flip is a one-off weight transform (not timed).
//
// WHAT RUNS
//   TF32 (float in/out, tf32 WGMMA, f32 accumulate): kFprop+flip only, two input
//     variants: "raw" (fp32 bits handed to CUTLASS, which programs its TMA
//     descriptors as CU_TENSOR_MAP_DATA_TYPE_TFLOAT32) and "rn" (x and W
//     pre-rounded with cvt.rn.tf32.f32).  For raw, a diagnostic line compares
//     the output with float64 references built from RN-rounded and from
//     truncated inputs: whichever matches to ~1e-6 tells you what the hardware
//     did to the raw fp32 bits.  The cost of the RN pre-round of x is timed too.
//   BF16 (bf16 in/out, f32 accumulate): kDgrad (the brief) and kFprop+flip.
//   Schedule: KernelImplicitTmaWarpSpecializedSm90 (the only Sm90 conv mainloop
//   schedule; cooperative/ping-pong/persistent are rejected by the dispatch
//   policy), TMA warp-specialized epilogue, cluster 1x1x1, no C source (beta=0).
//   Every case: deterministic hash inputs (never 0), y poisoned with 0xff (NaN),
//   one run, NaN count over all of y, float64 reference check (all outputs for
//   small cases; for big ones every 997th output plus every output on the
//   spatial boundary surface, or all of them with --full-check), then 5 warm-up
//   + 20 timed runs, each bracketed by CUDA events; median reported.
//   Tolerances on max|err| / max|y_ref| over checked outputs:
//     tf32 rn 1e-3, tf32 raw 3e-3 (informational), bf16 2e-2.
//   Exit status is nonzero on any CUDA / CUTLASS error, any FAIL, or a required
//   case rejected by can_implement.
//
// BUILD / RUN (from the repo root; CUTLASS 4.2 headers from the cutlass_library wheel)
//   CUTLASS=/root/.pyenv/versions/3.11.7/lib/python3.11/site-packages/cutlass_library/source
//   nvcc -std=c++17 -O3 -gencode=arch=compute_90a,code=sm_90a --expt-relaxed-constexpr \
//     -I$CUTLASS/include -I$CUTLASS/tools/util/include \
//     benchmarks/sm90_unit_stride_conv_probe.cu -o /tmp/probe/probe
//   /tmp/probe/probe [--full-check]
//
// STATUS: written and compiled (nvcc 13.0.88, CUTLASS 4.2.0, sm_90a; ~75 s on 2 cores, no
// ptxas spills, 42-58 regs/thread) on a machine WITHOUT a GPU; it has NOT been run yet.
// Numbers and correctness come from its first run.  Index math (reference, filter
// packs, dgrad-as-adjoint, fprop-flip) was cross-checked on the host against
// PyTorch's scatter definition of ConvTranspose3d for p = 0, 1, 2.

// Without NDEBUG, device-side assert() calls inside CUTLASS/CuTe make ptxas serialize every
// wgmma ("C7510: wgmma pipeline crossing function boundary"), which would understate CUTLASS.
// CUTLASS's own builds use -DNDEBUG; defining it here keeps the plain build command honest.
#ifndef NDEBUG
#define NDEBUG
#endif

#include "cute/tensor.hpp"  // must precede the conv headers (they use cute:: algorithms)
#include "cutlass/cutlass.h"
#include "cutlass/kernel_hardware_info.hpp"
#include "cutlass/numeric_types.h"
#include "cutlass/conv/convolution.h"
#include "cutlass/conv/convnd_problem_shape.hpp"
#include "cutlass/conv/dispatch_policy.hpp"
#include "cutlass/conv/collective/collective_builder.hpp"
#include "cutlass/epilogue/collective/collective_builder.hpp"
#include "cutlass/conv/device/conv_universal_adapter.hpp"
#include "cutlass/conv/kernel/conv_universal.hpp"

#include <cuda_runtime.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <type_traits>
#include <vector>

using namespace cute;

// ------------------------------------------------------------------------------------------------
// Error handling

#define CUDA_CHECK(expr)                                                                     \
  do {                                                                                       \
    cudaError_t err_ = (expr);                                                               \
    if (err_ != cudaSuccess) {                                                               \
      std::fprintf(stderr, "CUDA error %s (%d) at %s:%d: %s\n", cudaGetErrorString(err_),    \
                   int(err_), __FILE__, __LINE__, #expr);                                    \
      std::exit(2); /* context may be corrupt: stop here */                                  \
    }                                                                                        \
  } while (0)

static int g_failures = 0;

// ------------------------------------------------------------------------------------------------
// Problem description

struct Case {
  const char* name;
  int N, Cin, Cout, D, H, W, k, p;
  bool required;  // a can_implement rejection here is a failure, not a skip
  int Do() const { return D - 1 - 2 * p + k; }
  int Ho() const { return H - 1 - 2 * p + k; }
  int Wo() const { return W - 1 - 2 * p + k; }
  int64_t x_elems() const { return int64_t(N) * D * H * W * Cin; }
  int64_t y_elems() const { return int64_t(N) * Do() * Ho() * Wo() * Cout; }
  int64_t w_elems() const { return int64_t(Cin) * Cout * k * k * k; }
  double flops() const { return 2.0 * double(y_elems()) * Cin * k * k * k; }
};

// ------------------------------------------------------------------------------------------------
// Device helpers

__host__ __device__ inline uint32_t hash_u32(uint64_t i, uint32_t seed) {
  // splitmix64 finalizer: cheap, well mixed, deterministic
  uint64_t z = i * 0x9E3779B97F4A7C15ull + (uint64_t(seed) << 32 | seed);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return uint32_t((z ^ (z >> 31)) >> 32);
}

// Values in [-scale, scale], never 0 (a zero would hide unwritten/misindexed taps).
__global__ void fill_hash_kernel(float* out, int64_t n, uint32_t seed, float scale) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n;
       i += int64_t(gridDim.x) * blockDim.x) {
    float u = float(hash_u32(uint64_t(i), seed) >> 8) * (1.0f / 16777216.0f);  // [0,1)
    float v = 2.0f * u - 1.0f;
    if (fabsf(v) < 1.0f / 1024.0f) v = (v < 0.f ? -1.0f : 1.0f) / 1024.0f;
    out[i] = v * scale;
  }
}

__device__ inline float tf32_round_rn(float v) {
  uint32_t r;
  asm("cvt.rn.tf32.f32 %0, %1;" : "=r"(r) : "f"(v));  // sm_90+: RN-even to tf32
  return __uint_as_float(r & 0xffffe000u);             // low 13 bits are unspecified
}

__device__ inline float tf32_truncate(float v) { return __uint_as_float(__float_as_uint(v) & 0xffffe000u); }

// mode 0: RN-even tf32, mode 1: truncate to tf32 (what tensor cores do to raw fp32 bits
// on some paths), mode 2: fp32 -> bf16 (RN).
template <class TOut>
__global__ void convert_kernel(TOut* out, const float* in, int64_t n, int mode) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n;
       i += int64_t(gridDim.x) * blockDim.x) {
    float v = in[i];
    if (mode == 0) v = tf32_round_rn(v);
    else if (mode == 1) v = tf32_truncate(v);
    out[i] = TOut(v);
  }
}

// The filter in KTRSC: dgrad F[ci][t][r][s][co] = W[ci][co][t][r][s] (K = Cin, C = Cout); fprop with the flip
// G[co][t][r][s][ci] = W[ci][co][k-1-t][k-1-r][k-1-s] (K = Cout, C = Cin).  Element i of the packed filter is
// (kk, tap, cc) with cc fastest; (ci, co) is (kk, cc) for dgrad and (cc, kk) for fprop.
template <class T, bool kFlipFprop>
__global__ void pack_filter(T* out, const T* Wt, int Cin, int Cout, int k) {
  const int64_t taps = int64_t(k) * k * k, n = int64_t(Cin) * Cout * taps;
  const int C = kFlipFprop ? Cin : Cout;
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n;
       i += int64_t(gridDim.x) * blockDim.x) {
    const int cc = int(i % C), kk = int(i / (C * taps));
    const int64_t tap = (i / C) % taps;
    const int ci = kFlipFprop ? cc : kk, co = kFlipFprop ? kk : cc;
    // (t,r,s) -> (k-1-t,k-1-r,k-1-s) is taps - 1 - tap in row-major tap order
    out[i] = Wt[(int64_t(ci) * Cout + co) * taps + (kFlipFprop ? taps - 1 - tap : tap)];
  }
}

template <class T>
__global__ void count_nan_kernel(const T* y, int64_t n, unsigned long long* count) {
  unsigned long long local = 0;
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n;
       i += int64_t(gridDim.x) * blockDim.x)
    local += isnan(float(y[i])) ? 1ull : 0ull;
  if (local) atomicAdd(count, local);
}

struct CheckStats {
  unsigned long long max_err_bits;  // double bit patterns: ordered like values when >= 0
  unsigned long long max_ref_bits;
  unsigned long long checked;
  unsigned long long nan_checked;
};

struct Geom {
  int N, Cin, Cout, D, H, W, k, p, Do, Ho, Wo;
};

// Float64 reference: one thread per checked output, direct loops over taps and ci.
template <class TIn, class TOut>
__global__ void reference_check_kernel(const TIn* x, const TIn* Wt, const TOut* y, Geom g, bool full,
                                       CheckStats* st) {
  int64_t n_out = int64_t(g.N) * g.Do * g.Ho * g.Wo * g.Cout;
  int taps = g.k * g.k * g.k;
  double local_err = 0.0, local_ref = 0.0;
  unsigned long long local_checked = 0, local_nan = 0;
  for (int64_t idx = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; idx < n_out;
       idx += int64_t(gridDim.x) * blockDim.x) {
    int co = int(idx % g.Cout);
    int64_t r = idx / g.Cout;
    int ow = int(r % g.Wo); r /= g.Wo;
    int oh = int(r % g.Ho); r /= g.Ho;
    int od = int(r % g.Do);
    int n = int(r / g.Do);
    bool boundary = od == 0 || od == g.Do - 1 || oh == 0 || oh == g.Ho - 1 || ow == 0 || ow == g.Wo - 1;
    if (!(full || boundary || idx % 997 == 0)) continue;

    double acc = 0.0;
    for (int t = 0; t < g.k; ++t) {
      int id = od + g.p - t;
      if (id < 0 || id >= g.D) continue;
      for (int rr = 0; rr < g.k; ++rr) {
        int ih = oh + g.p - rr;
        if (ih < 0 || ih >= g.H) continue;
        for (int s = 0; s < g.k; ++s) {
          int iw = ow + g.p - s;
          if (iw < 0 || iw >= g.W) continue;
          const TIn* xp = x + (((int64_t(n) * g.D + id) * g.H + ih) * g.W + iw) * g.Cin;
          int tap = (t * g.k + rr) * g.k + s;
          for (int ci = 0; ci < g.Cin; ++ci)
            acc += double(float(xp[ci])) * double(float(Wt[(int64_t(ci) * g.Cout + co) * taps + tap]));
        }
      }
    }
    double got = double(float(y[idx]));
    ++local_checked;
    if (isnan(got)) { ++local_nan; continue; }
    local_err = fmax(local_err, fabs(got - acc));
    local_ref = fmax(local_ref, fabs(acc));
  }
  if (local_checked) {
    atomicMax(&st->max_err_bits, (unsigned long long)__double_as_longlong(local_err));
    atomicMax(&st->max_ref_bits, (unsigned long long)__double_as_longlong(local_ref));
    atomicAdd(&st->checked, local_checked);
    if (local_nan) atomicAdd(&st->nan_checked, local_nan);
  }
}

// ------------------------------------------------------------------------------------------------
// CUTLASS Sm90 conv configurations

template <class Element_, cutlass::conv::Operator Op_, int TM, int TN, int TK, int Stages /*0 = auto*/>
struct Sm90Conv {
  using Element = Element_;
  static constexpr cutlass::conv::Operator Op = Op_;
  using Layout = cutlass::layout::TensorNDHWC;
  static constexpr int Align = 128 / cutlass::sizeof_bits<Element>::value;  // TMA: 16 B
  using TileShape = Shape<Int<TM>, Int<TN>, Shape<Int<TK>>>;                 // conv K mode is nested
  using ClusterShape = Shape<_1, _1, _1>;

  using Epilogue = typename cutlass::epilogue::collective::CollectiveBuilder<
      cutlass::arch::Sm90, cutlass::arch::OpClassTensorOp, TileShape, ClusterShape,
      cutlass::epilogue::collective::EpilogueTileAuto, float, float,
      void, Layout, Align,      // no C source: D = acc
      Element, Layout, Align,
      cutlass::epilogue::TmaWarpSpecialized>::CollectiveOp;

  using StageCountType = cute::conditional_t<
      Stages == 0,
      cutlass::conv::collective::StageCountAutoCarveout<int(sizeof(typename Epilogue::SharedStorage))>,
      cutlass::conv::collective::StageCount<Stages>>;

  using Mainloop = typename cutlass::conv::collective::CollectiveBuilder<
      cutlass::arch::Sm90, cutlass::arch::OpClassTensorOp, Op,
      Element, Layout, Align,  // activation (fprop: x; dgrad: "dy" = x)
      Element, Layout, Align,  // filter, KTRSC
      float, TileShape, ClusterShape, StageCountType,
      cutlass::conv::KernelImplicitTmaWarpSpecializedSm90>::CollectiveOp;

  using ProblemShape = cutlass::conv::ConvProblemShape<Op, 3>;
  using Kernel = cutlass::conv::kernel::ConvUniversal<ProblemShape, Mainloop, Epilogue>;
  using Conv = cutlass::conv::device::ConvUniversalAdapter<Kernel>;

  static std::string name() {
    char buf[96];
    std::snprintf(buf, sizeof(buf), "%s %s %dx%dx%d s%s",
                  std::is_same_v<Element, float> ? "tf32" : "bf16",
                  Op == cutlass::conv::Operator::kDgrad ? "dgrad" : "fprop-flip", TM, TN, TK,
                  Stages == 0 ? "=auto" : std::to_string(Stages).c_str());
    return buf;
  }
};

// TF32: fprop+flip only (dgrad does not compile, see header).
using Tf32_128x32_auto = Sm90Conv<float, cutlass::conv::Operator::kFprop, 128, 32, 32, 0>;
using Tf32_128x32_s4   = Sm90Conv<float, cutlass::conv::Operator::kFprop, 128, 32, 32, 4>;
using Tf32_64x32_s4    = Sm90Conv<float, cutlass::conv::Operator::kFprop, 64, 32, 32, 4>;
// BF16: dgrad (the mapping asked for) plus fprop+flip for an apples-to-apples comparison.
using Bf16Dgrad_128x32_auto = Sm90Conv<cutlass::bfloat16_t, cutlass::conv::Operator::kDgrad, 128, 32, 32, 0>;
using Bf16Dgrad_128x32_s4   = Sm90Conv<cutlass::bfloat16_t, cutlass::conv::Operator::kDgrad, 128, 32, 32, 4>;
using Bf16Dgrad_64x32_s4    = Sm90Conv<cutlass::bfloat16_t, cutlass::conv::Operator::kDgrad, 64, 32, 32, 4>;
using Bf16Fprop_128x32_auto = Sm90Conv<cutlass::bfloat16_t, cutlass::conv::Operator::kFprop, 128, 32, 32, 0>;

// ------------------------------------------------------------------------------------------------
// Host utilities

static dim3 grid_for(int64_t n) { return dim3(unsigned(std::min<int64_t>((n + 255) / 256, 132 * 16))); }

template <class T>
static T* dalloc(int64_t n) {
  T* p = nullptr;
  CUDA_CHECK(cudaMalloc(&p, size_t(std::max<int64_t>(n, 1)) * sizeof(T)));
  return p;
}

static float median_of(std::vector<float> v) {
  std::sort(v.begin(), v.end());
  size_t m = v.size() / 2;
  return v.size() % 2 ? v[m] : 0.5f * (v[m - 1] + v[m]);
}

// 5 warm-up + 20 timed launches, each bracketed by its own event pair.
template <class F>
static float time_median_ms(F&& launch) {
  for (int i = 0; i < 5; ++i) launch();
  CUDA_CHECK(cudaDeviceSynchronize());
  std::vector<cudaEvent_t> ev(40);
  for (auto& e : ev) CUDA_CHECK(cudaEventCreate(&e));
  for (int i = 0; i < 20; ++i) {
    CUDA_CHECK(cudaEventRecord(ev[2 * i]));
    launch();
    CUDA_CHECK(cudaEventRecord(ev[2 * i + 1]));
  }
  CUDA_CHECK(cudaEventSynchronize(ev.back()));
  std::vector<float> ms(20);
  for (int i = 0; i < 20; ++i) CUDA_CHECK(cudaEventElapsedTime(&ms[i], ev[2 * i], ev[2 * i + 1]));
  for (auto& e : ev) CUDA_CHECK(cudaEventDestroy(e));
  return median_of(ms);
}

struct CheckResult {
  double max_abs = 0, max_ref = 0, rel = 0;
  unsigned long long checked = 0, nan_checked = 0;
};

template <class TIn, class TOut>
static CheckResult reference_check(const TIn* x, const TIn* Wt, const TOut* y, const Case& c, bool full) {
  Geom g{c.N, c.Cin, c.Cout, c.D, c.H, c.W, c.k, c.p, c.Do(), c.Ho(), c.Wo()};
  CheckStats* st = dalloc<CheckStats>(1);
  CUDA_CHECK(cudaMemset(st, 0, sizeof(CheckStats)));
  reference_check_kernel<<<132 * 8, 256>>>(x, Wt, y, g, full, st);
  CUDA_CHECK(cudaGetLastError());
  CheckStats h{};
  CUDA_CHECK(cudaMemcpy(&h, st, sizeof(h), cudaMemcpyDeviceToHost));
  CUDA_CHECK(cudaFree(st));
  CheckResult r;
  std::memcpy(&r.max_abs, &h.max_err_bits, sizeof(double));
  std::memcpy(&r.max_ref, &h.max_ref_bits, sizeof(double));
  r.rel = r.max_ref > 0 ? r.max_abs / r.max_ref : INFINITY;
  r.checked = h.checked;
  r.nan_checked = h.nan_checked;
  return r;
}

template <class T>
static unsigned long long count_nan(const T* y, int64_t n) {
  unsigned long long* d = dalloc<unsigned long long>(1);
  CUDA_CHECK(cudaMemset(d, 0, sizeof(*d)));
  count_nan_kernel<<<grid_for(n), 256>>>(y, n, d);
  CUDA_CHECK(cudaGetLastError());
  unsigned long long h = 0;
  CUDA_CHECK(cudaMemcpy(&h, d, sizeof(h), cudaMemcpyDeviceToHost));
  CUDA_CHECK(cudaFree(d));
  return h;
}

static bool check_shape(const char* what, const cute::array<int, 5>& got, std::initializer_list<int> want) {
  int i = 0;
  bool ok = true;
  for (int w : want) ok &= (got[i++] == w);
  if (!ok) {
    std::fprintf(stderr, "  MAPPING ERROR: %s = [%d,%d,%d,%d,%d], expected [", what, got[0], got[1], got[2],
                 got[3], got[4]);
    for (int w : want) std::fprintf(stderr, "%d ", w);
    std::fprintf(stderr, "]\n");
  }
  return ok;
}

#define CUTLASS_STEP(expr, what)                                                              \
  do {                                                                                        \
    cutlass::Status st_ = (expr);                                                             \
    if (st_ != cutlass::Status::kSuccess) {                                                   \
      std::fprintf(stderr, "  CUTLASS %s failed: %s  [%s | %s]\n", what,                     \
                   cutlass::cutlassGetStatusString(st_), label.c_str(), c.name);              \
      ++g_failures;                                                                           \
      return;                                                                                 \
    }                                                                                         \
  } while (0)

// Diagnostic references (TF32 raw only): float64 refs on RN-rounded / truncated inputs.
struct DiagInputs {
  const float* x_rn = nullptr; const float* w_rn = nullptr;
  const float* x_tr = nullptr; const float* w_tr = nullptr;
};

// One (config, case, input variant) run: pack filter, poison y, run once, verify, time.
//   x, Wt     : what the conv consumes (activation NDHWC, PyTorch-layout weights)
//   x_ref, w_ref: what the float64 reference uses
template <class Cfg>
static void run_one(const Case& c, const std::string& variant, const typename Cfg::Element* x,
                    const typename Cfg::Element* Wt, const typename Cfg::Element* x_ref,
                    const typename Cfg::Element* w_ref, typename Cfg::Element* flt, typename Cfg::Element* y,
                    double tol, bool full_check, const DiagInputs* diag) {
  using Conv = typename Cfg::Conv;
  using Element = typename Cfg::Element;
  constexpr bool kDgrad = Cfg::Op == cutlass::conv::Operator::kDgrad;
  const std::string label = Cfg::name() + (variant.empty() ? "" : " " + variant);
  const int k = c.k, p = c.p;

  // TMA needs 16-byte aligned channel strides for both operands and the output.
  if ((int64_t(c.Cin) * sizeof(Element)) % 16 || (int64_t(c.Cout) * sizeof(Element)) % 16) {
    std::printf("%-36s %-7s SKIPPED: Cin*%zu or Cout*%zu bytes not a multiple of 16 (TMA alignment)\n",
                label.c_str(), c.name, sizeof(Element), sizeof(Element));
    return;
  }
  if (!kDgrad && k - 1 - p < 0) {
    std::printf("%-36s %-7s SKIPPED: fprop+flip needs p <= k-1\n", label.c_str(), c.name);
    return;
  }

  typename Cfg::ProblemShape problem =
      kDgrad ? typename Cfg::ProblemShape(cutlass::conv::Mode::kCrossCorrelation,
                                          {c.N, c.Do(), c.Ho(), c.Wo(), c.Cout},  // act = dx = y
                                          {c.Cin, k, k, k, c.Cout},               // KTRSC, K = Cin
                                          {p, p, p}, {p, p, p}, {1, 1, 1}, {1, 1, 1}, 1)
             : typename Cfg::ProblemShape(cutlass::conv::Mode::kCrossCorrelation,
                                          {c.N, c.D, c.H, c.W, c.Cin},            // act = x
                                          {c.Cout, k, k, k, c.Cin},               // KTRSC, K = Cout
                                          {k - 1 - p, k - 1 - p, k - 1 - p}, {k - 1 - p, k - 1 - p, k - 1 - p},
                                          {1, 1, 1}, {1, 1, 1}, 1);
  // A is what ptr_A must point at (x), C is what ptr_D receives (y).
  bool mapping_ok = check_shape("shape_A", problem.shape_A, {c.N, c.D, c.H, c.W, c.Cin}) &&
                    check_shape("shape_C", problem.shape_C, {c.N, c.Do(), c.Ho(), c.Wo(), c.Cout}) &&
                    (kDgrad ? check_shape("shape_B", problem.shape_B, {c.Cin, k, k, k, c.Cout})
                            : check_shape("shape_B", problem.shape_B, {c.Cout, k, k, k, c.Cin}));
  if (!mapping_ok) { ++g_failures; return; }

  // Filter transform (once per weight set in a real library; not timed).
  pack_filter<Element, !kDgrad><<<grid_for(c.w_elems()), 256>>>(flt, Wt, c.Cin, c.Cout, k);
  CUDA_CHECK(cudaGetLastError());
  CUDA_CHECK(cudaMemset(y, 0xff, size_t(c.y_elems()) * sizeof(Element)));  // NaN poison

  using StrideC = typename Conv::ConvKernel::StrideC;
  using StrideD = typename Conv::ConvKernel::StrideD;
  StrideC stride_C{};
  StrideD stride_D{};
  cute::for_each(cute::make_seq<cute::rank<0>(StrideD{})>{}, [&](auto i) {
    cute::get<0, i>(stride_C) = problem.stride_C[Cfg::ProblemShape::RankT - 2 - i];
    cute::get<0, i>(stride_D) = problem.stride_C[Cfg::ProblemShape::RankT - 2 - i];
  });
  typename Conv::Arguments args{
      problem,
      {x, flt},
      {{1.0f, 0.0f}, nullptr, stride_C, y, stride_D}};

  Conv conv;
  cutlass::Status can = conv.can_implement(args);
  if (can != cutlass::Status::kSuccess) {
    std::printf("%-36s %-7s %s: can_implement = %s\n", label.c_str(), c.name,
                c.required ? "FAIL" : "SKIPPED", cutlass::cutlassGetStatusString(can));
    if (c.required) ++g_failures;
    return;
  }
  struct Workspace {  // freed on every return path
    void* p = nullptr;
    ~Workspace() { if (p) cudaFree(p); }
  } ws;
  if (size_t ws_bytes = Conv::get_workspace_size(args)) CUDA_CHECK(cudaMalloc(&ws.p, ws_bytes));
  CUTLASS_STEP(conv.initialize(args, ws.p), "initialize");
  CUTLASS_STEP(conv.run(), "run");
  CUDA_CHECK(cudaGetLastError());
  CUDA_CHECK(cudaDeviceSynchronize());

  unsigned long long unwritten = count_nan(y, c.y_elems());
  CheckResult r = reference_check(x_ref, w_ref, y, c, full_check);

  bool launch_failed = false;
  float ms = time_median_ms([&] {
    cutlass::Status s = conv.run();
    if (s != cutlass::Status::kSuccess) launch_failed = true;
  });
  CUDA_CHECK(cudaGetLastError());
  if (launch_failed) {
    std::fprintf(stderr, "  CUTLASS run failed during timing [%s | %s]\n", label.c_str(), c.name);
    ++g_failures;
  }

  bool ok = unwritten == 0 && r.nan_checked == 0 && r.checked > 0 && r.rel <= tol && !launch_failed;
  if (!ok) ++g_failures;
  std::printf("%-36s %-7s %8.4f ms %7.2f TFLOP/s  maxabs %.3e  rel %.3e  unwritten %llu  (checked %llu)  %s (tol %.0e)\n",
              label.c_str(), c.name, ms, c.flops() / (double(ms) * 1e-3) / 1e12, r.max_abs, r.rel, unwritten,
              r.checked, ok ? "OK" : "FAIL", tol);

  if constexpr (std::is_same_v<Element, float>) {
    if (diag) {
      CheckResult rn = reference_check(diag->x_rn, diag->w_rn, y, c, full_check);
      CheckResult tr = reference_check(diag->x_tr, diag->w_tr, y, c, full_check);
      std::printf("    diag: rel vs ref(RN-tf32 inputs) %.3e, vs ref(truncated-tf32 inputs) %.3e -> raw fp32 is %s\n",
                  rn.rel, tr.rel,
                  rn.rel < 0.25 * tr.rel ? "ROUNDED (RN) on the way in" :
                  tr.rel < 0.25 * rn.rel ? "TRUNCATED on the way in" : "inconclusive");
    }
  }
}

template <class Cfg>
static void print_kernel_info() {
  using Conv = typename Cfg::Conv;
  cudaFuncAttributes attr{};
  CUDA_CHECK(cudaFuncGetAttributes(&attr, cutlass::device_kernel<typename Conv::ConvKernel>));
  int smem = int(Conv::ConvKernel::SharedStorageSize);
  if (smem >= (48 << 10))
    CUDA_CHECK(cudaFuncSetAttribute(cutlass::device_kernel<typename Conv::ConvKernel>,
                                    cudaFuncAttributeMaxDynamicSharedMemorySize, smem));
  int blocks = 0;
  CUDA_CHECK(cudaOccupancyMaxActiveBlocksPerMultiprocessor(
      &blocks, cutlass::device_kernel<typename Conv::ConvKernel>, Conv::ConvKernel::MaxThreadsPerBlock, smem));
  std::printf("  %-32s stages %2d  threads %d  regs %d  smem %6d B  CTAs/SM %d\n", Cfg::name().c_str(),
              int(Conv::kStages), int(Conv::ConvKernel::MaxThreadsPerBlock), attr.numRegs, smem, blocks);
}

// ------------------------------------------------------------------------------------------------

int main(int argc, char** argv) {
  bool full_check = false;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--full-check")) full_check = true;
    else { std::fprintf(stderr, "usage: %s [--full-check]\n", argv[0]); return 2; }
  }

  int dev = 0;
  CUDA_CHECK(cudaGetDevice(&dev));
  cudaDeviceProp prop{};
  CUDA_CHECK(cudaGetDeviceProperties(&prop, dev));
  std::printf("device: %s  sm_%d%d  SMs %d\n", prop.name, prop.major, prop.minor, prop.multiProcessorCount);
  if (prop.major != 9 || prop.minor != 0) {
    std::fprintf(stderr, "this probe is built for sm_90a only (found sm_%d%d)\n", prop.major, prop.minor);
    return 2;
  }

  std::printf("kernel configs (schedule KernelImplicitTmaWarpSpecializedSm90 + TmaWarpSpecialized epilogue, cluster 1x1x1):\n");
  print_kernel_info<Tf32_128x32_auto>();
  print_kernel_info<Tf32_128x32_s4>();
  print_kernel_info<Tf32_64x32_s4>();
  print_kernel_info<Bf16Dgrad_128x32_auto>();
  print_kernel_info<Bf16Dgrad_128x32_s4>();
  print_kernel_info<Bf16Dgrad_64x32_s4>();
  print_kernel_info<Bf16Fprop_128x32_auto>();

  std::printf("\nNOTE tf32: 'raw' hands fp32 bits to CUTLASS (its TMA descriptors are typed TFLOAT32);\n"
              "  the usual assumption is that tensor cores then see TRUNCATED tf32. 'rn' pre-rounds x and W with\n"
              "  cvt.rn.tf32.f32. Both are checked against float64 on the original fp32 inputs; the 'diag'\n"
              "  line says which quantization the raw path actually matched.\n"
              "  rel = max|y - ref| / max|ref| over checked outputs. Reference (H200, TF32, k3s1):\n"
              "  cuDNN 0.463 ms, this library 0.528 ms.\n\n");

  const Case cases[] = {
      {"sanity", 1, 32, 32, 4, 6, 20, 3, 1, true},
      {"k3s1", 4, 32, 32, 32, 64, 128, 3, 1, true},
      {"c64c16", 2, 64, 16, 16, 32, 48, 3, 1, false},
  };

  for (const Case& c : cases) {
    bool full = full_check || c.y_elems() <= (int64_t(8) << 20);
    std::printf("== case %s: N=%d Cin=%d Cout=%d DHW=%dx%dx%d k=%d p=%d -> out %dx%dx%d, %.2f GFLOP, %s check\n",
                c.name, c.N, c.Cin, c.Cout, c.D, c.H, c.W, c.k, c.p, c.Do(), c.Ho(), c.Wo(), c.flops() * 1e-9,
                full ? "full" : "subset (every 997th + spatial boundary)");

    const int64_t nx = c.x_elems(), nw = c.w_elems(), ny = c.y_elems();
    float* x32 = dalloc<float>(nx);
    float* w32 = dalloc<float>(nw);
    float* x_rn = dalloc<float>(nx);
    float* w_rn = dalloc<float>(nw);
    float* x_tr = dalloc<float>(nx);
    float* w_tr = dalloc<float>(nw);
    float* flt32 = dalloc<float>(nw);
    float* y32 = dalloc<float>(ny);
    using bf16 = cutlass::bfloat16_t;
    bf16* xbf = dalloc<bf16>(nx);
    bf16* wbf = dalloc<bf16>(nw);
    bf16* fltbf = dalloc<bf16>(nw);
    bf16* ybf = dalloc<bf16>(ny);

    const float w_scale = 1.0f / std::sqrt(float(c.Cin) * c.k * c.k * c.k);
    fill_hash_kernel<<<grid_for(nx), 256>>>(x32, nx, 0x1234u, 1.0f);
    fill_hash_kernel<<<grid_for(nw), 256>>>(w32, nw, 0xBEEFu, w_scale);
    convert_kernel<float><<<grid_for(nx), 256>>>(x_rn, x32, nx, 0);
    convert_kernel<float><<<grid_for(nw), 256>>>(w_rn, w32, nw, 0);
    convert_kernel<float><<<grid_for(nx), 256>>>(x_tr, x32, nx, 1);
    convert_kernel<float><<<grid_for(nw), 256>>>(w_tr, w32, nw, 1);
    convert_kernel<bf16><<<grid_for(nx), 256>>>(xbf, x32, nx, 2);
    convert_kernel<bf16><<<grid_for(nw), 256>>>(wbf, w32, nw, 2);
    CUDA_CHECK(cudaGetLastError());
    CUDA_CHECK(cudaDeviceSynchronize());

    // Price of the RN pre-round (an extra read+write pass over x; W is negligible).
    float round_ms = time_median_ms([&] { convert_kernel<float><<<grid_for(nx), 256>>>(x_rn, x32, nx, 0); });
    CUDA_CHECK(cudaGetLastError());
    std::printf("%-36s %-7s %8.4f ms  (%.1f GB/s)  add to the 'rn' rows\n", "tf32 RN pre-round copy of x", c.name,
                round_ms, 2.0 * nx * sizeof(float) / (round_ms * 1e-3) / 1e9);

    const DiagInputs diag{x_rn, w_rn, x_tr, w_tr};
    run_one<Tf32_128x32_auto>(c, "raw", x32, w32, x32, w32, flt32, y32, 3e-3, full, &diag);
    run_one<Tf32_128x32_auto>(c, "rn", x_rn, w_rn, x32, w32, flt32, y32, 1e-3, full, nullptr);
    run_one<Tf32_128x32_s4>(c, "raw", x32, w32, x32, w32, flt32, y32, 3e-3, full, &diag);
    run_one<Tf32_128x32_s4>(c, "rn", x_rn, w_rn, x32, w32, flt32, y32, 1e-3, full, nullptr);
    run_one<Tf32_64x32_s4>(c, "raw", x32, w32, x32, w32, flt32, y32, 3e-3, full, &diag);
    run_one<Tf32_64x32_s4>(c, "rn", x_rn, w_rn, x32, w32, flt32, y32, 1e-3, full, nullptr);
    run_one<Bf16Dgrad_128x32_auto>(c, "", xbf, wbf, xbf, wbf, fltbf, ybf, 2e-2, full, nullptr);
    run_one<Bf16Dgrad_128x32_s4>(c, "", xbf, wbf, xbf, wbf, fltbf, ybf, 2e-2, full, nullptr);
    run_one<Bf16Dgrad_64x32_s4>(c, "", xbf, wbf, xbf, wbf, fltbf, ybf, 2e-2, full, nullptr);
    run_one<Bf16Fprop_128x32_auto>(c, "", xbf, wbf, xbf, wbf, fltbf, ybf, 2e-2, full, nullptr);
    std::printf("\n");

    for (void* ptr : {(void*)x32, (void*)w32, (void*)x_rn, (void*)w_rn, (void*)x_tr, (void*)w_tr, (void*)flt32,
                      (void*)y32, (void*)xbf, (void*)wbf, (void*)fltbf, (void*)ybf})
      CUDA_CHECK(cudaFree(ptr));
  }

  if (g_failures) {
    std::printf("RESULT: %d failure(s)\n", g_failures);
    return 1;
  }
  std::printf("RESULT: all checks passed\n");
  return 0;
}
