// y write-pattern probe (NOTES, stop 58): does the order in which the Hopper forward writes y cap its DRAM write rate?
// ncu (s57 calls 8-9) has the mission's forward kernel at 48% SM and 57-64% memory throughput with 1.05 GB written in
// 0.62-0.68 ms (~1.6 TB/s), saturating nothing.  Its tiles each write 32 channel rows x 128 outputs (32 runs of 512 B,
// 8 MB apart), 396-528 warpgroups at once.  This writes the mission's y (4 x 32 x 63 x 127 x 255 fp32) with no
// compute, in that order and in others, so the store pattern's own cost shows apart from the kernel's pipeline:
//   seq           a grid-stride 16-byte store over the whole tensor (the ceiling)
//   CxR[h|f]      tiles of C channels x R rows along h, each row half (128 outputs, q block) or full (255), as
//                 consecutive tiles [n][od][oh block][q block][channel block]; a warpgroup per tile, persistent CTAs
//                 of NWG warpgroups, tile (k * ctas + cta) * NWG + wg as HopperShare::tile (no rotation)
//   ...-rd        as the forward's segments: even od on the first half of the CTAs, odd od on the second half
// Stores are 16-byte vectors where a run's elements lie on 16 bytes, elements at its ends (as VecRow), under an
// evict-first L2 policy (as the forward's y past the L2) or plain (suffix -n).  Times: CUDA events, median of 15.
// Build: nvcc -O3 -std=c++17 -gencode=arch=compute_90,code=sm_90 ywrite_pattern_probe.cu -o ywrite_probe
// Run: ywrite_probe [warpgroups a CTA, 3] [W, 255]: W 256 gives rows on whole 32-byte sectors (half rows too), which
// separates the run length from the partial sectors at the runs' ends (NOTES, stop 58).
#include <cuda_runtime.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

#define CK(x)                                                                                   \
  do {                                                                                          \
    cudaError_t e_ = (x);                                                                       \
    if (e_ != cudaSuccess) {                                                                    \
      std::fprintf(stderr, "%s:%d %s: %s\n", __FILE__, __LINE__, #x, cudaGetErrorString(e_)); \
      std::exit(1);                                                                             \
    }                                                                                           \
  } while (0)

constexpr int N = 4, C = 32, D = 63, H = 127;
__constant__ int W;  // 255 (the mission: rows of 1020 bytes, any 4-byte phase) or 256 (sector-aligned rows)
static int64_t kElems;

struct Pattern {
  int ch, rows;   // channels, rows along h per tile
  bool half;      // q blocks of 128 outputs (2 a row) or whole rows
  bool rd;        // even / odd od on the two halves of the CTAs
  bool evict_first;
};

__device__ __forceinline__ uint64_t policy(bool first) {
  uint64_t p;
  if (first)
    asm volatile("createpolicy.fractional.L2::evict_first.b64 %0, 1.0;" : "=l"(p));
  else
    asm volatile("createpolicy.fractional.L2::evict_normal.b64 %0, 1.0;" : "=l"(p));
  return p;
}
__device__ __forceinline__ void st4(float* a, float v, uint64_t pol) {
  asm volatile("st.global.L2::cache_hint.v4.f32 [%0], {%1, %1, %1, %1}, %2;" ::"l"(a), "f"(v), "l"(pol) : "memory");
}
__device__ __forceinline__ void st1(float* a, float v, uint64_t pol) {
  asm volatile("st.global.L2::cache_hint.f32 [%0], %1, %2;" ::"l"(a), "f"(v), "l"(pol) : "memory");
}

__global__ void seq_kernel(float* y, int64_t n4, float v) {
  const uint64_t pol = policy(true);
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n4; i += int64_t(gridDim.x) * blockDim.x)
    st4(y + 4 * i, v, pol);
}

// a warp stores one run of len elements at p (4-byte aligned): head elements, 16-byte vectors, tail elements
__device__ __forceinline__ void store_run(float* p, int len, int lane, float v, uint64_t pol) {
  const int head = min(len, int((16 - (reinterpret_cast<uintptr_t>(p) & 15)) & 15) / 4);
  const int nv = (len - head) / 4, tail0 = head + 4 * nv;
  for (int i = lane; i < nv; i += 32) st4(p + head + 4 * i, v, pol);
  if (lane < head) st1(p + lane, v, pol);
  if (lane < len - tail0) st1(p + tail0 + lane, v, pol);
}

