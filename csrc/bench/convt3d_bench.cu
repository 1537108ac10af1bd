// convt3d_bench: times the kernel library's operators without PyTorch.
//   convt3d_bench                      the standard cases (same as benchmarks/bench.py), fp32 TF32
//   convt3d_bench --dtype bf16 --math exact --case mission --reps 50
//   convt3d_bench --decoders           the decoder-level cases too (more channels, smaller volumes)
//   convt3d_bench --layout cl          x, y and their gradients channels_last_3d (NDHWC in memory)
//   convt3d_bench --stages 2           caps the row-conv pipeline depth (A/B of the pipeline in one binary)
//   convt3d_bench --host               host time per forward call and per operator phase (microseconds)
//   convt3d_bench --digest             a hash of each output's bits (y, grad_x, grad_w): two builds whose kernels
//                                      should compute the same sums print the same digests
//   convt3d_bench --check              each output against the library's own float64 run on the same inputs
//                                      (max|ours - f64| / max|f64|, the tests' budgets; exit status 1 past them)
// Inputs are random (never zeros); each operator's output is poisoned (NaN) before the first run and
// checked for unwritten elements.  Times: CUDA events, warm-up, median; each call queued behind a ~1 ms busy-wait
// kernel, so the host's planning and launches are not counted (as in bench.py).
#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "convt3d.h"

#define CK(x)                                                                              \
  do {                                                                                     \
    cudaError_t e_ = (x);                                                                  \
    if (e_ != cudaSuccess) {                                                               \
      std::fprintf(stderr, "%s:%d: %s: %s\n", __FILE__, __LINE__, #x, cudaGetErrorString(e_)); \
      std::exit(1);                                                                        \
    }                                                                                      \
  } while (0)

namespace {

struct Case {
  const char* name;
  int n, cin, cout, d, h, w, k, s, p, op, g;
  bool decoder = false;  // run with --decoders or by --case (benchmarks/bench.py's DECODER_CASES)
};
const Case kCases[] = {
    {"mission", 4, 32, 32, 32, 64, 128, 3, 2, 1, 0, 1},  {"groups4", 4, 32, 32, 32, 64, 128, 3, 2, 1, 0, 4},
    {"depthwise", 4, 32, 32, 32, 64, 128, 3, 2, 1, 0, 32}, {"k2s2", 4, 32, 32, 32, 64, 128, 2, 2, 0, 0, 1},
    {"k3s2op1", 4, 32, 32, 32, 64, 128, 3, 2, 1, 1, 1},   {"k3s1", 4, 32, 32, 32, 64, 128, 3, 1, 1, 0, 1},
    {"in64out16", 4, 64, 16, 32, 64, 128, 3, 2, 1, 0, 1},
    // decoder levels of real 3D decoders (bench.py's DECODER_CASES, same names)
    {"unet-256-128", 2, 256, 128, 16, 16, 16, 2, 2, 0, 0, 1, true},
    {"unet-128-64", 2, 128, 64, 32, 32, 32, 2, 2, 0, 0, 1, true},
    {"unet-64-32", 2, 64, 32, 64, 64, 64, 2, 2, 0, 0, 1, true},
    {"vnet-128-64", 2, 128, 64, 32, 32, 32, 3, 2, 1, 1, 1, true},
    {"video-64-32", 2, 64, 32, 8, 64, 64, 3, 2, 1, 1, 1, true},
    {"odd-32-32", 2, 32, 32, 24, 48, 96, 3, 2, 1, 0, 1, true},
};

template <class T> __device__ T from_float(float v);
template <> __device__ float from_float<float>(float v) { return v; }
template <> __device__ double from_float<double>(float v) { return v; }
template <> __device__ __half from_float<__half>(float v) { return __float2half(v); }
template <> __device__ __nv_bfloat16 from_float<__nv_bfloat16>(float v) { return __float2bfloat16(v); }

template <class T>
__global__ void fill_kernel(T* p, int64_t n, uint32_t seed, float lo, float hi) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x) {
    uint32_t h = uint32_t(i) * 2654435761u ^ (uint32_t(i >> 32) * 40503u) ^ seed;
    h ^= h >> 16; h *= 0x7feb352du; h ^= h >> 15; h *= 0x846ca68bu; h ^= h >> 16;
    p[i] = from_float<T>(lo + (hi - lo) * (h >> 8) * (1.0f / 16777216.0f));
  }
}
template <class T>
__global__ void count_nan_kernel(const T* p, int64_t n, unsigned long long* cnt) {
  unsigned long long c = 0;
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x) {
    float v = float(p[i]);
    c += (v != v);
  }
  atomicAdd(cnt, c);
}

