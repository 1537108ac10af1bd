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
//   ...-L<l>      (stop 60) each warpgroup takes l consecutive tiles (of 32 x 1 whole rows: l consecutive rows of a
//                 channel, one memory run) instead of one tile of every nwg
//   ...-L<l>c     the same, and the 32-byte sector a warpgroup's consecutive rows share is written whole, once, by the
//                 later tile (the earlier keeps its row's last partial sector back: the forward's "carry" design)
// Stores are 16-byte vectors where a run's elements lie on 16 bytes, elements at its ends (as VecRow), under an
// evict-first L2 policy (as the forward's y past the L2) or plain (suffix -n).  Times: CUDA events, median of 15.
// Elements of 4 bytes (fp32) or, with a third argument 2, of 2 bytes (bf16 / fp16 y: 510-byte rows at W 255).
// Build: nvcc -O3 -std=c++17 -gencode=arch=compute_90,code=sm_90 ywrite_pattern_probe.cu -o ywrite_probe
// Run: ywrite_probe [warpgroups a CTA, 3] [W, 255] [element bytes, 4]: W 256 gives rows on whole 32-byte sectors
// (half rows too, fp32), which separates the run length from the partial sectors at the runs' ends (NOTES, stop 58).
#include <cuda_runtime.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
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
  int wrun = 1;   // consecutive tiles a warpgroup takes
  bool carry = false;  // whole shared sectors between a warpgroup's consecutive rows
};

__device__ __forceinline__ uint64_t policy(bool first) {
  uint64_t p;
  if (first)
    asm volatile("createpolicy.fractional.L2::evict_first.b64 %0, 1.0;" : "=l"(p));
  else
    asm volatile("createpolicy.fractional.L2::evict_normal.b64 %0, 1.0;" : "=l"(p));
  return p;
}
__device__ __forceinline__ void st4(void* a, float v, uint64_t pol) {
  asm volatile("st.global.L2::cache_hint.v4.f32 [%0], {%1, %1, %1, %1}, %2;" ::"l"(a), "f"(v), "l"(pol) : "memory");
}
__device__ __forceinline__ void st1(float* a, float v, uint64_t pol) {
  asm volatile("st.global.L2::cache_hint.f32 [%0], %1, %2;" ::"l"(a), "f"(v), "l"(pol) : "memory");
}
__device__ __forceinline__ void st1(uint16_t* a, float v, uint64_t pol) {
  const uint16_t h = uint16_t(__float_as_uint(v) >> 16);  // (bf16 of v: v is a small integer, exact)
  asm volatile("st.global.L2::cache_hint.b16 [%0], %1, %2;" ::"l"(a), "h"(h), "l"(pol) : "memory");
}

__global__ void seq_kernel(float* y, int64_t n4, float v) {
  const uint64_t pol = policy(true);
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n4; i += int64_t(gridDim.x) * blockDim.x)
    st4(y + 4 * i, v, pol);
}

// a warp stores one run of len elements at p (element-aligned): head elements, 16-byte vectors, tail elements
// (a 16-byte vector of v as bf16 holds other bits than v's fp32 vector: the check reads what was stored)
template <class T>
__device__ __forceinline__ void store_run(T* p, int len, int lane, float v, uint64_t pol) {
  constexpr int VO = 16 / sizeof(T);
  const int head = min(len, int((16 - (reinterpret_cast<uintptr_t>(p) & 15)) & 15) / int(sizeof(T)));
  const int nv = (len - head) / VO, tail0 = head + VO * nv;
  const float vv = sizeof(T) == 4 ? v : __uint_as_float((__float_as_uint(v) >> 16) * 0x10001u);
  for (int i = lane; i < nv; i += 32) st4(p + head + VO * i, vv, pol);
  if (lane < head) st1(p + lane, v, pol);
  if (lane < len - tail0) st1(p + tail0 + lane, v, pol);
}