__global__ void tile_kernel(float* y, Pattern pt, int nwg, float v) {
  const int wg = threadIdx.x / 128, warp = (threadIdx.x / 32) % 4, lane = threadIdx.x % 32;
  const uint64_t pol = policy(pt.evict_first);
  const int qbs = pt.half ? 2 : 1, rblocks = (H + pt.rows - 1) / pt.rows, cblocks = C / pt.ch;
  const int dsplit = pt.rd ? 2 : 1;
  // CTAs of this segment (rd) and its tiles
  const int half = gridDim.x / dsplit, seg = min(int(blockIdx.x) / half, dsplit - 1);
  const int cta = blockIdx.x - seg * half, ctas = seg == dsplit - 1 ? gridDim.x - seg * half : half;
  const int dseg = pt.rd ? (D + 1 - seg) / 2 : D;  // od = seg, seg + 2, ... (rd) or every od
  const int64_t tiles = int64_t(N) * dseg * rblocks * qbs * cblocks;
  for (int64_t k = 0;; ++k) {
    const int64_t t = (k * ctas + cta) * nwg + wg;
    if (t >= tiles) break;
    int64_t r = t;
    const int cb = int(r % cblocks);
    r /= cblocks;
    const int qb = int(r % qbs);
    r /= qbs;
    const int hb = int(r % rblocks);
    r /= rblocks;
    const int qd = int(r % dseg);
    const int n = int(r / dseg);
    const int od = pt.rd ? 2 * qd + seg : qd;
    const int o0 = qb * 128, len = pt.half ? min(128, W - o0) : W;
    // runs: (channel, row) pairs of the tile; whole-row tiles of consecutive rows are one run per channel
    const int nrows = min(pt.rows, H - hb * pt.rows);
    const bool merge = !pt.half;
    const int runs = pt.ch * (merge ? 1 : nrows);
    for (int ru = warp; ru < runs; ru += 4) {
      const int c = cb * pt.ch + (merge ? ru : ru / nrows), oh = hb * pt.rows + (merge ? 0 : ru % nrows);
      float* p = y + ((((int64_t(n) * C + c) * D + od) * H + oh) * W + o0);
      store_run(p, merge ? nrows * W : len, lane, v, pol);
    }
  }
}

static float median(std::vector<float> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

int main(int argc, char** argv) {
  const int nwg = argc > 1 ? std::atoi(argv[1]) : 3, w = argc > 2 ? std::atoi(argv[2]) : 255;
  if (nwg < 1 || nwg > 8 || w < 129 || w > 256) {
    std::fprintf(stderr, "warpgroups 1..8, W 129..256\n");
    return 2;
  }
  CK(cudaMemcpyToSymbol(W, &w, sizeof w));
  kElems = int64_t(N) * C * D * H * w;
  int sms = 0;
  CK(cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, 0));
  cudaDeviceProp prop;
  CK(cudaGetDeviceProperties(&prop, 0));
  float* y;
  CK(cudaMalloc(&y, kElems * sizeof(float)));
  cudaEvent_t a, b;
  CK(cudaEventCreate(&a));
  CK(cudaEventCreate(&b));
  std::printf("%s, %d SMs, y %.3f GB (W %d), %d warpgroups a CTA\n", prop.name, sms, kElems * 4e-9, w, nwg);
  auto timeit = [&](const char* name, auto launch) {
    std::vector<float> ms;
    for (int i = 0; i < 18; ++i) {
      CK(cudaEventRecord(a));
      launch(float(i));
      CK(cudaGetLastError());
      CK(cudaEventRecord(b));
      CK(cudaEventSynchronize(b));
      float t;
      CK(cudaEventElapsedTime(&t, a, b));
      if (i >= 3) ms.push_back(t);
    }
    // every element written: the last launch stored float(17) everywhere
    std::vector<float> h(1 << 20);
    bool ok = true;
    for (int64_t off : {int64_t(0), kElems / 2 - 12345, kElems - (1 << 20)}) {
      CK(cudaMemcpy(h.data(), y + off, h.size() * 4, cudaMemcpyDeviceToHost));
      for (float x : h) ok &= x == 17.f;
    }
    const float m = median(ms);
    std::printf("%-12s %8.3f ms  %6.2f TB/s%s\n", name, m, kElems * 4e-9 / m, ok ? "" : "  (NOT all written)");
    CK(cudaMemset(y, 0, kElems * 4));
  };
  timeit("seq", [&](float v) { seq_kernel<<<sms * 8, 256>>>(y, kElems / 4, v); });
  struct Named {
    const char* name;
    Pattern p;
  };
  const Named pats[] = {
      {"32x1h", {32, 1, true, false, true}},   {"32x1h-rd", {32, 1, true, true, true}},
      {"32x1h-n", {32, 1, true, false, false}}, {"32x1f", {32, 1, false, false, true}},
      {"16x2h", {16, 2, true, false, true}},   {"8x4f", {8, 4, false, false, true}},
      {"4x8f", {4, 8, false, false, true}},    {"1x32f", {1, 32, false, false, true}},
      {"32x4f", {32, 4, false, false, true}},  {"8x4f-rd", {8, 4, false, true, true}},
      {"32x2f", {32, 2, false, false, true}},  // (2 KB runs: the 2 x 2 row blocks of NOTES' sketch)
  };
  for (const Named& q : pats)
    timeit(q.name, [&](float v) { tile_kernel<<<sms, 128 * nwg>>>(y, q.p, nwg, v); });
  CK(cudaFree(y));
  return 0;
}