size_t esize(ct3d::DType t) { return t == ct3d::DType::kF64 ? 8 : t == ct3d::DType::kF32 ? 4 : 2; }

// f(E{}) with E the element type of t (one switch for every per-dtype launch below)
template <class F>
void with_element(ct3d::DType t, F&& f) {
  switch (t) {
    case ct3d::DType::kF32: f(float{}); break;
    case ct3d::DType::kF64: f(double{}); break;
    case ct3d::DType::kF16: f(__half{}); break;
    case ct3d::DType::kBF16: f(__nv_bfloat16{}); break;
  }
  CK(cudaGetLastError());
}
int grid_for(int64_t n, int64_t cap) { return int(std::min<int64_t>((n + 255) / 256, cap)); }

// N zeroed 64-bit device words, launch(words), then their values on the host
template <int N, class L>
std::array<unsigned long long, N> device_words(L&& launch) {
  unsigned long long* d;
  CK(cudaMalloc(&d, N * sizeof(*d)));
  CK(cudaMemset(d, 0, N * sizeof(*d)));
  launch(d);
  CK(cudaGetLastError());
  std::array<unsigned long long, N> h{};
  CK(cudaMemcpy(h.data(), d, sizeof(h), cudaMemcpyDeviceToHost));
  CK(cudaFree(d));
  return h;
}

void fill(void* p, int64_t n, ct3d::DType t, uint32_t seed, float lo, float hi) {
  with_element(t, [&](auto e) {
    fill_kernel<<<grid_for(n, 65536), 256>>>(static_cast<decltype(e)*>(p), n, seed, lo, hi);
  });
}
// Position-weighted sum of the 32-bit words (integer adds, so the same whatever the order): equal bits, equal digest.
__global__ void digest_kernel(const uint32_t* p, int64_t n, unsigned long long* out) {
  unsigned long long h = 0;
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x) {
    unsigned long long v = (unsigned long long)(i + 1) * 0x9e3779b97f4a7c15ull ^ p[i];
    v ^= v >> 29;
    h += v * 0xbf58476d1ce4e5b9ull;
  }
  atomicAdd(out, h);
}
unsigned long long digest(const void* p, int64_t bytes) {
  const int64_t n = bytes / 4;  // every output here is a whole number of words (even element counts for 2 bytes)
  return device_words<1>([&](unsigned long long* d) {
    digest_kernel<<<grid_for(n, 4096), 256>>>(static_cast<const uint32_t*>(p), n, d);
  })[0];
}
template <class T>
__global__ void to_f64_kernel(const T* in, double* out, int64_t n) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x)
    out[i] = double(float(in[i]));
}
template <>
__global__ void to_f64_kernel<double>(const double* in, double* out, int64_t n) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x)
    out[i] = in[i];
}
// bits[0] = max |a - b| (NaN where either is NaN), bits[1] = max |b|, as the bits of non-negative doubles (ordered
// like their values)
__global__ void max_err_kernel(const double* a, const double* b, int64_t n, unsigned long long* bits) {
  double e = 0, m = 0;
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x) {
    const double d = fabs(a[i] - b[i]);
    e = d != d ? INFINITY : fmax(e, d);
    m = fmax(m, fabs(b[i]));
  }
  atomicMax(&bits[0], (unsigned long long)__double_as_longlong(e));
  atomicMax(&bits[1], (unsigned long long)__double_as_longlong(m));
}
void to_f64(const void* p, double* out, int64_t n, ct3d::DType t) {
  with_element(t, [&](auto e) {
    to_f64_kernel<<<grid_for(n, 65536), 256>>>(static_cast<const decltype(e)*>(p), out, n);
  });
}
// max|a - b| / max|b| of n doubles (inf where a has NaN or inf that b has not)
double rel_err(const double* a, const double* b, int64_t n) {
  const auto h =
      device_words<2>([&](unsigned long long* d) { max_err_kernel<<<grid_for(n, 4096), 256>>>(a, b, n, d); });
  double e, m;
  std::memcpy(&e, &h[0], sizeof(e));
  std::memcpy(&m, &h[1], sizeof(m));
  return m > 0 ? e / m : e;
}
unsigned long long count_nan(const void* p, int64_t n, ct3d::DType t) {
  return device_words<1>([&](unsigned long long* d) {
    with_element(t, [&](auto e) {
      count_nan_kernel<<<grid_for(n, 4096), 256>>>(static_cast<const decltype(e)*>(p), n, d);
    });
  })[0];
}