template <class T>
__global__ void tile_kernel(T* y, Pattern pt, int nwg, float v) {
  const int wg = threadIdx.x / 128, warp = (threadIdx.x / 32) % 4, lane = threadIdx.x % 32;
  const uint64_t pol = policy(pt.evict_first);
  const int qbs = pt.half ? 2 : 1, rblocks = (H + pt.rows - 1) / pt.rows, cblocks = C / pt.ch;
  const int dsplit = pt.rd ? 2 : 1;
  // CTAs of this segment (rd) and its tiles
  const int half = gridDim.x / dsplit, seg = min(int(blockIdx.x) / half, dsplit - 1);
  const int cta = blockIdx.x - seg * half, ctas = seg == dsplit - 1 ? gridDim.x - seg * half : half;
  const int dseg = pt.rd ? (D + 1 - seg) / 2 : D;  // od = seg, seg + 2, ... (rd) or every od
  const int64_t tiles = int64_t(N) * dseg * rblocks * qbs * cblocks;
  const int L = pt.wrun;
  for (int64_t k = 0;; ++k) {
    const int64_t t = ((k / L) * ctas + cta) * nwg * L + wg * L + k % L;
    if (t >= tiles) {
      if (k % L == 0) break;  // (a run cut short by the end: the next run starts past it too)
      continue;
    }
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
    // carry (rows = 1, whole rows, no rd): the previous / next tile of this warpgroup's run the row before / after in
    // memory (a channel's rows are one run along (od, oh) within n)
    constexpr int SE = 32 / sizeof(T);
    const bool cin = pt.carry && k % L != 0 && (t % (int64_t(dseg) * rblocks)) != 0;
    const bool cout = pt.carry && k % L != L - 1 && t + 1 < tiles && ((t + 1) % (int64_t(dseg) * rblocks)) != 0;
    for (int ru = warp; ru < runs; ru += 4) {
      const int c = cb * pt.ch + (merge ? ru : ru / nrows), oh = hb * pt.rows + (merge ? 0 : ru % nrows);
      T* p = y + ((((int64_t(n) * C + c) * D + od) * H + oh) * W + o0);
      int n_el = merge ? nrows * W : len;
      if (pt.carry) {  // [lo, hi): from the sector boundary at or before p (cin), to the last one at or before p + n
        const int ph = int((reinterpret_cast<uintptr_t>(p) / sizeof(T)) % SE);
        const int end_ph = int((reinterpret_cast<uintptr_t>(p + n_el) / sizeof(T)) % SE);
        T* lo = cin ? p - ph : p;
        T* hi = cout ? p + n_el - end_ph : p + n_el;
        p = lo;
        n_el = int(hi - lo);
      }
      store_run(p, n_el, lane, v, pol);
    }
  }
}

static float median(std::vector<float> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

int main(int argc, char** argv) {
  const int nwg = argc > 1 ? std::atoi(argv[1]) : 3, w = argc > 2 ? std::atoi(argv[2]) : 255;
  const int es = argc > 3 ? std::atoi(argv[3]) : 4;
  if (nwg < 1 || nwg > 8 || w < 129 || w > 256 || (es != 4 && es != 2)) {
    std::fprintf(stderr, "warpgroups 1..8, W 129..256, element bytes 4 or 2\n");
    return 2;
  }
  CK(cudaMemcpyToSymbol(W, &w, sizeof w));
  kElems = int64_t(N) * C * D * H * w;
  const int64_t bytes = kElems * es;
  int sms = 0;
  CK(cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, 0));
  cudaDeviceProp prop;
  CK(cudaGetDeviceProperties(&prop, 0));
  void* y;
  CK(cudaMalloc(&y, bytes));
  cudaEvent_t a, b;
  CK(cudaEventCreate(&a));
  CK(cudaEventCreate(&b));
  std::printf("%s, %d SMs, y %.3f GB (W %d, %d-byte elements), %d warpgroups a CTA\n", prop.name, sms, bytes * 1e-9, w,
              es, nwg);
  // the last launch stores 17: as fp32, or as bf16 (0x4188) whose 16-byte vectors are pairs of it
  const uint32_t bits17 = 0x41880000u;
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
    // every element written: the last launch stored 17 everywhere
    std::vector<uint32_t> h(1 << 20);
    bool ok = true;
    const uint32_t want = es == 4 ? bits17 : (bits17 >> 16) * 0x10001u;
    for (int64_t off : {int64_t(0), bytes / 2 - 4 * 12345, bytes - 4 * (1 << 20)}) {
      CK(cudaMemcpy(h.data(), static_cast<char*>(y) + off, h.size() * 4, cudaMemcpyDeviceToHost));
      for (uint32_t x : h) ok &= x == want;
    }
    const float m = median(ms);
    std::printf("%-12s %8.3f ms  %6.2f TB/s%s\n", name, m, bytes * 1e-9 / m, ok ? "" : "  (NOT all written)");
    CK(cudaMemset(y, 0, bytes));
  };
  timeit("seq", [&](float v) {
    float vv = v;
    if (es == 2) {
      uint32_t u;
      std::memcpy(&u, &v, 4);
      u = (u >> 16) * 0x10001u;
      std::memcpy(&vv, &u, 4);
    }
    seq_kernel<<<sms * 8, 256>>>(static_cast<float*>(y), bytes / 16, vv);
  });
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
      // stop 60: a warpgroup's runs of consecutive whole rows, with and without the shared sectors made whole
      {"32x1f-L8", {32, 1, false, false, true, 8, false}},  {"32x1f-L2c", {32, 1, false, false, true, 2, true}},
      {"32x1f-L4c", {32, 1, false, false, true, 4, true}},  {"32x1f-L8c", {32, 1, false, false, true, 8, true}},
      {"32x1f-L32c", {32, 1, false, false, true, 32, true}}, {"32x1f-L8c-n", {32, 1, false, false, false, 8, true}},
  };
  for (const Named& q : pats)
    timeit(q.name, [&](float v) {
      if (es == 4)
        tile_kernel<float><<<sms, 128 * nwg>>>(static_cast<float*>(y), q.p, nwg, v);
      else
        tile_kernel<uint16_t><<<sms, 128 * nwg>>>(static_cast<uint16_t*>(y), q.p, nwg, v);
    });
  CK(cudaFree(y));
  return 0;
}
