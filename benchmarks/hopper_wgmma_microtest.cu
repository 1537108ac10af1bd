// Hopper wgmma microtest (benchmarks/NOTES.md v60): products of m64n128k8 TF32 with a 128-byte-swizzled K-major B
// operand started s rows into its swizzle atom, for three descriptor base offsets, and wgmma throughput by operand
// layout.  Build: nvcc -isystem <cutlass include> -std=c++17 -gencode=arch=compute_90a,code=sm_90a; run on an H100/H200.
#include <cstdint>
#include <cstdio>
#include <utility>
#include <cute/arch/mma_sm90_gmma.hpp>
__device__ uint64_t dA(uint32_t a) { return uint64_t((a & 0x3FFFF) >> 4) | (uint64_t(1024 >> 4) << 16) | (uint64_t(128 >> 4) << 32); }
__device__ uint64_t dI(uint32_t a, uint32_t lbo) { return uint64_t((a & 0x3FFFF) >> 4) | (uint64_t(lbo >> 4) << 16) | (uint64_t(128 >> 4) << 32); }
__device__ uint64_t dB(uint32_t a, int bo) { return uint64_t((a & 0x3FFFF) >> 4) | (uint64_t(1) << 16) | (uint64_t(1024 >> 4) << 32) | (uint64_t(bo & 7) << 49) | (uint64_t(1) << 62); }
template <size_t... I> __device__ void mma(uint64_t a, uint64_t b, float (&d)[64], std::index_sequence<I...>) {
  cute::SM90::GMMA::MMA_64x128x8_F32TF32TF32_SS_TN<>::fma(a, b, d[I]...);
}
__global__ void k(const float* A, const float* B, float* D, int s, int mode) {
  extern __shared__ __align__(1024) uint8_t sm[];
  uint32_t base = uint32_t(__cvta_generic_to_shared(sm));
  uint32_t pad = ((base + 1023) & ~1023u) - base;
  float* As = (float*)(sm + pad);            // 8 chunks x 64 rows x 4 floats (K=32): 8 KB
  float* Bs = (float*)(sm + pad + 8192);     // 136 rows x 32 floats swizzled
  for (int i = threadIdx.x; i < 64 * 32; i += 128) { int m = i / 32, kk = i % 32; As[((kk / 4) * 64 + m) * 4 + kk % 4] = A[i]; }
  for (int i = threadIdx.x; i < 136 * 32; i += 128) { int w = i / 32, kk = i % 32; int c = (kk / 4) ^ (w % 8); Bs[w * 32 + c * 4 + kk % 4] = B[i]; }
  asm volatile("fence.proxy.async.shared::cta;\n" ::: "memory");
  __syncthreads();
  float d[64];
  for (int i = 0; i < 64; ++i) d[i] = 0.f;
  cute::warpgroup_arrive();
  uint32_t a0 = base + pad, b0 = base + pad + 8192 + s * 128;
  for (int c = 0; c < 8; c += 2) {
    uint32_t ba = b0 + c * 16;
    int bo = mode == 0 ? 0 : mode == 1 ? int((ba >> 7) & 7) : int(((ba >> 7) & 7) ? 8 - ((ba >> 7) & 7) : 0);
    mma(dA(a0 + c * 1024), dB(ba, bo), d, std::make_index_sequence<64>{});
  }
  cute::warpgroup_commit_batch();
  cute::warpgroup_wait<0>();
  int warp = threadIdx.x / 32, lane = threadIdx.x % 32, g = lane / 4, t = lane % 4;
  for (int j = 0; j < 16; ++j) for (int h = 0; h < 2; ++h) for (int e = 0; e < 2; ++e)
    D[(16 * warp + g + 8 * h) * 128 + 8 * j + 2 * t + e] = d[4 * j + 2 * h + e];
}
__global__ void tput(float* out, int kch, int reps, int unrolled, long long* clk, int lay) {
  extern __shared__ __align__(1024) uint8_t sm[];
  uint32_t base = uint32_t(__cvta_generic_to_shared(sm));
  uint32_t pad = ((base + 1023) & ~1023u) - base;
  for (int i = threadIdx.x; i < 60000 / 4 - 1024; i += 128) ((float*)(sm + pad))[i] = 0.5f;
  asm volatile("fence.proxy.async.shared::cta;\n" ::: "memory");
  __syncthreads();
  float d[64];
  for (int i = 0; i < 64; ++i) d[i] = 0.f;
  uint32_t a0 = base + pad, b0 = base + pad + 8192;
  long long t0 = clock64();
  for (int r = 0; r < reps; ++r) {
    for (int i = 0; i < 64; ++i) asm volatile("" : "+f"(d[i])::"memory");
    cute::warpgroup_arrive();
    if (lay == 1) {  // both 128B-swizzled (A rows of 128 B, 8 KB)
#pragma unroll
      for (int c = 0; c < 8; c += 2) mma(dB(a0 + c * 16, 0), dB(b0 + c * 16, 0), d, std::make_index_sequence<64>{});
    } else if (lay == 2) {  // both interleave
#pragma unroll
      for (int c = 0; c < 8; c += 2) mma(dA(a0 + c * 1024), dI(b0 + c * 2048, 2048), d, std::make_index_sequence<64>{});
    } else if (unrolled) {
#pragma unroll
      for (int c = 0; c < 8; c += 2) mma(dA(a0 + c * 1024), dB(b0 + c * 16, 0), d, std::make_index_sequence<64>{});
    } else {
      for (int c = 0; c < kch; c += 2) mma(dA(a0 + c * 1024), dB(b0 + c * 16, 0), d, std::make_index_sequence<64>{});
    }
    cute::warpgroup_commit_batch();
    cute::warpgroup_wait<0>();
    for (int i = 0; i < 64; ++i) asm volatile("" : "+f"(d[i])::"memory");
  }
  long long t1 = clock64();
  if (threadIdx.x == 0) *clk = t1 - t0;
  float s = 0; for (int i = 0; i < 64; ++i) s += d[i];
  out[threadIdx.x] = s;
}
int main() {
  float *A, *B, *D; cudaMallocManaged(&A, 64 * 32 * 4); cudaMallocManaged(&B, 136 * 32 * 4); cudaMallocManaged(&D, 64 * 128 * 4);
  for (int i = 0; i < 64 * 32; ++i) A[i] = float((i * 7) % 5 - 2);
  for (int i = 0; i < 136 * 32; ++i) B[i] = float((i * 13) % 7 - 3);
  cudaFuncSetAttribute(k, cudaFuncAttributeMaxDynamicSharedMemorySize, 40000);
  for (int mode = 0; mode < 3; ++mode) for (int s = 0; s < 4; ++s) {
    k<<<1, 128, 40000>>>(A, B, D, s, mode);
    cudaError_t e = cudaDeviceSynchronize();
    double err = 0;
    for (int m = 0; m < 64; ++m) for (int n = 0; n < 128; ++n) {
      double r = 0; for (int kk = 0; kk < 32; ++kk) r += double(A[m * 32 + kk]) * B[(n + s) * 32 + kk];
      err = fmax(err, fabs(r - D[m * 128 + n]));
    }
    printf("mode %d (0: base0, 1: (addr>>7)&7, 2: 8-that) s %d: max err %g %s\n", mode, s, err, cudaGetErrorString(e));
  }
  long long* clk; cudaMallocManaged(&clk, 8);
    cudaFuncSetAttribute(tput, cudaFuncAttributeMaxDynamicSharedMemorySize, 60000);
  const char* names[4] = {"A interleave, B sw128, runtime loop", "A interleave, B sw128, unrolled", "A sw128, B sw128", "A interleave, B interleave"};
  for (int v = 0; v < 4; ++v) {
    tput<<<1, 128, 60000>>>(D, 8, 1000, v == 1, clk, v < 2 ? 0 : v - 1);
    cudaError_t e = cudaDeviceSynchronize();
    printf("%s: %.1f clocks per wgmma m64n128k8 (4 per commit) %s\n", names[v], double(*clk) / 4000, cudaGetErrorString(e));
  }
}