// sizes in PyTorch's (N, C, D, H, W) order; memory NCDHW, or NDHWC for channels_last_3d
ct3d::TensorRef5 strided(void* data, int64_t a, int64_t b, int64_t c, int64_t d, int64_t e, bool cl = false) {
  ct3d::TensorRef5 t{data, {a, b, c, d, e}, {b * c * d * e, c * d * e, d * e, e, 1}};
  if (cl) {
    t.stride[1] = 1;
    t.stride[4] = b;
    t.stride[3] = e * b;
    t.stride[2] = d * e * b;
  }
  return t;
}

// Keeps the GPU busy for ns nanoseconds, so that the timed call's launches are all queued before its start event
// fires: the interval is GPU time alone, as bench.py's (hide_launch).  Without it the host's planning and launches
// (~20 us over an operator's several kernels) counted on short cases (stop 36, H100: video-64-32 forward 0.124 ms
// here against bench.py's 0.098).
__global__ void busy_wait_kernel(unsigned long long ns) {
  unsigned long long t0, t;
  asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(t0));
  do {
    asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(t));
  } while (t - t0 < ns);
}

template <class Op>
float time_op(Op& op, const ct3d::Arguments& args, void* ws, int reps) {
  std::string why;
  auto run = [&] {
    ct3d::Status s = op(args, ws, nullptr, &why);
    if (s != ct3d::Status::kSuccess) {
      std::fprintf(stderr, "operator failed: %s: %s\n", ct3d::status_string(s), why.c_str());
      std::exit(1);
    }
  };
  for (int i = 0; i < 3; ++i) run();
  cudaEvent_t a, b;
  CK(cudaEventCreate(&a));
  CK(cudaEventCreate(&b));
  std::vector<float> ms;
  for (int i = 0; i < reps; ++i) {
    busy_wait_kernel<<<1, 1>>>(1000000ull);  // ~1 ms
    CK(cudaGetLastError());
    CK(cudaEventRecord(a));
    run();
    CK(cudaEventRecord(b));
    CK(cudaEventSynchronize(b));
    float t = 0;
    CK(cudaEventElapsedTime(&t, a, b));
    ms.push_back(t);
  }
  CK(cudaEventDestroy(a));
  CK(cudaEventDestroy(b));
  std::sort(ms.begin(), ms.end());
  return ms[ms.size() / 2];
}

// Host time of the forward's phases (median microseconds over reps calls, none waiting for the GPU: the calls
// only queue work, and the 3 x reps launches stay well inside the launch queue).  What a caller's thread spends
// per call before the GPU can start, apart from PyTorch's dispatch.
void host_times(const ct3d::Arguments& args, void* ws, int reps) {
  ct3d::Forward op;
  std::string why;
  auto med = [&](auto&& f) {
    std::vector<double> us;
    for (int i = 0; i < reps; ++i) {
      const auto a = std::chrono::steady_clock::now();
      f();
      us.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - a).count());
    }
    CK(cudaDeviceSynchronize());
    std::sort(us.begin(), us.end());
    return us[us.size() / 2];
  };
  auto ok = [&](ct3d::Status s) {
    if (s != ct3d::Status::kSuccess) {
      std::fprintf(stderr, "operator failed: %s: %s\n", ct3d::status_string(s), why.c_str());
      std::exit(1);
    }
  };
  const double tc = med([&] { ok(op.can_implement(args, &why)); });
  const double tw = med([&] { (void)op.get_workspace_size(args); });
  const double ti = med([&] { ok(op.initialize(args, ws, nullptr, &why)); });
  const double tr = med([&] { ok(op.run(nullptr, &why)); });
  const double tall = med([&] {
    ok(op.can_implement(args, &why));
    (void)op.get_workspace_size(args);
    ok(op(args, ws, nullptr, &why));
  });
  std::printf("  host us: can_implement %.1f  get_workspace_size %.1f  initialize %.1f  run %.1f  whole call %.1f\n",
              tc, tw, ti, tr, tall);
}

template <class Op>
size_t workspace(const ct3d::Arguments& a);

// Both input gradients in one pass (v146, CUTLASS_CONVT3D_SM90_FUSED_BWD=1) as an operator for time_op: arguments as
// GradWeight's with w the weight; grad_x and grad_w written to gx, gw
struct FusedBackward {
  ct3d::TensorRef5 gx, gw;
  ct3d::Status operator()(const ct3d::Arguments& a, void* ws, cudaStream_t stream, std::string* why) {
    return ct3d::grad_input_weight(a, gx, gw, ws, stream, why);
  }
};

// --check: the forward, grad_input and grad_weight of `a` (their outputs at y, gx, gw, inputs x, w, gy) against the
// library's float64 run on the same inputs converted; prints the three relative errors, false past `budget`
bool check_against_f64(const ct3d::Arguments& a, const void* y, const void* gx, const void* gw, const void* x,
                       const void* w, const void* gy, double budget) {
  const ct3d::ConvT3dProblem& p = a.problem;
  const int64_t nx = int64_t(a.x.size[0]) * a.x.size[1] * a.x.size[2] * a.x.size[3] * a.x.size[4];
  const int64_t ny = int64_t(a.y.size[0]) * a.y.size[1] * a.y.size[2] * a.y.size[3] * a.y.size[4];
  const int64_t nw = int64_t(a.w.size[0]) * a.w.size[1] * a.w.size[2] * a.w.size[3] * a.w.size[4];
  double *x64, *w64, *gy64, *y64, *gx64, *gw64, *ours;
  CK(cudaMalloc(&x64, nx * 8)); CK(cudaMalloc(&w64, nw * 8)); CK(cudaMalloc(&gy64, ny * 8));
  CK(cudaMalloc(&y64, ny * 8)); CK(cudaMalloc(&gx64, nx * 8)); CK(cudaMalloc(&gw64, nw * 8));
  CK(cudaMalloc(&ours, std::max({nx, ny, nw}) * 8));
  to_f64(x, x64, nx, p.dtype);  // the same layouts: every buffer is dense in its own order
  to_f64(w, w64, nw, p.dtype);
  to_f64(gy, gy64, ny, p.dtype);
  ct3d::Arguments r = a;
  r.problem.dtype = ct3d::DType::kF64;
  r.problem.math = ct3d::Math::kExact;
  r.x.data = x64;
  r.w.data = w64;
  r.y.data = y64;
  void* ws;
  const size_t wsb = std::max({workspace<ct3d::Forward>(r), workspace<ct3d::GradInput>(r),
                               workspace<ct3d::GradWeight>(r)});
  CK(cudaMalloc(&ws, wsb + 16));
  std::string why;
  auto run = [&](auto&& op, const ct3d::Arguments& args) {
    if (op(args, ws, nullptr, &why) != ct3d::Status::kSuccess) {
      std::fprintf(stderr, "float64 reference failed: %s\n", why.c_str());
      std::exit(1);
    }
  };
  ct3d::Forward fwd;
  run(fwd, r);
  ct3d::Arguments b = r;  // backward: y holds grad_y, x/w receive the gradients
  b.y.data = gy64;
  b.x.data = gx64;
  ct3d::GradInput dgrad;
  run(dgrad, b);
  b.x.data = x64;
  b.w.data = gw64;
  ct3d::GradWeight wgrad;
  run(wgrad, b);
  double err[3];
  const void* got[3] = {y, gx, gw};
  const double* ref[3] = {y64, gx64, gw64};
  const int64_t n[3] = {ny, nx, nw};
  for (int i = 0; i < 3; ++i) {
    to_f64(got[i], ours, n[i], p.dtype);
    err[i] = rel_err(ours, ref[i], n[i]);
  }
  const bool ok = err[0] <= budget && err[1] <= budget && err[2] <= budget;
  std::printf("  check vs float64: y %.2e grad_x %.2e grad_w %.2e (budget %.0e) %s\n", err[0], err[1], err[2], budget,
              ok ? "ok" : "FAIL");
  for (double* q : {x64, w64, gy64, y64, gx64, gw64, ours}) CK(cudaFree(q));
  CK(cudaFree(ws));
  return ok;
}

template <class Op>
size_t workspace(const ct3d::Arguments& a) {
  Op op;
  std::string why;
  if (op.can_implement(a, &why) != ct3d::Status::kSuccess) {
    std::fprintf(stderr, "cannot implement: %s\n", why.c_str());
    std::exit(1);
  }
  return op.get_workspace_size(a);
}

}  // namespace

int main(int argc, char** argv) {
  std::string only, dtype = "f32", math = "tf32", layout = "ncdhw";
  int reps = 20, stages = 0;
  bool host = false, dig = false, check = false, failed = false, decoders = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&] { return i + 1 < argc ? std::string(argv[++i]) : std::string(); };
    if (a == "--case") only = next();
    else if (a == "--dtype") dtype = next();
    else if (a == "--math") math = next();
    else if (a == "--layout") layout = next();
    else if (a == "--digest") dig = true;
    else if (a == "--check") check = true;
    else if (a == "--reps") reps = std::atoi(next().c_str());
    else if (a == "--stages") stages = std::atoi(next().c_str());
    else if (a == "--host") host = true;
    else if (a == "--decoders") decoders = true;
    else {
      std::printf("usage: convt3d_bench [--case NAME] [--dtype f32|f16|bf16|f64] [--math tf32|exact] "
                  "[--layout ncdhw|cl] [--reps N] [--stages 2..4] [--host] [--digest] [--check] [--decoders]\n");
      return a == "--help" ? 0 : 2;
    }
  }
  if (layout != "ncdhw" && layout != "cl") {
    std::fprintf(stderr, "--layout must be ncdhw or cl, got '%s'\n", layout.c_str());
    return 2;
  }
  const bool cl = layout == "cl";
  ct3d::set_max_pipeline_stages(stages);  // 0: the library's own pick
  ct3d::DType dt = dtype == "f16" ? ct3d::DType::kF16 : dtype == "bf16" ? ct3d::DType::kBF16
                 : dtype == "f64" ? ct3d::DType::kF64 : ct3d::DType::kF32;
  cudaDeviceProp prop;
  int dev = 0;
  CK(cudaGetDevice(&dev));
  CK(cudaGetDeviceProperties(&prop, dev));
  std::printf("device: %s  dtype: %s  math: %s  layout: %s  reps: %d (median ms)\n", prop.name, dtype.c_str(),
              math.c_str(), layout.c_str(), reps);
  std::printf("%-12s %10s %10s %10s %10s %9s\n", "case", "fwd_ms", "fwd_TB/s", "dgrad_ms", "wgrad_ms", "unwritten");
  for (const Case& c : kCases) {
    if (only.empty() ? c.decoder && !decoders : only != c.name) continue;
    ct3d::Arguments args;
    ct3d::ConvT3dProblem& p = args.problem;
    p.N = c.n; p.Cin = c.cin; p.Cout = c.cout; p.groups = c.g;
    int in[3] = {c.d, c.h, c.w};
    for (int d = 0; d < 3; ++d) {
      p.in[d] = in[d]; p.k[d] = c.k; p.stride[d] = c.s; p.pad[d] = c.p; p.dil[d] = 1;
      p.out[d] = (in[d] - 1) * c.s - 2 * c.p + (c.k - 1) + 1 + c.op;
    }
    p.dtype = dt;
    p.math = math == "exact" ? ct3d::Math::kExact : ct3d::Math::kTF32;
    const int64_t nx = int64_t(c.n) * c.cin * c.d * c.h * c.w;
    const int64_t ny = int64_t(c.n) * c.cout * p.out[0] * p.out[1] * p.out[2];
    const int64_t nw = int64_t(c.cin) * (c.cout / c.g) * c.k * c.k * c.k;
    const size_t es = esize(dt);
    void *x, *y, *w, *gx, *gw, *gy;
    CK(cudaMalloc(&x, nx * es)); CK(cudaMalloc(&gx, nx * es));
    CK(cudaMalloc(&y, ny * es)); CK(cudaMalloc(&gy, ny * es));
    CK(cudaMalloc(&w, nw * es)); CK(cudaMalloc(&gw, nw * es));
    fill(x, nx, dt, 1, 0.f, 1.f);  // torch.rand-like input, as the user's test
    fill(gy, ny, dt, 2, -1.f, 1.f);
    fill(w, nw, dt, 3, -0.1f, 0.1f);
    CK(cudaMemset(y, 0xff, ny * es));  // NaN poison (all-ones bits) for the unwritten check
    CK(cudaMemset(gx, 0xff, nx * es));
    CK(cudaMemset(gw, 0xff, nw * es));
    args.x = strided(x, c.n, c.cin, c.d, c.h, c.w, cl);
    args.w = strided(w, c.cin, c.cout / c.g, c.k, c.k, c.k);
    args.y = strided(y, c.n, c.cout, p.out[0], p.out[1], p.out[2], cl);
    size_t wsb = std::max({workspace<ct3d::Forward>(args), workspace<ct3d::GradInput>(args),
                           workspace<ct3d::GradWeight>(args)});
    void* ws;
    CK(cudaMalloc(&ws, wsb + 16));
    ct3d::Forward fwd;
    float tf = time_op(fwd, args, ws, reps);
    ct3d::Arguments bargs = args;  // backward: y holds grad_y, x/w receive the gradients
    bargs.y.data = gy;
    bargs.x.data = gx;
    ct3d::GradInput dgrad;
    float td = time_op(dgrad, bargs, ws, reps);
    bargs.x.data = x;
    bargs.w.data = gw;
    ct3d::GradWeight wgrad;
    float tw = time_op(wgrad, bargs, ws, reps);
    CK(cudaDeviceSynchronize());
    unsigned long long bad = count_nan(y, ny, dt) + count_nan(gx, nx, dt) + count_nan(gw, nw, dt);
    const double bytes = double(nx + ny) * es;
    std::printf("%-12s %10.3f %10.2f %10.3f %10.3f %9llu\n", c.name, tf, bytes / (tf * 1e-3) / 1e12, td, tw, bad);
    if (dig)
      std::printf("  digest y %016llx grad_x %016llx grad_w %016llx\n", digest(y, ny * es), digest(gx, nx * es),
                  digest(gw, nw * es));
    // --check: the tests' budgets (max|err| / max|ref| against float64)
    const double budget = dt == ct3d::DType::kF64 ? 1e-12 : dt == ct3d::DType::kF16 ? 1e-2
                          : dt == ct3d::DType::kBF16 ? 2e-2 : p.math == ct3d::Math::kExact ? 1e-5 : 2e-3;
    if (check) failed |= !check_against_f64(args, y, gx, gw, x, w, gy, budget);
    ct3d::Arguments f = bargs;  // v146: the fused backward where it applies (its own outputs, checked alike)
    f.w = args.w;               // (the weight: the fused kernel packs it for grad_input)
    if (ct3d::fused_grad_input_weight(f)) {
      void *gx2, *gw2, *ws2;
      CK(cudaMalloc(&gx2, nx * es)); CK(cudaMalloc(&gw2, nw * es));
      CK(cudaMemset(gx2, 0xff, nx * es)); CK(cudaMemset(gw2, 0xff, nw * es));
      CK(cudaMalloc(&ws2, ct3d::fused_grad_input_weight_workspace(f) + 16));
      FusedBackward fb{strided(gx2, c.n, c.cin, c.d, c.h, c.w, cl), strided(gw2, c.cin, c.cout / c.g, c.k, c.k, c.k)};
      const float tb = time_op(fb, f, ws2, reps);
      CK(cudaDeviceSynchronize());
      std::printf("  fused backward %.3f ms (grad_input + grad_weight %.3f), unwritten %llu\n", tb, td + tw,
                  count_nan(gx2, nx, dt) + count_nan(gw2, nw, dt));
      if (dig) std::printf("  digest fused grad_x %016llx grad_w %016llx\n", digest(gx2, nx * es), digest(gw2, nw * es));
      if (check) {
        std::printf("  fused:");
        failed |= !check_against_f64(args, y, gx2, gw2, x, w, gy, budget);
      }
      CK(cudaFree(gx2)); CK(cudaFree(gw2)); CK(cudaFree(ws2));
    }
    if (host) host_times(args, ws, std::max(reps, 50));
    CK(cudaFree(x)); CK(cudaFree(gx)); CK(cudaFree(y)); CK(cudaFree(gy)); CK(cudaFree(w)); CK(cudaFree(gw));
    CK(cudaFree(ws));
  }
  return failed ? 1 : 0;
}
